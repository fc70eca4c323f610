"""The archive: one SQLite file holding articles, their LSH band keys and what trace learned.

Ingest commits in batches together with a per-file checkpoint (records done), so a killed
run loses at most the open batch and a rerun resumes where the last commit left off.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from . import fingerprint as fp
from ..errors import UnspinError

BATCH = 500
MAX_POSTING = 1000
_KILL_AFTER = int(os.environ.get("UNSPIN_FAULT_KILL_AFTER", "0"))  # tests only
MIN_WORDS = 10
SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".warc", ".warc.gz")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs(
  n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT, title TEXT, date TEXT,
  hash BLOB NOT NULL UNIQUE, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS lsh(key INTEGER NOT NULL, doc INTEGER NOT NULL,
  PRIMARY KEY(key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ingested_files(path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,
  records INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS vectors(doc INTEGER PRIMARY KEY, v BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS mvectors(id INTEGER PRIMARY KEY, doc INTEGER NOT NULL, v BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS mvectors_doc ON mvectors(doc);
CREATE TABLE IF NOT EXISTS catches(qhash BLOB PRIMARY KEY, doc INTEGER NOT NULL,
  query TEXT NOT NULL, coverage REAL NOT NULL);
CREATE TABLE IF NOT EXISTS substitutions(spun TEXT NOT NULL, original TEXT NOT NULL,
  count INTEGER NOT NULL, PRIMARY KEY(spun, original));
"""


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    source: str
    text: str
    title: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    n: int
    id: str
    source: str
    title: str | None
    date: str | None
    text: str


@dataclass(slots=True)
class IngestStats:
    added: int = 0
    duplicates: int = 0
    conflicts: int = 0
    skipped_files: int = 0
    warnings: list[str] = field(default_factory=list)


def content_hash(text: str) -> bytes:
    return hashlib.blake2b(" ".join(text.split()).encode(), digest_size=16).digest()


class Archive:
    def __init__(self, path: str, create: bool = False):
        if not create and not os.path.exists(path):
            raise UnspinError(f"{path}: no such archive; create it with `unspin archive add --db {path} FILES`")
        try:
            # Autocommit mode: every transaction below is opened and closed explicitly.
            self.con = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("PRAGMA synchronous=NORMAL")
            self.con.execute("PRAGMA cache_size=-262144")  # 256 MB: lsh inserts are random
            self.con.executescript(_SCHEMA)
        except sqlite3.DatabaseError as e:
            raise UnspinError(f"{path}: not an unspin archive ({e})") from None
        self.path = path

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        return self.con.execute("SELECT count(*) FROM docs").fetchone()[0]

    def get(self, n: int) -> Document | None:
        row = self.con.execute("SELECT n, id, source, title, date, body FROM docs WHERE n=?",
                               (n,)).fetchone()
        if row is None:
            return None
        return Document(*row[:5], zlib.decompress(row[5]).decode())

    def get_id(self, doc_id: str) -> Document | None:
        row = self.con.execute("SELECT n FROM docs WHERE id=?", (doc_id,)).fetchone()
        return self.get(row[0]) if row else None

    def candidates(self, keys: list[int], limit: int = 30) -> list[tuple[int, int]]:
        """Documents sharing the most band keys with a query: [(n, votes)], most first.

        A key shared by more than MAX_POSTING documents (a shingle of pure function words
        that wins a permutation everywhere) says nothing and would cost a long scan: skipped.
        """
        votes: dict[int, int] = {}
        q = "SELECT doc FROM lsh WHERE key=? LIMIT %d" % (MAX_POSTING + 1)
        for k in keys:
            docs = self.con.execute(q, (k,)).fetchall()
            if len(docs) > MAX_POSTING:
                continue
            for (d,) in docs:
                votes[d] = votes.get(d, 0) + 1
        return sorted(votes.items(), key=lambda x: (-x[1], x[0]))[:limit]

    def stats(self) -> dict:
        c = self.con
        one = lambda q: c.execute(q).fetchone()[0]  # noqa: E731
        docs = one("SELECT count(*) FROM docs")
        size = sum(os.path.getsize(p) for p in (self.path, self.path + "-wal") if os.path.exists(p))
        return {"documents": docs, "files": one("SELECT count(*) FROM ingested_files WHERE done"),
                "files_in_progress": one("SELECT count(*) FROM ingested_files WHERE NOT done"),
                "vectors": one("SELECT count(*) FROM mvectors"),
                "documents_with_vectors": one("SELECT count(DISTINCT doc) FROM mvectors"),
                "caught_copies": one("SELECT count(*) FROM catches"),
                "substitutions": one("SELECT count(*) FROM substitutions"),
                "bytes": size, "bytes_per_document": round(size / docs) if docs else 0}

    def index_bytes(self) -> int:
        """Bytes of everything but article bodies: what scaling the index costs."""
        rows = dict(self.con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
        return sum(v for k, v in rows.items() if k != "docs")

    # ---- writing ----------------------------------------------------------------------

    def insert(self, rec: Record, stats: IngestStats, prepared: tuple | None = None) -> None:
        h, body, keys = prepared or prepare(rec.text)
        cur = self.con.execute(
            "INSERT INTO docs(id, source, title, date, hash, body) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT DO NOTHING",
            (rec.id, rec.source, rec.title, rec.date, h, body))
        if cur.rowcount == 0:
            if self.con.execute("SELECT 1 FROM docs WHERE hash=?", (h,)).fetchone():
                stats.duplicates += 1  # exact duplicate: stored once
            else:
                stats.conflicts += 1
                stats.warnings.append(f"{rec.source}: id {rec.id!r} is already in the archive with "
                                      "different text; kept the first, skipped this one")
            return
        n = cur.lastrowid
        self.con.executemany("INSERT OR IGNORE INTO lsh(key, doc) VALUES (?,?)", [(k, n) for k in keys])
        stats.added += 1

    def accept(self, rec: Record, stats: IngestStats) -> bool:
        """Too little text can be neither fingerprinted nor traced: say so instead."""
        if len(rec.text.split()) < MIN_WORDS:
            stats.warnings.append(f"{rec.source}: only {len(rec.text.split())} words of text "
                                  f"(fewer than {MIN_WORDS}); skipped")
            return False
        return True

    def add(self, paths: list[str], progress: Callable[[int, str], None] | None = None,
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
                pool = self._add_file(path, stats, progress, warn, workers, pool)
        finally:
            if pool is not None:
                pool.terminate()
        if vectors:
            from . import embed
            embed.embed_archive(self, workers=workers)
        return stats

    def _add_file(self, path, stats, progress, warn, workers, pool):
        st = os.stat(path)
        row = self.con.execute("SELECT size, mtime_ns, records, done FROM ingested_files "
                               "WHERE path=?", (path,)).fetchone()
        same = row is not None and row[0] == st.st_size and row[1] == st.st_mtime_ns
        if same and row[3]:
            stats.skipped_files += 1
            if progress:
                progress(st.st_size, path)
            return pool
        resume = row[2] if same else 0
        self.con.execute("INSERT OR REPLACE INTO ingested_files VALUES (?,?,?,?,0)",
                         (path, st.st_size, st.st_mtime_ns, resume))
        done_bytes, count, pending = 0, 0, []

        def flush(upto: int, done: int):
            nonlocal pool
            recs = [r for r in pending if r is not None and self.accept(r, stats)]
            if workers > 1 and len(recs) > 50 and pool is None:
                import multiprocessing as mp
                pool = mp.get_context("fork").Pool(workers)
            texts = [r.text for r in recs]
            prepped = pool.map(prepare, texts, chunksize=16) if pool else map(prepare, texts)
            self.con.execute("BEGIN")
            try:
                for r, pr in zip(recs, prepped):
                    self.insert(r, stats, pr)
                    if _KILL_AFTER and stats.added + stats.duplicates >= _KILL_AFTER:
                        os.kill(os.getpid(), 9)  # kill-and-resume tests: die mid-transaction
                self.con.execute("UPDATE ingested_files SET records=?, done=? WHERE path=?", (upto, done, path))
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
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
                self.con.execute("DELETE FROM ingested_files WHERE path=?", (path,))
            raise
        flush(count, 1)
        if progress:
            progress(st.st_size - done_bytes, path)
        return pool

    # ---- what trace and learn record --------------------------------------------------

    def record_catch(self, query: str, doc: int, coverage: float) -> None:
        self.con.execute("INSERT OR REPLACE INTO catches VALUES (?,?,?,?)",
                         (content_hash(query), doc, query, coverage))

    def catches(self) -> Iterator[tuple[str, int, float]]:
        yield from self.con.execute("SELECT query, doc, coverage FROM catches ORDER BY rowid")


def prepare(text: str) -> tuple[bytes, bytes, list[int]]:
    """Content hash, compressed body and band keys: the CPU-heavy part of ingest."""
    return content_hash(text), zlib.compress(text.encode(), 6), fp.fingerprint(text)


@contextmanager
def using(db: "str | Archive") -> Iterator["Archive"]:
    """The archive at path `db`, opened and closed here, or an already open Archive, left open."""
    if not isinstance(db, str):
        yield db
        return
    with Archive(db) as arc:
        yield arc


def open_archive(path: str, create: bool = False) -> Archive:
    return Archive(path, create=create)


def add(db: str, paths: list[str], progress=None, warn=None, workers: int | None = None,
        vectors: bool = True) -> IngestStats:
    with Archive(db, create=True) as a:
        return a.add(paths, progress=progress, warn=warn, workers=workers, vectors=vectors)


def add_records(db: str, records: list[Record]) -> IngestStats:
    """Records given whole (the HTTP API's documents), added in one transaction."""
    stats = IngestStats()
    with Archive(db, create=True) as a:
        prepped = [(r, prepare(r.text)) for r in records if a.accept(r, stats)]
        a.con.execute("BEGIN IMMEDIATE")
        try:
            for r, pr in prepped:
                a.insert(r, stats, pr)
            a.con.execute("COMMIT")
        except BaseException:
            a.con.execute("ROLLBACK")
            raise
    return stats


def stats(db: str) -> dict:
    with Archive(db) as a:
        return a.stats()


# ---- reading sources ------------------------------------------------------------------

def expand(paths: list[str]) -> Iterator[str]:
    """Files to ingest, directories walked in sorted order; unknown suffixes skipped there."""
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                for name in sorted(names):
                    if name.lower().endswith(SUFFIXES):
                        yield os.path.join(root, name)
        elif os.path.isfile(p):
            if not p.lower().endswith(SUFFIXES):
                raise UnspinError(f"{p}: unsupported file type; give .txt, .html, .jsonl, .warc or .warc.gz")
            yield p
        else:
            raise UnspinError(f"{p}: no such file or directory")


def _numbered(it):
    for i, (item, pos) in enumerate(it):
        yield i, item, pos


def read_records(path: str, warn: Callable[[str], None]) -> Iterator[tuple[Record | None, int]]:
    """(record or None when skipped, bytes consumed) for every record of one file, in order.

    Skipped records still count, so a resume index stays valid across reruns.
    """
    low = path.lower()
    if low.endswith(".jsonl"):
        yield from _jsonl(path, warn)
    elif low.endswith((".warc", ".warc.gz")):
        yield from _warc(path, warn)
    else:
        yield _plain(path, warn), os.path.getsize(path)


def _plain(path: str, warn) -> Record | None:
    from ..inputs import decode_input
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = decode_input(data, path)
    except UnspinError as e:
        warn(f"{e}; skipped")
        return None
    return Record(id=path, source=path, text=text, title=_first_line(text))


def _first_line(text: str) -> str | None:
    line = text.strip().split("\n", 1)[0].strip()
    return line[:200] if 0 < len(line) <= 200 else None


def _jsonl(path: str, warn):
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            pos = f.tell()
            if not raw.strip():
                yield None, pos
                continue
            where = f"{path}:{lineno}"
            try:
                obj = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                warn(f"{where}: not valid JSON ({getattr(e, 'msg', 'bad UTF-8')}); skipped")
                yield None, pos
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not obj["text"].strip():
                warn(f"{where}: no \"text\" field with text; skipped")
                yield None, pos
                continue
            url = obj.get("url") if isinstance(obj.get("url"), str) else None
            doc_id = obj.get("id")
            doc_id = str(doc_id) if doc_id not in (None, "") else (url or where)
            yield Record(id=doc_id, source=url or where, text=obj["text"],
                         title=_str(obj.get("title")), date=_str(obj.get("date"))), pos


def _str(v) -> str | None:
    return str(v) if v not in (None, "") else None


def _warc(path: str, warn):
    """HTML responses of a WARC file. A file not one page could be read from is an error, not a
    warning: the run would otherwise end well having added nothing."""
    import contextlib
    import io
    from warcio.archiveiterator import ArchiveIterator
    import trafilatura

    from ..inputs import html_article
    n = 0
    with open(path, "rb") as f:
        try:
            records = ArchiveIterator(f)
            while True:
                with contextlib.redirect_stderr(io.StringIO()):  # warcio prints its own damage reports
                    rec = next(records, None)
                if rec is None:
                    break
                if rec.rec_type != "response":
                    continue
                ctype = (rec.http_headers.get_header("Content-Type") or "") if rec.http_headers else ""
                if "html" not in ctype.lower():
                    continue
                url = rec.rec_headers.get_header("WARC-Target-URI") or f"{path}#{n}"
                html = rec.content_stream().read().decode("utf-8", "replace")
                if getattr(rec.raw_stream, "limit", 0):  # record ends before its Content-Length
                    raise EOFError("record cut short")
                n += 1
                text = html_article(html)
                if text is None:
                    warn(f"{path}: {url}: no article text found in the HTML; skipped")
                    yield None, f.tell()
                    continue
                meta = trafilatura.extract_metadata(html)
                yield Record(id=url, source=url, text=text, title=getattr(meta, "title", None),
                             date=getattr(meta, "date", None)), f.tell()
            if path.lower().endswith(".gz"):
                _check_gzip(path)  # warcio drops a cut-off last gzip member silently
        except Exception as e:  # warcio raises several types on truncated/damaged input
            if not n:
                raise UnspinError(f"{path}: not a WARC file, or damaged before its first page "
                                  f"({type(e).__name__}); nothing added from it") from None
            warn(f"{path}: WARC is truncated or damaged after {n} records "
                 f"({type(e).__name__}); kept the complete ones")
    if not n:
        raise UnspinError(f"{path}: no HTML pages in this WARC file; nothing added from it")


def _check_gzip(path: str) -> None:
    import gzip
    with gzip.open(path, "rb") as g:
        while g.read(1 << 20):
            pass
