"""Bulk work with Python's cyclic garbage collector paused.

Detection builds millions of small objects (tokens, suspects, candidates, flags), none of them
in a reference cycle, so reference counting frees them all. Each burst of allocations still
sets off the cycle collector, whose older generations walk every live object, the lexicon's
and the 3-gram model's millions included: on a long text that was a fifth of the scan's time
(0.5 MB in one process: 10.3 s, 8.0 s paused). Restore, whose time is the language model's,
gains nothing from it and pauses only to tokenise (text.Doc) and to load the lexicon's cached
index (lexicon.cache). The pause is process-wide: in the server, another thread's cyclic
garbage waits until the detection running beside it ends.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_depth = 0          # bulk stretches running now (nested calls, server threads)
_was_enabled = False


@contextmanager
def without_gc() -> Iterator[None]:
    """The collector paused until the last overlapping `without_gc` ends, then as it was."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
