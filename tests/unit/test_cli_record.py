"""`confide record`: one free reply, filed sealed without unlocking; Ctrl+C keeps what was
said, silence saves nothing (on SQLite, and PostgreSQL when CONFIDE_TEST_POSTGRES_URL is
set)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.entries_seed import BACKENDS, PASSPHRASES, cleanup, invoker, make_env, seed

pytestmark = pytest.mark.unit


@pytest.fixture(params=BACKENDS)
def journal(request, tmp_path, monkeypatch):
    settings = make_env(tmp_path, monkeypatch, request.param)
    yield settings, seed(settings)
    cleanup(settings)


def test_record_has_help():
    result = invoker("record")("--help", who=None)
    assert result.exit_code == 0 and "Ctrl+C keeps what you said" in result.output


class _Mic:
    """Loud blocks (speech) for ``speech_s``, then silence; or Ctrl+C after them."""

    def __init__(self, speech_s: float, *, interrupt: bool = False):
        self.speech_s, self.interrupt = speech_s, interrupt

    def blocks(self, block_s=0.032):
        n = int(16000 * block_s)
        rng = np.random.default_rng(3)
        for _ in range(int(self.speech_s / block_s)):
            yield (0.3 * rng.standard_normal(n)).astype(np.float32)
        if self.interrupt:
            raise KeyboardInterrupt
        while True:
            yield np.zeros(n, dtype=np.float32)


def _listener(mic, stt):
    from confide.voice.listener import Listener
    from confide.voice.vad import EnergyVoiceActivity, VadTracker

    return Listener(mic, stt, lambda: VadTracker(EnergyVoiceActivity()))


def _entries_of(settings, name):
    from confide.models.accounts import sign_in
    from confide.models.entries import list_entries
    from confide.models.sealing import use_keys
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        who, unlocked = sign_in(s, name, PASSPHRASES[name])
        use_keys(s, unlocked)
        return list(list_entries(s, who).entries)


@pytest.mark.parametrize("interrupt", [False, True])
def test_record_files_one_reply_sealed_without_unlocking_and_ctrl_c_keeps_it(journal,
                                                                            interrupt):
    settings, _ids = journal
    from confide.cli_record import record_reply
    from confide.models.accounts import get_person_by_name
    from confide.voice.transcriber import FakeTranscriber
    from confide.wiring import cli_session

    stt = FakeTranscriber(["I want to say thank you. That's it, I'm done."])
    said: list[str] = []
    with cli_session(settings) as s:
        lee = get_person_by_name(s, "Lee")
        assert lee.id is not None
        lee_id = lee.id
    entry_id = record_reply(settings, lee_id, "private",
                            _listener(_Mic(1.0, interrupt=interrupt), stt), stt,
                            say=said.append)
    assert entry_id is not None
    (entry,) = _entries_of(settings, "Lee")
    assert entry.id == entry_id and entry.status == "ready" and entry.audio_path
    assert entry.transcript == "I want to say thank you."
    assert entry.audio_duration_s == pytest.approx(1.0, abs=0.1) if interrupt else \
        entry.audio_duration_s > 1.0
    assert list(settings.pending_dir.glob("*")) == [], "the pending reply was filed"
    assert ("Stopped; what you said is kept" in " ".join(said)) is interrupt
    assert said[-1].startswith(f"Saved entry {entry_id} (6 words)")


def test_record_with_nothing_said_saves_nothing(journal):
    settings, _ids = journal
    from confide.cli_record import record_reply
    from confide.voice.transcriber import FakeTranscriber

    stt = FakeTranscriber([""])
    said: list[str] = []
    assert record_reply(settings, 3, "private", _listener(_Mic(0.5), stt), stt,
                        say=said.append) is None
    assert said[-1] == "Nothing was said, so nothing was saved."
    assert _entries_of(settings, "Lee") == []
    assert list(settings.pending_dir.glob("*")) == []


def test_record_to_the_shared_journal_needs_a_partner(journal):
    settings, _ids = journal
    from confide.cli_record import record_reply
    from confide.models.errors import Conflict
    from confide.voice.transcriber import FakeTranscriber

    stt = FakeTranscriber(["words"])
    with pytest.raises(Conflict):
        record_reply(settings, 3, "shared", _listener(_Mic(0.5), stt), stt, say=print)
