"""Pages the couple shares: mutual prompts (answer, then see both), goals with check-ins,
and progress with accessible charts.

Writes call the same operations as the JSON API (``answer_mutual``, ``create_goal``,
``add_checkin``, ``update_goal``); the mutual reveal itself is the visibility rule's,
so these pages only show what ``mutual_status`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from confide.api.deps import SessionDep
from confide.api.errors import status_for
from confide.api.web.charts import bar_chart, line_chart
from confide.api.web.context import (
    CsrfField,
    PersonDep,
    SignedIn,
    WebContext,
    WebDep,
    check_csrf,
    csrf_refused,
    redirect,
)
from confide.api.web.journal import error_page, names_for
from confide.models.couples import partner_of
from confide.models.errors import ConfideError, InvalidInput, NotFound
from confide.models.goals import (
    GOAL_STATUSES,
    add_checkin,
    create_goal,
    get_goal,
    list_checkins,
    list_goals,
    update_goal,
)
from confide.models.mutual import MutualStatus, answer_mutual, mutual_status
from confide.models.progress import progress_for, summary_sentence
from confide.models.tables import Goal, GoalCheckIn, utcnow
from confide.prompts import Prompt, load_library

__all__ = ["add_routes"]

PromptId = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")]


def _mutual_prompts() -> list[Prompt]:
    return [p for p in load_library().prompts.values() if p.audience == "mutual"]


def _state(status: MutualStatus) -> str:
    """One short phrase per state, read out beside each prompt."""
    if status.revealed:
        return "Both answered: see both answers"
    if status.mine is not None:
        return "You answered; waiting for your partner"
    if status.partner_answered:
        return "Your partner answered; your turn"
    return "Not answered yet"


def mutual_list(request: Request, web: WebDep, who: PersonDep, session: SessionDep
                ) -> HTMLResponse:
    """Every mutual prompt with where the couple stands on it."""
    rows = []
    for prompt in _mutual_prompts():
        status = mutual_status(session, who.person, prompt.id)
        rows.append({"prompt": prompt, "text": prompt.speak(web.settings.crisis_line),
                     "state": _state(status), "revealed": status.revealed})
    return web.render(request, "mutual.html", {
        "rows": rows, "paired": who.person.couple_id is not None,
    }, person=who.person, csrf=who.csrf, title="Mutual prompts")


def _mutual_page(request: Request, web: WebContext, who: SignedIn, session: Session,
                 prompt: Prompt, *, answer: str = "", error: str | None = None,
                 status: int = 200) -> HTMLResponse:
    found = mutual_status(session, who.person, prompt.id)
    partner = partner_of(session, who.person)
    return web.render(request, "mutual_prompt.html", {
        "prompt": prompt,
        "text": prompt.speak(web.settings.crisis_line),
        "status": found,
        "partner_name": partner.name if partner is not None else "your partner",
        "paired": who.person.couple_id is not None,
        "answer": answer,
        "error": error,
        "tz": who.person.timezone,
    }, person=who.person, csrf=who.csrf, status=status, title="Mutual prompt")


def _find_mutual(prompt_id: str) -> Prompt:
    for prompt in _mutual_prompts():
        if prompt.id == prompt_id:
            return prompt
    raise NotFound("There is no such mutual prompt.")


def mutual_prompt(prompt_id: PromptId, request: Request, web: WebDep, who: PersonDep,
                  session: SessionDep) -> HTMLResponse:
    """One mutual prompt: the answer form, or both answers once both have answered."""
    try:
        prompt = _find_mutual(prompt_id)
    except NotFound as exc:
        return error_page(request, web, who, exc)
    return _mutual_page(request, web, who, session, prompt)


def answer_mutual_prompt(prompt_id: PromptId, request: Request, web: WebDep, who: PersonDep,
                         session: SessionDep, text: Annotated[str, Form()] = "",
                         csrf_token: CsrfField = "") -> Response:
    """Store the answer (once); the partner's stays hidden until they have answered too."""
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    try:
        prompt = _find_mutual(prompt_id)
    except NotFound as exc:
        return error_page(request, web, who, exc)
    try:
        answer_mutual(session, who.person, prompt.id, text=text, prompt_text=prompt.text)
    except ConfideError as exc:
        session.rollback()
        return _mutual_page(request, web, who, session, prompt, answer=text, error=str(exc),
                            status=status_for(exc))
    return redirect(f"/mutual/{prompt.id}?done=mutual")


@dataclass(frozen=True, slots=True)
class GoalView:
    goal: Goal
    checkins: list[GoalCheckIn]
    latest: GoalCheckIn | None


def goals_page(request: Request, web: WebDep, who: PersonDep, session: SessionDep,
               ) -> HTMLResponse:
    """The couple's goals, each with its latest check-in, and a form for a new goal."""
    return _goals(request, web, who, session)


def _goals(request: Request, web: WebContext, who: SignedIn, session: Session, *,
           form: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    views = []
    for goal in list_goals(session, who.person):
        assert goal.id is not None
        checkins = list_checkins(session, who.person, goal.id)
        views.append(GoalView(goal, checkins, checkins[-1] if checkins else None))
    return web.render(request, "goals.html", {
        "goals": views, "names": names_for(session, who.person),
        "paired": who.person.couple_id is not None,
        "form": form or {"title": "", "why": "", "error": None}, "tz": who.person.timezone,
    }, person=who.person, csrf=who.csrf, status=status, title="Goals")


def new_goal(request: Request, web: WebDep, who: PersonDep, session: SessionDep,
             title: Annotated[str, Form()] = "", why: Annotated[str, Form()] = "",
             csrf_token: CsrfField = "") -> Response:
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    try:
        goal = create_goal(session, who.person, title, why)
    except ConfideError as exc:
        session.rollback()
        return _goals(request, web, who, session,
                      form={"title": title, "why": why, "error": str(exc)},
                      status=status_for(exc))
    return redirect(f"/goals/{goal.id}?done=goal")


def _goal(request: Request, web: WebContext, who: SignedIn, session: Session, goal_id: int,
          *, form: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    try:
        goal = get_goal(session, who.person, goal_id)
        checkins = list_checkins(session, who.person, goal_id)
    except ConfideError as exc:
        return error_page(request, web, who, exc)
    return web.render(request, "goal.html", {
        "goal": goal, "checkins": list(reversed(checkins)),
        "names": names_for(session, who.person), "statuses": GOAL_STATUSES,
        "form": form or {"rating": "", "reflection": "", "error": None},
        "tz": who.person.timezone,
    }, person=who.person, csrf=who.csrf, status=status, title=goal.title)


def goal_page(goal_id: int, request: Request, web: WebDep, who: PersonDep,
              session: SessionDep) -> HTMLResponse:
    """One goal: a check-in form (1–5 and a reflection) and every check-in so far."""
    return _goal(request, web, who, session, goal_id)


def check_in(goal_id: int, request: Request, web: WebDep, who: PersonDep, session: SessionDep,
             rating: Annotated[str, Form()] = "", reflection: Annotated[str, Form()] = "",
             csrf_token: CsrfField = "") -> Response:
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    try:
        if rating not in {"1", "2", "3", "4", "5"}:
            raise InvalidInput("Choose a rating from 1 to 5.")
        add_checkin(session, who.person, goal_id, int(rating), reflection)
    except NotFound as exc:
        return error_page(request, web, who, exc)
    except ConfideError as exc:
        session.rollback()
        return _goal(request, web, who, session, goal_id, form={
            "rating": rating, "reflection": reflection, "error": str(exc)},
            status=status_for(exc))
    return redirect(f"/goals/{goal_id}?done=checkin")


def goal_status(goal_id: int, request: Request, web: WebDep, who: PersonDep,
                session: SessionDep, status: Annotated[str, Form()] = "",
                csrf_token: CsrfField = "") -> Response:
    """Pause, finish or reopen a goal; either partner may."""
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    try:
        update_goal(session, who.person, goal_id, status=status)
    except ConfideError as exc:
        session.rollback()
        return error_page(request, web, who, exc)
    return redirect(f"/goals/{goal_id}?done=goal-status")


def progress_page(request: Request, web: WebDep, who: PersonDep, session: SessionDep
                  ) -> HTMLResponse:
    """Streak, entries per week and goal ratings: as sentences, SVG charts and tables."""
    progress = progress_for(session, who.person, utcnow())
    partner = partner_of(session, who.person)
    partner_name = partner.name if partner is not None else "Your partner"
    weeks = bar_chart([(w.week_start, w.entries) for w in progress.weeks])
    goal_charts = []
    for goal in progress.goals:
        series = [("You", [(p.day, p.rating) for p in goal.points if p.by_me]),
                  (partner_name, [(p.day, p.rating) for p in goal.points if not p.by_me])]
        goal_charts.append({
            "goal": goal,
            "chart": line_chart([s for s in series if s[1]]),
            "rows": [(p.day, "You" if p.by_me else partner_name, p.rating) for p in goal.points],
        })
    return web.render(request, "progress.html", {
        "p": progress, "summary": summary_sentence(progress), "weeks_chart": weeks,
        "goal_charts": goal_charts,
    }, person=who.person, csrf=who.csrf, title="Progress")


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/mutual", mutual_list, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/mutual/{prompt_id}", mutual_prompt, methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route("/mutual/{prompt_id}", answer_mutual_prompt, methods=["POST"])
    router.add_api_route("/goals", goals_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/goals", new_goal, methods=["POST"])
    router.add_api_route("/goals/{goal_id}", goal_page, methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route("/goals/{goal_id}/checkins", check_in, methods=["POST"])
    router.add_api_route("/goals/{goal_id}/status", goal_status, methods=["POST"])
    router.add_api_route("/progress", progress_page, methods=["GET"],
                         response_class=HTMLResponse)
