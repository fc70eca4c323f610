"""The built-in lexicon's commonest look-ups, worked out once at set-up and kept in SQLite.

A fresh process pays for every phrase's first reverse look-up (`Lexicon.originals`: about a
millisecond of thesaurus groups and inflection) and every candidate's first `fanout`. A long
text's scan meets tens of thousands of distinct phrases, and each of detection's worker
processes starts cold, so on a 5 MB text those first look-ups were a third of the time. This
store holds the answers for every headword of zipf 3 or more (about 94,000) and the fan-outs
of their candidates, read one phrase at a time (a few microseconds, no load time).

It answers only for the built-in lexicon (all installed thesauri, habits, the built-in
spinner table), and its file is named by a stamp of everything the answers depend on: the
thesaurus files, the tables, the lexicon's own code and the libraries it calls. Anything else
changed, and the stamp no longer matches: the lexicon works the look-ups out as before.

    python -m unspin.lexicon.lookups          # build it (scripts/setup.sh does)
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import tempfile
import threading
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .cache import _prune, _stamp, cache_dir

MIN_ZIPF = 3.0   # headwords this common or more are stored
_SEP, _ROW = "\x1f", "\x1e"


def _code_files() -> list[Path]:
    here = Path(__file__).parent
    return sorted(here.glob("*.py")) + [here.parent / "language.py"]


def stamp(lex) -> str | None:
    """The store's name for `lex`, or None where the lexicon is not the built-in one."""
    from .index import HABITS_PATH, _source_files
    from .spinners import OBSERVED_PATH, builtin
    from .thesauri import SOURCES, available_sources
    if not lex.habits or lex.spinners is not builtin() \
            or lex.sources != tuple(s for s in SOURCES if s in available_sources()):
        return None
    # the thesauri as the index's cache stamps them (size and time: 40 MB not read at every
    # start); the tables and code by content, so a fresh clone of the same code shares a store
    h = hashlib.sha1(_stamp([f for s in lex.sources for f in _source_files(s)]).encode())
    for f in [HABITS_PATH, OBSERVED_PATH] + _code_files():
        h.update(f"{f.name}:".encode())
        h.update(f.read_bytes())
    for pkg in ("lemminflect", "wordfreq"):
        h.update(f"{pkg}={metadata.version(pkg)};".encode())
    return h.hexdigest()[:16]


def path_for(lex) -> Path | None:
    tag = stamp(lex)
    return None if tag is None else cache_dir() / f"lookups-{tag}.sqlite"


class Lookups:
    """Read-only answers from a built store (one connection, shared by threads under a lock)."""

    def __init__(self, path: Path):
        from .lexicon import Candidate
        self._candidate = Candidate
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True,
                                   check_same_thread=False)
        self._lock = threading.Lock()

    def originals(self, phrase: str) -> list | None:
        """The stored originals(phrase) as Candidates, or None where it is not stored."""
        Candidate = self._candidate
        with self._lock:
            row = self._db.execute("SELECT cands FROM originals WHERE phrase = ?",
                                   (phrase,)).fetchone()
        if row is None:
            return None
        out = []
        for rec in row[0].split(_ROW) if row[0] else ():
            text, source, count = rec.split(_SEP)
            out.append(Candidate(text, source, float(count)))
        return out

    def fanout(self, word: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT n FROM fanout WHERE word = ?", (word,)).fetchone()
        return None if row is None else int(row[0])


def open_for(lex) -> Lookups | None:
    """The built store for `lex`, if there is one."""
    path = path_for(lex)
    if path is None or not path.exists():
        return None
    try:
        return Lookups(path)
    except sqlite3.Error:
        return None


@lru_cache(maxsize=1)
def _plain_lexicon():
    """The built-in lexicon without a store: what the store's answers are worked out on."""
    from .lexicon import Lexicon
    return Lexicon()


def _work(phrases: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, int]]]:
    """(phrase, encoded originals) and (candidate, fanout) rows for a share of the phrases."""
    from .lexicon import TABLE_SOURCES
    from .spinners import fold
    lex = _plain_lexicon()
    rows, words = [], {}
    for p in phrases:
        cands = lex.originals(p)
        rows.append((fold(p), _ROW.join(f"{c.text}{_SEP}{c.source}{_SEP}{c.count!r}" for c in cands)))
        for c in cands:
            if c.source not in TABLE_SOURCES and c.text not in words:
                words[c.text] = lex.fanout(c.text)
    return rows, list(words.items())


def build(workers: int = 2, progress=None, phrases: list[str] | None = None,
          path: Path | None = None) -> Path | None:
    """Work out and store the built-in lexicon's common look-ups (about a minute on two
    cores); written to a temporary file and renamed, so a store is whole or absent.
    phrases, path: other phrases, stored elsewhere (tests)."""
    import multiprocessing as mp
    lex = _plain_lexicon()
    path = path or path_for(lex)
    if path is None:
        return None
    if path.exists():
        return path
    if phrases is None:
        phrases = sorted({p for p in lex._keys if lex._zipf.get(p, 0.0) >= MIN_ZIPF}
                         | set(lex.spinners.reverse))
    shares = [phrases[k::workers * 8] for k in range(workers * 8)]
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        db.execute("CREATE TABLE originals (phrase TEXT PRIMARY KEY, cands TEXT NOT NULL)")
        db.execute("CREATE TABLE fanout (word TEXT PRIMARY KEY, n INTEGER NOT NULL)")
        with mp.get_context("spawn").Pool(workers) as pool:
            for k, (rows, words) in enumerate(pool.imap_unordered(_work, shares)):
                db.executemany("INSERT OR IGNORE INTO originals VALUES (?, ?)", rows)
                db.executemany("INSERT OR IGNORE INTO fanout VALUES (?, ?)", words)
                if progress:
                    progress(k + 1, len(shares))
        db.commit()
        db.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _prune("lookups-*.sqlite", keep=2)
    return path


if __name__ == "__main__":
    quiet = "--quiet-if-built" in sys.argv[1:]
    have = path_for(_plain_lexicon())
    if have is not None and have.exists():
        if not quiet:
            print(f"lexicon look-ups: {have}", file=sys.stderr)
        sys.exit(0)

    def _say(done: int, total: int) -> None:
        print(f"\rsetup: lexicon look-ups {done}/{total}", end="", file=sys.stderr, flush=True)
    where = build(progress=_say)
    print(file=sys.stderr)
    print(f"setup: lexicon look-ups: {where or 'not built (no built-in lexicon)'}", file=sys.stderr)
