"""Fingerprints that survive word spinning: MinHash over shingles of the "immutables".

A spinner swaps content words for synonyms but leaves function words, names and numbers
alone (the immutables of DSpin, NDSS 2014). We keep those, collapse every run of other words
into one gap mark, and shingle the resulting stream. Gap marks keep the skeleton distinctive
without depending on which content word was chosen.
"""
from __future__ import annotations

import re
import zlib

import numpy as np

from ..language import NUMBER, STOPWORDS, WORD


_TOK = re.compile(rf"{WORD}|{NUMBER}|[.!?]")
GAP = "_"
SHINGLE = 4          # immutables-stream tokens per shingle (gaps included)
NUM_PERM = 64        # one LSH band per permutation: votes scale with Jaccard, even for partial copies
_PRIME = np.uint64(0x100000001B3)

_rng = np.random.default_rng(20140223)
_A = (_rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1))
_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)


def immutable_stream(text: str) -> list[str]:
    """Function words, names and numbers in order; other words collapse to one GAP."""
    out: list[str] = []
    start = True  # sentence-initial capitals say nothing about names
    for tok in _TOK.findall(text):
        c = tok[0]
        if c in ".!?":
            start = True
            continue
        if c.isdigit():
            item = tok.replace(",", "")
        else:
            low = tok.lower()
            if low in STOPWORDS:
                item = low
            elif c.isupper() and not start:
                item = low
            else:
                item = GAP
        start = False
        if item is GAP and out and out[-1] is GAP:
            continue
        out.append(item)
    return out


def shingles(text: str, k: int = SHINGLE) -> np.ndarray:
    """Sorted unique 64-bit hashes of k-grams of the immutable stream."""
    return stream_shingles(immutable_stream(text), k)


_tok_ids: dict[str, int] = {}


def _tid(tok: str) -> int:
    h = zlib.crc32(tok.encode()) + 1  # crc32: stable across runs (str hash is salted)
    if len(_tok_ids) < 1_000_000:
        _tok_ids[tok] = h
    return h


def stream_shingles(s: list[str], k: int = SHINGLE) -> np.ndarray:
    get = _tok_ids.get
    ids = np.fromiter((get(t) or _tid(t) for t in s), dtype=np.uint64, count=len(s))
    n = max(len(ids) - k + 1, 1 if len(ids) else 0)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(min(k, len(ids))):  # polynomial rolling hash, wrapping mod 2**64 on purpose
        h = h * _PRIME + ids[j:j + n]
    return np.unique(h)


def minhash(hashes: np.ndarray) -> np.ndarray:
    """NUM_PERM minimum values of multiply-shift hashes; uint32."""
    if not len(hashes):
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    h = (hashes[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    return h.min(axis=0).astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[int]:
    """One SQLite integer key per band: permutation index in the high bits, value below."""
    if int(sig[0]) == 0xFFFFFFFF:
        return []
    idx = np.arange(len(sig), dtype=np.int64)
    return ((idx << 32) | sig.astype(np.int64)).tolist()


def fingerprint(text: str) -> list[int]:
    """Band keys of a text: what the archive stores and what trace looks up."""
    return band_keys(minhash(shingles(text)))


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def containment(query: np.ndarray, source: np.ndarray) -> float:
    """Share of the query's shingles found in the source: partial copies score high."""
    if not len(query):
        return 0.0
    return len(np.intersect1d(query, source, assume_unique=True)) / len(query)


def entities(text: str | list[str]) -> set[str]:
    """Names and numbers: what articles on the same story share whoever wrote them."""
    stream = immutable_stream(text) if isinstance(text, str) else text
    return {t for t in stream if t is not GAP and t not in STOPWORDS}
