"""unspin: see through machine-spun text.

Data flows one way: text -> tokens -> suspects -> candidates -> scored edits -> report.
The functions below mirror the CLI (`unspin detect`, `restore`, `trace`, `learn`, `report`,
`scan`); each imports its stage on first call, so importing the package is cheap and models
load on first use. The simulator is `unspin.simulate.spin.spin`.

Layout: `engine/` (suspects, candidates, language models, edit model and decoding, detection),
`lexicon/` (thesauri, inflection, real spinners' habits), `archive/` (store, ingest, fingerprints,
meaning index, alignment, trace, report, learn), `crawl/` (WARC pages, triage, scan, Spark),
`server/` (HTTP API and page), `cli/`, `simulate/` (spinners with ground truth, for tests and
benchmarks), and `text`, `inputs`, `language`, `types` shared by all.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import UnspinError
from .text import Doc, Edit

if TYPE_CHECKING:
    from .archive.learn import Learned
    from .archive.store import Archive
    from .archive.trace import Match
    from .crawl.scan import ScanSummary
    from .engine.detect import Detection
    from .engine.restore import Restoration
    from .types import LexiconLike, Progress, ScanProgress, UnitProgress

__version__ = "0.1.0"


def detect(text: str, *, deep: bool = False, lexicon: LexiconLike | None = None,
           progress: UnitProgress | None = None, workers: int = 1) -> Detection:
    """Probability that `text` was spun, with every suspicious span and its evidence.

    deep=True also runs the language model (slower, sharper). progress(done, total, unit) is
    called as the work goes. workers: processes for the fast path on a long text (over 40,000
    words, with the built-in lexicon); the result is the same as with one.

    >>> import unspin
    >>> d = unspin.detect("The chief government mentioned the corporate expects income to rise.")
    >>> d.verdict in ("spun", "clean", "uncertain"), 0.0 <= d.spun_probability <= 1.0
    (True, True)
    >>> [(f.text, f.suggestion) for f in d.spans][:1]   # doctest: +SKIP
    [('chief government', 'chief executive')]
    """
    from .engine.detect import detect as run
    return run(text, deep=deep, lexicon=lexicon, progress=progress, workers=workers)


def restore(text: str, *, sources: tuple[str, ...] | None = None,
            learned: dict[str, dict[str, int]] | None = None, use_lm: bool = True,
            lexicon: LexiconLike | None = None, proposals: bool | None = None,
            progress: Progress | None = None) -> Restoration:
    """The most likely original wording of `text`, as edits over its character offsets.

    sources: thesauri to draw candidates from (default all installed); learned: a table from
    `unspin.learn` (spun -> {original: count}); use_lm=False decides on 3-gram evidence alone;
    proposals: also take candidates the language model proposes (default: the engine's).

    >>> r = unspin.restore("The chief government mentioned the corporate expects income to rise.")  # doctest: +SKIP
    >>> r.text                                                                                        # doctest: +SKIP
    'The chief executive said the company expects revenue to rise.'
    >>> [(e.from_, e.to, round(e.confidence, 2)) for e in r.edits][:1]                                # doctest: +SKIP
    [('government', 'executive', 0.93)]
    """
    from .engine.restore import PROPOSALS
    from .engine.restore import restore as run
    return run(text, sources=sources, learned=learned, use_lm=use_lm, lexicon=lexicon,
               proposals=PROPOSALS if proposals is None else proposals, progress=progress)


def trace(text: str, db: str | Archive, *, top: int = 5, record: bool = True,
          use_vectors: bool = True) -> list[Match]:
    """The best sources of `text` in the archive `db` (a path or an open Archive), best first,
    each with its relation (copy or related), coverage and aligned passages. Confirmed copies
    are recorded for `learn` unless record=False.

    >>> from unspin import archive
    >>> archive.add("a.db", ["articles/"])                      # doctest: +SKIP
    >>> [(m.id, m.relation) for m in unspin.trace(copy, "a.db")]  # doctest: +SKIP
    [('articles/bridge.txt', 'copy')]
    """
    from .archive.trace import trace as run
    return run(text, db, top=top, record=record, use_vectors=use_vectors)


def learn(db: str | Archive) -> Learned:
    """A spinner's substitution table from the copies `trace` caught, kept in the archive and
    used by `restore` through `unspin.archive.learn.load_table(db)`.

    >>> unspin.learn("a.db")                                       # doctest: +SKIP
    Learned(copies=10, pairs=57, distinct=31)
    >>> unspin.restore(copy, learned=unspin.archive.learn.load_table("a.db"))  # doctest: +SKIP
    """
    from .archive.learn import learn as run
    return run(db)


def report(text: str, db: str | Archive, *, use_lm: bool = True) -> str:
    """A self-contained HTML evidence page: `text` against its best source in the archive, the
    aligned passages side by side and the restored wording.

    >>> open("report.html", "w").write(unspin.report(copy, "a.db"))  # doctest: +SKIP
    """
    from .archive.report import report as run
    return run(text, db, use_lm=use_lm)


def scan(paths: list[str], out: str, *, db: str | None = None, workers: int | None = None,
         progress: ScanProgress | None = None, deep: bool = False,
         triage: bool = True) -> ScanSummary:
    """Scan crawl files (WARC/WET/JSONL, or files listing them) into the Parquet table `out`,
    one row per page; resumable by input file. With `db`, suspicious pages are traced.

    >>> s = unspin.scan(["crawl.warc.gz"], "pages.parquet", workers=2)  # doctest: +SKIP
    >>> s.files, s.records_read                                          # doctest: +SKIP
    """
    from .crawl.scan import scan as run
    return run(paths, out, db=db, workers=workers, progress=progress, deep=deep, triage=triage)


_TYPES = {"Detection": "engine.detect", "Flag": "engine.detect", "Restoration": "engine.restore"}


def __getattr__(name: str):
    """The result types, imported on first use (they were always importable from here)."""
    if name in _TYPES:
        import importlib
        return getattr(importlib.import_module(f".{_TYPES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["detect", "restore", "trace", "learn", "report", "scan", "Doc", "Edit", "UnspinError",
           "Detection", "Flag", "Restoration", "__version__"]
