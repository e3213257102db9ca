"""Export: everything the caller may see, as a zip of Markdown, JSON and the recordings."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import Response

from confide.api.deps import CurrentPerson, SessionDep, StoreDep
from confide.models.export import export_zip

__all__ = ["router"]

router = APIRouter(tags=["export"])


@router.get("/export", response_class=Response, responses={200: {
    "description": "A zip with journal.md, journal.json and audio/.",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}})
def export_journal(person: CurrentPerson, session: SessionDep, store: StoreDep) -> Response:
    """Download one's journal (and the shared one) to keep."""
    data = export_zip(session, store, person)
    name = f"confide-export-{datetime.now(UTC):%Y%m%d}.zip"
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
