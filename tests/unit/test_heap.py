"""The heap keeps Whisper's big buffers: a freed 54 MB block is reused, not faulted in again."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

# CTranslate2's pattern: allocate a block larger than glibc's mmap threshold, fill it, free
# it, and do the same again (the next encoder layer, the next pass).
_PROBE = """
import ctypes, json, resource, sys
from confide.voice.heap import keep_inference_buffers
applied = keep_inference_buffers() if sys.argv[1] == "keep" else False
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
size = 54 << 20
faults = []
for _ in range(3):
    ptr = ctypes.c_void_p(libc.malloc(ctypes.c_size_t(size)))
    assert ptr.value
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    ctypes.memset(ptr, 1, size)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    libc.free(ptr)
print(json.dumps({"applied": applied, "faults": faults}))
"""


def probe(mode: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", _PROBE, mode], check=True, capture_output=True,
                         text=True, timeout=60)
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")
def test_a_freed_big_block_is_reused_instead_of_faulted_in_again() -> None:
    stock = probe("stock")
    kept = probe("keep")
    assert kept["applied"] is True
    pages = (54 << 20) // 4096
    stock_faults, kept_faults = stock["faults"], kept["faults"]
    assert isinstance(stock_faults, list) and isinstance(kept_faults, list)
    # Stock glibc maps fresh pages for every block (unless the kernel hands out huge pages).
    assert min(stock_faults[1:]) > pages // 600
    # Kept: only the first block is faulted in; the next ones reuse its pages.
    assert max(kept_faults[1:]) < pages // 100
    assert max(kept_faults[1:]) < min(stock_faults[1:]) / 5
