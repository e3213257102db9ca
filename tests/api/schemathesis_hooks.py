"""Hooks for the schemathesis command in tests/api/test_stateful.py (``SCHEMATHESIS_HOOKS``).

A real client uploads recordings, not random bytes: schema-valid multipart cases carry a short
real WAV in ``file``, so uploads reach the journal (entries and responses with audio the
stateful phase then follows). Whether random bytes are refused is for tests/api/test_uploads.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import schemathesis
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation


def ascii_wav(seconds: float = 1.0, rate: int = 8000) -> str:
    """A real WAV (8-bit PCM, a 220 Hz tone) whose every byte is below 0x80: the same file as
    text or as bytes. Schemathesis generates ``file`` as either, and re-checks a case whose
    value changed type, so the recording has to fit the type it replaces."""
    frames = int(seconds * rate)
    samples = bytes(0x40 + round(0x20 * math.sin(2 * math.pi * 220 * n / rate))
                    for n in range(frames))
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + \
        struct.pack("<I", len(samples)) + samples
    data = b"RIFF" + struct.pack("<I", len(body)) + body
    assert max(data) < 0x80
    return data.decode("ascii")


_WAV = ascii_wav()


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    meta = getattr(case, "meta", None)
    body_mode = getattr((getattr(meta, "components", None) or {}).get(ParameterLocation.BODY),
                        "mode", None)
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    body = case.body
    if (mode is GenerationMode.POSITIVE and body_mode in (None, GenerationMode.POSITIVE)
            and case.media_type == "multipart/form-data" and isinstance(body, dict)):
        file = body.get("file")
        if isinstance(file, bytes):
            case.body = {**body, "file": _WAV.encode("ascii")}
        elif isinstance(file, str):
            case.body = {**body, "file": _WAV}
    return case
