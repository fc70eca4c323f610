"""Which of a language model's tokens English text can need: the rows its output head
normalises over.

Gemma 3's 262,144-token vocabulary is mostly other scripts' words. The head's normaliser
(engine.lm.NeuralLM._head) spent about 40 % of the review's Gemma time on them, and reading
all 262,144 rows kept its whole 335 MB tied embedding resident. Over the English rows only
(the tokens of the 200,000 commonest English words as written, every short Latin or
punctuation token, the added tokens) a normaliser misses, on Brown dev text, a mean of 0.0003
nats and at most 0.035 (a model's bfloat16 gains move by 0.14 on average between thread
counts), in a third of the time alone and about half within restore (1.64 -> 0.93 s of a
1,045-word article's review). A target token outside the rows is still scored exactly: the
head adds its own term to the normaliser.
"""
from __future__ import annotations

import os
from pathlib import Path

COMMON_WORDS = 200_000      # wordfreq's commonest English words, each as written in a text
SHORT = 3                   # every token this short (stripped) in Latin or punctuation is kept
WORTH = 2 / 3               # a vocabulary whose English rows are more than this stays whole
VERSION = 1                 # the rule above; a cached list from another rule is not read


def _latin(text: str) -> bool:
    # Latin letters (with Latin-1 and Extended A/B), and General Punctuation (curly quotes, dashes)
    return all(ord(c) < 0x250 or 0x2000 <= ord(c) <= 0x206F for c in text)


def english_rows(tok) -> list[int]:
    """The token ids (sorted) English text can need, by the rule above; tok: a `tokenizers`
    Tokenizer."""
    from wordfreq import top_n_list
    forms = sorted({f for w in top_n_list("en", COMMON_WORDS)
                    for v in (w, w.capitalize(), w.upper()) for f in (v, " " + v)})
    ids: set[int] = set()
    for enc in tok.encode_batch(forms, add_special_tokens=False):
        ids.update(enc.ids)
    size = tok.get_vocab_size()
    for i, text in enumerate(tok.decode_batch([[i] for i in range(size)])):
        if len(text.strip()) <= SHORT and _latin(text):
            ids.add(i)
    ids.update(tok.get_added_tokens_decoder())
    return sorted(i for i in ids if i < size)


def head_rows(folder: Path, tok) -> list[int] | None:
    """english_rows for the converted model in `folder`, worked out once and kept there; None
    where they are not worth it (more than WORTH of the vocabulary: SmolLM2's is English)."""
    import numpy as np
    path = folder / f"head_rows_v{VERSION}.npy"
    try:
        rows = np.load(path).tolist()
    except (OSError, ValueError):
        rows = english_rows(tok)
        if len(rows) > WORTH * tok.get_vocab_size():
            rows = []  # kept as "whole": an empty list
        tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}.npy")
        try:
            np.save(tmp, np.asarray(rows, dtype=np.int64))
            os.replace(tmp, path)
        except OSError:  # a read-only cache: work them out again next time
            tmp.unlink(missing_ok=True)
    return rows or None


def read_rows(weights: Path, rows: list[int], block: int = 8192):
    """The output head's `rows`, read from the model's safetensors file `weights` through a
    mapping of their own that is closed afterwards, a block of rows at a time: gathered from
    the model's own (tied) weight they would fault the whole 335 MB embedding into memory,
    where its input look-ups need only their own rows. None where the file has no head."""
    import torch
    from safetensors import safe_open
    with safe_open(str(weights), "pt") as f:
        name = next((n for n in ("lm_head.weight", "model.embed_tokens.weight") if n in f.keys()), None)
        if name is None:
            return None
        part = f.get_slice(name)
        want = torch.tensor(rows)
        out, at = None, 0
        for a in range(0, part.get_shape()[0], block):
            mine = want[(want >= a) & (want < a + block)]
            if len(mine):
                got = part[a:a + block][mine - a]
                if out is None:  # filled in place: a list of blocks joined would need twice
                    out = torch.empty((len(rows), got.shape[1]), dtype=got.dtype)
                out[at:at + len(mine)] = got
                at += len(mine)
        return out
