"""Ingest: files and directories into the archive, resumable.

Records are read (`readers`), fingerprinted in worker processes and written by this one in
batches, each committed together with a per-file checkpoint (records done), so a killed run
loses at most the open batch and a rerun resumes where the last commit left off.
"""
from __future__ import annotations

import os
from typing import Callable

from ..errors import UnspinError
from .readers import expand, read_records
from .store import Archive, IngestStats, Record, prepare

BATCH = 500
_KILL_AFTER = int(os.environ.get("UNSPIN_FAULT_KILL_AFTER", "0"))  # tests only
MIN_WORDS = 10


def add(db: str, paths: list[str], progress=None, warn=None, workers: int | None = None,
        vectors: bool = True) -> IngestStats:
    """Add files and directories (.txt, .html, .jsonl, .warc, .warc.gz) to the archive at `db`,
    created if need be; with `vectors` also their meaning-index vectors."""
    with Archive(db, create=True) as a:
        return add_files(a, paths, progress=progress, warn=warn, workers=workers, vectors=vectors)


def add_records(db: str, records: list[Record]) -> IngestStats:
    """Records given whole (the HTTP API's documents), added in one transaction."""
    stats = IngestStats()
    with Archive(db, create=True) as a:
        prepped = [(r, prepare(r.text)) for r in records if accept(r, stats)]
        with a.transaction(immediate=True):
            for r, pr in prepped:
                a.insert(r, stats, pr)
    return stats


def accept(rec: Record, stats: IngestStats) -> bool:
    """Too little text can be neither fingerprinted nor traced: say so instead."""
    if len(rec.text.split()) < MIN_WORDS:
        stats.warnings.append(f"{rec.source}: only {len(rec.text.split())} words of text "
                              f"(fewer than {MIN_WORDS}); skipped")
        return False
    return True


def add_files(arc: Archive, paths: list[str], progress: Callable[[int, str], None] | None = None,
          warn: Callable[[str], None] | None = None, workers: int | None = None,
          vectors: bool = True) -> IngestStats:
    """Ingest files and directories; resumable, each batch one transaction.

    Fingerprinting runs in `workers` processes (default: one per core); SQLite writes
    stay in this one, so a kill can only lose the batch not yet committed. With `vectors`
    the new articles then get their meaning-index vectors (`embed.embed_archive`).
    """
    stats = IngestStats()
    files = list(expand(paths))
    workers = (os.cpu_count() or 1) if workers is None else workers
    pool = None
    try:
        for path in files:
            pool = _add_file(arc, path, stats, progress, warn, workers, pool)
    finally:
        if pool is not None:
            pool.terminate()
    if vectors:
        from . import embed
        embed.embed_archive(arc, workers=workers)
    return stats


def _add_file(arc: Archive, path, stats, progress, warn, workers, pool):
    st = os.stat(path)
    row = arc.file_state(path)
    same = row is not None and row[0] == st.st_size and row[1] == st.st_mtime_ns
    if row is not None and same and row[3]:
        stats.skipped_files += 1
        if progress:
            progress(st.st_size, path)
        return pool
    resume = row[2] if row is not None and same else 0
    arc.start_file(path, st.st_size, st.st_mtime_ns, resume)
    done_bytes, count = 0, 0
    pending: list[Record | None] = []

    def flush(upto: int, done: int):
        nonlocal pool
        recs = [r for r in pending if r is not None and accept(r, stats)]
        if workers > 1 and len(recs) > 50 and pool is None:
            import multiprocessing as mp
            pool = mp.get_context("fork").Pool(workers)
        texts = [r.text for r in recs]
        prepped = pool.map(prepare, texts, chunksize=16) if pool else map(prepare, texts)
        with arc.transaction():
            for r, pr in zip(recs, prepped):
                arc.insert(r, stats, pr)
                if _KILL_AFTER and stats.added + stats.duplicates >= _KILL_AFTER:
                    os.kill(os.getpid(), 9)  # kill-and-resume tests: die mid-transaction
            arc.file_progress(path, upto, done)
        pending.clear()
        if warn:
            for w in stats.warnings:
                warn(w)
            stats.warnings.clear()

    try:
        for i, item, pos in _numbered(read_records(path, stats.warnings.append)):
            count = i + 1
            if i < resume:
                continue
            pending.append(item)
            if count % BATCH == 0:
                flush(count, 0)
                if progress:
                    progress(pos - done_bytes, path)
                    done_bytes = pos
    except UnspinError:  # nothing could be read from the file: it is not in progress either
        if not count:
            arc.forget_file(path)
        raise
    flush(count, 1)
    if progress:
        progress(st.st_size - done_bytes, path)
    return pool


def _numbered(it):
    for i, (item, pos) in enumerate(it):
        yield i, item, pos
