"""The lexicon's on-disk cache: pickles under ~/.cache/unspin/lexicon (`$UNSPIN_CACHE`), each
named by a stamp of its inputs, written atomically and pruned when stale."""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from ..bulk import without_gc


INDEX_VERSION = 4


def cache_dir() -> Path:
    from ..engine.lm import cache_dir as root
    d = root() / "lexicon"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _stamp(files: list[str]) -> str:
    h = hashlib.sha1(f"v{INDEX_VERSION}".encode())
    for f in files:
        st = os.stat(f)
        h.update(f"{f}:{st.st_mtime_ns}:{st.st_size};".encode())
    return h.hexdigest()[:16]


def _dump(obj, path: Path) -> None:
    # Atomic: several processes may build the same index at once.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _load(path: Path):
    # millions of small objects: the collector would triple the load time (unspin.bulk)
    with without_gc(), open(path, "rb") as f:
        return pickle.load(f)


def _prune(pattern: str, keep: int) -> None:
    """Old cache files (thesaurus updated, code version bumped) go; the newest stay."""
    files = sorted(cache_dir().glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)
