"""The author's private entries never reach the partner: not in the journal pages, not in
search, not by their address. (The author still sees them, so the check is not vacuous.)"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, new_page, screenshot, sign_in
from tests.browser.seed import PRIVATE_WORD

pytestmark = pytest.mark.browser


def test_the_partner_never_sees_the_authors_private_entries(sam_page: Any,
                                                            server: Server) -> None:
    page = sam_page
    seeded = server.seeded
    for path in ("/journal", "/private", "/progress", "/mutual"):
        page.goto(path)
        assert PRIVATE_WORD not in page.content().lower(), f"{path} shows a private entry"
    page.goto("/private")
    expect(page.locator("body")).to_contain_text("My own note about the garden")
    expect(page.locator(f"#entry-{seeded.alex_private_id}-title")).to_have_count(0)

    page.goto("/search")
    page.get_by_label("Words to find").fill(PRIVATE_WORD)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2)).to_have_text(f"0 results for “{PRIVATE_WORD}”")
    assert page.locator("ol.entries li").count() == 0
    screenshot(page, "privacy-search")

    reply = page.goto(f"/entries/{seeded.alex_private_id}")
    assert reply is not None and reply.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    assert PRIVATE_WORD not in page.content().lower()
    audio = page.request.get(f"/api/entries/{seeded.alex_private_id}")
    assert audio.status == 404


def test_the_author_sees_their_own_private_entry(browser: Any, server: Server) -> None:
    page = new_page(browser, server)
    try:
        sign_in(page, "Alex")
        page.goto("/search?q=" + PRIVATE_WORD)
        expect(page.get_by_role("heading", level=2)).to_have_text(f"1 result for “{PRIVATE_WORD}”")
        page.goto(f"/entries/{server.seeded.alex_private_id}")
        expect(page.locator("body")).to_contain_text(PRIVATE_WORD)
    finally:
        page.context.close()
