"""The engine's records: a suspect (Site) and the originals it may stand for (Cand).

Both are frozen: each stage (screening, LM scoring, pooling) returns new records with its
evidence added, so a site read by a later stage always carries the evidence it was given.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..lexicon.lexicon import TABLE_SOURCES
from ..lexicon.spinners import NEVER_REWRITTEN
from ..text import Doc


@dataclass(frozen=True)
class Cand:
    text: str
    source: str
    ngram_gain: float = 0.0   # 3-gram log-prob of the window with it minus with the spun words
    lm_gain: float | None = None  # same with the neural model (engine.score)
    prior: float = 0.0        # log-odds that a spinner turns this original into the text
    left_gain: float = 0.0    # LM log-prob of its first token minus the spun one's, left context only
    count: float = 0.0        # times real spinners were seen making this swap
    odds: float = 0.0         # ... against how often the spun text occurs anyway (swap_odds)
    doc_gain: float = 0.0     # mean LM gain of the same swap at its other places in the document
    doc_n: int = 0            # ... and how many other places
    rewrite_rate: float = NEVER_REWRITTEN  # log share of its occurrences a spinner rewrites

    @property
    def known(self) -> bool:
        """A spinner's known swap (from a spinner table: observed, learned or hand-written habits),
        not a thesaurus guess."""
        return self.source in TABLE_SOURCES


@dataclass(frozen=True)
class Site:
    i: int                 # index of the first word in doc.words
    n: int                 # number of words
    start: int             # character offsets in the input
    end: int
    text: str
    cands: tuple[Cand, ...] = ()
    ngram_logp: float = 0.0   # 3-gram log-prob of the window as written (how odd it reads)
    spun_weight: float = 0.0  # times real spinners were seen writing this text
    in_name: bool = False     # capitalised inside a sentence
    sentence_start: bool = False  # the first word of its sentence (Doc.sentence_words)
    left_logp: float = 0.0    # LM log-prob of its first token given the words before it
    rewrite_rate: float = NEVER_REWRITTEN  # log share of its occurrences a spinner rewrites:
    # a phrase a spinner rewrites at a high rate rarely survives as the writer's own word
    table_scale: float = 1.0  # the spinner table's counts at the decision's scale (SpinnerTable.count_scale)

    @property
    def key(self) -> tuple[int, int]:
        """(first word, words): one suspect per key, whichever stage's copy of it this is."""
        return self.i, self.n

    @property
    def best(self) -> Cand | None:
        return max(self.cands, key=lambda c: c.ngram_gain + c.known, default=None)


def evolve(record, **changes):
    """dataclasses.replace for the engine's records on hot paths, without its per-call field
    introspection (a long text makes millions of these): a copy of the record's fields with
    `changes` applied. The records have no __post_init__ and the names are the caller's to
    get right, as nothing checks them here."""
    new = object.__new__(type(record))
    new.__dict__.update(record.__dict__, **changes)
    return new


def by_sentence(doc: Doc, sites: list[Site]) -> list[tuple[tuple[int, int], list[Site]]]:
    """Suspects grouped by sentence ([lo, hi) word range), in text order."""
    ranges = doc.sentence_words
    out: list[tuple[tuple[int, int], list[Site]]] = []
    r = 0
    for s in sorted(sites, key=lambda s: (s.i, s.n)):
        while ranges[r][1] <= s.i:
            r += 1
        if not out or out[-1][0] != ranges[r]:
            out.append((ranges[r], []))
        out[-1][1].append(s)
    return out
