"""release_free_memory gives the C heap's free pages back to the system (glibc)."""

from __future__ import annotations

import ctypes.util
import platform

import pytest

from kamscore.db.free_memory import release_free_memory


def _resident_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is glibc's")
def test_free_heap_pages_go_back_to_the_system():
    assert ctypes.util.find_library("c")
    blocks = [bytearray(100_000) for _ in range(400)]  # 40 MB in the heap, each under mmap's
    pin = bytearray(100_000)  # a live block above them: the heap's top cannot shrink
    del blocks
    before = _resident_kb()
    assert release_free_memory() is True
    after = _resident_kb()
    assert before - after > 20_000, (before, after)  # most of the 40 MB returned
    del pin
