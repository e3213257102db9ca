"""The voice loop's speed on real devices (a virtual PulseAudio microphone and speaker).

Replies of 5–120 s, made of real human speech clips joined with natural pauses, are played
into the virtual microphone at real-time pace while `VoiceSession.record` listens, exactly
as in `confide speak`. Measured per reply:
  endpoint_to_saved_s     loop decides the reply ended → entry committed with its transcript
  last_sample_to_saved_s  the reply's last played sample → committed (includes the pause allowance)
and once: start_to_first_word_s (`confide speak` start → first audio on the speaker) and the
peak RSS of the loop process. Prints one JSON object on its last line.

    .venv/bin/python scripts/bench_loop.py --corpus ../shared/audio/human [--replies 20] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf


def _clips(corpus: Path) -> list[np.ndarray]:
    from confide.voice.audio_file import decode_audio

    return [decode_audio(p).samples for p in sorted(corpus.iterdir())
            if p.suffix in (".wav", ".flac")]


def make_reply(clips: list[np.ndarray], seconds: float, rng: random.Random) -> np.ndarray:
    """Real speech clips with 0.4–1.5 s pauses between them, about ``seconds`` long."""
    parts: list[np.ndarray] = []
    total = 0.0
    while total < seconds:
        clip = clips[rng.randrange(len(clips))]
        parts.append(clip)
        gap = np.zeros(int(16000 * rng.uniform(0.4, 1.5)), dtype=np.float32)
        parts.append(gap)
        total += (clip.size + gap.size) / 16000
    return np.concatenate(parts[:-1])


def p95(values: list[float]) -> float:
    return round(float(np.percentile(values, 95)), 3) if values else float("nan")


def start_to_first_word(server: object, folder: Path, trials: int = 3) -> list[float]:
    """Seconds from launching `confide speak` to the first sound on the virtual speaker,
    for each of ``trials`` launches (one person in the journal, as on a home device)."""
    from confide.voice.virtual_sound import VirtualSoundServer

    assert isinstance(server, VirtualSoundServer)
    env = {**server.env(), "CONFIDE_DATA_DIR": str(folder / "first-word")}
    subprocess.run([sys.executable, "-m", "confide", "people", "add", "Bench"], env=env,
                   check=True, capture_output=True)
    times = []
    for trial in range(trials):
        capture = folder / f"first-word-{trial}.wav"
        recorder = server.record_speaker(capture)
        time.sleep(1.0)
        recorder_start = time.monotonic() - 1.0
        launched = time.monotonic()
        # Hello comes before the passphrase question; --locked skips that question.
        proc = subprocess.Popen([sys.executable, "-m", "confide", "speak", "--locked"],
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(8.0)
        proc.kill()
        proc.wait()
        recorder.terminate()
        recorder.wait()
        audio, rate = sf.read(capture, dtype="float32")
        loud = np.flatnonzero(np.abs(audio) > 0.02)
        times.append(float("nan") if loud.size == 0
                     else round(float(recorder_start + loud[0] / rate - launched), 3))
        print(json.dumps({"start_to_first_word_s": times[-1]}), flush=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description="voice loop benchmark")
    parser.add_argument("--corpus", type=Path, default=Path("../shared/audio/human"))
    parser.add_argument("--replies", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="4 replies of 5–30 s")
    parser.add_argument("--turns", type=int, default=0, metavar="N",
                        help="instead of replies: N barge-in trials and N short-answer turns")
    args = parser.parse_args()
    if args.turns:
        turns(args.turns)
        return
    rng = random.Random(11)
    lengths = [5.0, 15.0, 30.0, 10.0] if args.quick else [
        rng.choice([5.0, 10.0, 20.0, 30.0, 60.0, 90.0, 120.0]) for _ in range(args.replies)]
    if not args.quick:
        lengths[:3] = [5.0, 60.0, 120.0]  # every length class is measured

    from confide.settings import load_settings
    from confide.voice.devices import refresh
    from confide.voice.virtual_sound import VirtualSoundServer

    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="confide-bench-loop-"))
    clips = _clips(args.corpus)
    with VirtualSoundServer() as server:
        refresh()
        first_words = start_to_first_word(server, folder)
        settings = load_settings(data_dir=folder / "loop")
        from confide.cli_voice import build_session, ready_transcriber
        from confide.models.accounts import register_person
        from confide.voice.session import VoiceSession
        from confide.wiring import cli_session

        with cli_session(settings) as s:
            person, unlocked, _words = register_person(s, "Bench", "bench passphrase")
            person_id = person.id
        assert person_id is not None
        session = build_session(settings, person_id, stt=ready_transcriber(settings))
        assert isinstance(session, VoiceSession)
        session.unlocked = unlocked  # as after the passphrase in `confide speak`
        ended: list[float] = []
        rows: list[dict[str, Any]] = []
        for i, seconds in enumerate(lengths):
            wav = folder / f"reply-{i}.wav"
            sf.write(wav, make_reply(clips, seconds, rng), 16000, subtype="PCM_16")

            def feed(path: Path = wav) -> None:
                server.wait_for_recorder(timeout=60)
                time.sleep(0.3)
                server.play_into_mic(path).wait()
                ended.append(time.monotonic())

            feeder = threading.Thread(target=feed)
            feeder.start()
            entry_id, command = session.record(journal="private")
            feeder.join()
            timing = session.report.timings[-1]
            row = {"seconds": seconds, "entry": entry_id, "command": str(command),
                   "endpoint_to_saved_s": round(timing["endpoint_to_saved_s"], 3),
                   "last_sample_to_saved_s": round(timing["saved_at"] - ended[-1], 3)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    pause = settings.pause_allowance_s
    result = {
        "replies": len(rows),
        "pause_allowance_s": pause,
        "endpoint_to_saved_p95_s": p95([r["endpoint_to_saved_s"] for r in rows]),
        "last_sample_to_saved_p95_s": p95([r["last_sample_to_saved_s"] for r in rows]),
        "start_to_first_word_s": statistics.median(first_words),
        "start_to_first_word_each_s": first_words,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets": {"endpoint_to_saved_p95_s": 0.3,
                    "last_sample_to_saved_p95_s": round(pause + 0.3, 2),
                    "start_to_first_word_s": 2.0, "peak_rss_mb": 450},
        "median_reply_s": statistics.median(lengths),
        # Other work on the same cores slows every figure; the 1-minute load shows it.
        "loadavg_1m_start_end": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(result))


def _median(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(statistics.median(kept), 3) if kept else None


def turns(trials: int) -> None:
    """Barge-in and turn-taking, read off one stereo recording of the room (loop_turns)."""
    from confide.cli_voice import build_session, ready_transcriber
    from confide.models.accounts import register_person
    from confide.settings import load_settings
    from confide.voice.devices import refresh
    from confide.voice.session import VoiceSession
    from confide.voice.virtual_sound import Room, VirtualSoundServer
    from confide.wiring import cli_session

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from scripts.loop_turns import barge_in_trials, reply_trials, turn_trials

    rng = random.Random(5)
    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="confide-bench-turns-"))
    with VirtualSoundServer() as server, Room(server) as room:
        refresh()
        # The room has no echo path (the microphone hears only the person): barge-in on.
        settings = load_settings(data_dir=folder / "loop", barge_in="on")
        with cli_session(settings) as s:
            person, unlocked, _words = register_person(s, "Bench", "bench passphrase")
        assert person.id is not None
        session = build_session(settings, person.id, stt=ready_transcriber(settings))
        assert isinstance(session, VoiceSession)
        session.unlocked = unlocked
        session.say("Hello.")  # warm: the voice's first sentence loads its model
        barge = barge_in_trials(session, room, folder, trials, rng)
        answered = turn_trials(session, room, folder, trials, rng)
        asked = turn_trials(session, room, folder, trials, rng, requests=True)
        clips = _clips(Path("../shared/audio/human"))
        # At least 20 replies with thinking pauses for the figure (fewer for a quick look).
        thinking = reply_trials(session, room, folder, clips, max(trials // 2, min(trials, 20)),
                                rng, closing=False)
        closed = reply_trials(session, room, folder, clips, max(trials // 4, min(trials, 10)),
                              rng, closing=True)
    cut = [r["barge_in_s"] for r in barge if r["barge_in_s"] is not None]
    took = [r["turn_s"] for r in answered if r["turn_s"] is not None]
    print(json.dumps({
        "barge_in_trials": len(barge),
        "barge_in_p50_s": round(statistics.median(cut), 3) if cut else None,
        "barge_in_p95_s": p95(cut),
        "interruptions_understood": sum(r["command"] is not None for r in barge),
        "turns": len(answered),
        "turn_latency_p50_s": round(statistics.median(took), 3) if took else None,
        "turn_latency_p95_s": p95(took),
        "answers_understood": sum(r["understood"] is not None for r in answered),
        "requests": len(asked),
        "intent_latency_p50_s": _median([r["turn_s"] for r in asked]),
        "intent_latency_p95_s": p95([r["turn_s"] for r in asked if r["turn_s"] is not None]),
        "requests_understood": sum(r["understood"] is not None for r in asked),
        "reflective_replies": len(thinking),
        "reflective_cut_offs": sum(bool(r["cut"]) for r in thinking),
        "closing_phrase_replies": len(closed),
        "closing_phrase_turn_p50_s": _median([r.get("closing_s") for r in closed]),
        "closing_phrase_turn_p95_s": p95([r["closing_s"] for r in closed if "closing_s" in r]),
        "closing_phrase_cut_offs": sum(bool(r["cut"]) for r in closed),
        "voice": settings.tts_voice or "default",
        "targets": {"barge_in_p95_s": 0.3, "turn_latency_p95_s": 0.8,
                    "intent_latency_p95_s": 1.0, "reflective_cut_offs": 0},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "loadavg_1m_start_end": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }))


if __name__ == "__main__":
    os.environ.setdefault("COLUMNS", "200")
    main()
