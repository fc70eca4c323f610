"""A crawl-grade first tier for `scan`: which pages are worth the fast detector at all.

One regular-expression pass tokenises the page (lowercase words and sentence ends), then every
word costs a few dictionary look-ups (no lexicon, no candidates: that is the detector's work):

* the spun forms real spinners were seen writing (the built-in spinner table's `reverse` keys,
  phrases of up to 4 words), each worth its log-likelihood ratio: a form spinners write often
  and plain English rarely ("12 months", "stated") is strong evidence, a common word a spinner
  once wrote ("to") none; plus the number words spinner A writes for digits ("five.03");
* a/an disagreements ("a increase"): spinners never fix the article;
* how the words read to the detector's own general-English 3-gram model (pocketsphinx, cached
  per trigram and per word): the mean -ln P(word | two before) (the detector's strongest fast
  signal), the share of words that unlikely in context, and how much the context helps over
  the unigram (thesaurus swaps are words the context did not predict).

The rates per word are combined linearly into a score per 400-word chunk (the detector's
chunks: one spun section of a long page is not diluted); the page's score is its worst chunk.
Pages scoring below THRESHOLD are clean as far as the scan is concerned and never reach the
detector. The weights and the threshold were fitted on generated DEV pages only (Brown dev text,
clean in every genre and spun in every simulator style at rates 0.05-0.25) so that the triage
passes on at least 99.5 % of the pages the full fast detector calls spun; `bench/triage_tune.py`
refits them and reports the held-out test split.

The triage guarantees nothing about clean pages: it passes on whatever could be spun, and the
detector decides. What it does guarantee: the score is a pure function of the text (the same
page, the same tier on every worker and every run).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..language import NUMBER, starts_with_vowel_sound, word_pattern

CHUNK_WORDS = 400          # as detect.CHUNK_WORDS
UNIGRAM_FLOOR = 16.0       # nats, as lm.NGRAM_FLOOR: an unseen word
ODD_AT = 10.0              # nats: a word this unlikely after its two predecessors reads oddly

# Fitted by bench/triage_tune.py on the dev split (logistic fit to "the fast detector says
# spun", then the threshold for 99.5 % dev recall). Feature rates are per word of the chunk.
WEIGHTS = {
    "table_llr": 17.2968,      # mean log-likelihood ratio of the spinner table's spun forms
    "article_rate": 378.0236,  # a/an disagreements
    "fluency": 1.3110,         # mean -ln P(word | 2 words before), the detector's 3-gram
    "odd_rate": 0.7593,        # words that unlikely in context (>= ODD_AT nats)
    "context": -2.8062,        # mean unigram minus 3-gram nats: how much the context helps
    "oov_rate": -8.2445,       # words the model does not know (names, numbers)
}
BIAS = -10.3675
THRESHOLD = -2.5395       # 99.5 % of the dev pages the detector calls spun score at least this

# Words of lowercased text (the text model's word pattern over lowercase letters) and numbers.
_WORD = word_pattern("a-z\u00e0-\u024f")
_WORDS = re.compile(rf"{_WORD}|{NUMBER}")
# The same words, and sentence ends (".", "!", "?", a blank line) as group 1.
_TOKENS = re.compile(rf"{_WORD}|{NUMBER}|([.!?]+|\n\s*\n)")
_NUMBER_WORD = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|zero)[.,]\d")


LLR_RATE = 0.2             # the spin rate the spun forms' log-likelihood ratios assume
LLR_CAP = 6.0              # nats: no one form decides a page


@dataclass(frozen=True, slots=True)
class Forms:
    """The spun forms to look for, each with its evidence: ln P(form | spun) / P(form | clean)."""
    words: dict[str, float]            # one-word spun form -> log-likelihood ratio
    phrases: dict[str, float]          # "w1 w2 ..." (2-4 words) -> log-likelihood ratio
    starts: frozenset[str]             # first words of phrases


@lru_cache(maxsize=1)
def forms() -> Forms:
    """The built-in spinner table's spun forms. A form a spinner writes often that is rare in
    plain English is strong evidence ("12 months", "stated"); a common word a spinner once
    wrote ("to") is none: P(form | spun) = rate * its share of the spinner's output +
    (1 - rate) * P(form | clean), P(form | clean) from the 3-gram model's unigrams."""
    import math

    from ..lexicon.spinners import builtin
    uni = unigram_model()
    counts: dict[str, float] = {}
    for spun, origs in builtin().reverse.items():
        toks = _WORDS.findall(spun.lower().replace("\u2019", "'"))
        if not toks or len(toks) > 4 or all(t[0].isdigit() for t in toks):  # digits: in any text
            continue
        key = " ".join(toks)
        if any(" ".join(_WORDS.findall(o.lower().replace("\u2019", "'"))) == key for o in origs):  # only punctuation/case differ
            continue
        counts[key] = counts.get(key, 0.0) + sum(origs.values())
    total = sum(counts.values()) or 1.0
    words: dict[str, float] = {}
    phrases: dict[str, float] = {}
    for key, n in counts.items():
        clean = math.exp(-sum(uni(w) for w in key.split()))
        llr = min(LLR_CAP, math.log(1.0 + LLR_RATE * (n / total) / max(clean, 1e-30)))
        if llr >= 0.05:
            (words if " " not in key else phrases)[key] = llr
    return Forms(words, phrases, frozenset(p.split(" ", 1)[0] for p in phrases))


class _Unigram:
    """-ln P(word) in the 3-gram model's unigrams, cached per word (bounded); `tri` caches the
    trigram look-ups features() makes."""

    def __init__(self):
        from ..engine.lm import _LN_BASE, ngram
        self.prob = ngram()._m.prob
        self.k = -_LN_BASE
        self.cache: dict[str, float] = {}
        self.tri: dict[tuple[str, ...], float] = {}

    def __call__(self, w: str) -> float:
        v = self.cache.get(w)
        if v is None:
            v = min(self.k * self.prob([w]), UNIGRAM_FLOOR)
            if len(self.cache) > 300_000:
                self.cache.clear()
            self.cache[w] = v
        return v


@lru_cache(maxsize=1)
def unigram_model() -> _Unigram:
    return _Unigram()


def chunk_bounds(n: int) -> list[tuple[int, int]]:
    """[lo, hi) word ranges as the detector cuts a page (a short tail joins the chunk before)."""
    bounds = [(k, min(n, k + CHUNK_WORDS)) for k in range(0, max(n, 1), CHUNK_WORDS)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < CHUNK_WORDS // 2:
        bounds[-2:] = [(bounds[-2][0], bounds[-1][1])]
    return bounds


def features(text: str) -> list[dict[str, float]]:
    """Per-chunk rates (per word) of what a spinner leaves behind, cheaply."""
    low = text.lower().replace("\u2019", "'")
    ws: list[str] = []
    starts_at: list[bool] = []     # word i opens a sentence
    new = True
    for tok in _TOKENS.finditer(low):
        if tok.group(1) is None:
            ws.append(tok.group())
            starts_at.append(new)
            new = False
        else:
            new = True
    n = len(ws)
    if not n:
        return []
    f = forms()
    one, phr, starts = f.words, f.phrases, f.starts
    uni = unigram_model()
    # Per-word marks, so any chunking is a sum over a slice.
    table = [0.0] * n
    for i, w in enumerate(ws):
        v = one.get(w, 0.0)
        if w in starts:
            for k in (4, 3, 2):
                if i + k <= n:
                    p = phr.get(" ".join(ws[i:i + k]))
                    if p is not None:
                        v = max(v, p)
                        break
        if v:
            table[i] = v
    art = [0.0] * n
    for i in range(n - 1):
        a = ws[i]
        if (a == "a" or a == "an") and (a == "an") != starts_with_vowel_sound(ws[i + 1]) and not ws[i + 1][0].isdigit():
            art[i + 1] = 1.0
    # -ln P(w | two words before) in the detector's 3-gram model, history reset at sentence ends
    lp = [0.0] * n
    prob, k_ln, cache = uni.prob, uni.k, uni.tri
    for i, w in enumerate(ws):
        key: tuple[str, ...]
        if starts_at[i]:
            key = (w, "<s>")
        elif i < 2 or starts_at[i - 1]:
            key = (w, ws[i - 1])
        else:
            key = (w, ws[i - 1], ws[i - 2])
        cached = cache.get(key)
        if cached is None:
            cached = min(k_ln * prob(list(key)), UNIGRAM_FLOOR)
            if len(cache) > 300_000:  # bounded: a long crawl must not grow it forever
                cache.clear()
            cache[key] = cached
        lp[i] = cached
    ug = [uni(w) for w in ws]
    numbers = [hit.start() for hit in _NUMBER_WORD.finditer(low)]
    out = []
    for lo, hi in chunk_bounds(n):
        m = max(1, hi - lo)
        seg = lp[lo:hi]
        out.append({
            "table_llr": sum(table[lo:hi]) / m,
            "article_rate": sum(art[lo:hi]) / m,
            "fluency": sum(seg) / m,
            "odd_rate": sum(1 for v in seg if ODD_AT <= v < UNIGRAM_FLOOR) / m,
            "context": sum(ug[lo:hi]) / m - sum(seg) / m,
            "oov_rate": sum(1 for v in seg if v >= UNIGRAM_FLOOR) / m,
        })
    if numbers and out:  # rare enough to count on the whole page, in its worst chunk later
        for c in out:
            c["table_llr"] += LLR_CAP * len(numbers) / max(1, n)
    return out


def chunk_score(f: dict[str, float]) -> float:
    return BIAS + sum(w * f[k] for k, w in WEIGHTS.items())


def score(text: str) -> float:
    """The page's triage score: its worst chunk's. Higher is more suspicious."""
    cs = features(text)
    return max(chunk_score(c) for c in cs) if cs else float("-inf")


def passes(text: str, threshold: float | None = None) -> bool:
    """Whether the page goes on to the detector (True) or is scored clean here (False)."""
    return score(text) >= (THRESHOLD if threshold is None else threshold)
