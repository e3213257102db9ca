"""How the C heap treats Whisper's working memory (glibc only; elsewhere these do nothing).

CTranslate2 allocates its tensors with plain ``posix_memalign``. Each encoder layer of a
30 s window needs a 54 MB attention buffer, above glibc's largest mmap threshold (32 MB),
so glibc maps fresh pages for it and unmaps them when the layer is done, page faults and
kernel time on every pass. Keeping big blocks on the heap lets the next layer and the next
pass reuse them (``scripts/bench_heap.py``; what it saves is in docs/BENCHMARKS.md,
Transcription).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import threading
from typing import Any

__all__ = ["keep_inference_buffers", "return_freed_memory"]

log = logging.getLogger(__name__)

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_M_ARENA_MAX = -8
TRIM_THRESHOLD = 128 << 20
"""Free memory kept at the top of the heap: above one pass's working set (about 100 MB)."""

_kept = False
_kept_lock = threading.Lock()


@functools.cache
def _libc() -> Any | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def _glibc(symbol: str) -> Any | None:
    found = getattr(_libc(), symbol, None)
    return found if callable(found) else None


def keep_inference_buffers() -> bool:
    """Serve big blocks from one shared heap and keep them there once freed (process-wide,
    idempotent). One arena rather than one per thread: every stream's worker is a new
    thread, and retained blocks in many arenas would add up. Returns whether it applied."""
    global _kept
    with _kept_lock:
        if _kept:
            return True
        mallopt = _glibc("mallopt")
        if mallopt is None:
            return False
        settings = ((_M_MMAP_MAX, 0), (_M_TRIM_THRESHOLD, TRIM_THRESHOLD), (_M_ARENA_MAX, 1))
        _kept = all(mallopt(option, value) == 1 for option, value in settings)
        if not _kept:
            log.warning("the C library refused the heap settings; Whisper passes stay slower")
        return _kept


def return_freed_memory() -> None:
    """Give freed heap pages back to the OS once a reply is done, so a long-running voice
    loop or server does not creep upwards over many replies."""
    trim = _glibc("malloc_trim")
    if trim is not None:
        trim(0)
