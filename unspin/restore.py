"""Restore: score each suspect's candidates in context and decode every sentence jointly.

Pass 1 scores every candidate against the spun wording with SmolLM2, each in the original
context. Pass 2 re-scores suspects next to an accepted edit with that edit applied, since
neighbouring edits interact ("each nations" -> "both countries").
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from .errors import UnspinError
from .sites import TABLE_SOURCES, Cand, Site, find_sites
from .text import Doc, Edit, apply_edits, match_case

# Decision thresholds in nats of log-probability gain over the spun wording. A thesaurus
# candidate must beat the text clearly; a table the spinner is known to use needs less.
THRESHOLD = {"habit": 0.5, "learned": 0.0}
DEFAULT_THRESHOLD = 2.0
NGRAM_THRESHOLD = 3.0       # the same decision without the neural model (baseline)
SCREEN = 0.5                # sites whose best 3-gram gain is below this never reach the LM
CONTEXT_WORDS = 10          # words of left context the LM sees
LOOKAHEAD_WORDS = 3         # words after the site whose probability the change affects
LENGTH_PENALTY = 2.0        # nats per word added or dropped by a thesaurus candidate
PRIOR_WEIGHT = 0.7          # weight of log(1 / synonyms of the candidate): the spinner's odds
MAX_WORDS = 50_000          # about 25 minutes of LM time on two cores
NEIGHBOURHOOD = 3           # words: suspects this close to an edit are decoded again


@dataclass
class Restoration:
    original: str
    text: str
    edits: list[Edit] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"text": self.text, "edits": [e.to_json() for e in self.edits]}


@dataclass
class _Choice:
    site: Site
    cand: Cand
    gain: float

    @property
    def key(self) -> tuple[int, int]:
        return (self.site.i, self.site.i + self.site.n)


def confidence(gain: float, source: str) -> float:
    """Map a log-prob gain to P(edit is right). Slope/offset come from the dev split (bench/calibrate.py)."""
    from .calibration import restore_params
    a, b = restore_params(source)
    return 1.0 / (1.0 + math.exp(-(a * gain + b)))


def threshold(source: str) -> float:
    return THRESHOLD.get(source, DEFAULT_THRESHOLD)


def restore(text: str, *, sources=None, learned: dict[str, dict[str, int]] | None = None,
            use_lm: bool = True, lexicon=None,
            progress: Callable[[int, int], None] | None = None) -> Restoration:
    """The most likely original wording of `text`, as edits over its character offsets."""
    from . import lm as lms
    from .lexicon import SOURCES, Lexicon, default_lexicon
    if lexicon is None:
        if sources is None and not learned:
            lexicon = default_lexicon()
        else:
            lexicon = Lexicon(sources=tuple(sources or SOURCES), learned=learned)
    doc = Doc(text)
    if len(doc.words) > MAX_WORDS:
        raise UnspinError(f"text has {len(doc.words):,} words; restore takes up to {MAX_WORDS:,} "
                          "per document (split it into articles)")
    sites = find_sites(doc, lexicon, lms.ngram())
    _add_priors(sites, lexicon)
    if use_lm:
        chosen = _decode_neural(doc, sites, lms.neural(), progress)
    else:
        chosen = _decode_ngram(sites)
    edits = []
    for ch in sorted(chosen, key=lambda c: c.site.start):
        to = match_case(ch.site.text, ch.cand.text)
        if to != ch.site.text:
            edits.append(Edit(ch.site.start, ch.site.end, ch.site.text, to,
                              confidence(ch.gain, ch.cand.source)))
    return Restoration(text, apply_edits(text, edits), edits)


def _add_priors(sites: list[Site], lexicon) -> None:
    """How likely a spinner was to turn each candidate into the text it shows.

    A spinner picks among an original's synonyms, so an original with hundreds of them
    ("get", "take") explains any one spun word poorly; a word-count change is rarer still.
    Sequence log-probs also favour short options, which this offsets."""
    fanout: dict[str, int] = {}
    for s in sites:
        for c in s.cands:
            if c.source in TABLE_SOURCES:
                c.prior = 0.0
                continue
            if c.text not in fanout:
                fanout[c.text] = len(lexicon.synonyms(c.text))
            c.prior = (-PRIOR_WEIGHT * math.log(max(fanout[c.text], 1) / 20.0)
                       - LENGTH_PENALTY * abs(len(c.text.split()) - s.n))


def _pick(options: list[_Choice]) -> list[_Choice]:
    """Best-first, non-overlapping, each above its source's threshold."""
    taken: list[_Choice] = []
    used: set[int] = set()
    for ch in sorted(options, key=lambda c: -(c.gain - threshold(c.cand.source))):
        if ch.gain <= threshold(ch.cand.source):
            break
        span = set(range(ch.site.i, ch.site.i + ch.site.n))
        if span & used:
            continue
        taken.append(ch)
        used |= span
    return taken


def _decode_ngram(sites: list[Site]) -> list[_Choice]:
    opts = [_Choice(s, c, c.ngram_gain + c.prior - NGRAM_THRESHOLD + threshold(c.source))
            for s in sites for c in s.cands]
    return _pick(opts)


def _decode_neural(doc: Doc, sites: list[Site], model, progress) -> list[_Choice]:
    live = [s for s in sites if s.best is not None and s.best.ngram_gain > SCREEN]
    if not live:
        return []
    scores = _score(doc, live, model, {}, progress)
    chosen = _pick([_Choice(s, c, g) for s, per in zip(live, scores) for c, g in per])
    # Pass 2: decide again, with the neighbours' edits in place.
    near = [s for s in live if any(_close(s, ch) for ch in chosen)]
    if near:
        context = {ch.key: ch for ch in chosen}
        rescored = _score(doc, near, model, context, None)
        redo = {id(s) for s in near}
        kept = [ch for ch in chosen if id(ch.site) not in redo]
        options = [_Choice(s, c, g) for s, per in zip(near, rescored) for c, g in per]
        used = {i for ch in kept for i in range(ch.site.i, ch.site.i + ch.site.n)}
        options = [o for o in options if not (set(range(o.site.i, o.site.i + o.site.n)) & used)]
        chosen = kept + _pick(options)
    return chosen


def _close(s: Site, ch: _Choice) -> bool:
    a, b = ch.key
    if (s.i, s.i + s.n) == (a, b):
        return False
    return s.i < b + NEIGHBOURHOOD and a < s.i + s.n + NEIGHBOURHOOD


def _render(doc: Doc, lo: int, hi: int, context: dict, skip: Site) -> str:
    """doc.text[lo:hi] with the context edits inside it applied (except `skip`'s own)."""
    out, pos = [], lo
    for ch in sorted(context.values(), key=lambda c: c.site.start):
        s = ch.site
        if s is skip or s.start < lo or s.end > hi or s.start < pos:
            continue
        out += [doc.text[pos:s.start], match_case(s.text, ch.cand.text)]
        pos = s.end
    out.append(doc.text[pos:hi])
    return "".join(out)


def _score(doc: Doc, sites: list[Site], model, context: dict, progress) -> list[list[tuple[Cand, float]]]:
    """LM gain of each candidate over the spun wording, per site."""
    words = doc.words
    pairs, index = [], []
    for k, s in enumerate(sites):
        lo = words[max(0, s.i - CONTEXT_WORDS)].start
        hi_word = min(len(words), s.i + s.n + LOOKAHEAD_WORDS) - 1
        hi = max(words[hi_word].end, s.end)
        # The space before the site travels with the continuation, as BPE attaches it there.
        left = _render(doc, lo, s.start, context, s)
        stripped = left.rstrip()
        gap = left[len(stripped):]
        right = _render(doc, s.end, hi, context, s)
        prefix = model.encode(stripped) if stripped else []
        options = [s.text] + [match_case(s.text, c.text) for c in s.cands]
        for o, opt in enumerate(options):
            pairs.append((prefix, model.encode(gap + opt + right)))
            index.append((k, o))
    logps = _batched(model, pairs, progress)
    base: dict[int, float] = {}
    out: list[list[tuple[Cand, float]]] = [[] for _ in sites]
    for (k, o), lp in zip(index, logps):
        if o == 0:
            base[k] = lp
    for (k, o), lp in zip(index, logps):
        if o > 0:
            cand = sites[k].cands[o - 1]
            cand.lm_gain = lp - base[k]
            out[k].append((cand, cand.lm_gain + cand.prior))
    return out


def _batched(model, pairs, progress, chunk: int = 256) -> list[float]:
    out: list[float] = []
    for a in range(0, len(pairs), chunk):
        out += model.continuation_logprobs(pairs[a:a + chunk])
        if progress:
            progress(min(a + chunk, len(pairs)), len(pairs))
    return out
