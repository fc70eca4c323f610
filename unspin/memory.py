"""Freed memory given back to the system after a long job.

glibc keeps the heap a restore has freed (the language models' batches: several hundred MB)
for the process to reuse, and each later restore, whose batches have other shapes, grows it
further: three 1,000-word restores in one process peaked at 2,642, 2,728 and 2,956 MiB, and at
2,644, 2,644 and 2,674 MiB with the heap trimmed after each. The server, a crawl or a benchmark
restores many texts in one process. Elsewhere (another C library) this does nothing.
"""
from __future__ import annotations

import ctypes
from functools import lru_cache


@lru_cache(maxsize=1)
def _libc():
    """The C library already loaded in this process, where it has malloc_trim (glibc)."""
    try:
        lib = ctypes.CDLL(None)
    except OSError:
        return None
    return lib if hasattr(lib, "malloc_trim") else None


def trim() -> bool:
    """Return the free heap to the system (glibc's malloc_trim): True if any went back, False
    if none did or the C library has no malloc_trim."""
    lib = _libc()
    return bool(lib.malloc_trim(0)) if lib is not None else False
