"""The partner away from the voice station hears a shared reflection in the author's own
voice, reads its timed transcript, and answers it — in a real browser."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, screenshot
from tests.browser.seed import PASSPHRASES

pytestmark = pytest.mark.browser

AUDIO_STATE = """() => {
    const a = document.getElementById('recording');
    return {paused: a.paused, time: a.currentTime, duration: a.duration, error: a.error && a.error.code};
}"""


def _focus_audio_with_tab(page: Any, element_id: str) -> None:
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_partner_plays_the_shared_recording_by_keyboard_and_answers_in_writing(
        sam_page: Any, server: Server) -> None:
    page = sam_page
    seeded = server.seeded
    entry_link = page.get_by_role("link", name=re.compile(r"^Alex's spoken reflection"))
    expect(entry_link).to_be_visible()
    entry_link.click()
    page.wait_for_url(f"**/entries/{seeded.spoken_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alex's spoken reflection")

    _focus_audio_with_tab(page, "recording")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => { const a = document.getElementById('recording'); return !a.paused && a.currentTime > 0.5; }",
        timeout=15_000)
    first = page.evaluate(AUDIO_STATE)
    page.wait_for_timeout(600)
    later = page.evaluate(AUDIO_STATE)
    assert first["error"] is None
    assert later["time"] > first["time"], "the recording's currentTime did not advance"
    assert later["duration"] == pytest.approx(seeded.spoken_duration, abs=0.05)
    page.keyboard.press("Space")  # pause again
    screenshot(page, "entry-playing")

    answer = "What I heard is that Sunday gave you hope. I want that too."
    page.get_by_label("Answer in writing").fill(answer)
    page.get_by_role("button", name="Send written answer").click()
    page.wait_for_url(re.compile(r"done=answered"))
    expect(page.get_by_role("status").filter(has_text="Your answer was added")).to_be_visible()
    expect(page.locator("#responses-list li").last).to_contain_text(answer)
    expect(page.locator("#responses-list li").last).to_contain_text("You")



def test_opening_an_entry_clears_its_unread_mark(sam_page: Any, server: Server) -> None:
    page = sam_page
    fresh = server.seeded.fresh_id
    badge = page.locator(f"#entry-{fresh}-title .badge")
    expect(badge).to_have_text(re.compile("New"))
    expect(page.locator(f"#entry-{server.seeded.sam_shared_id}-title .badge")).to_have_count(0)
    page.locator(f"#entry-{fresh}-title a").click()
    page.wait_for_url(f"**/entries/{fresh}")
    page.goto("/journal")
    expect(badge).to_have_count(0)


def test_a_transcript_line_seeks_the_recording(sam_page: Any, server: Server) -> None:
    page = sam_page
    page.goto(f"/entries/{server.seeded.spoken_id}")
    third = page.locator("button.seek").nth(2)
    expect(third).to_contain_text("0:06 — Thank you for listening")
    start = float(third.get_attribute("data-start") or "0")
    third.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => { const a = document.getElementById('recording');"
        f" return !a.paused && a.currentTime >= {start}; }}")
    state = page.evaluate(AUDIO_STATE)
    assert start <= state["time"] < start + 3
    assert page.url.endswith(f"/entries/{server.seeded.spoken_id}"), "the page reloaded"
    expect(third).to_have_attribute("aria-current", "true")


def test_read_it_aloud_plays_the_transcript_as_speech(sam_page: Any, server: Server) -> None:
    page = sam_page
    page.goto(f"/entries/{server.seeded.spoken_id}")
    button = page.get_by_role("button", name="Read it aloud")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => { const a = document.getElementById('speech');"
        " return a.duration > 1 && a.currentTime > 0.2; }",
        timeout=20_000)
    expect(page.get_by_role("button", name="Pause reading")).to_be_visible()


def test_answer_by_voice_is_uploaded_and_its_status_announced(sam_page: Any,
                                                              server: Server) -> None:
    page = sam_page
    page.goto(f"/entries/{server.seeded.written_id}")
    toggle = page.get_by_role("button", name="Start recording")
    toggle.focus()
    page.keyboard.press("Space")
    status = page.locator("#record-status")
    expect(status).to_contain_text("Recording.")
    expect(page.get_by_role("button", name="Stop recording")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(1800)
    page.keyboard.press("Space")
    expect(status).to_contain_text("Recording stopped after")
    send = page.get_by_role("button", name="Send spoken answer")
    send.focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("being transcribed", timeout=20_000)
    expect(page.locator("#responses-list audio")).to_have_count(1)
    screenshot(page, "entry-voice-answer-sent")


def _api(server: Server, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    request = urllib.request.Request(
        server.base_url + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


def test_a_new_shared_entry_is_announced_on_the_journal(sam_page: Any, server: Server) -> None:
    page = sam_page
    page.clock.install()
    page.goto("/journal")
    status = page.locator("#updates-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("link", name="Show the new entries")).to_be_hidden()

    token = _api(server, "/api/auth/token",
                 {"name": "Alex", "passphrase": PASSPHRASES["Alex"]})["access_token"]
    _api(server, "/api/entries", {"text": "I left you a note on the fridge.",
                                  "journal": "shared"}, token)
    page.clock.run_for(31_000)
    expect(status).to_contain_text("unread", timeout=10_000)
    expect(status).to_contain_text("from Alex")
    link = page.get_by_role("link", name="Show the new entries")
    expect(link).to_be_visible()
    assert page.evaluate("() => document.activeElement === document.body"), "focus moved"
    link.click()
    expect(page.locator("ol.entries")).to_contain_text("I left you a note on the fridge.")
