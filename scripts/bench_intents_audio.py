"""Intent accuracy through the real audio path: each held-out phrasing
(tests/unit/data/intent_phrasings.yaml) spoken by the natural voice into the virtual
microphone, heard by the voice loop's own listening turn at the home (Silero VAD, the turn's
end, Whisper), then understood (voice.intents); and the 100 ordinary journal sentences, which
must give no command. The issue's bar: 90 % right intent and slots; 0 commands.

    .venv/bin/python scripts/bench_intents_audio.py [--limit N] [--start N] [--phrasings FILE]
        [--no-journal]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

TODAY = date(2026, 3, 11)
"""The day the phrasings' dates are read against (as in tests/unit/test_intents.py)."""


def _norm(slots: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v).lower() if isinstance(v, str) else v) for k, v in slots.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N of each set")
    parser.add_argument("--start", type=int, default=0, help="skip the first N phrasings")
    parser.add_argument("--phrasings", type=Path,
                        default=ROOT / "tests/unit/data/intent_phrasings.yaml",
                        help="the held-out file (e.g. tests/unit/data/intent_phrasings_fresh.yaml)")
    parser.add_argument("--no-journal", action="store_true", help="skip the journal sentences")
    args = parser.parse_args()
    data = yaml.safe_load(args.phrasings.read_text())
    phrasings = data["phrasings"][args.start:][: args.limit or None]
    sentences = [] if args.no_journal else data.get("journal", [])[: args.limit or None]

    from confide.cli_voice import build_session, ready_transcriber
    from confide.models.accounts import register_person
    from confide.settings import load_settings
    from confide.voice.devices import refresh
    from confide.voice.dialog_events import ListenMode
    from confide.voice.intents import understand
    from confide.voice.session import VoiceSession
    from confide.voice.virtual_sound import VirtualSoundServer, write_wav
    from confide.wiring import cli_session
    from confide.wiring import synthesizer as voices

    folder = Path(tempfile.mkdtemp(prefix="confide-bench-intents-"))
    load_before = os.getloadavg()[0]
    with VirtualSoundServer() as server:
        refresh()
        settings = load_settings(data_dir=folder / "data", barge_in="off")
        router = voices(settings)
        with cli_session(settings) as s:
            person, _keys, _words = register_person(s, "Alex", "bench passphrase")
        assert person.id is not None
        session = build_session(settings, person.id, stt=ready_transcriber(settings))
        assert isinstance(session, VoiceSession)

        def heard(text: str, index: int) -> str:
            samples, rate = router.synthesize(text, voice="natural")
            wav = folder / f"say-{index}.wav"
            write_wav(wav, samples, rate)

            def say() -> None:
                server.wait_for_recorder(timeout=60)
                time.sleep(0.3)
                server.play_into_mic(wav).wait()

            person_speaks = threading.Thread(target=say)
            person_speaks.start()
            got = session.utterance(timeout_s=10.0, mode=ListenMode.HOME)
            person_speaks.join()
            while server.recorders_attached():
                time.sleep(0.02)
            return got

        right, wrong = 0, []
        for i, item in enumerate(phrasings):
            text = heard(item["say"], i)
            found = understand(text, today=TODAY)
            got = (found.name, _norm(dict(found.slots))) if found is not None else (None, {})
            if got == (item["intent"], _norm(item.get("slots") or {})):
                right += 1
            else:
                wrong.append({"say": item["say"], "heard": text, "got": got[0]})
                print(json.dumps(wrong[-1]), flush=True)
        commands = []
        for i, sentence in enumerate(sentences):
            text = heard(sentence, 1000 + i)
            if understand(text, today=TODAY) is not None:
                commands.append({"say": sentence, "heard": text})
                print(json.dumps(commands[-1]), flush=True)
    print(json.dumps({
        "bench": "intents-audio", "file": args.phrasings.name, "start": args.start,
        "phrasings": len(phrasings), "right": right,
        "accuracy": round(right / max(1, len(phrasings)), 4),
        "journal_sentences": len(sentences), "commands_found": len(commands),
        "targets": {"accuracy": 0.9, "commands_found": 0},
        "loadavg_1m_start_end": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }))


if __name__ == "__main__":
    main()
