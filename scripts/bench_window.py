#!/usr/bin/env python3
"""Accuracy and time of Whisper's fixed 30 s encoder window against a window fitted to the
audio (CONFIDE_WHISPER_MIN_WINDOW_S), on the chunks the streaming session really cuts.

Replies are built as in bench_transcribe.py (human clips joined by 0.4-1.2 s of room tone;
20 of about 5 s and 8 of about 30 s); each is cut once by a streaming pass, then every chunk
is transcribed with each window, so the arms differ only in the window. Run from the
repository root (about 6 minutes):

    .venv/bin/python scripts/bench_window.py --corpus ../shared/audio/human

The last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from confide.settings import load_settings
from confide.voice.audio_file import decode_audio
from confide.voice.streaming import ChunkingOptions, StreamingTranscription
from confide.voice.whisper import WhisperTranscriber
from confide.wiring import whisper_options
from scripts import bench_transcribe as bt

RATE = 16_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/audio/human"))
    parser.add_argument("--min-window", type=int, default=10, help="the fitted arm's minimum")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    corpus = bt.load_corpus(args.corpus)
    clips = [(decode_audio(p).samples, ref) for p, ref in corpus]
    rng = np.random.default_rng(args.seed)
    last_order = list(rng.permutation(len(clips)))
    replies = [bt.build_reply(clips, length, int(last_order[t % len(clips)]), rng)
               for length, n in {5: 20, 30: 8}.items() for t in range(n)]
    base = load_settings()
    stock = WhisperTranscriber(replace(whisper_options(base), min_window_s=30))
    fitted = WhisperTranscriber(replace(whisper_options(base), min_window_s=args.min_window))

    cut: list[tuple[np.ndarray, str, list[tuple[float, float]]]] = []
    for audio, ref in replies:
        with StreamingTranscription(stock, options=ChunkingOptions(merge_s=0)) as stream:
            for start in range(0, audio.shape[0], 1600):
                stream.feed(audio[start : start + 1600])
            stream.finish(timeout=600)
            cut.append((audio, ref, list(stream.chunks)))
    bt.say(f"{len(cut)} replies, {sum(len(c) for _, _, c in cut)} chunks")

    texts: dict[str, list[list[str]]] = {}
    seconds: dict[str, float] = {}
    for name, tr in (("stock", stock), ("fitted", fitted)):
        began = time.perf_counter()
        texts[name] = [[tr.transcribe(audio[int(a * RATE):int(b * RATE)]).text for a, b in chunks]
                       for audio, _, chunks in cut]
        seconds[name] = round(time.perf_counter() - began, 2)
        bt.say(f"  {name}: {seconds[name]} s")

    def wer(pick: str) -> float:
        pairs = []
        for i, (_, ref, chunks) in enumerate(cut):
            parts = [texts["fitted" if pick == "fitted" or (pick == "tail" and j == len(chunks) - 1)
                           else "stock"][i][j] for j in range(len(chunks))]
            pairs.append((ref, " ".join(parts)))
        return round(bt.corpus_wer(pairs), 2)

    print(json.dumps({
        "replies": len(cut), "min_window_s": args.min_window,
        "wer_stock": wer("stock"), "wer_fitted": wer("fitted"), "wer_fitted_tail_only": wer("tail"),
        "chunk_seconds_stock": seconds["stock"], "chunk_seconds_fitted": seconds["fitted"],
    }))


if __name__ == "__main__":
    main()
