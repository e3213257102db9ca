#!/usr/bin/env python3
"""Speech-out benchmark: each engine's first-audio latency, speed, memory and intelligibility.

Run from the repository root (about 5 minutes on 2 cores):

    .venv/bin/python scripts/bench_tts.py [--engines natural,fast] [--prompts 80] [--trials 20]

Per engine, in a child process of its own (so peak RSS is the engine's alone):
1. load_s: constructing the synthesizer, the model loaded (espeak-ng: pyttsx3 starting).
2. time_to_first_audio_p95_s (and p50): warm, streamed speech (voice.streamed_speech) of
   20-word sentences into a sink that only records: seconds from the call to the first block
   of speech reaching the sink; whole_sentence_p95_s is the same sentences made in one call.
3. rtf: synthesis seconds over audio seconds, over the prompts; max_gap_s: the longest time
   the streamed playback would have run dry waiting for a chunk (0 when synthesis is ahead).
4. wpm_at_165: words a minute spoken when 165 is asked for; native_wpm (natural voice only):
   at length scale 1.0, what voice.neural.NATIVE_WPM should be.
5. peak_rss_mb of that child process.
Then, in this process, wer_percent: tiny.en (the bundled model, beam 5) on each engine's
rendering of the library's prompts (corpus WER, lowercase, no punctuation).
Progress goes to stderr; the last line on stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

TARGETS = {"time_to_first_audio_p95_s": 0.25}

SENTENCES_20 = [
    "When you think about the last week together, which small moment made you feel most "
    "cared for, and why?",
    "Tell your partner about one promise you kept this month and what it cost you to keep "
    "it going.",
    "Think of a time you felt unheard recently, and describe what you needed to hear from "
    "your partner then.",
    "What is one thing your partner did this week that made you feel safe, even if it "
    "seemed small?",
    "Describe a habit you would like to build together over the next month, and how you "
    "will both notice progress.",
]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def prompt_texts(limit: int) -> list[str]:
    from confide.prompts.library import load_library

    library = load_library()
    return [p.spoken for p in list(library.prompts.values())[:limit]]


def _engine(name: str) -> Any:
    if name == "natural":
        from confide.voice.neural import PiperSynthesizer

        return PiperSynthesizer()
    from confide.voice.speech import Pyttsx3Synthesizer

    return Pyttsx3Synthesizer()


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3)


def run_engine(name: str, prompts: list[str], trials: int, out_dir: Path) -> dict[str, Any]:
    """Every figure of one engine (runs in its own process)."""
    import soundfile as sf

    from confide.voice.speech_sinks import FakeSink
    from confide.voice.streamed_speech import StreamedSpeech

    start = time.perf_counter()
    synth = _engine(name)
    if name == "fast":
        synth.synthesize("Hello.")  # pyttsx3 starts its driver on first use
    load_s = time.perf_counter() - start
    say(f"[{name}] loaded in {load_s:.2f} s")
    for text in SENTENCES_20[:2]:  # warm up
        synth.synthesize(text)
    first, whole = [], []
    for i in range(trials):
        text = SENTENCES_20[i % len(SENTENCES_20)]
        report = StreamedSpeech(synth, FakeSink()).speak(text)
        assert report.first_audio_s is not None
        first.append(report.first_audio_s)
        began = time.perf_counter()
        synth.synthesize(text)
        whole.append(time.perf_counter() - began)
    say(f"[{name}] first audio p50 {_pct(first, 50)} s p95 {_pct(first, 95)} s; "
        f"whole sentence p95 {_pct(whole, 95)} s")
    synth_s = audio_s = 0.0
    gaps: list[float] = []
    words = 0
    for i, text in enumerate(prompts):
        began = time.perf_counter()
        samples, rate = synth.synthesize(text, rate=165)
        synth_s += time.perf_counter() - began
        audio_s += samples.size / rate
        words += len(text.split())
        sf.write(out_dir / f"{name}-{i:03d}.wav", samples, rate)
        report = StreamedSpeech(synth, FakeSink()).speak(text)
        gaps.extend(report.gaps_s)
    result: dict[str, Any] = {
        "load_s": round(load_s, 3),
        "time_to_first_audio_p50_s": _pct(first, 50),
        "time_to_first_audio_p95_s": _pct(first, 95),
        "whole_sentence_p95_s": _pct(whole, 95),
        "rtf": round(synth_s / audio_s, 4),
        "max_gap_s": round(max(gaps, default=0.0), 3),
        "wpm_at_165": round(words / audio_s * 60, 1),
    }
    if name == "natural":
        from confide.voice.neural import NATIVE_WPM

        n_words, n_audio = 0, 0.0
        for text in prompts[:20]:
            samples, rate = synth.synthesize(text, rate=round(NATIVE_WPM))
            n_words += len(text.split())
            n_audio += samples.size / rate
        result["native_wpm"] = round(n_words / n_audio * 60 * (round(NATIVE_WPM) / NATIVE_WPM), 1)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def word_error_rate(reference: list[str], hypothesis: list[str]) -> int:
    prev = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        cur = [i]
        for j, hyp in enumerate(hypothesis, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref != hyp)))
        prev = cur
    return prev[-1]


def intelligibility(name: str, prompts: list[str], out_dir: Path) -> float:
    from confide.settings import Settings
    from confide.voice.audio_file import decode_audio
    from confide.voice.transcriber import normalized_words
    from confide.wiring import transcriber

    whisper = transcriber(Settings(data_dir=out_dir, whisper_model="bundled",
                                       whisper_beam_size=5, whisper_language="en"))
    errors = total = 0
    for i, text in enumerate(prompts):
        audio = decode_audio(out_dir / f"{name}-{i:03d}.wav").samples
        ref = normalized_words(text)
        errors += word_error_rate(ref, normalized_words(whisper.transcribe(audio).text))
        total += len(ref)
    return round(100 * errors / max(1, total), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="natural,fast")
    parser.add_argument("--prompts", type=int, default=80, help="how many library prompts")
    parser.add_argument("--trials", type=int, default=20, help="20-word sentences timed")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    prompts = prompt_texts(args.prompts)
    if args.child:
        print(json.dumps(run_engine(args.child, prompts, args.trials, args.out)))
        return
    result: dict[str, Any] = {"prompts": len(prompts), "trials": args.trials, "targets": TARGETS}
    with tempfile.TemporaryDirectory(prefix="confide-bench-tts-") as tmp:
        out = Path(tmp)
        for name in args.engines.split(","):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", name, "--out", str(out),
                 "--prompts", str(args.prompts), "--trials", str(args.trials)],
                stdout=subprocess.PIPE, text=True, check=True)
            result[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        for name in args.engines.split(","):
            say(f"[{name}] transcribing {len(prompts)} prompts with tiny.en")
            result[name]["wer_percent"] = intelligibility(name, prompts, out)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
