"""Screening: which candidates of a suspect, and which suspects, are worth the neural LM's time.

Two cuts, cheapest first: the 3-gram model's gain for each candidate (at suspect-finding time),
then the LM's opinion of the candidate's first token given the words before it (one pass over
each sentence). A spinner's known swaps always stay; thesaurus guesses compete for the rest.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from ..language import ARTICLES, article_agrees
from ..text import Doc, plain_apostrophes
from ..lexicon.lexicon import TABLE_SOURCES
from .sites import Cand, Site, by_sentence, evolve

# The 3-gram screen keeps the best `keep` thesaurus candidates plus up to this many LM proposals.
KEEP_PROPOSALS = 2
KEEP = 4                    # candidates per suspect that reach the full LM scoring
WIDE_KEEP = 12              # ... chosen from this many by 3-gram and left-context LM gain
# ... and a thesaurus guess this many nats below the suspect's best on that gain never
# reaches it: on the dev dump they were 38 % of the LM's options, and dropping them changed
# no decision (known and unknown spinners and clean text alike, to 0.1 point). A spinner's
# known swaps always stay: dropping them cost a point.
NEAR_BEST = 2.0
SCREEN = 1.0                # suspects whose best screening gain is below this never reach the LM ...
# ... unless the spinner table knows a swap for them: on the dev dump (8 articles a cell, the
# decision refitted either way) letting those through restored 56.5 % of the known spinner's
# edits instead of 52.9 % (unknown spinners 37.0 % against 35.7 %) at the same precision, for
# 43 % more suspects at the LM.


def by_ngram(found: list[tuple[Site, int, int]], ids: list[int], ng, prev: list[str],
             keep: int, prior: Callable[[Cand], float]) -> list[Site]:
    """Each suspect with each candidate's 3-gram gain over the spun words (window: the suspect
    and the two words after it in its sentence), cut to its spinner habits plus the best `keep`
    other candidates. found: (suspect, its sentence's first word, the sentence's end) in word
    indexes; ids: the 3-gram model's ids of the document's lower-cased words; prev: the
    document's lower-cased words (the one before a suspect decides the article rule); prior:
    a kept candidate's prior (engine.suspects.prior: worked out for the kept ones only). All
    windows are scored in one batch (NGramLM.windows): a long text has millions."""
    import numpy as np
    from .lm import PAD, START
    if not found:
        return []
    cand_ids = ng.phrase_ids([c.text for s, _, _ in found for c in s.cands])
    width = max(4, max(len(x) for x in cand_ids), max(s.n for s, _, _ in found))
    pads = [[PAD] * k for k in range(width + 1)]
    # rows: each suspect's own words, then each candidate's, padded to `width`; the words
    # before and after are the suspect's (its rows share them). Built as flat lists of ints:
    # a million small numpy assignments would cost more than the scoring.
    flat: list[int] = []
    befores: list[int] = []
    afters: list[int] = []
    rows_of: list[int] = []
    ci = 0
    for s, lo, hi in found:
        i, n, k = s.i, s.n, len(s.cands)
        b = ids[max(lo, i - 2):i]
        a = ids[i + n:min(hi, i + n + 2)]
        befores += [START] * (2 - len(b)) + b
        afters += a + pads[2 - len(a)]
        flat += ids[i:i + n] + pads[width - n]
        for phrase in cand_ids[ci:ci + k]:
            flat += phrase + pads[width - len(phrase)]
        ci += k
        rows_of.append(k + 1)
    rep = np.asarray(rows_of)
    sums = ng.windows(np.repeat(np.asarray(befores, np.int64).reshape(-1, 2), rep, axis=0),
                      np.asarray(flat, np.int64).reshape(-1, width),
                      np.repeat(np.asarray(afters, np.int64).reshape(-1, 2), rep, axis=0))
    # each candidate's gain over its suspect's own words, in order
    n_sites = len(found)
    first = np.cumsum(rep) - rep                       # each suspect's own row
    is_cand = np.ones(len(sums), dtype=bool)
    is_cand[first] = False
    site_of = np.repeat(np.arange(n_sites), rep - 1)   # each candidate's suspect
    gains = sums[is_cand] - sums[first][site_of]
    cands = [c for s, _, _ in found for c in s.cands]
    at = 0
    for s, _, _ in found:
        word_before = prev[s.i - 1] if s.i > 0 else ""
        if word_before in ARTICLES:
            # Spinners never fix the article: agreement with it is evidence for the original.
            spun = article_agrees(word_before, s.text)
            for k, c in enumerate(s.cands, at):
                gains[k] = gains[k] + 2.0 * (article_agrees(word_before, c.text) - spun)
        at += len(s.cands)
    kept = _kept(site_of, gains, cands, keep)
    gain_of, kept_in = gains[kept].tolist(), np.bincount(site_of[kept], minlength=n_sites).tolist()
    bases = sums[first].tolist()
    out = []
    at = 0
    kept_rows = kept.tolist()
    for (s, _, _), k, base in zip(found, kept_in, bases):
        if k:
            # Only the kept candidates become new records: this runs for every suspect of a crawl.
            mine = zip(kept_rows[at:at + k], gain_of[at:at + k])
            out.append(evolve(s, cands=tuple(evolve(cands[r], ngram_gain=g, prior=prior(cands[r]))
                                             for r, g in mine), ngram_logp=base / (s.n + 2)))
        at += k
    return out


def _kept(site_of, gains, cands: list[Cand], keep: int):
    """Which candidates stay (their indexes, by suspect, in the order kept): a suspect's known
    spinner habits always; its thesaurus guesses compete for `keep` places by 3-gram gain, and
    the LM's proposals (already filtered by meaning) for places of their own. (Ties keep the
    candidates' order: every sort here is stable.)"""
    import numpy as np
    known = np.fromiter((c.source in TABLE_SOURCES for c in cands), dtype=bool, count=len(cands))
    lm = np.fromiter((c.source == "lm" for c in cands), dtype=bool, count=len(cands))
    order = np.lexsort((-gains, ~known, lm, site_of))  # the last key sorts first
    group = site_of[order] * 2 + lm[order]             # (suspect, proposals or not)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    n_known = np.bincount(site_of, weights=known, minlength=int(site_of.max()) + 1)
    room = np.where(lm[order], KEEP_PROPOSALS, np.maximum(keep, n_known[site_of[order]]))
    return order[rank < room]


def by_left_context(doc: Doc, sites: list[Site], model) -> list[Site]:
    """The sites (in text order) with each candidate's left-context LM gain, each cut to its
    spinner habits plus the KEEP best others by 3-gram + left-LM gain within NEAR_BEST of the
    best."""
    words = doc.words
    texts, positions, options, owners = [], [], [], []
    for (lo, hi), group in by_sentence(doc, sites):
        base = words[lo].start
        texts.append(doc.plain_text[base:words[hi - 1].end])
        positions.append([s.start - base for s in group])
        options.append([[plain_apostrophes(s.text.lower())] + [c.text for c in s.cands]
                        for s in group])
        owners.append(group)
    out: list[Site] = []
    for group, per in zip(owners, model.first_token_logprobs(texts, positions, options)):
        for s, lps in zip(group, per):
            cands = [replace(c, left_gain=lp - lps[0]) for c, lp in zip(s.cands, lps[1:])]
            table = [c for c in cands if c.known]
            best = max(c.ngram_gain + c.left_gain for c in cands)
            rest = sorted((c for c in cands if not c.known
                           and c.ngram_gain + c.left_gain >= best - NEAR_BEST),
                          key=lambda c: -(c.ngram_gain + c.left_gain))
            out.append(replace(s, left_logp=lps[0],
                               cands=tuple(table + rest[:max(0, KEEP - len(table))])))
    return out


def passes(site: Site) -> bool:
    """Whether the suspect is worth the LM: a known spinner swap, or a candidate that reads
    better than the spun text on the cheap evidence (SCREEN)."""
    return any(c.known for c in site.cands) \
        or max(c.ngram_gain + c.left_gain for c in site.cands) > SCREEN
