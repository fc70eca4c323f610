"""Scan a web crawl on one machine: WARC/WET/JSONL files in, one Parquet row per page out.

Every page first goes through the triage (unspin/crawl/triage.py: spinner-table look-ups, a/an
agreement and unigram rarity, about 100 times the detector's speed); the pages it cannot clear
get the fast detector (`triage=False`: every page does); with `deep`, the language model also
scores the pages the fast path finds suspicious; with an archive, the flagged pages are traced
to their source. Each row says which tier decided it: "triage" (scored clean there, no
probability), "fast" or "deep".
One input file is one task for a pool of processes (all cores by default), each loading the
models once. A finished file's rows go to a part file written atomically
(OUT.parts/<key>.parquet, the key naming the file, its size and mtime, and the settings), so a
killed scan resumes with the unfinished files only; OUT is assembled from the parts in input
order, so a rerun never loses or duplicates rows and the same inputs give the same rows
whatever the number of workers. Bad records are skipped and counted by reason; a scan fails
only when nothing at all could be read.

Scanning across machines is the Spark job's (unspin/crawl/spark.py), which runs the same
Scanner.rows per input file (and, for archives too large to open on every worker, traces by a
join on LSH keys: unspin/crawl/lsh_join.py). Left to do: remote inputs (s3://, https:// paths
in a list are skipped here as "remote").
"""
from __future__ import annotations

# Over 400 lines: one resumable job (settings, per-file scanning, the worker pool, the Parquet output and its summary) whose parts share the resume state.

import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, cast

from . import pages as crawl
from ..errors import UnspinError

MIN_WORDS = 10          # as the archive: fewer words can be neither judged nor traced
FORMAT = 2              # bump when the rows change meaning: old parts are then ignored
LIST_SUFFIXES = (".paths", ".txt")
_META = b"unspin.crawl.scan"

# Why an input file was not read at all.
MISSING, UNSUPPORTED, UNREADABLE, REMOTE, EMPTY_LIST = (
    "missing", "unsupported", "unreadable", "remote", "empty_list")
# Why a page was not scored, besides the reader's reasons (crawl.*).
TOO_SHORT, NOT_ENGLISH = "too_short", "not_english"

COLUMNS = ("url", "warc_file", "record_offset", "date", "language", "words", "spun_probability",
           "verdict", "deep", "top_source", "relation", "coverage", "tier", "triage_score")
# Which tier decided a page: the triage cleared it (spun_probability null, verdict clean), the
# fast detector, or the language model.
TIER_TRIAGE, TIER_FAST, TIER_DEEP = "triage", "fast", "deep"
TRACE_TEXT = "trace_text"  # a row's extra key: the text of a page left to trace (defer_trace)


def schema():
    import pyarrow as pa
    return pa.schema([("url", pa.string()), ("warc_file", pa.string()), ("record_offset", pa.int64()),
                      ("date", pa.string()), ("language", pa.string()), ("words", pa.int64()),
                      ("spun_probability", pa.float64()), ("verdict", pa.string()),
                      ("deep", pa.bool_()), ("top_source", pa.string()), ("relation", pa.string()),
                      ("coverage", pa.float64()), ("tier", pa.string()),
                      ("triage_score", pa.float64())])


@dataclass
class FileCounts:
    """What one input file gave; stored with its part so a resumed scan reports the same totals."""
    records_read: int = 0
    pages_scored: int = 0
    failed: int = 0
    deep_scored: int = 0
    traced: int = 0
    triaged: int = 0               # pages the triage cleared (never reached the detector)
    skipped: dict[str, int] = field(default_factory=dict)
    problem: str | None = None     # file-level: why nothing could be read from it

    def add(self, other: FileCounts) -> None:
        for k in ("records_read", "pages_scored", "failed", "deep_scored", "traced", "triaged"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for k, v in other.skipped.items():
            self.skipped[k] = self.skipped.get(k, 0) + v


@dataclass
class ScanSummary:
    output: str
    files: int = 0                 # input files found
    files_scanned: int = 0         # read by this run
    files_resumed: int = 0         # finished by an earlier run, not read again
    files_skipped: dict[str, int] = field(default_factory=dict)   # reason -> inputs that gave no record
    records_read: int = 0
    pages_scored: int = 0
    skipped: dict[str, int] = field(default_factory=dict)         # reason -> records
    failed: int = 0
    deep_scored: int = 0
    traced: int = 0
    triaged: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    seconds: float = 0.0
    pages_this_run: int = 0

    @property
    def pages_per_s(self) -> float:
        return self.pages_this_run / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["seconds"] = round(self.seconds, 3)
        d["pages_per_s"] = round(self.pages_per_s, 2)
        return d


# ---- inputs -------------------------------------------------------------------------------

def expand(paths: list[str]) -> tuple[list[str], Counter]:
    """Data files to scan, in order and each once, and the inputs skipped, by reason.

    Directories are walked (sorted) for crawl files; a .paths/.txt file lists one path a line
    (relative to the list's folder, as in Common Crawl's warc.paths), lists do not nest."""
    files: list[str] = []
    skipped: Counter = Counter()

    def one(p: str, in_list: bool) -> None:
        low = p.lower()
        if "://" in p:
            skipped[REMOTE] += 1
        elif os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                files.extend(os.path.join(root, n) for n in sorted(names) if n.lower().endswith(crawl.SUFFIXES))
        elif not os.path.exists(p):
            skipped[MISSING] += 1
        elif low.endswith(crawl.SUFFIXES):
            files.append(p)
        elif low.endswith(LIST_SUFFIXES) and not in_list:
            listed = _listed(p)
            if listed is None:
                skipped[UNREADABLE] += 1
            elif not listed:
                skipped[EMPTY_LIST] += 1
            for q in listed or ():
                one(q, True)
        else:
            skipped[UNSUPPORTED] += 1

    for p in paths:
        one(p, False)
    seen: set[str] = set()
    unique = []
    for f in files:
        if os.path.abspath(f) not in seen:
            seen.add(os.path.abspath(f))
            unique.append(f)
    return unique, skipped


def _listed(path: str) -> list[str] | None:
    try:
        with open(path, encoding="utf-8") as f:
            lines = [ln.strip() for ln in f]
    except (OSError, UnicodeDecodeError):
        return None
    base = os.path.dirname(path)
    return [ln if "://" in ln or os.path.isabs(ln) else os.path.join(base, ln)
            for ln in lines if ln and not ln.startswith("#")]


def part_key(path: str, deep: bool, db: str | None, triage: bool = True) -> str:
    """Names a file's part: the same file scanned with the same settings, the same part."""
    from . import triage as tr
    st = os.stat(path)
    ident = json.dumps([FORMAT, os.path.abspath(path), st.st_size, st.st_mtime_ns, deep,
                        os.path.abspath(db) if db else None,
                        [tr.THRESHOLD, tr.BIAS, sorted(tr.WEIGHTS.items())] if triage else None])
    return hashlib.blake2b(ident.encode(), digest_size=12).hexdigest()


def parts_dir(out: str) -> str:
    return out + ".parts"


# ---- one file -----------------------------------------------------------------------------

class Scanner:
    """Scores pages; holds the loaded models and the open archive for one process."""

    def __init__(self, deep: bool = False, db: str | None = None, threads: int | None = None,
                 triage: bool = True, defer_trace: bool = False):
        """defer_trace: flagged pages are traced elsewhere (the Spark job's join on LSH keys):
        their rows carry the page's text under TRACE_TEXT instead of a trace."""
        from ..engine import lm
        from ..lexicon.lexicon import default_lexicon
        self.deep = deep
        self.triage = triage
        if triage:
            from .triage import forms
            forms()
        self.lexicon = default_lexicon()
        lm.ngram()
        if deep and threads:
            import torch
            lm.neural()  # it sets its own thread count: share the cores between workers
            torch.set_num_threads(threads)
        self.defer_trace = defer_trace
        self.archive = None
        if db:
            from ..archive.store import Archive
            self.archive = Archive(db)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def page(self, text: str) -> dict:
        """The scored columns for one page's text."""
        from ..engine.detect import CLEAN_AT, detect
        t = None
        if self.triage:
            from .triage import THRESHOLD, score
            t = score(text)
            if t < THRESHOLD:
                return {"spun_probability": None, "verdict": "clean", "deep": False, "top_source": None,
                        "relation": None, "coverage": None, "tier": TIER_TRIAGE, "triage_score": t}
        d = detect(text, deep=False, lexicon=self.lexicon)
        deep = self.deep and d.spun_probability > CLEAN_AT
        if deep:
            d = detect(text, deep=True, lexicon=self.lexicon)
        row = {"spun_probability": d.spun_probability, "verdict": d.verdict, "deep": deep,
               "top_source": None, "relation": None, "coverage": None,
               "tier": TIER_DEEP if deep else TIER_FAST, "triage_score": t}
        if self.defer_trace and d.verdict != "clean":
            row.update(traced=True, **{TRACE_TEXT: text})
        elif self.archive is not None and d.verdict != "clean":
            from ..archive.trace import trace
            ms = trace(text, self.archive, top=1)
            row["traced"] = True
            if ms:
                row.update(top_source=ms[0].id, relation=ms[0].relation, coverage=ms[0].coverage)
        return row

    def file(self, path: str, part: str, tick: Callable[[int], None] | None = None) -> FileCounts:
        """Scan one input file and write its rows to `part` (atomically); its counts."""
        rows, c = self.rows(path, tick)
        _write_part(part, rows, c)
        return c

    def rows(self, path: str, tick: Callable[[int], None] | None = None) -> tuple[list[dict], FileCounts]:
        """Scan one input file: its rows (dicts with the COLUMNS, in record order) and counts.

        The one per-file function of both `scan` (which writes them to a part) and the Spark
        job (unspin/crawl/spark.py, which makes them a DataFrame)."""
        from ..inputs import check_english
        from ..text import Doc
        c = FileCounts()
        rows: list[dict] = []
        skipped: Counter = Counter()
        for item in _records(path, c):
            c.records_read += 1
            if isinstance(item, crawl.Skip):
                skipped[item.reason] += 1
                continue
            words = len(item.text.split())
            if words < MIN_WORDS:
                skipped[TOO_SHORT] += 1
                continue
            try:
                if item.language and "eng" not in item.language.split(",")[:1]:
                    raise UnspinError("the crawl says this page is not English")
                check_english(Doc(item.text[:20000]), "page")
            except UnspinError:
                skipped[NOT_ENGLISH] += 1
                continue
            try:
                scored = self.page(item.text)
            except Exception:  # one bad page never stops the scan; counted
                c.failed += 1
                continue
            c.deep_scored += scored["deep"]
            c.triaged += scored["tier"] == TIER_TRIAGE
            c.traced += scored.pop("traced", False)
            rows.append({"url": item.url, "warc_file": path, "record_offset": item.offset,
                         "date": item.date, "language": "en", "words": words, **scored})
            c.pages_scored += 1
            if tick:
                tick(1)
        c.skipped = dict(sorted(skipped.items()))
        return rows, c


def _records(path: str, c: FileCounts):
    """crawl.read(path), a reader's failure turned into c.problem (nothing read) or a last
    Skip("corrupt") (the rest of the file lost)."""
    records = crawl.read(path)
    while True:
        try:
            item = next(records, None)
        except UnspinError:  # the reader's own word: nothing could be read from the file
            c.problem = UNREADABLE
            return
        except Exception:  # e.g. an I/O error mid-file
            if c.records_read:
                yield crawl.Skip(crawl.CORRUPT)
            else:
                c.problem = UNREADABLE
            return
        if item is None:
            return
        yield item


def _write_part(part: str, rows: list[dict], c: FileCounts) -> None:
    from dataclasses import asdict

    import pyarrow as pa
    import pyarrow.parquet as pq
    sch = schema()
    table = pa.Table.from_pylist(rows, schema=sch) if rows else sch.empty_table()
    table = table.replace_schema_metadata({_META: json.dumps(asdict(c)).encode()})
    tmp = f"{part}.tmp{os.getpid()}"
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, part)  # the part exists whole or not at all: that is the checkpoint
    except OSError as e:
        raise UnspinError(f"cannot write {part}: {e.strerror}") from None


def _done(part: str) -> FileCounts | None:
    """The counts of a finished part, or None when the file still has to be scanned."""
    import pyarrow.parquet as pq
    try:
        meta = pq.read_schema(part).metadata or {}
        return FileCounts(**json.loads(meta[_META]))
    except Exception:  # absent, or not a part this version wrote: scan the file again
        return None


# ---- worker processes ---------------------------------------------------------------------

_W: Scanner | BaseException | None = None
_Q = None


def _init(deep: bool, db: str | None, threads: int, queue, triage: bool = True) -> None:
    global _W, _Q
    _Q = queue
    try:
        _W = Scanner(deep, db, threads, triage)
    except Exception as e:  # raised by the first task: a failing initializer would be restarted forever
        _W = e


def _task(job: tuple[int, str, str]) -> tuple[int, FileCounts]:
    if isinstance(_W, BaseException):
        raise _W
    assert _W is not None and _Q is not None  # set up by the pool's initializer
    q = _Q
    i, path, part = job
    pending, last = 0, time.monotonic()

    def tick(n: int) -> None:
        nonlocal pending, last
        pending += n
        if time.monotonic() - last >= 0.5:
            q.put(pending)
            pending, last = 0, time.monotonic()

    c = _W.file(path, part, tick)
    if pending:
        q.put(pending)
    return i, c


# ---- the scan -----------------------------------------------------------------------------

def scan(paths: list[str], out: str, db: str | None = None, workers: int | None = None,
         progress: Callable[[int, int, int], None] | None = None, deep: bool = False,
         triage: bool = True) -> ScanSummary:
    """Scan crawl files into the Parquet table `out`; resumable by input file.

    triage=False runs the fast detector on every page (no first tier).
    progress(pages scored so far, files done, files) is called as the scan goes."""
    t0 = time.monotonic()
    files, file_skips = expand(paths)
    summary = ScanSummary(output=out, files=len(files), files_skipped=dict(file_skips))
    if db is not None:
        from ..archive.store import Archive
        Archive(db).close()  # a missing or broken archive fails now, not in every worker
    parts = parts_dir(out)
    try:
        os.makedirs(parts, exist_ok=True)
    except OSError as e:
        raise UnspinError(f"cannot write {parts}: {e.strerror}") from None
    keys = []
    for f in list(files):
        try:
            keys.append(os.path.join(parts, part_key(f, deep, db, triage) + ".parquet"))
        except OSError:  # gone since it was listed
            files.remove(f)
            summary.files_skipped[MISSING] = summary.files_skipped.get(MISSING, 0) + 1
    summary.files = len(files)
    counts: list[FileCounts | None] = [_done(k) for k in keys]
    summary.files_resumed = sum(c is not None for c in counts)
    todo = [(i, f, k) for i, (f, k, c) in enumerate(zip(files, keys, counts)) if c is None]
    pages = sum(c.pages_scored for c in counts if c is not None)
    state = {"pages": pages, "files": summary.files_resumed}

    def tick(n: int) -> None:
        state["pages"] += n
        if progress:
            progress(state["pages"], state["files"], len(files))

    def finished(i: int, c: FileCounts) -> None:
        counts[i] = c
        state["files"] += 1
        tick(0)

    tick(0)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    if workers == 1:
        if todo:
            w = Scanner(deep, db, triage=triage)
            try:
                for i, f, k in todo:
                    finished(i, w.file(f, k, tick))
            finally:
                w.close()
    else:
        _pool_scan(todo, workers, deep, db, tick, finished, triage)
    summary.files_scanned = len(todo)
    tally(summary, cast("list[FileCounts]", counts))  # every file has finished: no None is left
    summary.pages_this_run = summary.pages_scored - pages
    if progress:  # exact at the end: a worker's last ticks may arrive after its result
        progress(summary.pages_scored, len(files), len(files))
    check_read(summary, paths)
    _assemble(out, keys, summary)
    summary.seconds = time.monotonic() - t0
    return summary


def tally(summary: ScanSummary, counts: list[FileCounts]) -> None:
    """The summary's counters from every input file's counts (scan and the Spark job)."""
    for c in counts:
        if c.problem:
            summary.files_skipped[c.problem] = summary.files_skipped.get(c.problem, 0) + 1
    total = FileCounts()
    for c in counts:
        total.add(c)
    for k in ("records_read", "pages_scored", "failed", "deep_scored", "traced", "triaged"):
        setattr(summary, k, getattr(total, k))
    summary.skipped = dict(sorted(total.skipped.items()))


def check_read(summary: ScanSummary, paths: list[str]) -> None:
    """One clear error when nothing at all could be read: no output is written then."""
    if not summary.records_read:
        why = ", ".join(f"{k} {v}" for k, v in sorted(summary.files_skipped.items())) or "no input files"
        raise UnspinError(f"nothing could be read from the {len(paths)} input path(s) given ({why}); "
                          f"no output written")


def _pool_scan(todo, workers, deep, db, tick, finished, triage=True) -> None:
    import multiprocessing as mp
    import queue as queues
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = ctx.Pool(workers, _init, (deep, db, threads, q, triage))
    try:
        results = pool.imap_unordered(_task, todo)
        left = len(todo)
        while left:
            try:
                i, c = results.next(timeout=0.2)
                left -= 1
            except mp.TimeoutError:
                i = None
            while True:
                try:
                    tick(q.get_nowait())
                except queues.Empty:
                    break
            if i is not None:
                finished(i, c)
        pool.close()
        pool.join()
    finally:
        pool.terminate()


def _assemble(out: str, keys: list[str], summary: ScanSummary) -> None:
    """OUT from the parts, in input order, written to a temporary file and renamed."""
    import pyarrow.parquet as pq
    verdicts: Counter = Counter()
    tmp = f"{out}.tmp{os.getpid()}"
    try:
        with pq.ParquetWriter(tmp, schema()) as w:
            for k in keys:
                t = pq.read_table(k).replace_schema_metadata(None)
                if t.num_rows:
                    w.write_table(t)
                    verdicts.update(t.column("verdict").to_pylist())
                    summary.rows += t.num_rows
        os.replace(tmp, out)
    except OSError as e:
        raise UnspinError(f"cannot write {out}: {e.strerror}") from None
    summary.verdicts = dict(sorted(verdicts.items()))
