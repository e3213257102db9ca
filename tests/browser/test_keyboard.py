"""The main flow with the keyboard alone — Tab, Shift-free, Enter and Space only: sign in,
open a shared entry, play it, answer it, then every page of the menu. On each page Tab
reaches every control, in document order, each with a visible focus indicator."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, new_page, screenshot
from tests.browser.seed import PASSPHRASES

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const a = document.activeElement;
    if (!a || a === document.body) return null;
    const all = Array.from(document.querySelectorAll('*'));
    const style = getComputedStyle(a);
    return {index: all.indexOf(a), tag: a.tagName.toLowerCase(), id: a.id,
            name: a.getAttribute('name'), type: a.getAttribute('type'),
            text: (a.innerText || a.value || a.getAttribute('aria-label') || '').trim().slice(0, 60),
            outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth)};
}"""

CONTROLS = """() => {
    const sel = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), ' +
                'select:not([disabled]), textarea:not([disabled]), audio[controls], ' +
                '[tabindex]:not([tabindex="-1"])';
    const all = Array.from(document.querySelectorAll('*'));
    return Array.from(document.querySelectorAll(sel))
        .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
        .map(el => ({index: all.indexOf(el), tag: el.tagName.toLowerCase(),
                     name: el.getAttribute('name'), type: el.getAttribute('type'),
                     text: (el.innerText || el.value || el.id || '').trim().slice(0, 60)}));
}"""


def tab_to(page: Any, matches: Any, limit: int = 120) -> dict[str, Any]:
    """Press Tab until the focused element satisfies ``matches``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and matches(focused):
            return dict(focused)
    raise AssertionError("Tab never reached the control")


# confide.css has applied (the skip link is moved off screen only by it). Until then a
# focused element shows the browser's own thin `auto` ring, which is not the page's.
STYLED = """() => document.readyState === 'complete' &&
    getComputedStyle(document.querySelector('.skip-link')).position === 'absolute'"""


def follow(page: Any, key: str = "Enter") -> None:
    """Press ``key`` on a focused link and wait for the new page to load (waiting for the
    load state alone would return at once, for the page being left)."""
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def walk(page: Any, label: str) -> None:
    """Tab round the whole page once and check every control was reached, in reading order,
    with a visible focus indicator. The walk starts wherever focus is and goes until it
    comes back round; the order is then read from the skip link on."""
    page.wait_for_function(STYLED)
    controls = page.evaluate(CONTROLS)
    reached: list[dict[str, Any]] = []
    seen: set[int] = set()
    last = -1
    for _ in range(len(controls) * 8 + 20):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            last = -1
            continue
        index = focused["index"]
        if index in seen:
            if index == reached[0]["index"] and index != last:
                break  # round once
            last = index
            continue  # an audio player's inner controls keep focus on the element
        last = index
        seen.add(index)
        reached.append(focused)
        assert (focused["outline"] == "solid" and focused["outlineWidth"] >= 3) or \
            focused["tag"] == "audio", f"{label}: no visible focus on {focused}"
    skip = next((i for i, r in enumerate(reached) if r["text"] == "Skip to main content"), None)
    assert skip is not None, f"{label}: the skip link was never reached"
    ordered = reached[skip:] + reached[:skip]
    order = [r["index"] for r in ordered]
    assert order == sorted(order), f"{label}: focus order is not the reading order: {ordered}"
    radio_groups = {r["name"] for r in reached if r["type"] == "radio"}
    missing = [c for c in controls if c["index"] not in seen
               and not (c["type"] == "radio" and c["name"] in radio_groups)]
    assert not missing, f"{label}: Tab never reached {missing}"
    screenshot(page, f"keyboard-{label}")


def test_main_flow_by_keyboard_alone(browser: Any, server: Server) -> None:
    seeded = server.seeded
    page = new_page(browser, server)
    try:
        page.goto("/signin")
        walk(page, "signin")
        tab_to(page, lambda f: f["id"] == "name")
        page.keyboard.type("Sam")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSPHRASES["Sam"])
        tab_to(page, lambda f: f["text"] == "Sign in")
        page.keyboard.press("Enter")
        page.wait_for_url("**/journal")

        # The skip link moves focus past the menu to the main content.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
        walk(page, "journal")

        tab_to(page, lambda f: f["text"].startswith("Alex's spoken reflection"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/entries/{seeded.spoken_id}")
        walk(page, "entry")
        tab_to(page, lambda f: f["id"] == "recording")
        page.keyboard.press("Space")
        page.wait_for_function("() => { const a = document.getElementById('recording');"
                               " return !a.paused && a.currentTime > 0.3; }")
        page.keyboard.press("Space")
        tab_to(page, lambda f: f["tag"] == "button" and f["text"].startswith("0:03"))
        page.keyboard.press("Space")
        page.wait_for_function(
            "() => document.getElementById('recording').currentTime >= 3")
        tab_to(page, lambda f: f["id"] == "answer-text")
        page.keyboard.type("I heard that dinner without phones matters to you.")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"done=answered"))
        expect(page.locator("#responses-list")).to_contain_text("dinner without phones matters")

        for link in ("Mutual prompts", "Goals", "Progress", "Search", "My private journal",
                     "Settings", "Help"):
            tab_to(page, lambda f, text=link: f["tag"] == "a" and f["text"] == text)
            follow(page)
            expect(page.get_by_role("link", name=link, exact=True)).to_have_attribute(
                "aria-current", "page")
            walk(page, link.lower().replace(" ", "-"))

        page.goto(f"/goals/{seeded.goal_id}")
        tab_to(page, lambda f: f["type"] == "radio")
        page.keyboard.press("Space")  # the first rating; arrow keys would move within the group
        tab_to(page, lambda f: f["id"] == "checkin-reflection")
        page.keyboard.type("Better this week.")
        tab_to(page, lambda f: f["text"] == "Save check-in")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"done=checkin"))
        expect(page.locator(".checkins li").first).to_contain_text("Better this week.")

        tab_to(page, lambda f: f["text"] == "Sign out")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/signin\?done=signed-out"))
        page.goto("/journal")
        assert "/signin" in page.url, "signing out did not end the session"
    finally:
        page.context.close()
