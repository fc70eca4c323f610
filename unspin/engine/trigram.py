"""The 3-gram model's tables as numpy arrays, for look-ups by the million.

pocketsphinx answers one n-gram per Python call (about 2 µs with the call around it); a long
text's suspect scan asks for tens of millions. This reads the same model file (pocketsphinx's
"Trie Language Model" binary: unigrams, then bit-packed bigram and trigram records with
16-bit quantised probabilities and back-offs, keyed word first, history after) into flat
arrays once, and answers whole arrays of (word, history) at once with sorted-key searches.
Every answer is the integer pocketsphinx's `NGramModel.prob` gives for the same words (its
float32 sums, truncated to int32, in log base 1.0001): tests/test_trigram.py checks it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

_HEADER = b"Trie Language Model"
_QUANT_BITS = 16
_LOG_ZERO = np.int32(-2**31 + 1)  # far below any score: the caller floors unknown words


def _required_bits(n: int) -> int:
    return int(n).bit_length()


def _unpack(buf: np.ndarray, offsets: np.ndarray, bits: int) -> np.ndarray:
    """The `bits`-bit little-endian fields starting at bit `offsets` of byte buffer `buf`."""
    byte = offsets >> 3
    v = np.zeros(len(offsets), dtype=np.uint64)
    for k in range(5):  # a field of up to 25 bits, shifted by up to 7, spans at most 5 bytes
        v |= buf[byte + k].astype(np.uint64) << np.uint64(8 * k)
    return ((v >> (offsets & 7).astype(np.uint64)) & np.uint64((1 << bits) - 1)).astype(np.int64)


class Trigram:
    """A 3-gram model file's tables. ids(words) maps words to ids (-1: unknown);
    raw(w, h1, h2) gives log_1.0001 P(w | h2 h1) for arrays of ids, h1 the word before w and
    h2 the one before that (-1 where there is no such history)."""

    def __init__(self, path: Path | str):
        data = np.fromfile(path, dtype=np.uint8)
        if bytes(data[:len(_HEADER)]) != _HEADER:
            raise ValueError(f"{path}: not a pocketsphinx trie language model")
        at = len(_HEADER)
        order = int(data[at])
        if order != 3:
            raise ValueError(f"{path}: a {order}-gram model; only 3-grams are read")
        at += 1
        n1, n2, n3 = (int(x) for x in data[at:at + 12].view("<u4"))
        at += 12 + 4  # the counts, then a field that once said the quantisation type
        nq = 1 << _QUANT_BITS
        q = data[at:at + 3 * nq * 4].view("<f4")
        prob2_bins, bo2_bins, prob3_bins = q[:nq], q[nq:2 * nq], q[2 * nq:]
        at += 3 * nq * 4
        uni = data[at:at + (n1 + 1) * 12].view("<u4").reshape(n1 + 1, 3)
        at += (n1 + 1) * 12
        self.prob1 = uni[:, 0].view("<f4")[:n1].copy()
        self.bo1 = uni[:, 1].view("<f4")[:n1].copy()
        first2 = uni[:, 2].astype(np.int64)   # bigram records of word w: [first2[w], first2[w+1])

        word_bits = _required_bits(n1)
        next_bits = _required_bits(n3)
        mid_bits = word_bits + 2 * _QUANT_BITS + next_bits
        mid_size = ((1 + n2) * mid_bits + 7) // 8 + 8
        long_bits = word_bits + _QUANT_BITS
        long_size = ((1 + n3) * long_bits + 7) // 8 + 8
        mid = np.concatenate([data[at:at + mid_size], np.zeros(8, np.uint8)])
        at += mid_size
        lng = np.concatenate([data[at:at + long_size], np.zeros(8, np.uint8)])
        at += long_size

        # (the header's counts size the arrays; the records in use can be fewer)
        used2 = int(first2[n1])
        off = np.arange(used2 + 1, dtype=np.int64) * mid_bits
        hist2 = _unpack(mid, off[:used2], word_bits)
        self.bo2 = bo2_bins[_unpack(mid, off[:used2] + word_bits, _QUANT_BITS)]
        self.prob2 = prob2_bins[_unpack(mid, off[:used2] + word_bits + _QUANT_BITS, _QUANT_BITS)]
        first3 = _unpack(mid, off + word_bits + 2 * _QUANT_BITS, next_bits)
        off3 = np.arange(int(first3[used2]), dtype=np.int64) * long_bits
        hist3 = _unpack(lng, off3, word_bits)
        self.prob3 = prob3_bins[_unpack(lng, off3 + word_bits, _QUANT_BITS)]

        # Records are sorted by history word within each parent's range, and the ranges follow
        # their parents' order: (parent, history) keys are sorted, so np.searchsorted finds them.
        self._v = np.int64(n1)
        owner2 = np.repeat(np.arange(n1, dtype=np.int64), np.diff(first2[:n1 + 1]))
        self.key2 = owner2 * self._v + hist2
        owner3 = np.repeat(np.arange(used2, dtype=np.int64), np.diff(first3))
        self.key3 = owner3 * self._v + hist3

        size = int(data[at:at + 4].view("<u4")[0])
        words = bytes(data[at + 4:at + 4 + size]).split(b"\0")[:n1]
        self.vocab = {w.decode("utf-8", "replace"): k for k, w in enumerate(words)}
        self.unknown = self.vocab.get("<UNK>", -1)

    def ids(self, words) -> np.ndarray:
        get, unk = self.vocab.get, self.unknown
        return np.fromiter((get(w, unk) for w in words), dtype=np.int64)

    @staticmethod
    def _find(keys: np.ndarray, query: np.ndarray, where: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        """(where each query key is or would be in `keys`, whether it is there), searched only
        at the rows `where` is true (elsewhere: 0, False). The queries are searched in sorted
        order: each search then starts near the last, about seven times faster than in the
        callers' order over millions of keys."""
        at = np.zeros(len(query), dtype=np.int64)
        found = np.zeros(len(query), dtype=bool)
        rows = np.flatnonzero(where)
        q = query[rows]
        order = np.argsort(q)
        pos = np.empty_like(order)
        pos[order] = np.searchsorted(keys, q[order])
        pos = np.minimum(pos, len(keys) - 1)
        at[rows] = pos
        found[rows] = keys[pos] == q
        return at, found

    def raw(self, w: np.ndarray, h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
        """int32 log_1.0001 P(w | h2 h1) as pocketsphinx computes it (h1, h2 = -1: none)."""
        w = np.asarray(w, np.int64)
        h1 = np.asarray(h1, np.int64)
        h2 = np.where(h1 < 0, -1, np.asarray(h2, np.int64))  # history stops at an unknown word
        ok = w >= 0
        ws, h1s, h2s = np.where(ok, w, 0), np.maximum(h1, 0), np.maximum(h2, 0)
        p = self.prob1[ws]
        # the bigram (h1 w)
        j, has2 = self._find(self.key2, ws * self._v + h1s, h1 >= 0)
        # the trigram (h2 h1 w), only where its bigram is there
        k, has3 = self._find(self.key3, j * self._v + h2s, has2 & (h2 >= 0))
        # back-offs: h1's, and the bigram (h2 h1)'s, only where the trigram is missing
        bo1 = np.where(h1 >= 0, self.bo1[h1s], np.float32(0))
        jb, hasb = self._find(self.key2, h1s * self._v + h2s, ~has3 & (h2 >= 0) & (h1 >= 0))
        bo2 = np.where(hasb, self.bo2[jb], np.float32(0))
        # (float32 sums in pocketsphinx's order, truncated toward zero as its int32 cast does)
        uni = (p + bo1) + bo2
        bi = self.prob2[j] + bo2
        out = np.where(has3, self.prob3[k], np.where(has2, np.where(h2 >= 0, bi, self.prob2[j]),
                                                      np.where(h2 >= 0, uni, p + bo1)))
        out = np.where(h1 >= 0, out, p)
        res = np.trunc(out.astype(np.float64)).astype(np.int32)
        return np.where(ok, res, _LOG_ZERO)
