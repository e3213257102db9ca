"""Turn-taking on real devices, read off one stereo recording of the room (voice.virtual_sound.Room):
Confide's speaker on the left channel, the person on the right, on one clock.

  barge_in_s   the person's first interrupting sample (right) → Confide's last sample (left)
  turn_s       the last sample of a short answer (right) → Confide's next first sample (left)

Used by ``scripts/bench_loop.py --turns``; the session is wired by ``build_session`` as in
`confide speak` (the real Whisper, synthesizer, VAD, microphone and speaker).
"""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path
from typing import Any

from confide.voice.virtual_sound import barge_in_latency, turn_latency

INTERRUPTIONS = ("stop", "wait", "skip", "next", "stop please", "hold on")
SHORT_ANSWERS = ("yes", "no thanks", "read it back", "four", "share it", "no", "yes please",
                 "keep it private", "three", "next")
PERSON_VOICES = (("en-us", 150), ("en-gb", 170), ("en-us+f3", 160), ("en-us+m3", 140),
                 ("en-gb+f4", 180))

REQUESTS = ("what are my goals", "how am I doing", "what can I say",
            "what did Sam share this week", "read my last entry", "use the fast voice",
            "what are my reminders", "give me a prompt about trust")

LONG_TEXT = ("What did you do this week that you are proud of, however small? Take a moment "
             "to really notice it, and then tell me about it in your own words, as slowly as "
             "you like. There is no right answer, only yours.")



def _person_says(text: str, folder: Path, index: int, rng: random.Random) -> Path:
    from confide.voice.virtual_sound import speak_to_file

    voice, wpm = PERSON_VOICES[rng.randrange(len(PERSON_VOICES))]
    return speak_to_file(text, folder / f"person-{index}.wav", voice=voice, wpm=wpm)


def _wait(condition: Any, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the room never got there")
        time.sleep(0.01)


def barge_in_trials(session: Any, room: Any, folder: Path, trials: int,
                    rng: random.Random) -> list[dict[str, Any]]:
    """Confide reads a long prompt; 0.8–2.5 s in, the person says a command over it."""
    from confide.voice.commands import recognise

    rows = []
    for i in range(trials):
        word = INTERRUPTIONS[i % len(INTERRUPTIONS)]
        wav = _person_says(word, folder, i, rng)
        capture = folder / f"barge-{i}.wav"
        recorder = room.record(capture)
        time.sleep(0.5)

        speaking = threading.Event()
        session.after_first_words = speaking.set  # called as the first words go out

        def interrupt(path: Path = wav, began: threading.Event = speaking) -> None:
            began.wait(30)
            time.sleep(rng.uniform(0.8, 2.5))
            room.play_person(path).wait()

        feeder = threading.Thread(target=interrupt)
        feeder.start()
        session.say(LONG_TEXT)
        feeder.join()
        time.sleep(0.3)
        recorder.terminate()
        recorder.wait()
        audio = session._interruption
        session._interruption = None
        heard = "" if audio is None else session.listener.transcriber.transcribe(audio).text
        command = recognise(heard).command
        row = {"said": word, "heard": heard.strip(), "command": str(command) if command else None,
               "barge_in_s": barge_in_latency(capture)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def turn_trials(session: Any, room: Any, folder: Path, trials: int,
                rng: random.Random, *, requests: bool = False) -> list[dict[str, Any]]:
    """Confide asks; the person answers; Confide answers that: the runner's listening turn
    (the mode the dialog asks for: a command prompt, or the home for ``requests``), the
    recognition, then speech. ``turn_s`` runs from the answer's last sample to the reply's
    first on the speaker."""
    from confide.voice.commands import recognise
    from confide.voice.dialog_events import ListenMode
    from confide.voice.intents import understand

    rows = []
    said = REQUESTS if requests else SHORT_ANSWERS
    mode = ListenMode.HOME if requests else ListenMode.SHORT
    for i in range(trials):
        answer = said[i % len(said)]
        wav = _person_says(answer, folder, 1000 + i, rng)
        capture = folder / f"turn-{i}.wav"
        recorder = room.record(capture)
        time.sleep(0.3)

        def reply(path: Path = wav) -> None:
            _wait(room.listening)
            time.sleep(rng.uniform(0.3, 0.8))
            room.play_person(path).wait()

        feeder = threading.Thread(target=reply)
        feeder.start()
        heard = session.utterance(timeout_s=10.0, mode=mode)
        command = recognise(heard).command
        intent = understand(heard) if command is None else None
        understood = intent.name if intent is not None else command
        session.say(f"You said {answer}. All right." if understood else
                    "Sorry, I did not catch that.")
        feeder.join()
        time.sleep(0.2)
        recorder.terminate()
        recorder.wait()
        row = {"said": answer, "heard": heard,
               "understood": str(understood) if understood else None,
               "turn_s": turn_latency(capture)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def reply_trials(session: Any, room: Any, folder: Path, clips: list[Any], trials: int,
                 rng: random.Random, *, closing: bool) -> list[dict[str, Any]]:
    """Replies of real speech through the loop. ``closing``: each ends "that's it, I'm done"
    (``closing_s``: its last sample to the entry saved); else thinking pauses of 2.0 s to
    the pause allowance less 0.2 s between the clips, and ``cut`` says whether the loop
    ended the reply before its last clip had been played."""
    import numpy as np

    from confide.voice.streamed_speech import trim_silence
    from confide.voice.virtual_sound import write_wav

    allowance = session.pause_allowance_s
    rows = []
    for i in range(trials):
        parts: list[Any] = []
        for k in range(3):
            # Trimmed, so a pause is exactly the silence put between the clips.
            parts.append(trim_silence(clips[rng.randrange(len(clips))], 16000, level=0.01))
            if k < 2:
                gap = rng.uniform(0.5, 1.0) if closing else rng.uniform(2.0, allowance - 0.2)
                parts.append(np.zeros(int(16000 * gap), dtype=np.float32))
        if closing:
            done = _person_says("That's it, I'm done.", folder, 2000 + i, rng)
            import soundfile as sf

            said, rate = sf.read(done, dtype="float32")
            from confide.voice.audio_file import resample

            parts += [np.zeros(8000, dtype=np.float32),
                      trim_silence(resample(said, rate, 16000), 16000, level=0.01)]
        wav = folder / f"reply-{i}-{int(closing)}.wav"
        audio = np.concatenate(parts)
        write_wav(wav, audio, 16000)
        loud = np.flatnonzero(np.abs(audio) > 0.02)
        after_last = (audio.size - int(loud[-1])) / 16000  # quiet samples after the last word
        ended: list[float] = []

        def feed(path: Path = wav, out: list[float] = ended, quiet_s: float = after_last) -> None:
            _wait(room.listening, 60)
            time.sleep(0.3)
            room.play_person(path).wait()
            out.append(time.monotonic() - quiet_s)  # when the last word's last sample played

        feeder = threading.Thread(target=feed)
        feeder.start()
        entry_id, _command = session.record(journal="private")
        feeder.join()
        timing = session.report.timings[-1] if entry_id is not None else {}
        # When the loop decided the reply had ended, against when its last sample was played.
        endpoint = (timing["saved_at"] - timing["endpoint_to_saved_s"] if timing
                    else float("-inf"))
        row: dict[str, Any] = {"closing": closing, "entry": entry_id,
                               "cut": endpoint < ended[0] - 0.05}
        if closing and timing:
            row["closing_s"] = round(timing["saved_at"] - ended[0], 3)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows
