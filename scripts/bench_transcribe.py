#!/usr/bin/env python3
"""Transcription benchmark: overhead, accuracy on real voices, streaming latency, memory.

Run from the repository root (the full run takes about 20 minutes, the quick one 4):

    .venv/bin/python scripts/bench_transcribe.py --corpus ../shared/audio/human [--quick]

1. overhead_ratio: Confide's whole-file path (decode_audio + WhisperTranscriber.transcribe)
   over raw WhisperModel.transcribe(path) with the same model, options and 30 s encoder
   window, interleaved; speedup_vs_raw is raw over Confide as configured (with
   CONFIDE_WHISPER_MIN_WINDOW_S below 30 the encoder window is fitted to the audio, and a
   third arm keeps the 30 s window for the overhead ratio).
2. wer_human: corpus WER (case and punctuation normalised) of the whole-file path.
3. wer_stream_delta: the same clips through the streaming session, minus (2).
4. eos_latency_p95_s: replies of 5/30/120/300 s built from the clips with natural pauses,
   fed at real-time pace in 100 ms blocks; seconds from the last sample to the transcript.
5. peak_rss_mb of this process, read before the raw faster-whisper references on the long
   replies run (faster-whisper on a whole 5-minute array alone peaks near 600 MB).
Progress goes to stderr; the last line on stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from confide.settings import load_settings
from confide.voice.audio_file import decode_audio
from confide.voice.streaming import ChunkingOptions, StreamingTranscription
from confide.voice.whisper import WhisperTranscriber
from confide.wiring import transcriber

RATE = 16_000
TARGETS = {"overhead_ratio": 1.05, "wer_human": 7.0, "wer_stream_delta": 0.5,
           "eos_latency_p95_s": 1.0, "peak_rss_mb": 450.0}
FULL_TRIALS = {5: 20, 30: 8, 120: 2, 300: 1}
QUICK_TRIALS = {5: 10, 30: 3}

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ABBREVIATIONS = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint"}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def number_words(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        return [_ONES[n // 100], "hundred"] + (number_words(n % 100) if n % 100 else [])
    if n < 1_000_000:
        return number_words(n // 1000) + ["thousand"] + (
            number_words(n % 1000) if n % 1000 else [])
    return [str(n)]


def normalize(text: str) -> list[str]:
    """Lowercase words, no punctuation, hyphens split, digits spelled, Mr. -> mister."""
    text = text.lower().replace("-", " ").replace("'", "")
    words: list[str] = []
    for word in re.sub(r"[^\w\s]", " ", text).split():
        words += number_words(int(word)) if word.isdigit() else [_ABBREVIATIONS.get(word, word)]
    return words


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


def corpus_wer(pairs: list[tuple[str, str]]) -> float:
    """Percent: all edits over all reference words (not a mean of per-clip rates)."""
    errors = sum(edit_distance(normalize(r), normalize(h)) for r, h in pairs)
    return 100.0 * errors / max(1, sum(len(normalize(r)) for r, _ in pairs))


def load_corpus(folder: Path) -> list[tuple[Path, str]]:
    rows = []
    for line in (folder / "refs.tsv").read_text().splitlines():
        if line.strip():
            name, ref = line.split("\t", 1)
            rows.append((folder / name, ref.strip()))
    return rows


def stream_text(tr: WhisperTranscriber, audio: np.ndarray, block: int = 1600) -> str:
    """Streamed as fast as it goes, each chunk in its own pass as cut (no catching up)."""
    with StreamingTranscription(tr, options=ChunkingOptions(merge_s=0)) as stream:
        for start in range(0, audio.shape[0], block):
            stream.feed(audio[start : start + block])
        return stream.finish(timeout=600).text


def overhead_and_wer(tr: WhisperTranscriber, corpus: list[tuple[Path, str]], rounds: int
                     ) -> dict[str, Any]:
    """Confide as configured and raw ``WhisperModel.transcribe(path)``, interleaved in
    rotating order per clip. With a fitted encoder window a third arm, Confide with the
    stock 30 s window (the same work as raw), gives the wrapper's own overhead."""
    fitted = tr.whisper_options.min_window_s < 30
    stock = WhisperTranscriber(replace(tr.whisper_options, min_window_s=30))
    arms = ("ours", "stock", "raw") if fitted else ("ours", "raw")
    seconds = dict.fromkeys(arms, 0.0)
    texts: dict[str, dict[Path, str]] = {arm: {} for arm in arms}
    for rnd in range(rounds):
        for i, (path, _) in enumerate(corpus):
            shift = (i + rnd) % len(arms)
            for arm in arms[shift:] + arms[:shift]:
                began = time.perf_counter()
                if arm == "raw":
                    segments, _ = tr.model.transcribe(str(path), **tr.options)
                    text = "".join(s.text for s in segments)
                else:
                    text = (tr if arm == "ours" else stock).transcribe(decode_audio(path).samples).text
                seconds[arm] += time.perf_counter() - began
                texts[arm][path] = text
        say(f"  round {rnd + 1}: confide {seconds['ours']:.2f} s, raw {seconds['raw']:.2f} s so far")
    if not fitted:
        seconds["stock"], texts["stock"] = seconds["ours"], texts["ours"]

    def wer(arm: str) -> float:
        return round(corpus_wer([(ref, texts[arm][p]) for p, ref in corpus]), 2)

    return {
        "overhead_ratio": round(seconds["stock"] / seconds["raw"], 4),
        "speedup_vs_raw": round(seconds["raw"] / seconds["ours"], 2),
        "confide_whole_s": round(seconds["ours"] / rounds, 3),
        "min_window_s": tr.whisper_options.min_window_s,
        "raw_whole_s": round(seconds["raw"] / rounds, 3),
        "wer_human": wer("ours"),
        "wer_human_stock_window": wer("stock"),
        "wer_human_raw": wer("raw"),
        "_texts": texts["ours"],
    }


def build_reply(clips: list[tuple[np.ndarray, str]], length: float, last: int,
                rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """Clips joined by 0.4-1.2 s of faint room tone, ending with clip ``last``."""
    def tone(seconds: float) -> np.ndarray:
        return (rng.standard_normal(int(seconds * RATE)) * 0.001).astype(np.float32)

    final_audio, final_ref = clips[last]
    others = [i for i in range(len(clips)) if i != last]
    parts, refs, total = [tone(0.3)], [], 0.3 + final_audio.shape[0] / RATE
    order = list(rng.permutation(others))
    while total < length - 1.0:
        if not order:
            order = list(rng.permutation(others))
        audio, ref = clips[order.pop()]
        gap = tone(float(rng.uniform(0.4, 1.2)))
        parts += [audio, gap]
        refs.append(ref)
        total += (audio.shape[0] + gap.shape[0]) / RATE
    parts.append(final_audio)
    refs.append(final_ref)
    return np.concatenate(parts), " ".join(refs)


def real_time_latency(tr: WhisperTranscriber, audio: np.ndarray, block: int
                      ) -> tuple[float, str, int]:
    """Feed at recording pace (a block arrives when it has been recorded); time the end."""
    with tr.stream() as stream:
        assert isinstance(stream, StreamingTranscription)
        began = time.perf_counter()
        for start in range(0, audio.shape[0], block):
            chunk = audio[start : start + block]
            due = began + (start + chunk.shape[0]) / RATE
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            stream.feed(chunk)
        last_sample = time.perf_counter()
        text = stream.finish(timeout=600).text
        latency = time.perf_counter() - last_sample
        return latency, text, len(stream.chunks)


def eos_latency(tr: WhisperTranscriber, corpus: list[tuple[Path, str]],
                trials: dict[int, int], block: int, seed: int, pause_s: float
                ) -> dict[str, Any]:
    """Streamed replies at real-time pace, then Confide's whole-file path on each; the raw
    faster-whisper references run afterwards (see main), so they do not count in peak RSS."""
    clips = [(decode_audio(p).samples, ref) for p, ref in corpus]
    rng = np.random.default_rng(seed)
    last_order = list(rng.permutation(len(clips)))
    by_length: dict[str, Any] = {}
    replies: list[tuple[int, Any, int, str]] = []  # length, rng state, last clip, reference
    stream_pairs: list[tuple[str, str]] = []
    whole_pairs: list[tuple[str, str]] = []
    worst = 0.0
    for length, n in trials.items():
        lat, whole_s, durations, chunks = [], [], [], []
        for t in range(n):
            last = int(last_order[t % len(clips)])
            state = rng.bit_generator.state
            audio, ref = build_reply(clips, length, last, rng)
            replies.append((length, state, last, ref))
            latency, text, n_chunks = real_time_latency(tr, audio, block)
            began = time.perf_counter()
            whole = tr.transcribe(audio).text
            whole_s.append(time.perf_counter() - began)
            lat.append(latency)
            durations.append(audio.shape[0] / RATE)
            chunks.append(n_chunks)
            stream_pairs.append((ref, text))
            whole_pairs.append((ref, whole))
            say(f"  {length:>3} s reply #{t + 1}: {durations[-1]:.1f} s, {n_chunks} chunks, "
                f"end-of-speech latency {latency:.3f} s (whole file {whole_s[-1]:.2f} s)")
        p95 = float(np.percentile(lat, 95))
        worst = max(worst, p95)
        by_length[str(length)] = {
            "trials": n, "mean_duration_s": round(float(np.mean(durations)), 1),
            "p95_s": round(p95, 3), "max_s": round(max(lat), 3),
            "median_s": round(float(np.median(lat)), 3),
            "confide_whole_file_mean_s": round(float(np.mean(whole_s)), 2),
            "chunks_mean": round(float(np.mean(chunks)), 1),
        }
    # As the voice loop ends a reply: after the pause allowance of silence.
    after_pause = []
    for t in range(min(5, len(clips))):
        audio, _ = build_reply(clips, 5, int(last_order[t]), rng)
        audio = np.concatenate([audio, np.zeros(int(pause_s * RATE), dtype=np.float32)])
        after_pause.append(real_time_latency(tr, audio, block)[0])
    return {
        "eos_latency_p95_s": round(worst, 3),
        "eos_by_length": by_length,
        "eos_latency_after_pause_p95_s": round(float(np.percentile(after_pause, 95)), 3),
        "pause_allowance_s": pause_s,
        "wer_joined_stream": round(corpus_wer(stream_pairs), 2),
        "wer_joined_whole": round(corpus_wer(whole_pairs), 2),
        "_replies": (clips, replies),
    }


def raw_references(tr: WhisperTranscriber, clips: list[tuple[np.ndarray, str]],
                   replies: list[tuple[int, Any, int, str]], seed: int) -> dict[str, Any]:
    """Raw faster-whisper on each whole reply: the time streaming has to beat."""
    rng = np.random.default_rng(seed)
    times: dict[int, list[float]] = {}
    pairs = []
    for length, state, last, ref in replies:
        rng.bit_generator.state = state
        audio, _ = build_reply(clips, length, last, rng)
        began = time.perf_counter()
        segments, _ = tr.model.transcribe(audio, **tr.options)
        text = "".join(s.text for s in segments)
        times.setdefault(length, []).append(time.perf_counter() - began)
        pairs.append((ref, text))
        say(f"  raw whole file, {length:>3} s reply: {times[length][-1]:.2f} s")
    return {
        "raw_whole_file_mean_s": {str(k): round(float(np.mean(v)), 2) for k, v in times.items()},
        "wer_joined_raw_whole": round(corpus_wer(pairs), 2),
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/audio/human"))
    parser.add_argument("--quick", action="store_true", help="5 s and 30 s replies only")
    parser.add_argument("--rounds", type=int, default=2, help="overhead rounds over the corpus")
    parser.add_argument("--block-ms", type=int, default=100, help="recording block size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trials", help="override, e.g. '5:3,30:1' (length s:replies)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    settings = load_settings()
    corpus = load_corpus(args.corpus)
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    tr = transcriber(settings)
    load_s = time.perf_counter() - began
    say(f"model {settings.whisper_model} ({tr.model_ref}) loaded in {load_s:.2f} s; "
        f"{len(corpus)} clips")
    tr.transcribe(decode_audio(corpus[0][0]).samples)  # warm-up, not counted

    say("1-2. whole-file overhead and WER")
    result: dict[str, Any] = {
        "model": settings.whisper_model, "device": settings.whisper_device,
        "compute_type": settings.whisper_compute_type, "beam_size": settings.whisper_beam_size,
        "threads": settings.whisper_threads, "model_load_s": round(load_s, 2),
    }
    whole = overhead_and_wer(tr, corpus, args.rounds)
    texts = whole.pop("_texts")
    result.update(whole)

    say("3. streaming WER on the same clips")
    streamed = [(ref, stream_text(tr, decode_audio(p).samples)) for p, ref in corpus]
    result["wer_stream"] = round(corpus_wer(streamed), 2)
    result["wer_stream_delta"] = round(result["wer_stream"] - result["wer_human"], 2)
    result["stream_differs_on"] = [p.name for (p, _), (_, s) in zip(corpus, streamed, strict=True)
                                   if normalize(s) != normalize(texts[p])]

    trials = QUICK_TRIALS if args.quick else FULL_TRIALS
    if args.trials:
        trials = {int(k): int(v) for k, v in (p.split(":") for p in args.trials.split(","))}
    say(f"4. end-of-speech latency at real-time pace: {trials}")
    eos = eos_latency(tr, corpus, trials, RATE * args.block_ms // 1000, args.seed,
                      settings.pause_allowance_s)
    clips, replies = eos.pop("_replies")
    result.update(eos)
    result["peak_rss_mb"] = peak_rss_mb()
    say("5. raw faster-whisper on each whole reply (reference; after the peak RSS reading)")
    result.update(raw_references(tr, clips, replies, args.seed))
    result["peak_rss_mb_with_raw_references"] = peak_rss_mb()
    result["quick"] = args.quick
    # Other work on the same cores slows every figure here; the 1-minute load shows it.
    result["loadavg_1m_start_end"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["targets"] = TARGETS
    result["met"] = {k: result[k] <= v for k, v in TARGETS.items()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
