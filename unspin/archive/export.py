"""The archive as Parquet, for a Spark job that traces against it by joins (no SQLite file on
the executors): OUT/keys.parquet (key, doc) is the LSH index, OUT/docs.parquet (doc, id,
source, title, date, text) the articles, OUT/export.json what was written.

Band keys shared by more than MAX_POSTING documents are left out, as Archive.candidates skips
them at look-up. The export is written beside OUT and moved into place whole, so OUT is
either the previous export or the new one, never half of one.
"""
from __future__ import annotations

import json
import os
import shutil
from itertools import islice
from typing import Callable

from .store import MAX_POSTING, Archive
from ..errors import UnspinError

KEYS, DOCS, MANIFEST = "keys.parquet", "docs.parquet", "export.json"
ROW_GROUP = 1_000_000      # key rows per Parquet row group (Spark splits a file by row group)
DOC_GROUP = 20_000         # documents per row group


def keys_schema():
    import pyarrow as pa
    return pa.schema([("key", pa.int64()), ("doc", pa.int64())])


def docs_schema():
    import pyarrow as pa
    return pa.schema([("doc", pa.int64()), ("id", pa.string()), ("source", pa.string()),
                      ("title", pa.string()), ("date", pa.string()), ("text", pa.string())])


def export(db: str, out: str, progress: Callable[[int], None] | None = None) -> dict:
    """Write the archive `db` as Parquet into the directory `out` (replacing an earlier export
    there); what was written: {"documents", "keys", "keys_dropped"}. progress(n): n more rows
    (documents, then key rows) done, out of stats()["documents"] + index rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    if os.path.exists(out) and not os.path.exists(os.path.join(out, MANIFEST)):
        raise UnspinError(f"{out} exists and is not an archive export: choose a new directory")
    tmp = f"{out.rstrip(os.sep)}.partial{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        os.makedirs(tmp)
        with Archive(db, readonly=True) as arc:
            n_docs = _write_docs(arc, os.path.join(tmp, DOCS), pa, pq, progress)
            n_keys, dropped = _write_keys(arc, os.path.join(tmp, KEYS), pa, pq, progress)
        info = {"archive": os.path.abspath(db), "documents": n_docs, "keys": n_keys,
                "keys_dropped": dropped, "max_posting": MAX_POSTING}
        with open(os.path.join(tmp, MANIFEST), "w") as f:
            json.dump(info, f, indent=2)
        if os.path.exists(out):
            shutil.rmtree(out)
        os.replace(tmp, out)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UnspinError(f"cannot write {out}: {e.strerror}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {k: info[k] for k in ("documents", "keys", "keys_dropped")}


def _write_docs(arc: Archive, path: str, pa, pq, progress) -> int:
    sch = docs_schema()
    n = 0
    docs = arc.documents()
    with pq.ParquetWriter(path, sch, compression="zstd") as w:
        while True:  # DOC_GROUP documents a row group; one (maybe empty) group at least
            batch = [{"doc": d.n, "id": d.id, "source": d.source, "title": d.title,
                      "date": d.date, "text": d.text} for d in islice(docs, DOC_GROUP)]
            if batch or not n:
                w.write_table(pa.Table.from_pylist(batch, schema=sch))
                n += len(batch)
                if progress:
                    progress(len(batch))
            if len(batch) < DOC_GROUP:
                return n


def _write_keys(arc: Archive, path: str, pa, pq, progress) -> tuple[int, int]:
    """The (key, doc) rows in key order, keys with more than MAX_POSTING documents dropped."""
    import numpy as np
    sch = keys_schema()
    written = dropped = 0
    cur = arc.band_keys()
    carry: list[tuple[int, int]] = []   # the last key's rows: it may go on in the next chunk
    with pq.ParquetWriter(path, sch, compression="zstd") as w:
        while True:
            chunk = cur.fetchmany(ROW_GROUP)
            rows = carry + chunk
            if not chunk:
                carry = []
            else:
                last = rows[-1][0]
                cut = len(rows)
                while cut and rows[cut - 1][0] == last:
                    cut -= 1
                rows, carry = rows[:cut], rows[cut:]
            if rows:
                a = np.asarray(rows, dtype=np.int64)
                _, counts = np.unique(a[:, 0], return_counts=True)
                keep = np.repeat(counts <= MAX_POSTING, counts)
                dropped += int((~keep).sum())
                keys, docs = a[keep, 0], a[keep, 1]
                w.write_table(pa.table({"key": keys, "doc": docs}, schema=sch))
                written += len(keys)
                if progress:
                    progress(len(rows))
            if not chunk:
                break
        if not written:
            w.write_table(sch.empty_table())
    return written, dropped
