"""The archive's store: one SQLite file holding articles, their LSH band keys, meaning vectors
and what trace and learn recorded. Every SQL statement of unspin is in this module.

The file carries a schema version (table `schema_version`); opening it for writing brings an
older file up to date through MIGRATIONS, one step per version. `Archive(path, readonly=True)`
never writes (no table creation, no journal-mode switch): what `unspin archive stats` uses.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Mapping
from urllib.parse import quote

from . import fingerprint as fp
from ..errors import UnspinError

MAX_POSTING = 1000

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

# The schema version a file of this unspin has, and how to bring an older file up to it:
# MIGRATIONS[v] takes a file at version v to v + 1, inside one transaction. Version 0 is a file
# from before versions were recorded (or a new, empty one): creating what is missing is its step.
SCHEMA_VERSION = 1
MIGRATIONS = {
    0: lambda con: [con.execute(stmt) for stmt in _SCHEMA.split(";") if stmt.strip()],
}


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
    def __init__(self, path: str, create: bool = False, readonly: bool = False):
        if not create and not os.path.exists(path):
            raise UnspinError(f"{path}: no such archive; create it with `unspin archive add --db {path} FILES`")
        self.path = path
        try:
            if readonly and self._version_of(path) < SCHEMA_VERSION:
                Archive(path).close()  # an older file is brought up to date once
            # Autocommit mode: every transaction below is opened and closed explicitly.
            if readonly:
                self.con = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=30,
                                           isolation_level=None)
                self._check_version()  # a file that is not SQLite fails here
            else:
                self.con = sqlite3.connect(path, timeout=30, isolation_level=None)
                self.con.execute("PRAGMA journal_mode=WAL")
                self.con.execute("PRAGMA synchronous=NORMAL")
                self.con.execute("PRAGMA cache_size=-262144")  # 256 MB: lsh inserts are random
                self._migrate()
        except sqlite3.DatabaseError as e:
            raise UnspinError(f"{path}: not an unspin archive ({e})") from None

    @staticmethod
    def _version_of(path: str) -> int:
        con = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=30)
        try:
            return Archive._read_version(con)
        finally:
            con.close()

    @staticmethod
    def _read_version(con: sqlite3.Connection) -> int:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name='schema_version'").fetchone():
            return 0
        row = con.execute("SELECT max(version) FROM schema_version").fetchone()
        return row[0] or 0

    def _version(self) -> int:
        return self._read_version(self.con)

    def _migrate(self) -> None:
        if self._version() >= SCHEMA_VERSION:
            self._check_version()
            return
        with self.transaction(immediate=True):  # another process may be migrating too
            v = self._version()
            while v < SCHEMA_VERSION:
                MIGRATIONS[v](self.con)
                v += 1
            self.con.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)")
            self.con.execute("DELETE FROM schema_version")
            self.con.execute("INSERT INTO schema_version VALUES (?)", (v,))

    def _check_version(self) -> None:
        if self._version() > SCHEMA_VERSION:
            raise UnspinError(f"{self.path}: made by a newer unspin (schema version {self._version()}, "
                              f"this one knows {SCHEMA_VERSION}); upgrade unspin")

    @contextmanager
    def transaction(self, immediate: bool = False) -> Iterator[None]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        self.con.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

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
        return Document(row[0], row[1], row[2], row[3], row[4], zlib.decompress(row[5]).decode())

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
        return ranked(votes, limit)

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

    # ---- ingest's bookkeeping: how far each file got -------------------------------------

    def file_state(self, path: str) -> tuple[int, int, int, int] | None:
        """(size, mtime_ns, records done, finished) recorded for an ingested file, or None."""
        return self.con.execute("SELECT size, mtime_ns, records, done FROM ingested_files "
                                "WHERE path=?", (path,)).fetchone()

    def start_file(self, path: str, size: int, mtime_ns: int, records: int) -> None:
        self.con.execute("INSERT OR REPLACE INTO ingested_files VALUES (?,?,?,?,0)",
                         (path, size, mtime_ns, records))

    def file_progress(self, path: str, records: int, done: int) -> None:
        """Records of the file ingested so far (inside the batch's transaction)."""
        self.con.execute("UPDATE ingested_files SET records=?, done=? WHERE path=?", (records, done, path))

    def forget_file(self, path: str) -> None:
        self.con.execute("DELETE FROM ingested_files WHERE path=?", (path,))

    # ---- the meaning index's vectors (embed) ------------------------------------------

    def count_without_vectors(self) -> int:
        return self.con.execute("SELECT count(*) FROM docs WHERE n NOT IN (SELECT doc FROM mvectors)").fetchone()[0]

    def bodies_without_vectors(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        """(n, compressed body) of articles after number `after` that have no vectors yet."""
        return self.con.execute("SELECT n, body FROM docs WHERE n > ? AND n NOT IN (SELECT doc FROM mvectors) "
                                "ORDER BY n LIMIT ?", (after, limit)).fetchall()

    def add_vectors(self, rows: list[tuple[int, bytes]]) -> None:
        """(doc, vector bytes) rows, in one transaction."""
        with self.transaction():
            self.con.executemany("INSERT INTO mvectors(doc, v) VALUES (?,?)", rows)

    def vector_extent(self) -> tuple[int, int]:
        """(highest vector id, number of vectors)."""
        return self.con.execute("SELECT coalesce(max(id), 0), count(*) FROM mvectors").fetchone()

    def vectors_after(self, vid: int) -> sqlite3.Cursor:
        """A cursor over (id, vector bytes) of the vectors after id `vid`, in id order."""
        return self.con.execute("SELECT id, v FROM mvectors WHERE id > ? ORDER BY id", (vid,))

    def vector_rows(self, ids: list[int]) -> list[tuple[int, int, bytes]]:
        """(vector id, document number, vector bytes) of the given vectors."""
        marks = ",".join("?" * len(ids))
        return self.con.execute(f"SELECT id, doc, v FROM mvectors WHERE id IN ({marks})", ids).fetchall()

    # ---- the LSH index whole (the Spark job broadcasts it) ---------------------------------

    def band_key_count(self) -> int:
        return self.con.execute("SELECT count(*) FROM lsh").fetchone()[0]

    def band_keys(self) -> sqlite3.Cursor:
        """A cursor over every (key, doc), in key order."""
        return self.con.execute("SELECT key, doc FROM lsh ORDER BY key, doc")

    def documents(self) -> Iterator[Document]:
        """Every document, in number order (what `archive export` writes)."""
        for n, id_, source, title, date, body in self.con.execute(
                "SELECT n, id, source, title, date, body FROM docs ORDER BY n"):
            yield Document(n, id_, source, title, date, zlib.decompress(body).decode())

    # ---- what trace and learn record --------------------------------------------------

    def record_catch(self, query: str, doc: int, coverage: float) -> None:
        self.con.execute("INSERT OR REPLACE INTO catches VALUES (?,?,?,?)",
                         (content_hash(query), doc, query, coverage))

    def catches(self) -> Iterator[tuple[str, int, float]]:
        yield from self.con.execute("SELECT query, doc, coverage FROM catches ORDER BY rowid")

    def clear_catches(self) -> None:
        self.con.execute("DELETE FROM catches")

    def replace_substitutions(self, rows: list[tuple[str, str, int]]) -> None:
        """The learned table, (spun, original, count) rows, in place of the old one."""
        with self.transaction():
            self.con.execute("DELETE FROM substitutions")
            self.con.executemany("INSERT INTO substitutions VALUES (?,?,?)", rows)

    def substitutions(self) -> Iterator[tuple[str, str, int]]:
        yield from self.con.execute("SELECT spun, original, count FROM substitutions")


def ranked(votes: Mapping[int, int], limit: int) -> list[tuple[int, int]]:
    """The `limit` best candidates [(doc, votes)]: most votes first, then the lowest number.
    The one order of every candidate look-up (SQLite, the Spark job's broadcast index and its
    join, whose window orders the same way)."""
    return sorted(votes.items(), key=lambda x: (-x[1], x[0]))[:limit]


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


def stats(db: str) -> dict:
    with Archive(db, readonly=True) as a:
        return a.stats()
