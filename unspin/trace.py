"""Trace a suspect text to its source in the archive.

Candidates come from LSH votes on immutable shingles (word spinning leaves those intact) and,
when that finds no copy and the archive holds vectors, from sentence embeddings. The best are
aligned passage by passage; a copy covers much of the suspect, a related article only shares
the story's names, numbers or a quote.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import align as al
from . import fingerprint as fp
from .archive import Archive, Document, using

COPY_COVERAGE = 0.3   # calibrated on bench/trace_bench.py dev data (copy vs same-story)
RELATED_ENTITIES = 0.2
CANDIDATES = 25       # from the LSH vote
ALIGNED = 6           # of those, aligned in full


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

    def to_json(self) -> dict:
        return {"id": self.id, "source": self.source, "title": self.title, "relation": self.relation,
                "coverage": round(self.coverage, 4), "score": round(self.score, 4),
                "passages": [p.to_json() for p in self.passages]}


def entities(text: str | list[str]) -> set[str]:
    """Names and numbers: what articles on the same story share whoever wrote them."""
    stream = fp.immutable_stream(text) if isinstance(text, str) else text
    return {t for t in stream if t is not fp.GAP and t not in fp.STOPWORDS}


def trace(text: str, db: str | Archive, top: int = 5, record: bool = True,
          use_vectors: bool = True) -> list[Match]:
    """Best sources of `text` in the archive, best first; confirmed copies are recorded for learn."""
    with using(db) as arc:
        return _trace(text, arc, top, record, use_vectors)


def _trace(text: str, arc: Archive, top: int, record: bool, use_vectors: bool) -> list[Match]:
    stream = fp.immutable_stream(text)
    qsh = fp.stream_shingles(stream)
    q_ent = entities(stream)
    qsents = al.sentences(text)
    cands = [n for n, _ in arc.candidates(fp.band_keys(fp.minhash(qsh)), CANDIDATES)]
    matches = _score(arc, cands, qsh, q_ent, qsents)
    if use_vectors and not any(m.relation == "copy" for m in matches):
        from . import embed
        seen = {m.doc for m in matches}
        extra = [n for n in embed.search(arc, text, k=ALIGNED) if n not in seen]
        if extra:
            matches = sorted(matches + _score(arc, extra, qsh, q_ent, qsents, prefilter=False),
                             key=lambda m: -m.score)
    matches = matches[:top]
    if record and matches and matches[0].relation == "copy":
        arc.record_catch(text, matches[0].doc, matches[0].coverage)
    return matches


def _score(arc, cands, qsh, q_ent, qsents, prefilter=True) -> list[Match]:
    docs: list[tuple[float, float, Document]] = []
    for n in cands:
        d = arc.get(n)
        if d is None:
            continue
        stream = fp.immutable_stream(d.text)
        ent = fp.jaccard(q_ent, entities(stream)) if q_ent else 0.0
        docs.append((fp.containment(qsh, fp.stream_shingles(stream)), ent, d))
    if prefilter:
        docs.sort(key=lambda x: -(x[0] + 0.2 * x[1]))
        docs = docs[:ALIGNED]
    out = []
    for cont, ent, d in docs:
        a = al.align(qsents, d.text)
        if a.coverage >= COPY_COVERAGE:
            rel = "copy"
        elif a.passages or ent >= RELATED_ENTITIES:
            rel = "related"
        else:
            continue
        out.append(Match(d.id, d.source, d.title, rel, a.coverage,
                         a.weighted + 0.1 * max(cont, ent), a.passages, d.n))
    out.sort(key=lambda m: -m.score)
    return out
