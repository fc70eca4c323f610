"""The meaning index: a few multilingual vectors per article in an approximate-nearest-neighbour
index, so paraphrased and translated copies find their source where word fingerprints cannot.

Each article gives up to PER_DOC vectors (`sentvec`, int8, 512 bytes each): its lead (the
first LEAD sentences) and the passages of LEAD sentences after it. They live in SQLite
(`mvectors`) and in a usearch HNSW index next to the archive file (`<db>.ann`, with
`<db>.ann.json` saying which rows it holds), built and updated by ingest (`archive add`) or
`archive embed`, and brought up to date by trace when the table has rows it lacks.

The index holds the vectors less the archive's mean vector (renormalised). News vectors share
a strong common direction, and a large cluster of alike articles around it traps HNSW's greedy
search: on 100,000 articles (3,192 Brown chunks among template news) the raw index found the
source of 14 of 54 hand-written paraphrases and translations first, where exact search found
all 54; centred, 52 from the index alone at expansion 128, and trace then found every one
(`bench/results/meaning_100k.md`). Search scores the candidates the index found by their
stored (raw) vectors, so the cosines trace weighs are unchanged.
"""
from __future__ import annotations

import json
import os
import zlib
from typing import Any, NamedTuple

import numpy as np

from . import sentvec
from ..text import Doc

LEAD = 3          # sentences per vector
PER_DOC = 2       # vectors per article: lead + the next passage (ingest cost, see README)
# HNSW graph degree (~700 bytes of graph per vector) and build effort: at 1.94M vectors with a
# dense crowd of alike articles (bench/ann_scale.py) degree 12 / 48 found 37 of 54 sources
# first, 24 / 128 found 50, for a build three times as long.
CONNECTIVITY = 24
EXPANSION_ADD = 128
EXPANSION_SEARCH = 128
REBUILD_GROWTH = 2.0  # the mean is worked out again (and the index rebuilt) when the archive doubles
BATCH = 256


def passages(text: str, per_doc: int = PER_DOC, lead: int = LEAD) -> list[str]:
    """The lead and the following passages of `lead` sentences, at most `per_doc` of them."""
    sents = [text[s.start:s.end] for s in Doc(text[:20000]).sentences if s.end - s.start > 1]
    out = [" ".join(sents[i:i + lead]) for i in range(0, len(sents), lead)][:per_doc]
    return out or [text[:sentvec.MAX_CHARS]]


def doc_vectors(text: str) -> np.ndarray:
    """int8 vectors of one article's passages (what ingest stores)."""
    return sentvec.quantize(sentvec.encode(passages(text)))


def _vectors_of(texts: list[str]) -> list[np.ndarray]:
    ps = [passages(t) for t in texts]
    flat = sentvec.quantize(sentvec.encode([p for x in ps for p in x]))
    out, i = [], 0
    for x in ps:
        out.append(flat[i:i + len(x)])
        i += len(x)
    return out


def _chunk(rows: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    """Worker side of embed_archive: (doc, compressed body) -> (doc, vector bytes) rows."""
    texts = [zlib.decompress(b).decode() for _, b in rows]
    return [(n, v.tobytes()) for (n, _), vs in zip(rows, _vectors_of(texts)) for v in vs]


def embed_archive(arc, progress=None, workers: int | None = None) -> int:
    """Vectors for every article that has none yet, then the ANN index; returns articles added.

    Resumable: each batch is committed with its vectors; a killed run redoes one batch."""
    added = 0
    todo = arc.count_without_vectors()
    workers = (os.cpu_count() or 1) if workers is None else workers
    pool = None
    if workers > 1 and todo > 2 * BATCH:
        import multiprocessing as mp
        pool = mp.get_context("fork").Pool(workers)
    try:
        last = 0
        while True:
            rows = arc.bodies_without_vectors(last, BATCH * max(1, workers))
            if not rows:
                break
            last = rows[-1][0]
            if pool:
                parts = [rows[i:i + 32] for i in range(0, len(rows), 32)]
                vecs = [r for part in pool.map(_chunk, parts) for r in part]
            else:
                vecs = _chunk(rows)
            arc.add_vectors(vecs)
            added += len(rows)
            if progress:
                progress(len(rows))
    finally:
        if pool is not None:
            pool.terminate()
    if added:
        index(arc)
    return added


# ---- the ANN index -----------------------------------------------------------------------

class _Held(NamedTuple):
    """An index loaded in this process: the vectors it holds (up to vector id `top`, `held` of
    them) and the mean it is centred on, worked out over `base` vectors."""
    index: Any
    top: int
    held: int
    center: np.ndarray
    base: int


_OPEN: dict[str, _Held] = {}


def _new_index():
    from usearch.index import Index
    return Index(ndim=sentvec.DIM, metric="cos", dtype="i8", connectivity=CONNECTIVITY,
                 expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)


def index(arc):
    """The usearch index over `mvectors` (centred: see the module docstring), loaded once per
    process and brought up to date (rows added since it was saved are inserted, and the file
    saved again where writable). None when the archive has no vectors."""
    return _index(arc)[0]


def _index(arc):
    """(the index, the mean vector it is centred on), or (None, None) without vectors."""
    top, count = arc.vector_extent()
    if not count:
        return None, None
    path = arc.path + ".ann"
    held = _OPEN.get(path)
    if held and held.top == top and held.held == count:
        return held.index, held.center
    idx, have, center, base = None, 0, None, 0
    if held and held.held <= count:
        idx, have, center, base = held.index, held.top, held.center, held.base
    elif os.path.exists(path) and os.path.exists(path + ".json"):
        try:
            meta = json.load(open(path + ".json"))
            if meta["count"] <= count and meta["top"] <= top:
                idx = _new_index()
                idx.load(path)
                have, base = meta["top"], meta["center_count"]
                center = np.asarray(meta["center"], dtype=np.float32)
        except (OSError, ValueError, KeyError, RuntimeError):
            idx = None
    if idx is not None and count >= REBUILD_GROWTH * max(base, 1):
        idx = None  # the archive has outgrown the mean the index was centred on
    if idx is None:
        idx, have, center, base = _new_index(), 0, _mean(arc), count
    fresh = False
    cur = arc.vectors_after(have)
    while rows := cur.fetchmany(50_000):
        keys = np.fromiter((r[0] for r in rows), dtype=np.uint64, count=len(rows))
        vecs = sentvec.unpack([r[1] for r in rows])
        idx.add(keys, _centred(vecs, center), threads=os.cpu_count() or 1)
        fresh = True
    if fresh:
        try:  # written aside, then renamed: a concurrent reader sees the old file or the new one
            tmp = f"{path}.{os.getpid()}.tmp"
            idx.save(tmp)
            with open(tmp + ".json", "w") as f:
                json.dump({"top": top, "count": count, "center_count": base,
                           "center": [round(float(x), 6) for x in center]}, f)
            os.replace(tmp, path)
            os.replace(tmp + ".json", path + ".json")
        except (OSError, RuntimeError):
            pass  # a read-only directory only costs the rebuild next time
    _OPEN[path] = _Held(idx, top, count, center, base)
    return idx, center


def _mean(arc) -> np.ndarray:
    """The mean of the archive's stored vectors (as unit-scale floats)."""
    total = np.zeros(sentvec.DIM, dtype=np.float64)
    n = 0
    cur = arc.vectors_after(0)
    while rows := cur.fetchmany(50_000):
        vecs = sentvec.unpack([r[1] for r in rows])
        total += vecs.sum(axis=0, dtype=np.float64) / 127.0
        n += len(rows)
    return (total / max(n, 1)).astype(np.float32)


def _centred(vecs: np.ndarray, center: np.ndarray) -> np.ndarray:
    """int8 vectors less `center`, renormalised and quantised again."""
    x = vecs.astype(np.float32) / 127.0 - center
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)
    return sentvec.quantize(x)


def search(arc, text: str, k: int = 8, query_vectors: np.ndarray | None = None) -> list[tuple[int, float]]:
    """[(document number, best cosine)] of the articles whose passages are nearest to the
    passages of `text`, best first; [] when the archive has no vectors. The index finds the
    candidates (centred); the cosine is that of the stored vectors, as trace weighs it."""
    idx, center = _index(arc)
    if idx is None:
        return []
    qv = sentvec.encode(passages(text, per_doc=PER_DOC + 2)) if query_vectors is None else query_vectors
    q8 = sentvec.quantize(qv)
    m = idx.search(_centred(q8, center), 4 * k, threads=1)
    keys, dist = np.atleast_2d(m.keys), np.atleast_2d(m.distances)
    found = sorted({int(key) for key, d in zip(keys.ravel().tolist(), dist.ravel().tolist()) if d < 2.0})
    if not found:
        return []
    rows = arc.vector_rows(found)
    stored = sentvec.unpack([v for _, _, v in rows])
    cos = (stored.astype(np.float32) @ q8.astype(np.float32).T / (127.0 * 127.0)).max(axis=1)
    best: dict[int, float] = {}
    for (_, doc, _), c in zip(rows, cos.tolist()):
        best[doc] = max(best.get(doc, -1.0), c)
    return sorted(best.items(), key=lambda x: -x[1])[:k]
