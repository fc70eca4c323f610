"""Screening: which candidates of a suspect, and which suspects, are worth the neural LM's time.

Two cuts, cheapest first: the 3-gram model's gain for each candidate (at suspect-finding time),
then the LM's opinion of the candidate's first token given the words before it (one pass over
each sentence). A spinner's known swaps always stay; thesaurus guesses compete for the rest.
"""
from __future__ import annotations

from dataclasses import replace

from ..language import ARTICLES, article_agrees
from ..text import Doc, plain_apostrophes
from .sites import Site, by_sentence, evolve

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


def by_ngram(site: Site, sent: list[str], k: int, ng, prev: str, keep: int) -> Site:
    """`site` with each candidate's 3-gram gain over the spun words (window: the site and two
    words after it, in the lower-cased sentence `sent` where the site starts at word k), cut to
    its spinner habits plus the best `keep` other candidates. prev: the word before the site."""
    n = site.n
    base = ng.window(sent, k, k + n + 2)
    before, after = sent[max(0, k - 2):k], sent[k + n:k + n + 2]  # all the window reads
    scored = []
    for c in site.cands:
        gain = ng.window_with(before, c.text.lower().split(), after) - base
        if prev in ARTICLES:
            # Spinners never fix the article: agreement with it is evidence for the original.
            gain += 2.0 * (article_agrees(prev, c.text) - article_agrees(prev, site.text))
        scored.append((gain, c))
    # Known spinner habits always stay; thesaurus guesses compete for the remaining places,
    # and the LM's proposals (already filtered by meaning) for places of their own.
    lm = sorted((t for t in scored if t[1].source == "lm"), key=lambda t: -t[0])
    rest = [t for t in scored if t[1].source != "lm"]
    rest.sort(key=lambda t: (not t[1].known, -t[0]))
    kept = rest[:max(keep, sum(t[1].known for t in rest))] + lm[:KEEP_PROPOSALS]
    # Only the kept candidates become new records: this runs for every suspect of a crawl.
    return evolve(site, cands=tuple(evolve(c, ngram_gain=g) for g, c in kept),
                  ngram_logp=base / (n + 2))


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
