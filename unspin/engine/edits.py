"""The edit model: a calibrated probability that a candidate is a suspect's original.

A model fitted on the dev split by bench/tune.py (boosted trees for the decision with the LM,
logistic otherwise) over the candidate's evidence: the
SmolLM2 log-prob gain over the spun wording, the 3-gram gain, how likely a spinner was to
produce the text from it, and word frequencies. It runs in two stages: the first, without the
document's spin rate, estimates that rate; the decision model then reads it too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .calibration import params
from .sites import Cand, Site

# A learned swap (`unspin learn`, from caught copies) is a spinner's habit seen on real pages,
# as the observed table's are: it takes their input, since no dev evidence holds learned swaps
# (a separate input, always 0 when fitted, made the decision treat them as thesaurus guesses).
SOURCES_ONE_HOT = ("wordnet", "mythes", "aiksaurus", "habit", "observed", "lm", "confusion")
AS_SOURCE = {"learned": "observed", "contraction": "confusion"}
RATE_FLOOR = 0.002          # spin-rate estimates are clipped to [floor, 1 - floor] before logit


@dataclass(frozen=True)
class Choice:
    """A scored edit: `cand` for `site` with probability p, and the site's other options."""
    site: Site
    cand: Cand
    p: float
    others: tuple["Choice", ...] = field(default=(), repr=False)

    @property
    def words(self) -> set[int]:
        return set(range(self.site.i, self.site.i + self.site.n))


def features(site: Site, cand: Cand, use_lm: bool = True,
             rate: float | None = None) -> dict[str, float]:
    """The evidence for `cand` being the original of `site`, as model inputs.

    rate: the document's estimated spin rate (share of words a spinner replaced); a heavily
    spun document makes every swap more likely, a clean one less."""
    zipf = _zipf

    def total(c: Cand) -> float:
        return (c.lm_gain if use_lm else c.ngram_gain) or 0.0

    others = [total(c) for c in site.cands if c is not cand]
    scale = site.table_scale if use_lm else 1.0  # detection and the 3-gram decision: as fitted
    g = total(cand)
    # Without the LM, its left-context screening never ran: those inputs are zero.
    f = {"gain": clip(g), "ngram": clip(cand.ngram_gain), "prior": cand.prior,
         "left": clip(cand.left_gain) if use_lm else 0.0,
         "odd_lm": clip(-site.left_logp) if use_lm else 0.0,
         "odd_ngram": clip(-site.ngram_logp),
         "dlen": abs(len(cand.text.split()) - site.n), "n": site.n,
         "z_spun": zipf(site.text.lower()), "z_cand": zipf(cand.text),
         "margin": clip(g - max(others + [0.0])),
         # Real spinners' tables: how often this swap, and this spun text, were seen.
         # (counts at the scale of the table the decision was fitted with: SpinnerTable.count_scale)
         "table": math.log1p(cand.count * scale), "spun_known": math.log1p(site.spun_weight * scale),
         "table_share": cand.count / site.spun_weight if site.spun_weight else 0.0,
         "table_odds": clip(cand.odds, 10.0),
         # How often a spinner rewrites the original where it occurs, and the spun text.
         "orig_rate": cand.rewrite_rate, "spun_rate": site.rewrite_rate,
         "in_name": float(site.in_name), **doc_features(cand, use_lm)}
    f["gain_table"] = f["gain"] * (cand.count > 0)
    source = AS_SOURCE.get(cand.source, cand.source)
    for src in SOURCES_ONE_HOT:
        f["src_" + src] = float(source == src)
    return f if rate is None else with_rate(f, rate)


def columns_without_lm(pairs: list[tuple[Site, Cand]], rate: float | None = None):
    """features(site, cand, use_lm=False[, rate]) for many pairs at once: name -> numpy
    column, equal to the dicts' values to the bit (tests/test_screen_batch.py checks it).
    Detection scores every candidate of a long text this way: a dict a candidate cost a fifth
    of its time."""
    import numpy as np
    zipf = _zipf

    def col(values) -> np.ndarray:
        return np.fromiter(values, dtype=float, count=len(pairs))
    # margin: the candidate's gain over the best other candidate of its site (or 0)
    margin_to: dict[int, float] = {}
    by_site: dict[int, list[Cand]] = {}
    for site, cand in pairs:
        by_site.setdefault(id(site), list(site.cands))
    for key, cands in by_site.items():
        totals = [c.ngram_gain or 0.0 for c in cands]
        for c, t in zip(cands, totals):
            others = [u for d, u in zip(cands, totals) if d is not c]
            margin_to[id(c)] = t - max(others + [0.0])
    count = col(c.count for _, c in pairs)
    spun_weight = col(s.spun_weight for s, _ in pairs)
    gain = clipped(col(c.ngram_gain or 0.0 for _, c in pairs))
    zero = np.zeros(len(pairs))
    source = [AS_SOURCE.get(c.source, c.source) for _, c in pairs]
    f = {"gain": gain, "ngram": clipped(col(c.ngram_gain for _, c in pairs)),
         "prior": col(c.prior for _, c in pairs), "left": zero, "odd_lm": zero,
         "odd_ngram": clipped(col(-s.ngram_logp for s, _ in pairs)),
         "dlen": col(abs(len(c.text.split()) - s.n) for s, c in pairs),
         "n": col(s.n for s, _ in pairs),
         "z_spun": col(zipf(s.text.lower()) for s, _ in pairs),
         "z_cand": col(zipf(c.text) for _, c in pairs),
         "margin": clipped(col(margin_to[id(c)] for _, c in pairs)),
         # (math's log1p, not numpy's vectorised one, which may differ in the last bit)
         "table": col(math.log1p(x) for x in count.tolist()),
         "spun_known": col(math.log1p(x) for x in spun_weight.tolist()),
         "table_share": np.divide(count, spun_weight, out=np.zeros(len(pairs)),
                                  where=spun_weight != 0),
         "table_odds": clipped(col(c.odds for _, c in pairs), 10.0),
         "orig_rate": col(c.rewrite_rate for _, c in pairs),
         "spun_rate": col(s.rewrite_rate for s, _ in pairs),
         "in_name": col(float(s.in_name) for s, _ in pairs), "doc_gain": zero, "doc_n": zero}
    f["gain_table"] = f["gain"] * (count > 0)
    for src in SOURCES_ONE_HOT:
        f["src_" + src] = col(float(x == src) for x in source)
    if rate is not None:
        f = columns_with_rate(f, rate)
    return f


def columns_with_rate(f: dict, rate: float) -> dict:
    """with_rate for columns_without_lm's columns."""
    import numpy as np
    lo = _rate_logit(rate)
    return dict(f, rate=np.full(len(f["gain"]), lo), rate_gain=lo * clipped(f["gain"], 10.0),
                rate_table=lo * f["table"])


def _zipf(phrase: str) -> float:
    """The zipf frequency of a phrase's rarest word (remembered: every suspect asks)."""
    v = _ZIPF.get(phrase)
    if v is None:
        from wordfreq import zipf_frequency
        if len(_ZIPF) > 200_000:
            _ZIPF.clear()
        v = _ZIPF[phrase] = min(zipf_frequency(w, "en") for w in phrase.split())
    return v


_ZIPF: dict[str, float] = {}


def doc_features(cand: Cand, use_lm: bool = True) -> dict[str, float]:
    """A spinner swaps a word the same way throughout: the LM's verdict on the same swap
    elsewhere in the document (set by engine.score.pool; the no-LM path never has it)."""
    if not use_lm:
        return {"doc_gain": 0.0, "doc_n": 0.0}
    return {"doc_gain": clip(cand.doc_gain, 10.0), "doc_n": math.log1p(cand.doc_n)}


def with_rate(f: dict[str, float], rate: float) -> dict[str, float]:
    """Edit features plus the document's spin rate (as log-odds) and its interactions:
    the same LM gain or table count means more in a heavily spun document."""
    lo = _rate_logit(rate)
    return dict(f, rate=lo, rate_gain=lo * clip(f["gain"], 10.0), rate_table=lo * f["table"])


def _rate_logit(rate: float) -> float:
    r = min(1 - RATE_FLOOR, max(RATE_FLOOR, rate))
    return math.log(r / (1 - r))


def clip(x: float, lim: float = 20.0) -> float:
    """Gains beyond ±lim nats say no more than lim."""
    return max(-lim, min(lim, x))


def clipped(x, lim: float = 20.0):
    """clip() for a numpy array."""
    import numpy as np
    return np.maximum(-lim, np.minimum(lim, x))


def edit_model(use_lm: bool, staged: bool) -> dict:
    """The fitted edit model: the decision (with the spin rate) or the first stage (without)."""
    return params()[("edit" if use_lm else "edit_ngram") + ("" if staged else "_first")]


def spin_rate(options: list[Choice], n_words: int) -> float:
    """Expected share of the document's words a spinner replaced: the sum, over suspects,
    of the first-stage probability that the best candidate is the original."""
    best: dict[tuple[int, int], float] = {}
    for ch in options:
        k = ch.site.key
        best[k] = max(best.get(k, 0.0), ch.p * ch.site.n)
    return sum(best.values()) / max(1, n_words)


def decide_at(use_lm: bool = True, rate: float | None = None) -> float:
    """The probability an edit needs to be made (with the LM: lower in a heavily spun
    document, bolder())."""
    p = params()
    if not use_lm:
        return p.get("decide_at_ngram", p.get("decide_at", 0.5))
    return bolder(p.get("decide_at", 0.5), rate)


def bolder(cut: float, rate: float | None) -> float:
    """The cut for a document whose estimated spin rate is `rate`: lower by `slope` per unit
    of rate above `from`, by at most `most` (calibration.json's "bold"). The decision was
    fitted on simulated spins whose rate estimates rarely pass 0.25; real content-farm pages
    run at 0.18-0.32, and there its edits between p 0.4 and the cut are right 3 times in 4
    (the real pages' dev split), so a heavily spun page is restored more boldly and a lightly
    spun or clean one keeps the cut."""
    b = params().get("bold")
    if not b or rate is None:
        return cut
    return cut - min(float(b["most"]), float(b["slope"]) * max(0.0, rate - float(b["from"])))


def best_p(options: list[Choice]) -> dict[tuple[int, int], float]:
    """Each suspect's (by site key) highest option p."""
    best: dict[tuple[int, int], float] = {}
    for o in options:
        best[o.site.key] = max(best.get(o.site.key, 0.0), o.p)
    return best


def pick(options: list[Choice], used: set[int], cut: float) -> list[Choice]:
    """Best-first, non-overlapping options at or above `cut` (`used`: words already edited)."""
    taken: list[Choice] = []
    for ch in sorted(options, key=lambda c: -c.p):
        if ch.p < cut:
            break
        if ch.words & used:
            continue
        taken.append(ch)
        used |= ch.words
    return taken
