"""Review: a second language model reads the page as restore left it and settles the
contested edits.

The decision (engine.decode) weighs each option in a context that is still partly spun, where
a fluent wrong word can look as good as the original. Once the decision has made its edits,
the page around each contested suspect is mostly restored, and a second reader (Gemma 3 270M,
which ranks worse than SmolLM2 in a spun context but better in a clean one) is asked again:
the log-prob gain of the suspect's best option over the spun wording, with every other chosen
edit in place. A small logistic model on the decision's p and that gain then accepts or
refuses the option. Only suspects whose best option's p lies in a band are contested: above
it the decision is sure enough, below it the option is rarely right.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Mapping

from .calibration import params, sigmoid
from .edits import Choice, clip, pick
from .score import score
from .sites import Cand
from ..text import Doc


@dataclass(frozen=True)
class Rule:
    """The reviewer's model: q = sigmoid(bias + w_p * logit(p) + w_gain * clip(gain)), an
    option accepted at q >= cut, for suspects whose best p lies in [lo, hi]."""
    lo: float
    hi: float
    bias: float
    w_p: float
    w_gain: float
    cut: float
    clip: float = 10.0

    @classmethod
    def from_params(cls, d: Mapping) -> "Rule":
        return cls(**{k: float(v) for k, v in d.items() if k in cls.__dataclass_fields__})

    def q(self, p: float, gain: float) -> float:
        p = min(max(p, 1e-4), 1 - 1e-4)
        return sigmoid(self.bias + self.w_p * math.log(p / (1 - p)) + self.w_gain * clip(gain, self.clip))


def contested(options: list[Choice], rule: Rule) -> list[Choice]:
    """Each suspect's best option, where its p lies in the rule's band (text order)."""
    best: dict[tuple[int, int], Choice] = {}
    for o in options:
        b = best.get(o.site.key)
        if b is None or o.p > b.p:
            best[o.site.key] = o
    return sorted((o for o in best.values() if rule.lo <= o.p <= rule.hi),
                  key=lambda o: o.site.start)


def reread(doc: Doc, disputed: list[Choice], chosen: list[Choice], reader) -> list[float]:
    """The reader's log-prob gain of each disputed option over the spun wording, with the
    chosen edits (other than the option's own suspect's) in place around it."""
    if not disputed:
        return []
    context = {c.site.key: (c.site, c.cand.text) for c in chosen}
    cands: dict[tuple[int, int], dict[str, Cand]] = {}  # a suspect's disputed options, once each
    for o in disputed:
        cands.setdefault(o.site.key, {})[o.cand.text] = o.cand
    sites = [replace(o.site, cands=tuple(cands.pop(o.site.key).values()))
             for o in disputed if o.site.key in cands]
    gain = {(s.key, c.text): c.lm_gain or 0.0 for s in score(doc, sites, reader, context) for c in s.cands}
    return [gain[o.site.key, o.cand.text] for o in disputed]


def settle(chosen: list[Choice], disputed: list[Choice], gains: list[float],
           rule: Rule) -> list[Choice]:
    """The chosen edits with the disputed suspects decided by the rule: an edit kept or made
    where q clears the cut (its p is then q), dropped where it does not."""
    at = {o.site.key for o in disputed}
    kept = [c for c in chosen if c.site.key not in at]
    weighed = [replace(o, p=rule.q(o.p, g)) for o, g in zip(disputed, gains)]
    return kept + pick(weighed, {i for c in kept for i in c.words}, rule.cut)


def default_rule() -> Rule | None:
    """The fitted rule (unspin/data/calibration.json's "review"), or None where none is."""
    fitted = params().get("review")
    return Rule.from_params(fitted) if fitted else None


def review(doc: Doc, chosen: list[Choice], options: list[Choice], reader,
           rule: Rule | None = None) -> list[Choice]:
    """The chosen edits after the reader's review of the contested suspects."""
    rule = rule or default_rule()
    if rule is None:
        return chosen
    disputed = contested(options, rule)
    return settle(chosen, disputed, reread(doc, disputed, chosen, reader), rule)
