"""Scan a web crawl on Apache Spark: the local `unspin scan`, one input file per task.

In the style of Common Crawl's cc-pyspark: the driver expands the inputs (crawl files, folders,
.paths/.txt lists, exactly as `scan` does), makes one RDD element per input file, and every task
runs `Scanner.rows` (unspin/crawl/scan.py: the same per-file function as `scan`, so the same rows) on
its files. The scanner (triage tables, lexicon, n-gram model, the language model with --deep,
the opened archive) is built once per Python worker and kept in a module-level cache, so
every later task of that worker reuses it (Spark reuses its Python workers by default). The
output is a Parquet table (a directory of part files) with exactly scan's columns and rows;
the counters (records read, pages scored, skipped by reason, failed ...) are printed as the
same JSON summary as `unspin scan --json`.

Usage
-----
    python -m unspin.crawl.spark --input PATHS_FILE_OR_PATHS... --output OUT_DIR \\
        [--db ARCHIVE | --join EXPORT] [--deep] [--no-triage] [--partitions N] [--master URL]

--partitions N groups the input files into N tasks (default: one task per input file).

Archive (--db)
--------------
Tracing a flagged page needs two things from the archive: the LSH fingerprint index (band
key -> documents) to find candidates, and the candidates' bodies (plus the sentence vectors,
when the archive has them) to align. The index is read on the driver and broadcast to the
executors when it fits (--broadcast-max-mb, default 512 MB of int64 pairs, about 700 bytes
per archived article: some 700,000 articles), so the candidate look-up runs in executor
memory. The bodies are still read from the SQLite file, so every executor opens the archive
file by its path:
  * local mode: nothing to do (the path given to --db);
  * a cluster: the file must be at the same path on every node (a shared file system), or be
    shipped with the job: `--ship-archive` calls SparkContext.addFile and the executors open
    their SparkFiles copy (or pass `--files archive.db` to spark-submit, same effect).
    Pages traced as copies are recorded as catches (`unspin learn`) in the archive that the
    executor opened: on a cluster, in its copy, which is thrown away with the job.
    The meaning index lives beside the archive (`ARCHIVE.ann`, `ARCHIVE.ann.json`): ship or
    share those too, or each executor rebuilds it from the archive's vectors on its first trace.
Archives too large to broadcast fall back to the SQLite look-up on every executor. For
archives too large for that too (100M articles and up), export the archive as Parquet once
(`unspin archive export --db a.db a.parquet`: its LSH index as (key, doc) and its articles)
and pass `--join a.parquet` instead of --db: the flagged pages' band keys are joined to the
index, votes counted by a group-by, the best candidates' bodies joined in, and each page traced
on its executor against those (unspin/crawl/lsh_join.py). No archive file on the executors at
all; the rows are scan's, except that the meaning index's neighbours are not looked up (an
archive with vectors then finds translated copies through the LSH candidates only) and no
catches are recorded for `unspin learn`.

spark-submit
------------
Local mode, all cores of this machine (the same as `python -m unspin.crawl.spark ... --master local[*]`;
the spark-submit that pip installs with PySpark finds its Spark through the `python3` on PATH,
hence the venv first on PATH):

    PATH=$PWD/.venv/bin:$PATH spark-submit --master 'local[*]' unspin/crawl/spark.py \
        --input warc.paths --output out/ --db a.db

An existing cluster (standalone `--master spark://host:7077`, or `--master yarn`): every
executor needs unspin and its dependencies in the Python it runs. Either install the project
on every node (`pip install unspin-*.whl`, built with `pip wheel --no-deps .`) or ship a
packed virtual environment:

    python -m venv env && env/bin/pip install . venv-pack && env/bin/venv-pack -o env.tar.gz
    PYSPARK_PYTHON=./env/bin/python spark-submit --master yarn --archives env.tar.gz#env \\
        --files a.db unspin/crawl/spark.py --input warc.paths --output hdfs:///scans/2024-05 \\
        --db a.db --ship-archive

(`--py-files unspin.zip` ships unspin's own code only: enough when the nodes already have
its dependencies.) The input paths must be readable at the same path on every executor (a
shared file system); s3:// and https:// inputs are skipped as "remote", as in `scan`.

Tested with PySpark 4.3.0 from PyPI and OpenJDK 17 (Debian bookworm's
openjdk-17-jre-headless, its default-jre-headless), local mode (`local[2]`);
`UNSPIN_WITH_SPARK=1 make setup` installs both.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections import Counter

if __name__ == "__main__" and not __package__:  # run as a file: `spark-submit unspin/crawl/spark.py ...`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    import importlib
    sys.exit(importlib.import_module("unspin.crawl.spark").main())

from . import scan as sc
from ..errors import UnspinError

BROADCAST_MAX_MB = 512

# ---- the archive's fingerprint index, broadcast -------------------------------------------


def load_index(db: str, max_bytes: int):
    """The archive's LSH index as three numpy arrays (sorted keys, offsets, documents), or None
    when it would take more than max_bytes. Keys shared by more than MAX_POSTING documents are
    left out: Archive.candidates skips them too."""
    import numpy as np

    from ..archive.store import MAX_POSTING, Archive
    with Archive(db) as arc:
        rows = arc.band_key_count()
        if rows * 16 > max_bytes:
            return None
        keys = np.empty(rows, dtype=np.int64)
        docs = np.empty(rows, dtype=np.int64)
        cur = arc.band_keys()
        i = 0
        while True:
            chunk = cur.fetchmany(100_000)
            if not chunk:
                break
            a = np.asarray(chunk, dtype=np.int64)
            keys[i:i + len(a)], docs[i:i + len(a)] = a[:, 0], a[:, 1]
            i += len(a)
    keys, docs = keys[:i], docs[:i]
    uniq, starts, counts = np.unique(keys, return_index=True, return_counts=True)
    keep = counts <= MAX_POSTING
    if not keep.all():
        mask = np.repeat(keep, counts)
        keys, docs = keys[mask], docs[mask]
        uniq, starts = np.unique(keys, return_index=True)
    offsets = np.append(starts, len(keys)).astype(np.int64)
    small = docs.max() < 2**31 if len(docs) else True
    return uniq, offsets, docs.astype(np.int32 if small else np.int64)


class IndexedArchive:
    """An open Archive whose candidate look-up runs on the broadcast index; everything else
    (bodies, vectors, recorded catches) goes to the SQLite file."""

    def __init__(self, archive, index):
        self._archive = archive
        self._keys, self._offsets, self._docs = index

    def __getattr__(self, name):
        return getattr(self._archive, name)

    def candidates(self, keys: list[int], limit: int = 30) -> list[tuple[int, int]]:
        """As Archive.candidates: documents sharing the most band keys, [(n, votes)], most first."""
        import numpy as np

        from ..archive.store import ranked
        votes: Counter = Counter()
        if keys:
            q = np.asarray(keys, dtype=np.int64)
            pos = np.searchsorted(self._keys, q)
            for k, p in zip(q.tolist(), pos.tolist()):
                if p < len(self._keys) and self._keys[p] == k:
                    votes.update(self._docs[self._offsets[p]:self._offsets[p + 1]].tolist())
        return ranked(votes, limit)


# ---- the executors' side ------------------------------------------------------------------

_SCANNERS: dict = {}   # one scanner per settings, per Python worker: models loaded once


def _archive_path(db: str) -> str:
    if os.path.exists(db):
        return db
    from pyspark import SparkFiles
    shipped = SparkFiles.get(os.path.basename(db))
    if os.path.exists(shipped):
        return shipped
    raise UnspinError(f"{db}: no such archive on this executor; put it at the same path on every "
                      f"node or ship it (--ship-archive, or spark-submit --files)")


def _scanner(settings: dict, index):
    key = tuple(sorted(settings.items()))  # a new broadcast (another job) has another id
    s = _SCANNERS.get(key)
    if s is None:
        from ..archive.store import Archive
        s = sc.Scanner(settings["deep"], None, settings["threads"], settings["triage"],
                       defer_trace=settings["join"])
        if settings["db"]:
            arc = Archive(_archive_path(settings["db"]))
            s.archive = IndexedArchive(arc, index.value) if index is not None else arc  # type: ignore[assignment]  # an Archive with the broadcast index
        _SCANNERS[key] = s
    return s


def _scan_files(settings: dict, index):
    """mapPartitions: (input number, path) -> (input number, rows as tuples, counts, verdicts,
    pages left to trace by the join as (pid, text, band keys))."""
    from dataclasses import asdict

    from ..archive.fingerprint import fingerprint

    def run(jobs):
        s = None
        for i, path in jobs:
            s = s or _scanner(settings, index)
            rows, c = s.rows(path)
            verdicts = Counter(r["verdict"] for r in rows)
            todo = [(_pid(i, j), r[sc.TRACE_TEXT], fingerprint(r[sc.TRACE_TEXT]))
                    for j, r in enumerate(rows) if sc.TRACE_TEXT in r]
            yield (i, [tuple(r[k] for k in sc.COLUMNS) for r in rows], asdict(c), dict(verdicts),
                   todo)
    return run


def _pid(file: int, row: int) -> int:
    """A page's number in the job: its input file's and its row's."""
    return (file << 24) | row


_TRACED = [sc.COLUMNS.index(k) for k in ("top_source", "relation", "coverage")]


def _with_trace(item):
    """leftOuterJoin's (pid, (row, trace)) -> [row with the trace's columns], or [] where the
    trace failed (scan drops such a page and counts it as failed)."""
    _, (row, traced) = item
    if traced is None:
        return [row]
    ok, *cols = traced
    if not ok:
        return []
    row = list(row)
    for k, v in zip(_TRACED, cols):
        row[k] = v
    return [tuple(row)]


# ---- the driver ---------------------------------------------------------------------------


def spark_schema():
    """scan.schema() as a Spark StructType (same names, order and types)."""
    import pyarrow as pa
    from pyspark.sql import types as T
    types = {pa.string(): T.StringType(), pa.int64(): T.LongType(), pa.float64(): T.DoubleType(),
             pa.bool_(): T.BooleanType()}
    return T.StructType([T.StructField(f.name, types[f.type], True) for f in sc.schema()])


def session(master: str | None = None, app: str = "unspin-scan"):
    """A SparkSession (the one spark-submit set up, or local mode on every core)."""
    check_runtime()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run this venv's Python
    from pyspark.sql import SparkSession
    b = SparkSession.builder.appName(app)
    if master:
        b = b.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit, which sets the master
        b = b.master("local[*]")
    spark = b.config("spark.ui.showConsoleProgress", "false").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def check_runtime() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise UnspinError("PySpark is not installed: run `UNSPIN_WITH_SPARK=1 make setup` "
                          "(or pip install pyspark)") from None
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise UnspinError("no Java runtime for Spark: apt-get install openjdk-17-jre-headless "
                          "(or `UNSPIN_WITH_SPARK=1 make setup` as root), or set JAVA_HOME")


def run(paths: list[str], out: str, db: str | None = None, deep: bool = False, triage: bool = True,
        partitions: int | None = None, spark=None, master: str | None = None,
        broadcast_max_mb: float = BROADCAST_MAX_MB, ship_archive: bool = False,
        join: str | None = None) -> sc.ScanSummary:
    """Scan crawl files into the Parquet directory `out` on Spark; scan's rows and summary.

    join: an archive export (`unspin archive export`) to trace flagged pages against by Spark
    joins on LSH keys, instead of the archive file `db` (give one or the other)."""
    t0 = time.monotonic()
    if db is not None and join is not None:
        raise UnspinError("give the archive (--db) or its export (--join), not both")
    files, file_skips = sc.expand(paths)
    summary = sc.ScanSummary(output=out, files=len(files), files_skipped=dict(file_skips))
    if db is not None:
        from ..archive.store import Archive
        Archive(db).close()  # a missing or broken archive fails now, not in every task
    if join is not None:
        from .lsh_join import check_export
        check_export(join)
    if not files:
        sc.check_read(summary, paths)
    spark = spark or session(master)
    ctx = spark.sparkContext
    index = None
    if db is not None:
        if ship_archive:
            ctx.addFile(os.path.abspath(db))
        idx = load_index(db, int(broadcast_max_mb * 2**20))
        index = ctx.broadcast(idx) if idx is not None else None
    threads = max(1, (os.cpu_count() or 1) // max(1, ctx.defaultParallelism))
    settings = {"deep": deep, "db": os.path.abspath(db) if db else None, "triage": triage,
                "threads": threads, "index": index._jbroadcast.id() if index is not None else None,
                "join": join is not None}
    jobs = ctx.parallelize(list(enumerate(files)), max(1, min(partitions or len(files), len(files))))
    from pyspark import StorageLevel
    results = jobs.mapPartitions(_scan_files(settings, index)).persist(StorageLevel.MEMORY_AND_DISK)
    merged = None
    try:
        done = sorted(results.map(lambda r: (r[0], r[2], r[3])).collect())
        counts = [sc.FileCounts(**c) for _, c, _ in done]
        summary.files_scanned = len(counts)
        sc.tally(summary, counts)
        summary.pages_this_run = summary.pages_scored
        sc.check_read(summary, paths)
        verdicts: Counter = Counter()
        for _, _, v in done:
            verdicts.update(v)
        rows = results.flatMap(lambda r: r[1])
        if join is not None:
            merged = _join_traces(spark, results, join, summary, verdicts)
            rows = merged.flatMap(_with_trace)
        summary.verdicts = dict(sorted(verdicts.items()))
        summary.rows = sum(verdicts.values())
        spark.createDataFrame(rows, spark_schema()).write.mode("overwrite").parquet(out)
    finally:
        results.unpersist()
        if merged is not None:
            merged.unpersist()
        if index is not None:
            index.unpersist()
    summary.seconds = time.monotonic() - t0
    return summary


def _join_traces(spark, results, export: str, summary: sc.ScanSummary, verdicts: Counter):
    """(pid, (row, trace result or None)) for every row, persisted: the flagged pages traced by
    joins against `export`. Pages whose trace failed are counted here as scan counts them
    (failed, not scored); _with_trace drops them."""
    from pyspark import StorageLevel

    from .lsh_join import trace_pages
    keyed = results.flatMap(lambda r: [(_pid(r[0], j), row) for j, row in enumerate(r[1])])
    traced = trace_pages(spark, results.flatMap(lambda r: r[4]), export)
    merged = keyed.leftOuterJoin(traced).persist(StorageLevel.MEMORY_AND_DISK)
    failed = merged.filter(lambda x: x[1][1] is not None and not x[1][1][0]).map(lambda x: x[1][0]).collect()
    verdict, deep = sc.COLUMNS.index("verdict"), sc.COLUMNS.index("deep")
    for row in failed:
        summary.failed += 1
        summary.pages_scored -= 1
        summary.traced -= 1
        summary.deep_scored -= bool(row[deep])
        verdicts[row[verdict]] -= 1
    summary.pages_this_run = summary.pages_scored
    return merged


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m unspin.crawl.spark", description=__doc__.split("\n\n")[0])
    p.add_argument("--input", nargs="+", required=True, metavar="PATH",
                   help="crawl files (.warc(.gz), .wet(.gz), .jsonl), folders, or .paths/.txt lists")
    p.add_argument("--output", required=True, help="Parquet directory to write (overwritten)")
    p.add_argument("--db", help="archive to trace flagged pages against")
    p.add_argument("--deep", action="store_true", help="language model on suspicious pages")
    p.add_argument("--no-triage", dest="triage", action="store_false",
                   help="the detector on every page (no first tier)")
    p.add_argument("--partitions", type=int, help="tasks (default: one per input file)")
    p.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    p.add_argument("--broadcast-max-mb", type=float, default=BROADCAST_MAX_MB,
                   help="broadcast the archive's index when it takes at most this much")
    p.add_argument("--join", metavar="EXPORT",
                   help="trace flagged pages by Spark joins against this archive export "
                        "(unspin archive export), instead of --db")
    p.add_argument("--ship-archive", action="store_true",
                   help="send the archive file to the executors (SparkContext.addFile)")
    a = p.parse_args(argv)
    try:
        s = run(a.input, a.output, db=a.db, deep=a.deep, triage=a.triage, partitions=a.partitions,
                master=a.master, broadcast_max_mb=a.broadcast_max_mb, ship_archive=a.ship_archive,
                join=a.join)
    except UnspinError as e:
        print(f"unspin.crawl.spark: {e}", file=sys.stderr)
        return 2
    print(json.dumps(s.to_json(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
