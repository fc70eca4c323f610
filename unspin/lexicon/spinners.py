"""Real spinners' habits: what they were seen to write for which original, and how often.

The built-in table is `data/spinners/observed.tsv`: substitutions aligned by hand between real
spun copies of news articles and their originals (facts only, no article text; provenance per
pair in `data/spinners/pairs.tsv`). Restore and detect read it backwards (spun -> originals),
the `observed` simulator style forwards. `unspin learn` builds a table of the same shape from
caught copies; both meet in `SpinnerTable`.

A spinner swaps surface forms ("said" -> "stated"); where both sides inflect alike, the other
forms are added at half weight ("says" -> "states"), since an article seen once says little
about which tense the next one uses.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Iterable, Mapping

from ..text import plain_apostrophes

DATA = Path(__file__).parent.parent / "data" / "spinners"
OBSERVED_PATH = DATA / "observed.tsv"
PAIRS_PATH = DATA / "pairs.tsv"
# Round-trip machine translation paraphrases whole clauses: its "substitutions" are not a
# word spinner's habits, so the built-in table leaves them out.
WORD_SPINNERS = ("A", "B", "C", "D", "E", "F", "G", "H")
DERIVED_WEIGHT = 0.5   # an inflected variant counts half an observation
# Words a table is taken to have been seen at when it has no provenance (`unspin learn`'s
# tables): about what the built-in spinner A pairs hold.
TYPICAL_WORDS_SEEN = 20_000
NEVER_REWRITTEN = -12.0  # SpinnerTable.rewrite_rate of a phrase no spinner was seen rewriting
# Words of originals behind the table the restore decision was fitted with for a known spinner
# (bench/real.py's known regime: the other spinners and half of spinner A's pairs). Its trees
# read two raw counts (edits.features: table, spun_known) and split on their exact values, so
# a larger table (the whole built-in one has 2.1 times the words) sent known habits to leaves
# meant for others: restore never made however -> but with the built-in table, and on 8 dev
# articles of spinner A it restored 67.1 % of the edits against 72.6 % with half the table.
# Until a refit on counts per word seen, a larger table's counts are read at this scale.
DECISION_WORDS = 101_294


@dataclass(frozen=True, slots=True)
class Habit:
    style: str
    original: str   # case as seen on the page
    spun: str
    count: int
    pairs: tuple[str, ...]


def fold(text: str) -> str:
    """A phrase as tables key it: lower-cased, single-spaced, with typographic apostrophes
    as plain ones (a page's "didn’t" is the same habit as another page's "didn't")."""
    hit = _FOLDED.get(text)
    if hit is None:
        if len(_FOLDED) > 200_000:  # bounded: a scan folds each phrase a dozen times
            _FOLDED.clear()
        hit = _FOLDED[text] = _plain(text).lower()
    return hit


_FOLDED: dict[str, str] = {}


def _plain(text: str) -> str:
    return " ".join(plain_apostrophes(text).split())


def _rows(path: Path) -> Iterable[list[str]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                yield line.rstrip("\n").split("\t")


def read_observed(path: Path | str | None = None) -> list[Habit]:
    """Every observed substitution, one row per (style, original, spun)."""
    out = []
    for cols in _rows(Path(path or OBSERVED_PATH)):
        if len(cols) < 5 or cols[0] == "style":
            continue
        o, s = _plain(cols[1]), _plain(cols[2])
        if o and s and o != s:
            out.append(Habit(cols[0], o, s, int(cols[3] or 1), tuple(cols[4].split(","))))
    return out


def read_pairs(path: Path | str | None = None) -> dict[str, dict[str, str]]:
    """Pair id -> {style, spun_url, original_url, topic, words_aligned}."""
    rows = list(_rows(Path(path or PAIRS_PATH)))
    head, body = rows[0], rows[1:]
    return {r[0]: dict(zip(head[1:], r[1:])) for r in body if len(r) == len(head)}


def words_aligned(habits: Iterable[Habit]) -> int:
    """Original words aligned in the built-in pairs the habits were seen in (0 if none)."""
    pairs = read_pairs()
    seen = {p for h in habits for p in h.pairs}
    return sum(int(pairs[p].get("words_aligned") or 0) for p in seen if p in pairs)


def per_occurrence(phrase: str, times: float, words_seen: int) -> float:
    """`times` seen in `words_seen` words of text, over the times `phrase` occurs in that much
    English (wordfreq): how often a spinner rewrites a word where it occurs, or how often a
    phrase on a page is a spinner's output rather than the writer's own word."""
    from wordfreq import word_frequency
    return times / (max(words_seen, 1) * max(word_frequency(phrase, "en"), 1e-7))


def pair_half(pair: Mapping[str, str]) -> int:
    """0 or 1, by the original article's URL: copies of one article stay on one side, so a
    table learned from one half says nothing about the very articles spun with the other."""
    return hashlib.sha256(("unspin-half:" + pair["original_url"]).encode()).digest()[0] & 1


def select(habits: Iterable[Habit], styles: Iterable[str] | None = None,
           pairs: set[str] | None = None) -> list[Habit]:
    """The habits of `styles`, counted only over `pairs` when given."""
    want = set(styles) if styles is not None else None
    out = []
    for h in habits:
        if want is not None and h.style not in want:
            continue
        if pairs is not None:
            kept = tuple(p for p in h.pairs if p in pairs)
            if not kept:
                continue
            h = Habit(h.style, h.original, h.spun,
                      max(1, round(h.count * len(kept) / len(h.pairs))), kept)
        out.append(h)
    return out


def _capitalised(spun: str) -> bool:
    """Was the spun form written with a capital (a habit or learned swap seen so)?"""
    return any(c.isupper() for c in spun)


def _keep_case(text: str) -> str:
    """Lowercase, unless a capital inside carries meaning ("the US", "Bank of Canada")."""
    return text if any(c.isupper() for c in text[1:]) else text.lower()


class SpinnerTable:
    """spun (lowercase) -> {original: weight}, the forward map, and which spun forms a
    spinner writes capitalised (inside names and titles: Nationwide -> National)."""

    def __init__(self, habits: Iterable[Habit] = (), learned: Mapping[str, Mapping[str, int]] | None = None):
        self.reverse: dict[str, dict[str, float]] = {}
        self.forward: dict[str, dict[str, float]] = {}
        self.capitalised: set[str] = set()
        self.capitalised_originals: set[str] = set()
        self.learned: set[tuple[str, str]] = set()
        self._rate_memo: dict[str, float] = {}
        self.habits: list[Habit] = list(habits)
        # Original words the habits were seen in (pairs.tsv): how often a spinner rewrites a
        # word where it occurs, not just how often it was seen rewriting it (0: unknown).
        self.words_seen = words_aligned(self.habits)
        exact: list[tuple[str, str, float]] = []
        for h in self.habits:
            exact.append((h.original, h.spun, float(h.count)))
            if _capitalised(h.spun):
                self.capitalised.add(fold(h.spun))
                self.capitalised_originals.add(fold(h.original))
        self._add_all(exact)
        # The decision's trees were fitted on this table's raw counts (edits.features: table,
        # spun_known, the rates), and more sightings of a swap it already knows only move that
        # swap across the trees' split points: a learned "however" -> "but" seen 27 times more
        # took restore's p for it from 0.98 to under the cut. Until a refit on counts that do
        # not grow with the table, a learned table adds only the swaps this one lacks, and the
        # totals of the spun forms and originals it knows stay as they were.
        self._frozen_weight = {k: sum(v.values()) for k, v in self.reverse.items()}
        self._frozen_forward = {k: sum(v.values()) for k, v in self.forward.items()}
        # Learned rows keep the case they were seen in (unspin learn): one swap seen as
        # "Nationwide" and "nationwide" counts once, and is known written capitalised.
        merged: dict[tuple[str, str], list] = {}  # (spun, original) -> [count, spun as first seen]
        for spun, origs in (learned or {}).items():
            for o, c in origs.items():
                self.learned.add((fold(spun), fold(o)))
                row = merged.setdefault((fold(spun), _keep_case(_plain(o))), [0.0, _plain(spun)])
                row[0] += float(c)
                if _capitalised(spun):
                    self.capitalised.add(fold(spun))
                    self.capitalised_originals.add(fold(o))
        self._add_all([(o, written, n) for (spun, o), (n, written) in merged.items()
                       if o not in self.reverse.get(spun, {})])

    def _add_all(self, exact: list[tuple[str, str, float]]) -> None:
        """Each swap, then the inflected variants of each that the table lacks (DERIVED_WEIGHT)."""
        for o, s, n in exact:
            self._add(o, s, n)
        known = _variant_cache()
        fresh = False
        for o, s, n in exact:
            key = (o.lower(), s.lower())
            if key not in known:
                known[key], fresh = _inflected_variants(*key), True
            for vo, vs in known[key]:
                if vo != vs and vo not in self.reverse.get(vs, {}):
                    self._add(vo, vs, n * DERIVED_WEIGHT)
        if fresh:
            _save_variant_cache(known)

    def _add(self, original: str, spun: str, n: float) -> None:
        """Weights add up over styles and rows (reverse: spun -> originals; forward: the
        other way); case is kept only where a capital sits inside ("the US")."""
        row = self.reverse.setdefault(fold(spun), {})
        o = _keep_case(original)
        row[o] = row.get(o, 0.0) + n
        fwd = self.forward.setdefault(fold(original), {})
        sp = _keep_case(spun)
        fwd[sp] = fwd.get(sp, 0.0) + n

    def originals(self, spun: str) -> dict[str, float]:
        return self.reverse.get(fold(spun), {})

    def spun_weight(self, spun: str) -> float:
        """How often `spun` was seen as a spinner's output, whatever its original (in the
        table itself where it knows `spun`: a learned table does not move it)."""
        key = fold(spun)
        hit = self._frozen_weight.get(key)
        return hit if hit is not None else sum(self.reverse.get(key, {}).values())

    def swap_odds(self, spun: str, count: float) -> float:
        """Log-odds-like evidence that `spun` on a page is this spinner's output of an original
        it was seen `count` times turning into it: "stated" (said -> stated, often) is far
        stronger evidence than "which" (that -> which, twice), though both are in the table."""
        if count <= 0:
            return 0.0
        return math.log(per_occurrence(spun, count, self.words_seen or TYPICAL_WORDS_SEEN))

    def rewrite_rate(self, phrase: str) -> float:
        """Log of how often a spinner rewrites `phrase` where it occurs in an original
        (NEVER_REWRITTEN if it was never seen rewriting it). Evidence both ways: an original
        the spinner rewrites at a high rate explains a swap well, and a phrase it rewrites
        at a high rate rarely survives on a spun page as the writer's own word."""
        key = fold(phrase)
        hit = self._rate_memo.get(key)
        if hit is None:  # every suspect's every candidate asks, in detect's hot path
            if len(self._rate_memo) > 100_000:
                self._rate_memo.clear()
            count = self._frozen_forward.get(key)
            if count is None:
                count = sum(self.forward.get(key, {}).values())
            hit = self._rate_memo[key] = NEVER_REWRITTEN if count <= 0 else \
                math.log(per_occurrence(phrase, count, self.words_seen or TYPICAL_WORDS_SEEN))
        return hit

    @property
    def count_scale(self) -> float:
        """The factor that puts this table's counts at the decision's scale (DECISION_WORDS
        over the words its habits were seen in; 1 for a table that size or smaller)."""
        return min(1.0, DECISION_WORDS / self.words_seen) if self.words_seen else 1.0

    def is_learned(self, spun: str, original: str) -> bool:
        return (fold(spun), fold(original)) in self.learned

    def __len__(self) -> int:
        return sum(len(v) for v in self.reverse.values())


@cache
def _variant_cache() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Inflected variants already worked out, kept on disk: working them out for the whole
    built-in table costs seconds of every cold start."""
    from .cache import _load
    try:
        return _load(_variant_path())
    except Exception:  # none yet, or unreadable: work them out again
        return {}


def _variant_path() -> Path:
    import lemminflect

    from .cache import cache_dir
    return cache_dir() / f"variants-v1-{getattr(lemminflect, '__version__', '0')}.pkl"


def _save_variant_cache(known: dict) -> None:
    from .cache import _dump
    try:
        _dump(known, _variant_path())
    except OSError:  # a read-only cache only costs time
        pass


def _inflected_variants(original: str, spun: str) -> list[tuple[str, str]]:
    """Other inflections of a substitution whose head words inflect alike."""
    from .inflect import _INFL_TAGS, _analyses, _head, _inflect, _knows
    out = []
    for lemma_s, upos, tag in _analyses(spun):
        if upos is None:
            continue
        if tag is None and not _knows(spun.split()[_head(upos)], upos):
            continue
        lemma_o = next((lo for lo, uo, to in _analyses(original) if uo == upos and to == tag), None)
        if lemma_o is None and tag is None and _knows(original.split()[_head(upos)], upos):
            lemma_o = original
        if lemma_o is None:
            continue
        for t in (None,) + _INFL_TAGS[upos]:
            vo = _inflect(lemma_o, t, upos) if t else lemma_o
            vs = _inflect(lemma_s, t, upos) if t else lemma_s
            if vo and vs and (vo, vs) != (original, spun):
                out.append((vo, vs))
    return out


@cache
def builtin_habits() -> tuple[Habit, ...]:
    return tuple(h for h in read_observed() if h.style in WORD_SPINNERS)


@cache
def builtin() -> SpinnerTable:
    """The table restore and detect use by default: every word spinner observed so far."""
    return SpinnerTable(builtin_habits())


@cache
def style_table(style: str = "A") -> SpinnerTable:
    """One spinner's habits alone: what the `observed` simulator style spins with."""
    return SpinnerTable(select(read_observed(), styles=[style]))
