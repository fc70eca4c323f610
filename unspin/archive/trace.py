"""Trace a suspect text to its source in the archive.

Candidates come from LSH votes on immutable shingles (word spinning leaves those intact) and
from the meaning index (`embed`: a few multilingual vectors per article, so paraphrases and
translations are found too). The best candidates are aligned twice: word by word (`align`:
verbatim and spun passages, close rewordings) and sentence by sentence by meaning (`meaning`:
paraphrases, merges, splits, translations). The verdict weighs both (`verdict`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import align as al
from . import fingerprint as fp
from .store import Archive, Document, using
from .verdict import Evidence, decide

CANDIDATES = 25       # from the LSH vote
ALIGNED = 6           # of those, aligned in full
NEAREST = 6           # from the meaning index
MEANING_ALIGNED = 3   # candidates aligned by meaning (sentence vectors cost ~2 ms a sentence)
MEANING_PRIOR = 0.5   # ...only those this close already (index cosine, shingles, word alignment)
WORD_SURE = 0.9       # word-level coverage above which meaning adds nothing to a copy
MAX_SENTENCES = 150   # per text, for the meaning alignment


@dataclass
class Match:
    id: str
    source: str
    title: str | None
    relation: str            # copy | related
    coverage: float
    score: float
    passages: list[al.Passage] = field(default_factory=list)
    doc: int = 0
    reasons: Evidence | None = None

    def to_json(self) -> dict:
        out: dict = {"id": self.id, "source": self.source, "title": self.title, "relation": self.relation,
               "coverage": round(self.coverage, 4), "score": round(self.score, 4),
               "passages": [p.to_json() for p in self.passages]}
        if self.reasons is not None:
            out["reasons"] = self.reasons.to_json()
        return out


def trace(text: str, db: str | Archive, top: int = 5, record: bool = True,
          use_vectors: bool = True) -> list[Match]:
    """Best sources of `text` in the archive, best first; confirmed copies are recorded for learn.

    use_vectors=False: word-level evidence only (no meaning index, no sentence encoder)."""
    with using(db) as arc:
        return _trace(text, arc, top, record, use_vectors)


class _Query:
    def __init__(self, text: str, use_vectors: bool):
        self.text = text
        stream = fp.immutable_stream(text)
        self.shingles = fp.stream_shingles(stream)
        self.entities = fp.entities(stream)
        self.sents = al.sentences(text)
        self.words = [w for s in self.sents for w in s.toks]
        self.use_vectors = use_vectors
        self._vecs: np.ndarray | None = None

    def vectors(self) -> np.ndarray:
        if self._vecs is None:
            from . import sentvec
            self._vecs = sentvec.encode([self.text[s.span.start:s.span.end]
                                         for s in self.sents[:MAX_SENTENCES]])
        return self._vecs


def _trace(text: str, arc: Archive, top: int, record: bool, use_vectors: bool) -> list[Match]:
    q = _Query(text, use_vectors)
    cands = [n for n, _ in arc.candidates(fp.band_keys(fp.minhash(q.shingles)), CANDIDATES)]
    near: dict[int, float] = {}
    if use_vectors:
        from . import embed
        near = dict(embed.search(arc, text, k=NEAREST))
    matches = _score(arc, cands, near, q)
    matches = matches[:top]
    if record and matches and matches[0].relation == "copy":
        arc.record_catch(text, matches[0].doc, matches[0].coverage)
    return matches


def _score(arc, cands: list[int], near: dict[int, float], q: _Query) -> list[Match]:
    docs: list[tuple[float, float, Document]] = []
    for n in dict.fromkeys(cands + list(near)):
        d = arc.get(n)
        if d is None:
            continue
        stream = fp.immutable_stream(d.text)
        ent = fp.jaccard(q.entities, fp.entities(stream)) if q.entities else 0.0
        cont = fp.containment(q.shingles, fp.stream_shingles(stream))
        docs.append((max(cont + 0.2 * ent, near.get(n, 0.0)), ent, d))
    docs.sort(key=lambda x: -x[0])
    lsh_best = sorted((x for x in docs if x[2].n not in near), key=lambda x: -x[0])[:ALIGNED]
    chosen = {x[2].n for x in lsh_best} | set(list(near)[:NEAREST])
    docs = [x for x in docs if x[2].n in chosen]
    aligned = []
    for prior, ent, d in docs:
        ss = al.sentences(d.text)
        aligned.append((prior, ent, d, ss, al.align(q.sents, ss)))
    # meaning alignment for the most promising candidates the words do not settle
    if q.use_vectors:
        todo = sorted((x for x in aligned if x[4].coverage < WORD_SURE
                       and max(x[0], x[4].weighted) >= MEANING_PRIOR),
                      key=lambda x: -max(x[0], x[4].weighted))[:MEANING_ALIGNED]
        meanings = _meaning(q, [(x[2], x[3]) for x in todo])
    else:
        meanings = {}
    out = []
    for prior, ent, d, ss, a in aligned:
        ev = decide(q.text, q.sents, q.words, q.entities, d.text, ss, a, meanings.get(d.n))
        if ev.relation is None:
            continue
        out.append(Match(d.id, d.source, d.title, ev.relation, ev.coverage,
                         ev.weighted + 0.1 * max(prior, ent), ev.passages, d.n, ev))
    out.sort(key=lambda m: (m.relation != "copy", -m.score))
    return out


def _meaning(q: _Query, docs: list[tuple[Document, list]]) -> dict:
    """doc number -> meaning.SentenceAlignment of the query against that document."""
    if not docs or not q.sents:
        return {}
    from . import meaning, sentvec
    qv = q.vectors()
    texts: list[str] = []
    bounds: list[tuple[int, int]] = []
    for d, ss in docs:
        start = len(texts)
        texts += [d.text[s.span.start:s.span.end] for s in ss[:MAX_SENTENCES]]
        bounds.append((start, len(texts)))
    sv = sentvec.encode(texts)
    qchars = [s.chars for s in q.sents[:MAX_SENTENCES]]
    return {d.n: meaning.align(qv, sv[a:b], qchars) for (d, _), (a, b) in zip(docs, bounds)}
