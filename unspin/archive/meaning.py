"""Sentence-by-sentence alignment by meaning: what a paraphrase or a translation keeps.

Query and source sentences are compared with multilingual sentence vectors (`sentvec`); a
monotone alignment (dynamic programming, as in bilingual sentence alignment) pairs them one to
one, two query sentences to one source sentence (a merge), one to two (a split), and skips
sentences on either side (omissions, additions). Query sentences left out that still match
one source sentence closely are paired afterwards, out of order (a paraphraser moved them).

A copy follows its source sentence after sentence; another writer's story on the same event
shares facts, names and perhaps a quote, but seldom the sequence: `in_order` says how much of
what aligned lies on one monotone path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MATCH = 0.5      # cosine from which a pair of sentences can be aligned (in order)
REORDER = 0.72   # ...out of order: needs more, the sequence does not back it up
PART = 0.35      # each half of a merge or split must match this much on its own

# Function words that say a text is English (none is a common word in es/fr/de/pt/it/ca/gl).
_ENGLISH = frozenset("""the of and to is was that for with he his it this are were have has
had which by from they their would been will an be or but not who she her said its at
after when there about than also could into""".split())


@dataclass(frozen=True, slots=True)
class Pair:
    q: tuple[int, int]      # query sentences [start, end)
    s: tuple[int, int]      # source sentences [start, end)
    similarity: float       # cosine of the (merged) sentence vectors
    in_order: bool          # on the monotone path


@dataclass(frozen=True, slots=True)
class SentenceAlignment:
    pairs: list[Pair]
    coverage: float    # share of the query's sentence characters aligned
    in_order: float    # share of the aligned characters that lie on the monotone path
    nearest: float = 0.0  # mean over query sentences (by characters) of the best cosine to one source sentence
    order: float = 0.0    # Kendall's tau between query sentences and their nearest source sentences


def english_share(words: list[str]) -> float:
    """Share of lowercased words that are English function words (about 0.3 in English
    prose, under 0.05 in the Romance languages and German)."""
    return sum(w in _ENGLISH for w in words) / len(words) if words else 0.0


def is_translation(query_words: list[str], source_words: list[str]) -> bool:
    """One side English, the other not."""
    return (english_share(query_words) >= 0.12) != (english_share(source_words) >= 0.12)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


def align(qv: np.ndarray, sv: np.ndarray, qchars: list[int], match: float = MATCH,
          reorder: float = REORDER) -> SentenceAlignment:
    """Align query sentence vectors `qv` (n, d) to source vectors `sv` (m, d), unit length;
    `qchars` weighs each query sentence by its length."""
    n, m = len(qv), len(sv)
    total = sum(qchars) or 1
    if not n or not m:
        return SentenceAlignment([], 0.0, 0.0)
    sim = qv @ sv.T
    w = np.asarray(qchars, dtype=np.float64) / total
    closest, nearest_to = sim.max(1), sim.argmax(1)
    near = closest >= match
    order = kendall_tau(np.flatnonzero(near), nearest_to[near])
    # merged neighbours: sum of unit vectors, renormalised
    qm = np.array([_unit(qv[i] + qv[i + 1]) for i in range(n - 1)]).reshape(-1, qv.shape[1])
    sm = np.array([_unit(sv[j] + sv[j + 1]) for j in range(m - 1)]).reshape(-1, sv.shape[1])
    merge = qm @ sv.T if n > 1 else np.zeros((0, m))      # q[i:i+2] ~ s[j]
    split = qv @ sm.T if m > 1 else np.zeros((n, 0))      # q[i] ~ s[j:j+2]
    S, M, P, W = sim.tolist(), merge.tolist(), split.tolist(), w.tolist()
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]  # 0 skip q, 1 skip s, 2 one-one, 3 merge, 4 split
    for i in range(n + 1):
        row, prev = score[i], score[i - 1] if i else score[0]  # prev is read only when i > 0
        for j in range(m + 1):
            if not i and not j:
                continue
            best, how = (prev[j], 0) if i else (-1.0, 0)
            if j and row[j - 1] > best:
                best, how = row[j - 1], 1
            if i and j:
                c = S[i - 1][j - 1]
                if c >= match:
                    g = prev[j - 1] + ((c - match) * 4 + 1) * W[i - 1]
                    if g > best:
                        best, how = g, 2
                if i > 1 and (c := M[i - 2][j - 1]) >= match and min(S[i - 2][j - 1], S[i - 1][j - 1]) >= PART:
                    g = score[i - 2][j - 1] + ((c - match) * 4 + 1) * (W[i - 2] + W[i - 1])
                    if g > best:
                        best, how = g, 3
                if j > 1 and (c := P[i - 1][j - 2]) >= match and min(S[i - 1][j - 2], S[i - 1][j - 1]) >= PART:
                    g = prev[j - 2] + ((c - match) * 4 + 1) * W[i - 1]
                    if g > best:
                        best, how = g, 4
            row[j], back[i][j] = best, how
    pairs: list[Pair] = []
    i, j = n, m
    while i or j:
        how = back[i][j]
        if how == 0:
            i -= 1
        elif how == 1:
            j -= 1
        elif how == 2:
            pairs.append(Pair((i - 1, i), (j - 1, j), S[i - 1][j - 1], True))
            i, j = i - 1, j - 1
        elif how == 3:
            pairs.append(Pair((i - 2, i), (j - 1, j), M[i - 2][j - 1], True))
            i, j = i - 2, j - 1
        else:
            pairs.append(Pair((i - 1, i), (j - 2, j), P[i - 1][j - 2], True))
            i, j = i - 1, j - 2
    pairs.reverse()
    taken = np.zeros(n, dtype=bool)
    for p in pairs:
        taken[p.q[0]:p.q[1]] = True
    ordered = float(w[taken].sum())
    for i in np.flatnonzero(~taken).tolist():
        j = int(nearest_to[i])
        if closest[i] >= reorder:
            pairs.append(Pair((int(i), int(i) + 1), (j, j + 1), float(closest[i]), False))
            taken[i] = True
    pairs.sort(key=lambda p: p.q)
    covered = float(w[taken].sum())
    return SentenceAlignment(pairs, covered, ordered / covered if covered else 0.0,
                             float((closest * w).sum()), order)


def kendall_tau(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-b of two sequences (ties allowed); 0 for fewer than three points or
    where either side is constant. Here: does the query take its nearest source sentences in
    the source's order (1), in no order (0), or backwards (-1)?"""
    if len(x) < 3:
        return 0.0
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    tx, ty = float(np.abs(dx).sum()), float(np.abs(dy).sum())
    return float((dx * dy).sum() / np.sqrt(tx * ty)) if tx and ty else 0.0
