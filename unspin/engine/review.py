"""Review: a second language model reads the page as the decision left it and decides again.

The decision (engine.decode) weighs each option in a context that is still partly spun, where
a fluent wrong word can look as good as the original. Once the decision has made its edits,
the page around each suspect is mostly restored, and a second reader (Gemma 3 270M, which
ranks worse than SmolLM2 in a spun context but better in a clean one) gives every option still
in the running its log-prob gain over the spun wording, with the other chosen edits in place.
In the full review the decision's own LM (SmolLM2) reads the restored page too; in the fast
one its decision-time gains stand in for that reading. A logistic model on the decision's p,
both gains and each gain's margin over the suspect's other options then decides the suspect
again: it may keep the edit, drop it, make a refused one, or choose another option (each mode
its own rule, fitted on dev: bench/review_fit.py). The fit leans on the decision's p and
Gemma's margin; SmolLM2's gain and margin weigh against an option, given p: what SmolLM2 alone
likes is often a fluent wrong word. The fast review skips a reading that cost about 3 s of a
1,000-word article's 18 and restores 1 to 2 points fewer of the spinner's edits (test split).
Suspects whose best option is unlikely are left as decided: they are rarely right and would
only cost reading time.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from .calibration import params, sigmoid
from .edits import Choice, best_p, bolder, clip, pick
from .score import score
from .sites import Cand
from ..errors import UnspinError
from ..text import Doc

# The evidence the rule weighs, in its weights' order.
FEATURES = ("logit_p", "reader", "model", "reader_margin", "model_margin")


@dataclass(frozen=True)
class Rule:
    """The review's model: q = sigmoid(bias + weights . evidence) (FEATURES), gains clipped to
    ±clip nats. A suspect is reviewed where its best option's p is at least `floor`, and only
    its options with p at least `running` times that best; its edit is the best reviewed
    option with q >= cut, if any."""
    floor: float
    running: float
    bias: float
    weights: tuple[float, ...]
    cut: float
    clip: float = 10.0

    @classmethod
    def from_params(cls, d: Mapping) -> "Rule":
        w = d["weights"]
        return cls(float(d["floor"]), float(d["running"]), float(d["bias"]),
                   tuple(float(w[k]) for k in FEATURES), float(d["cut"]), float(d.get("clip", 10.0)))

    def q(self, evidence: Sequence[float]) -> float:
        return sigmoid(self.bias + sum(w * x for w, x in zip(self.weights, evidence)))


def contested(options: list[Choice], rule: Rule) -> list[Choice]:
    """The options the review reads again (text order): those of suspects whose best p is at
    least the rule's floor, with p at least `running` times that best."""
    best = best_p(options)
    return sorted((o for o in options if best[o.site.key] >= rule.floor
                   and o.p >= rule.running * best[o.site.key]),
                  key=lambda o: (o.site.start, o.site.end, -o.p))


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


def evidence(disputed: list[Choice], reader_gains: list[float], model_gains: list[float],
             lim: float = 10.0) -> list[tuple[float, ...]]:
    """Each disputed option's evidence (FEATURES): logit p, the reader's and the decision's
    clipped gains, and each gain's margin over the best other disputed option of its suspect
    (or over the spun wording, gain 0)."""
    g = [clip(x, lim) for x in reader_gains]
    s = [clip(x, lim) for x in model_gains]
    by_site: dict[tuple[int, int], list[int]] = {}
    for k, o in enumerate(disputed):
        by_site.setdefault(o.site.key, []).append(k)

    def margin(gains: list[float], k: int) -> float:
        others = [gains[j] for j in by_site[disputed[k].site.key] if j != k]
        return gains[k] - max(others + [0.0])
    out: list[tuple[float, ...]] = []
    for k, o in enumerate(disputed):
        p = min(max(o.p, 1e-4), 1 - 1e-4)
        out.append((math.log(p / (1 - p)), g[k], s[k], margin(g, k), margin(s, k)))
    return out


def settle(chosen: list[Choice], disputed: list[Choice], xs: list[tuple[float, ...]],
           rule: Rule) -> list[Choice]:
    """The chosen edits with the disputed suspects decided again by the rule: for each, its
    best option with q at or above the cut (its p is then q), or no edit."""
    at = {o.site.key for o in disputed}
    kept = [c for c in chosen if c.site.key not in at]
    weighed = [replace(o, p=rule.q(x)) for o, x in zip(disputed, xs)]
    return kept + pick(weighed, {i for c in kept for i in c.words}, rule.cut)


MODES = ("full", "fast", "off")


def mode() -> str:
    """The review $UNSPIN_REVIEW asks for: "full" (the default), "fast", or "off" (also "0").
    Any other value is an error, as an unknown `review` argument is (resolve): a misspelt
    setting must not quietly run a review its user did not ask for."""
    m = os.environ.get("UNSPIN_REVIEW", "full").strip().lower() or "full"
    m = "off" if m == "0" else m
    if m not in MODES:
        raise UnspinError(f"UNSPIN_REVIEW={os.environ['UNSPIN_REVIEW']!r} is not a review; "
                          f"set it to {', '.join(MODES)} or 0")
    return m


def resolve(review: bool | str) -> str:
    """restore's `review` argument as a mode: True is $UNSPIN_REVIEW's (mode()), False "off"."""
    if review is True:
        return mode()
    if review is False:
        return "off"
    if review not in MODES:
        raise UnspinError(f"unknown review {review!r}; choose from {', '.join(MODES)}")
    return review


def default_rule(fast: bool = False) -> Rule | None:
    """The fitted rule of the full or the fast review (unspin/data/calibration.json's "review"
    or "review_fast"), or None where none is."""
    fitted = params().get("review_fast" if fast else "review")
    return Rule.from_params(fitted) if fitted and "weights" in fitted else None


def decision_gains(disputed: list[Choice]) -> list[float]:
    """The decision's own LM gain of each disputed option (as it last read the option)."""
    return [o.cand.lm_gain or 0.0 for o in disputed]


def review(doc: Doc, chosen: list[Choice], options: list[Choice], reader, model=None,
           rule: Rule | None = None, rate: float | None = None) -> list[Choice]:
    """The chosen edits after the review by `reader` (the second LM) and `model` (the
    decision's own LM, for the full review; None: the fast review, on its decision-time gains).
    rate: the document's estimated spin rate; either review's cut is lowered for a heavily
    spun document as the decision's is (edits.bolder)."""
    rule = rule or default_rule(fast=model is None)
    if rule is None:
        return chosen
    rule = replace(rule, cut=bolder(rule.cut, rate))
    disputed = contested(options, rule)
    g = reread(doc, disputed, chosen, reader)
    # (with $UNSPIN_LM=gemma3 the two readers are one model, read once and weighed twice: the
    # rules were fitted for two, so that configuration's review is a rougher one)
    s = decision_gains(disputed) if model is None else g if model is reader \
        else reread(doc, disputed, chosen, model)
    return settle(chosen, disputed, evidence(disputed, g, s, rule.clip), rule)
