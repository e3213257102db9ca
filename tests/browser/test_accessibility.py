"""axe-core finds no WCAG 2.2 A/AA (or best-practice) violations on any page, at desktop
size and at 320 px wide (reflow, WCAG 1.4.10), nor on the main pages in the dark colour
scheme (the palette's other half; axe checks contrast of what is rendered)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Server, describe, new_page, run_axe, screenshot

pytestmark = pytest.mark.browser

PAGES = ("journal", "entry-spoken", "entry-written", "private", "mutual", "mutual-open",
         "mutual-revealed", "goals", "goal", "progress", "search", "settings", "help")


def path_of(name: str, server: Server) -> str:
    seeded = server.seeded
    return {
        "journal": "/journal",
        "entry-spoken": f"/entries/{seeded.spoken_id}",
        "entry-written": f"/entries/{seeded.written_id}",
        "private": "/private",
        "mutual": "/mutual",
        "mutual-open": f"/mutual/{seeded.mutual_open}",
        "mutual-revealed": f"/mutual/{seeded.mutual_revealed}",
        "goals": "/goals",
        "goal": f"/goals/{seeded.goal_id}",
        "progress": "/progress",
        "search": "/search?q=phones",
        "settings": "/settings",
        "help": "/help",
    }[name]


VIEWS: dict[str, dict[str, Any]] = {
    "desktop": {"width": 1280, "height": 900},
    "320px": {"width": 320, "height": 640},
    "dark": {"width": 1280, "height": 900, "color_scheme": "dark"},
}
DARK_PAGES = ("journal", "entry-spoken", "mutual-open", "progress", "settings")
"""Every colour pair of the palette appears on one of these (badge, notice, chart, forms)."""


COMBOS = [(view, name) for view in VIEWS for name in PAGES
          if view != "dark" or name in DARK_PAGES]


@pytest.fixture(scope="module")
def view(request: pytest.FixtureRequest, browser: Any, server: Server,
         sam_state: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """One signed-in page per view, reused across the pages checked in it."""
    page = new_page(browser, server, state=sam_state, **VIEWS[request.param])
    yield request.param, page
    page.context.close()


def _check(page: Any, label: str, width: int) -> None:
    violations = run_axe(page)
    screenshot(page, label)
    assert not violations, f"axe violations on {label}:\n{describe(violations)}"
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= width, f"{label} scrolls sideways ({overflow} px wide in {width} px)"


@pytest.mark.parametrize(("view", "name"), COMBOS, indirect=["view"])
def test_page_has_no_axe_violations(view: tuple[str, Any], name: str, server: Server) -> None:
    label, page = view
    page.goto(path_of(name, server))
    page.wait_for_load_state("load")
    _check(page, f"{name}-{label}", VIEWS[label]["width"])


@pytest.mark.parametrize("label", list(VIEWS))
def test_sign_in_page_has_no_axe_violations(label: str, browser: Any, server: Server) -> None:
    page = new_page(browser, server, **VIEWS[label])
    try:
        page.goto("/signin")
        _check(page, f"signin-{label}", VIEWS[label]["width"])
        if label != "desktop":
            return  # one failed sign-in is enough; each one counts towards the rate limit
        page.get_by_label("Your name").fill("Sam")
        page.get_by_label("Passphrase").fill("not the passphrase")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("alert").wait_for()
        _check(page, f"signin-error-{label}", VIEWS[label]["width"])
    finally:
        page.context.close()
