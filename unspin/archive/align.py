"""Passage alignment of a suspect against one source, sentence by sentence.

Sentences are paired regardless of order (paraphrasers reorder), each query sentence with the
source sentence that shares most of its words; the pair's token-level similarity decides
whether it is aligned at all and whether it is verbatim, spun or paraphrased.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..language import STOPWORDS
from .fingerprint import GAP
from ..text import Doc, Span

MATCH = 0.5        # token similarity that makes a sentence pair a passage
SPUN_IMM = 0.8     # ...or this immutable-stream similarity, with MATCH_LOW tokens
MATCH_LOW = 0.3
VERBATIM = 0.97


@dataclass(frozen=True, slots=True)
class Passage:
    query_start: int
    query_end: int
    source_start: int
    source_end: int
    kind: str  # verbatim | spun | paraphrase | translation
    similarity: float = 1.0  # token similarity (word-level kinds) or sentence-vector cosine

    def to_json(self) -> dict:
        return {"query_start": self.query_start, "query_end": self.query_end,
                "source_start": self.source_start, "source_end": self.source_end, "kind": self.kind,
                "similarity": round(self.similarity, 4)}


@dataclass(frozen=True, slots=True)
class Alignment:
    passages: list[Passage]
    coverage: float   # share of the query's sentence characters aligned
    weighted: float   # the same, each passage weighted by its similarity


class _Sent:
    __slots__ = ("span", "toks", "keys", "imm", "chars")

    def __init__(self, span: Span):
        self.span = span
        toks = [t for t in span.tokens if t.text[0].isalnum()]
        self.toks = [t.lower for t in toks]
        self.keys = {w for w in self.toks if w not in STOPWORDS}
        self.imm = _immutables(toks)
        self.chars = span.end - span.start


def _immutables(toks) -> list[str]:
    """fingerprint.immutable_stream over tokens already cut (the hot path of alignment)."""
    out: list[str] = []
    for i, t in enumerate(toks):
        low = t.lower
        if t.text[0].isdigit() or low in STOPWORDS or (i and t.text[0].isupper()):
            out.append(low)
        elif not out or out[-1] != GAP:
            out.append(GAP)
    return out


def sentences(text: str) -> list[_Sent]:
    return [s for s in (_Sent(sp) for sp in Doc(text).sentences) if s.toks]


def align(query: str | list, source: str | list, candidates: int = 3) -> Alignment:
    """Align query sentences to source sentences; texts or precomputed `sentences()`."""
    qs = sentences(query) if isinstance(query, str) else query
    ss = sentences(source) if isinstance(source, str) else source
    index: dict[str, list[int]] = {}
    for j, s in enumerate(ss):
        for w in s.keys:
            index.setdefault(w, []).append(j)
    passages, total, covered, weighted = [], 0, 0, 0.0
    for q in qs:
        total += q.chars
        votes = Counter(j for w in q.keys for j in index.get(w, ()))
        best = None
        for j, _ in votes.most_common(candidates):
            s = ss[j]
            sm = SequenceMatcher(None, q.toks, s.toks, autojunk=False)
            if sm.quick_ratio() < MATCH_LOW or (r := sm.ratio()) < MATCH_LOW:
                continue
            ri = SequenceMatcher(None, q.imm, s.imm, autojunk=False).ratio() if len(q.imm) >= 5 else 0.0
            if r >= MATCH or ri >= SPUN_IMM:
                if best is None or r > best[0]:
                    best = (r, ri, s)
        if best is None:
            continue
        r, ri, s = best
        kind = "verbatim" if r >= VERBATIM else "spun" if ri >= SPUN_IMM else "paraphrase"
        passages.append(Passage(q.span.start, q.span.end, s.span.start, s.span.end, kind, r))
        covered += q.chars
        weighted += q.chars * max(r, ri)
    return Alignment(_merge(passages), covered / total if total else 0.0,
                     weighted / total if total else 0.0)


def _merge(ps: list[Passage]) -> list[Passage]:
    """Join neighbouring passages of one kind that continue in the source too."""
    out: list[Passage] = []
    for p in ps:
        if out and out[-1].kind == p.kind and 0 <= p.source_start - out[-1].source_end <= 3 \
                and 0 <= p.query_start - out[-1].query_end <= 3:
            o = out[-1]
            out[-1] = Passage(o.query_start, p.query_end, o.source_start, p.source_end, p.kind,
                              min(o.similarity, p.similarity))
        else:
            out.append(p)
    return out


@dataclass(frozen=True, slots=True)
class Substitution:
    query_start: int
    query_end: int
    source_start: int
    source_end: int
    spun: str       # as in the query, lowercased
    original: str   # as in the source, lowercased


def substitutions(query: str, source: str, passages: list[Passage], max_len: int = 4) -> list[Substitution]:
    """Word phrases (up to max_len words a side) the copy replaced, from difflib `replace` blocks."""
    out = []
    for p in passages:
        if p.kind in ("verbatim", "translation"):
            continue
        # numbers are words here, as restore reads them: "12 months" -> "year", not "months"
        qa = Doc(query[p.query_start:p.query_end], numbers=True).words
        sa = Doc(source[p.source_start:p.source_end], numbers=True).words
        ql, sl = [t.lower for t in qa], [t.lower for t in sa]
        for op, i1, i2, j1, j2 in SequenceMatcher(None, ql, sl, autojunk=False).get_opcodes():
            if op == "replace" and i2 - i1 <= max_len and j2 - j1 <= max_len:
                out.append(Substitution(p.query_start + qa[i1].start, p.query_start + qa[i2 - 1].end,
                                        p.source_start + sa[j1].start, p.source_start + sa[j2 - 1].end,
                                        " ".join(ql[i1:i2]), " ".join(sl[j1:j2])))
    return out
