"""``gc_paused()``: no cyclic garbage collection while a bulk load builds millions of objects.

Loading a period's context for 10,000 KAMs creates millions of tuples, lists and dicts that all
live until the run ends. CPython's cyclic collector is triggered by allocations, and each
collection of the older generations walks every live container — so during a bulk load it
runs again and again over an ever larger heap and finds nothing to free: measured on the
10,000-KAM demo it roughly doubled the time to load the context. Reference counting still
frees everything as usual while the collector is paused; only reference cycles wait until
it is resumed (and collected at the next automatic collection).

The pause is process-wide (``gc.disable``), so it is kept to the span of one load or run.
Nested pauses are fine: only the outermost one resumes collection, and only if it was on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
