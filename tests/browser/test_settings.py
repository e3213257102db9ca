"""Settings by keyboard: a chosen read-aloud voice can be put back to the default."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, new_page

pytestmark = pytest.mark.browser


def test_a_chosen_voice_goes_back_to_the_default(browser: Any, server: Server,
                                                 sam_state: dict[str, Any]) -> None:
    page = new_page(browser, server, state=sam_state)
    try:
        page.goto("/settings")
        voice = page.get_by_label("Voice")
        voice.select_option(label="English, British")
        page.get_by_role("button", name="Save settings").press("Enter")
        page.wait_for_url("**/settings?done=settings")
        expect(page.get_by_label("Voice")).to_have_value("en-gb")

        page.get_by_label("Voice").select_option(label="Default voice")
        page.get_by_role("button", name="Save settings").press("Enter")
        page.wait_for_url("**/settings?done=settings")
        expect(page.get_by_label("Voice")).to_have_value("")
        page.goto("/settings")  # read back from the journal, not from the form
        expect(page.get_by_label("Voice")).to_have_value("")
        expect(page.get_by_label("Voice").locator("option")).to_have_count(9)
    finally:
        page.context.close()


def test_the_natural_voice_chosen_on_the_page_is_the_voice_loops_choice(
        browser: Any, server: Server, sam_state: dict[str, Any]) -> None:
    page = new_page(browser, server, state=sam_state)
    try:
        page.goto("/settings")
        page.get_by_label("Voice").select_option(label="The fast voice (espeak-ng, for high rates)")
        page.get_by_role("button", name="Save settings").press("Enter")
        page.wait_for_url("**/settings?done=settings")
        page.goto("/settings")
        expect(page.get_by_label("Voice")).to_have_value("fast")  # as "use the fast voice" keeps it
        page.get_by_label("Voice").select_option(label="The natural voice (warm, neural)")
        page.get_by_role("button", name="Save settings").press("Enter")
        page.wait_for_url("**/settings?done=settings")
        page.goto("/settings")
        expect(page.get_by_label("Voice")).to_have_value("natural")
    finally:
        page.context.close()
