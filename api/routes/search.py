"""Full-text search over what the caller may see, with a snippet around the match."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from confide.api.deps import CurrentPerson, RuntimeDep, SessionDep
from confide.api.errors import error_doc
from confide.api.present import present_entries
from confide.api.schemas import SearchHitPublic, SearchResultsPublic
from confide.models.search import search
from confide.models.tables import Person

__all__ = ["router"]

router = APIRouter(tags=["search"])


@router.get("/search", responses={422: error_doc(
    "The query is too long, or has no word to look for (only punctuation or symbols).")})
async def search_journal(
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words to find.")],
    person: CurrentPerson,
    session: SessionDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResultsPublic:
    """Entries whose transcript, or an answer under them, holds every word (best first)."""
    return await runtime.db(_results, session, person, q, limit)


def _results(session: Session, person: Person, q: str, limit: int) -> SearchResultsPublic:
    hits = search(session, person, q, limit=limit)
    entries = present_entries(session, person, [h.entry for h in hits])
    return SearchResultsPublic(query=q, items=[
        SearchHitPublic(entry=e, snippet=h.snippet) for e, h in zip(entries, hits, strict=True)
    ])
