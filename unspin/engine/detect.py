"""Detect: a calibrated probability that a document was spun, and the suspicious spans.

The fast path needs no neural model: it asks, for every lexicon hit, whether a known original
would read clearly better to a 3-gram model, plus a few fluency signals. The deep path adds
the restorer's decisions. Long documents are scored in chunks; the document takes the worst.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .calibration import predict_columns, params, predict, sigmoid
from .edits import Choice, columns_with_rate, columns_without_lm, edit_model, spin_rate
from .lm import NGRAM_FLOOR
from ..language import ARTICLES, article_agrees
from .sites import Cand, Site, evolve
from ..bulk import without_gc
from ..jobs import checkpoint
from ..text import Doc

CHUNK_WORDS = 400
STRONG_GAIN = 2.0      # 3-gram nats: a candidate this much better makes the site suspicious
SPUN_AT, CLEAN_AT = 0.7, 0.3
PAINT_AT = 0.5         # spans below this confidence are listed but not marked for readers


@dataclass
class Flag:
    start: int
    end: int
    text: str
    suggestion: str | None
    confidence: float
    evidence: str
    # The restorer's edit model without the LM, at the chunk's estimated spin rate: the
    # probability that a spinner wrote this span (what the page paints by); None on --deep.
    edit_probability: float | None = None

    def to_json(self) -> dict:
        out = {"start": self.start, "end": self.end, "text": self.text,
               "suggestion": self.suggestion, "confidence": round(self.confidence, 4),
               "evidence": self.evidence}
        if self.edit_probability is not None:
            out["edit_probability"] = round(self.edit_probability, 4)
        return out


@dataclass
class Detection:
    spun_probability: float
    verdict: str
    spans: list[Flag] = field(default_factory=list)
    features: dict = field(default_factory=dict)
    chunks: list[float] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"spun_probability": round(self.spun_probability, 4), "verdict": self.verdict,
                "spans": [f.to_json() for f in self.spans],
                "features": {k: round(v, 5) for k, v in self.features.items()},
                "chunks": [round(p, 4) for p in self.chunks]}


def verdict(p: float) -> str:
    return "spun" if p >= SPUN_AT else "clean" if p <= CLEAN_AT else "uncertain"


def features(doc: Doc, sites: list[Site], ng, lo: int = 0, hi: int | None = None,
             edits: int | None = None, ranges: list[tuple[int, int]] | None = None,
             rate: float | None = None) -> dict[str, float]:
    """Rates over words [lo, hi) of doc: what a spinner leaves behind. rate: the restorer's
    spin-rate estimate for these words, when the caller has it (else computed here)."""
    words = doc.words
    hi = len(words) if hi is None else hi
    n = max(1, hi - lo)
    inside = [s for s in sites if lo <= s.i < hi]  # detect() passes only the chunk's own
    best = {s.key: _best(s) for s in inside}  # each suspect's best candidate, found once
    strong = [s for s in inside if best[s.key].ngram_gain >= STRONG_GAIN]
    very = [s for s in inside if best[s.key].ngram_gain >= 2 * STRONG_GAIN + 1]
    # A spun word reads oddly *and* a known original would read clearly better.
    odd = [s for s in inside if s.ngram_logp < -8.0]
    fixable = [s for s in odd if best[s.key].ngram_gain >= 3.0]
    habit = [s for s in inside if best[s.key].known and best[s.key].ngram_gain > 0]
    # Text real spinners were seen writing, where the original they replaced reads better.
    known = [s for s in habit if s.spun_weight >= 2]
    lower = doc.lower_words
    art = sum(1 for k in range(max(lo, 1), hi)
              if lower[k - 1] in ARTICLES and not article_agrees(lower[k - 1], lower[k]))
    total, oov = 0.0, 0
    for a, b in ranges if ranges is not None else doc.sentence_words:
        a2, b2 = max(a, lo), min(b, hi)
        if a2 >= b2:
            continue
        for lp in ng.logps(lower[a:b], a2 - a, b2 - a):
            total += lp
            oov += lp <= NGRAM_FLOOR
    f = {"strong_rate": len(strong) / n, "habit_rate": len(habit) / n, "article_rate": art / n,
         "oov_rate": oov / n, "fluency": -total / n, "very_strong_rate": len(very) / n,
         "gain_mean": sum(min(best[s.key].ngram_gain, 10.0) for s in strong) / n,
         "odd_rate": len(odd) / n, "fixable_rate": len(fixable) / n,
         "known_rate": sum(s.n for s in known) / n,
         "known_gain": sum(min(best[s.key].ngram_gain, 10.0) for s in known) / n,
         "edit_rate_ng": _spin_rate(inside, n) if rate is None else rate}
    if edits is not None:
        f["edit_rate"] = edits / n
    return f


def _spin_rate(sites: list[Site], n_words: int) -> float:
    """The restorer's own estimate of the share of words spun, on 3-gram evidence: the
    same first-stage edit model restore uses, so detect and restore weigh alike."""
    return _edit_probabilities(sites, set(), n_words)[0]


def _best(s: Site) -> Cand:
    """The suspect's best candidate (find_sites keeps only suspects that have one)."""
    best = s.best
    assert best is not None
    return best


def score(f: dict[str, float], path: str) -> float:
    p = params()["detect"][path]
    return predict(p, f)


def detect(text: str, *, deep: bool = False, lexicon=None,
           progress: Callable[[int, int, str], None] | None = None,
           workers: int = 1) -> Detection:
    """Probability that `text` was spun, with every suspicious span and its evidence.

    progress(done, total, unit): called as the words are scanned for suspects, then as the
    chunks are scored (deep: as the restorer scores its suspects; a text of over STRETCH_WORDS
    words: words only). Time is linear in the text.
    workers: processes for the fast path on a long text with the built-in lexicon (each
    scans a stretch of whole chunks; the result is the same as with one)."""
    from ..lexicon.lexicon import default_lexicon
    doc = Doc(text)
    bounds = chunk_bounds(len(doc.words))
    if deep:
        part = _deep_part(doc, lexicon or default_lexicon(), bounds, progress)
        flags = part.flags
    else:
        with without_gc():  # millions of small acyclic objects (unspin.bulk)
            if workers > 1 and lexicon is None and len(doc.words) >= PARALLEL_WORDS:
                parts = _in_processes(text, _stretches(bounds, workers), progress)
            else:
                parts = _fast_stretches(doc, lexicon or default_lexicon(), bounds, progress)
            part = _joined(parts)
            flags = non_overlapping(part.flags)
    chunk_p = [q for q, _ in part.chunks]
    p, feats = 0.0, {}
    for k, (q, f) in enumerate(part.chunks):  # the document is its worst (last worst) chunk
        if k == 0 or q >= p:
            p, feats = q, f
    return Detection(p, verdict(p), flags, feats, chunk_p)


PARALLEL_WORDS = 40_000  # a shorter text takes under ~10 s: not worth starting processes
# The fast path holds one stretch of this many words' suspects at a time: a 5 MB text's, held
# all at once, took one process to 2.37 GB (1.71 GB a stretch at a time).
STRETCH_WORDS = 50_000


@dataclass
class _Part:
    """What one stretch of whole chunks yields: its flags (before overlaps are resolved
    across the whole text; on the fast path each with its edit probability), and each
    chunk's (probability, features)."""
    flags: list[Flag]
    chunks: list[tuple[float, dict[str, float]]]


def _joined(parts: list[_Part]) -> _Part:
    """Consecutive stretches' parts as one, in text order."""
    return _Part([f for p in parts for f in p.flags], [c for p in parts for c in p.chunks])


def chunk_bounds(words: int) -> list[tuple[int, int]]:
    """[lo, hi) word ranges of CHUNK_WORDS (a short tail joins the chunk before it).
    Chunked so one spun section of a long page is not diluted by clean ones."""
    bounds = [(k, min(words, k + CHUNK_WORDS)) for k in range(0, max(words, 1), CHUNK_WORDS)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < CHUNK_WORDS // 2:
        bounds[-2:] = [(bounds[-2][0], bounds[-1][1])]
    return bounds


def _fast_stretches(doc: Doc, lexicon, bounds: list[tuple[int, int]], progress=None) -> list[_Part]:
    """The fast path over the chunks `bounds`, one stretch of at most STRETCH_WORDS at a time
    (the same result as all at once: each chunk reads only its own suspects)."""
    from .restore import candidates
    total = bounds[-1][1] - bounds[0][0]
    stretches = _stretches(bounds, -(-total // STRETCH_WORDS))
    parts = []
    for st in stretches:
        done = st[0][0] - bounds[0][0]
        scan = (lambda d, _, done=done: progress(done + d, total, "words")) if progress else None
        sites = candidates(doc, lexicon, progress=scan, span=(st[0][0], st[-1][1]))
        # (the chunks' progress only where it cannot interleave with more words to scan)
        parts.append(_fast_part(doc, sites, st, progress if len(stretches) == 1 else None))
    return parts


def _fast_part(doc: Doc, sites: list[Site], bounds: list[tuple[int, int]],
               progress=None) -> _Part:
    """The fast path over the chunks `bounds` and the suspects that start in them."""
    a, b = params()["span"]
    flags: list[Flag] = []
    flagged: set[tuple[int, int]] = set()  # (start, end) of the sites flagged
    for s in sites:
        c = _best(s)
        if c.ngram_gain >= STRONG_GAIN or (c.known and c.ngram_gain > 0):
            why = f"{c.source}: '{c.text}' reads {c.ngram_gain:.1f} nats better to a 3-gram model"
            flags.append(Flag(s.start, s.end, s.text, c.text, sigmoid(a * c.ngram_gain + b), why))
            flagged.add((s.start, s.end))
    chunks, edit_p = _score_chunks(doc, sites, bounds, flagged, None, progress)
    # (here, in the worker's process, rather than for the whole text after the workers)
    flags = [evolve(f, edit_probability=edit_p.get((f.start, f.end))) for f in flags]
    return _Part(flags, chunks)


def _deep_part(doc: Doc, lexicon, bounds: list[tuple[int, int]], progress=None) -> _Part:
    """The deep path: the restorer's edits are the flags, and their rate a feature."""
    from .restore import candidates, restore
    sites = candidates(doc, lexicon, progress=(lambda d, t: progress(d, t, "words")) if progress else None)
    # No review: detection's model was fitted on the decision's own edits.
    r = restore(doc.text, lexicon=lexicon, review=False,
                progress=(lambda d, t: progress(d, t, "suspects")) if progress else None)
    flags = [Flag(e.start, e.end, e.from_, e.to, e.confidence, "language model prefers the original")
             for e in r.edits]
    word_at = {w.start: k for k, w in enumerate(doc.words)}
    chunks, _ = _score_chunks(doc, sites, bounds, set(), sorted(
        word_at.get(e.start, 0) for e in r.edits), progress)
    return _Part(flags, chunks)


def _score_chunks(doc: Doc, sites: list[Site], bounds: list[tuple[int, int]],
                  flagged: set[tuple[int, int]], edit_at: list[int] | None,
                  progress=None) -> tuple[list[tuple[float, dict[str, float]]],
                                          dict[tuple[int, int], float]]:
    """Each chunk's (probability, features) from its own suspects, edits (edit_at: the
    restorer's edits' word indexes, sorted; None on the fast path) and sentences, so the
    time is linear in the text; and the flagged sites' edit probabilities."""
    from . import lm as lms
    ng = lms.ngram()
    ranges = doc.sentence_words
    range_ends = [b for _, b in ranges]
    in_chunk: list[list[Site]] = [[] for _ in bounds]
    starts = [lo for lo, _ in bounds]
    for s in sites:
        in_chunk[bisect.bisect_right(starts, s.i) - 1].append(s)
    edit_p: dict[tuple[int, int], float] = {}
    out: list[tuple[float, dict[str, float]]] = []
    for ci, (lo, hi) in enumerate(bounds):
        checkpoint()
        e = None if edit_at is None else \
            bisect.bisect_left(edit_at, hi) - bisect.bisect_left(edit_at, lo)
        first = bisect.bisect_right(range_ends, lo)  # the first sentence ending after lo
        mine = []
        for a, b in ranges[first:]:
            if a >= hi:
                break
            mine.append((a, b))
        rate, probs = _edit_probabilities(in_chunk[ci], flagged, max(1, hi - lo))
        edit_p.update(probs)
        f = features(doc, in_chunk[ci], ng, lo, hi, e, mine, rate)
        out.append((score(f, "fast" if edit_at is None else "deep"), f))
        if progress and (ci % 16 == 15 or ci == len(bounds) - 1):
            progress(ci + 1, len(bounds), "chunks")
    return out, edit_p


def _stretches(bounds: list[tuple[int, int]], workers: int) -> list[list[tuple[int, int]]]:
    """The chunks cut into at most `workers` runs of about equal length."""
    n = max(1, min(workers, len(bounds)))
    size = -(-len(bounds) // n)
    return [bounds[k:k + size] for k in range(0, len(bounds), size)]


def _in_processes(text: str, stretches: list[list[tuple[int, int]]], progress=None) -> list[_Part]:
    """The fast path over each stretch in its own process (fresh ones, "spawn": forking a
    process that may hold threads, as the server does, is not safe), with their progress
    summed here and a cancelled job stopping them all."""
    import multiprocessing as mp
    import queue as queues
    ctx = mp.get_context("spawn")
    news = ctx.Queue()
    total = stretches[-1][-1][1] - stretches[0][0][0]
    done = [0] * len(stretches)
    with ctx.Pool(len(stretches), initializer=_worker_init, initargs=(news,)) as pool:
        pending = [pool.apply_async(_worker_part, (text, k, st)) for k, st in enumerate(stretches)]
        while not all(r.ready() for r in pending):
            checkpoint()  # a cancelled job raises here; leaving the pool terminates the workers
            try:
                k, d = news.get(timeout=0.25)
                done[k] = d
                while True:
                    k, d = news.get_nowait()
                    done[k] = d
            except queues.Empty:
                pass
            if progress:
                progress(sum(done), total, "words")
        parts = [r.get() for r in pending]
    if progress:
        progress(total, total, "words")
    return parts


_NEWS = None  # a worker's queue to the parent for progress


def _worker_init(news) -> None:
    global _NEWS
    _NEWS = news


def _worker_part(text: str, k: int, bounds: list[tuple[int, int]]) -> _Part:
    from ..lexicon.lexicon import default_lexicon

    def scan(done: int, total: int, unit: str) -> None:
        if _NEWS is not None and unit == "words":  # the parent sums words scanned
            _NEWS.put((k, done))
    with without_gc():
        return _joined(_fast_stretches(Doc(text), default_lexicon(), bounds, scan))


def _edit_probabilities(sites: list[Site], flagged: set[tuple[int, int]],
                        n_words: int) -> tuple[float, dict[tuple[int, int], float]]:
    """The chunk's spin rate as the restorer estimates it without the LM (the `edit_rate_ng`
    feature), and each flagged site's edit probability by its (start, end): restore's decision
    without the LM at that rate, each candidate's evidence computed once for both. On real
    spinners' habits it separates edits from innocent words far better than the 3-gram
    confidence (one spun article: at 0.5, 93 % of the spans it marks are spinner edits,
    against 59 %)."""
    first, final = edit_model(False, False), edit_model(False, True)
    pairs = [(s, c) for s in sites for c in s.cands]
    if not pairs:
        return spin_rate([], n_words), {}
    cols = columns_without_lm(pairs)
    rate = spin_rate([Choice(s, c, p) for (s, c), p in zip(pairs, predict_columns(first, cols))],
                     n_words)
    mine = [k for k, (s, _) in enumerate(pairs) if (s.start, s.end) in flagged]
    probs: dict[tuple[int, int], float] = {}
    if mine:
        at = np.asarray(mine)
        ps = predict_columns(final, columns_with_rate({k: v[at] for k, v in cols.items()}, rate))
        for k, p in zip(mine, ps):
            span = (pairs[k][0].start, pairs[k][0].end)
            probs[span] = max(p, probs.get(span, 0.0))
    return rate, probs


def paint_score(f: Flag) -> float:
    """What the page paints a span by: its edit probability where there is one."""
    return f.edit_probability if f.edit_probability is not None else f.confidence


def painted(d: Detection) -> list[bool]:
    """Which spans a reader should see marked: none on a text judged clean (the suspects of a
    clean text are words a spinner *could* have written, not evidence), and on the others
    those whose paint_score is PAINT_AT or more."""
    if d.verdict == "clean":
        return [False] * len(d.spans)
    return [paint_score(f) >= PAINT_AT for f in d.spans]


def explain(d: Detection) -> str:
    """The verdict in a sentence, with the thresholds it rests on."""
    shown = sum(painted(d))
    p = d.spun_probability
    if d.verdict == "clean":
        why = (f"clean: spun probability {p:.2f} is at most {CLEAN_AT}, so none of the "
               f"{len(d.spans)} words a spinner could have written is marked")
    elif d.verdict == "spun":
        why = (f"spun: spun probability {p:.2f} is at least {SPUN_AT}; {shown} of {len(d.spans)} "
               f"suspicious spans are at least {PAINT_AT} likely to be a spinner's edit and are marked")
    else:
        why = (f"uncertain: spun probability {p:.2f} is between {CLEAN_AT} and {SPUN_AT}; "
               f"{shown} of {len(d.spans)} suspicious spans are at least {PAINT_AT} likely to be "
               "a spinner's edit and are marked")
    if len(d.chunks) > 1:
        why += f" (the text was judged in {len(d.chunks)} chunks; the worst counts)"
    return why + "."


def non_overlapping(flags: list[Flag]) -> list[Flag]:
    """The most confident flags that do not overlap a more confident one, in text order.
    Kept flags mark the characters they cover, so each new one is checked against its own
    few characters (a check against every kept flag was quadratic on long pages; a sorted
    list of them still moved half the list on each insert)."""
    covered = bytearray(max((f.end for f in flags), default=0))
    kept: list[Flag] = []
    for f in sorted(flags, key=lambda f: (-f.confidence, f.start)):
        if covered.find(1, f.start, f.end) >= 0:
            continue
        covered[f.start:f.end] = b"\x01" * (f.end - f.start)
        kept.append(f)
    return sorted(kept, key=lambda f: f.start)
