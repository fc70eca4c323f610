"""Decode: choose a document's edits from its screened suspects.

The suspects worth the LM's time are scored by it, every option gets the edit model's
probability at the document's estimated spin rate, and the edits are taken best-first,
non-overlapping, above the decision probability. Later passes re-score suspects next to an
edit the pass before accepted, with the edits applied, since neighbouring edits interact
("each nations" -> "both countries"; "decreasing its coverage charge", one link a pass).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .calibration import predict, predict_many
from .edits import Choice, best_p, decide_at, edit_model, features, pick, spin_rate, with_rate
from .review import review
from .score import pool, score
from .screen import passes
from .sites import Site
from ..text import Doc

# Suspects whose best candidate is this unlikely on the evidence without the LM never reach
# it: on the dev split this skips about half of the suspects that pass SCREEN and 1 in 800 of
# the right edits the decision would have accepted.
CASCADE = 0.03
# Later passes decide again the suspects near an edit made in the pass before, with the
# edits in place. Chosen on the real spun pages' dev split (bench/real_pages.py, 23 pages,
# known spinner), checked on the simulated dev split (bench/real.py --split dev --docs 12):
NEIGHBOURHOOD = 8           # words: suspects this close to a new edit are decided again ...
UNSETTLED = (0.03, 0.85)    # ... when pass 1 left their best option's p in this band
PASSES = 3                  # the first pass and two of re-decisions
# Only the options still in the running (p within this factor of their suspect's best) are
# scored again, so a fluent wrong word the decision had already put aside no longer crowds
# the original's margin; the others keep their pass-1 p.
AGAIN_AT = 0.1
# Re-decided suspects sit near the cut, and re-decided with fewer rivals their p runs higher:
# they must clear the cut by this much. Real pages, dev (known spinner), against the single
# pass 2 of earlier sessions (band 0.15-0.85, 3 words, every option again): damage undone
# 55.0 % -> 55.2 %, precision 0.956 -> 0.964, untouched words changed 0.29 % -> 0.19 %
# (with no margin: 58.1 %, 0.954, 0.31 %). Simulated dev, known spinner at its natural rate:
# 63.7 % -> 63.2 % restored, untouched changed 0.64 % -> 0.57 %, at about the same speed.
AGAIN_CUT = 0.06


@dataclass(frozen=True)
class Decoding:
    chosen: list[Choice]    # the edits, each with its suspect's other options
    options: list[Choice]   # every option weighed, carrying the evidence it was weighed on
    rate: float | None = None  # the document's estimated spin rate (None: nothing to weigh)

    @property
    def sites(self) -> list[Site]:
        """The suspects the decision weighed (with the LM: those that reached it), as scored."""
        return list({o.site.key: o.site for o in self.options}.values())


def decode(doc: Doc, sites: list[Site], model, progress=None, reader=None,
           fast_review: bool = False) -> Decoding:
    """Choose edits: best-first, non-overlapping, each above the decision probability.
    reader: a second LM that, with the decision's own, reviews the edits at the end
    (engine.review); fast_review: the fast review, in which the decision's LM does not read
    the page again."""
    use_lm = model is not None
    live, skipped = split(sites, use_lm)
    if not live:
        return Decoding([], [])
    if use_lm:
        live = pool(score(doc, live, model, {}, progress))
    # Each candidate's evidence once, read by both stages; suspects the cascade skipped still
    # count towards the rate, on their cheap evidence.
    evidence = [(s, c, features(s, c, use_lm)) for s in live for c in s.cands]
    first, final = edit_model(use_lm, False), edit_model(use_lm, True)
    rate = spin_rate([Choice(s, c, predict(first, f)) for s, c, f in evidence] + skipped,
                     len(doc.words))
    ps = predict_many(final, [with_rate(f, rate) for _, _, f in evidence])
    options = [Choice(s, c, p) for (s, c, _), p in zip(evidence, ps)]
    chosen = pick(options, set(), decide_at(use_lm, rate))
    if not use_lm:
        return Decoding(_with_others(chosen, options), options, rate)
    # Later passes: decide again the unsettled suspects next to an edit made in the pass
    # before, with the neighbours' edits in place; a chain of spun words ("decreasing its
    # coverage charge") comes undone one link a pass.
    triggers = chosen
    for _ in range(PASSES - 1):
        best = best_p(options)
        near = [s for s in live if UNSETTLED[0] <= best[s.key] < UNSETTLED[1]
                and any(_close(s, ch) for ch in triggers)]
        if not near:
            break
        redo = {s.key for s in near}
        kept = [ch for ch in chosen if ch.site.key not in redo]
        context = {ch.site.key: (ch.site, ch.cand.text) for ch in chosen}
        # Only the options still in the running are scored again; the rest keep their p.
        running = {(o.site.key, o.cand.text) for o in options
                   if o.site.key in redo and o.p >= AGAIN_AT * best[o.site.key]}
        faded = [o for o in options if o.site.key in redo and (o.site.key, o.cand.text) not in running]
        near = [replace(s, cands=tuple(c for c in s.cands if (s.key, c.text) in running)) for s in near]
        rescored = {s.key: s for s in score(doc, near, model, context, None)}
        # The same swap's evidence elsewhere now includes the re-scored suspects.
        live = pool([rescored.get(s.key, s) for s in live])
        again = _options([s for s in live if s.key in redo], True, rate)
        before = {(ch.site.key, ch.cand.text) for ch in chosen}
        chosen = kept + pick(again, {i for ch in kept for i in ch.words}, decide_at(True, rate) + AGAIN_CUT)
        # (the re-scored copy of a suspect last: Decoding.sites keeps the last copy)
        options = [o for o in options if o.site.key not in redo] + faded + again
        triggers = [ch for ch in chosen if (ch.site.key, ch.cand.text) not in before]
    if reader is not None:
        chosen = review(doc, chosen, options, reader, None if fast_review else model, rate=rate)
    return Decoding(_with_others(chosen, options), options, rate)


def _with_others(chosen: list[Choice], options: list[Choice]) -> list[Choice]:
    """Each chosen option with the other options of its suspect (its alternatives)."""
    by_site: dict[tuple[int, int], list[Choice]] = {}
    for o in options:
        by_site.setdefault(o.site.key, []).append(o)
    return [replace(ch, others=tuple(o for o in by_site.get(ch.site.key, []) if o.cand is not ch.cand))
            for ch in chosen]


def split(sites: list[Site], use_lm: bool) -> tuple[list[Site], list[Choice]]:
    """(suspects for the LM, the options of those that pass screening (screen.passes) but
    not the CASCADE, scored by the first stage without the LM)."""
    if not use_lm:
        return sites, []
    live: list[Site] = []
    skipped: list[Choice] = []
    for s in sites:
        if not passes(s):
            continue
        cheap = _options([s], False, None)
        if max(ch.p for ch in cheap) >= CASCADE:
            live.append(s)
        else:
            skipped += cheap
    return live, skipped


def _options(sites: list[Site], use_lm: bool, rate: float | None) -> list[Choice]:
    pairs = [(s, c) for s in sites for c in s.cands]
    model = edit_model(use_lm, rate is not None)
    ps = predict_many(model, [features(s, c, use_lm, rate) for s, c in pairs])
    return [Choice(s, c, p) for (s, c), p in zip(pairs, ps)]


def _close(s: Site, ch: Choice) -> bool:
    a, b = ch.site.i, ch.site.i + ch.site.n
    if s.key == ch.site.key:
        return False
    return s.i < b + NEIGHBOURHOOD and a < s.i + s.n + NEIGHBOURHOOD
