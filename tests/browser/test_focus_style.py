"""Every focusable element on every page shows a clear focus ring however it got focus
(keyboard, pointer or script): a solid outline at least 3 px wide, offset from the element,
in a colour with at least 3:1 contrast against what is behind it (WCAG 2.4.7 and the
focus appearance of 2.4.13), never the browser's thin ``auto`` ring. The skip link comes
on screen when focused. Checked on the computed style once the page's stylesheet applies,
so it does not depend on timing or on the browser's focus-visible heuristics."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Server, new_page
from tests.browser.test_accessibility import PAGES, path_of

pytestmark = pytest.mark.browser

STYLED = "() => getComputedStyle(document.querySelector('.skip-link')).position === 'absolute'"

FOCUS_STYLES = """(how) => {
    const sel = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), ' +
                'select:not([disabled]), textarea:not([disabled]), audio[controls], ' +
                '[tabindex]:not([tabindex="-1"])';
    const behind = (el) => {
        for (let e = el; e; e = e.parentElement) {
            const c = getComputedStyle(e).backgroundColor;
            if (c && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c)) return c;
        }
        return getComputedStyle(document.documentElement).backgroundColor;
    };
    return Array.from(document.querySelectorAll(sel))
        .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
        .map(el => {
            el.focus({focusVisible: how === 'keyboard'});
            const s = getComputedStyle(el);
            const r = el.getBoundingClientRect();
            const found = {tag: el.tagName.toLowerCase(), id: el.id,
                text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40),
                focused: document.activeElement === el, style: s.outlineStyle,
                width: parseFloat(s.outlineWidth), offset: parseFloat(s.outlineOffset),
                color: s.outlineColor, behind: behind(el.parentElement),
                skip: el.classList.contains('skip-link'), top: r.top + window.scrollY};
            el.blur();
            return found;
        });
}"""


def _rgb(css: str) -> tuple[float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", css)[:3]]
    assert len(parts) == 3, css
    return parts[0], parts[1], parts[2]


def _luminance(css: str) -> float:
    def channel(v: float) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(v) for v in _rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize(("a", "b", "ratio"), [
    ("rgb(0, 0, 0)", "rgb(255, 255, 255)", 21.0),
    ("rgb(255, 255, 255)", "rgb(255, 255, 255)", 1.0),
    ("rgb(176, 18, 91)", "rgb(255, 255, 255)", 6.9),
])
def test_contrast_is_the_wcag_ratio(a: str, b: str, ratio: float) -> None:
    assert contrast(a, b) == pytest.approx(ratio, abs=0.1)


def focus_problems(found: list[dict[str, Any]]) -> list[str]:
    problems = []
    for f in found:
        what = f"{f['tag']}#{f['id']} {f['text']!r}"
        if not f["focused"]:
            problems.append(f"{what} does not take focus")
        elif f["style"] != "solid" or f["width"] < 3:
            problems.append(f"{what}: outline {f['style']} {f['width']}px")
        elif f["offset"] < 1:
            problems.append(f"{what}: outline offset {f['offset']}px")
        elif contrast(f["color"], f["behind"]) < 3:
            problems.append(f"{what}: ring {f['color']} on {f['behind']} is under 3:1")
        elif f["skip"] and f["top"] < 0:
            problems.append(f"{what}: off screen when focused")
    return problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("how", ["keyboard", "pointer"])
def test_every_focusable_element_shows_a_clear_focus_ring(
        browser: Any, server: Server, sam_state: dict[str, Any], how: str, scheme: str) -> None:
    page = new_page(browser, server, color_scheme=scheme)
    try:
        page.goto("/signin")
        page.wait_for_function(STYLED)
        pages: dict[str, list[dict[str, Any]]] = {"signin": page.evaluate(FOCUS_STYLES, how)}
        page.context.close()
        page = new_page(browser, server, color_scheme=scheme, state=sam_state)
        for name in PAGES:
            page.goto(path_of(name, server))
            page.wait_for_function(STYLED)
            pages[name] = page.evaluate(FOCUS_STYLES, how)
        problems = {name: p for name, found in pages.items() if (p := focus_problems(found))}
        assert not problems, problems
        for name, found in pages.items():
            assert sum(f["skip"] for f in found) == 1, f"{name}: no skip link"
            assert len(found) > 3, name
    finally:
        page.context.close()
