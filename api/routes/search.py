"""Full-text search over what the caller may see, with a snippet around the match."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentPerson, SessionDep
from api.present import present_entries
from api.schemas import SearchHitPublic, SearchResultsPublic
from models.search import search

__all__ = ["router"]

router = APIRouter(tags=["search"])


@router.get("/search")
def search_journal(
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words to find.")],
    person: CurrentPerson,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResultsPublic:
    """Entries whose transcript, or an answer under them, holds every word (best first)."""
    hits = search(session, person, q, limit=limit)
    entries = present_entries(session, person, [h.entry for h in hits])
    return SearchResultsPublic(query=q, items=[
        SearchHitPublic(entry=e, snippet=h.snippet) for e, h in zip(entries, hits, strict=True)
    ])
