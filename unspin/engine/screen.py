"""Screening: which candidates of a suspect, and which suspects, are worth the neural LM's time.

Two cuts, cheapest first: the 3-gram model's gain for each candidate (at suspect-finding time),
then the LM's opinion of the candidate's first token given the words before it (one pass over
each sentence). A spinner's known swaps always stay; thesaurus guesses compete for the rest.
"""
from __future__ import annotations

from dataclasses import replace

from ..language import ARTICLES, article_agrees
from ..text import Doc, plain_apostrophes
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
             keep: int) -> list[Site]:
    """Each suspect with each candidate's 3-gram gain over the spun words (window: the suspect
    and the two words after it in its sentence), cut to its spinner habits plus the best `keep`
    other candidates. found: (suspect, its sentence's first word, the sentence's end) in word
    indexes; ids: the 3-gram model's ids of the document's lower-cased words; prev: the
    document's lower-cased words (the one before a suspect decides the article rule). All
    windows are scored in one batch (NGramLM.windows): a long text has millions."""
    import numpy as np
    from .lm import PAD, START
    if not found:
        return []
    cand_ids = ng.phrase_ids([c.text for s, _, _ in found for c in s.cands])
    width = max(4, max(len(x) for x in cand_ids), max(s.n for s, _, _ in found))
    rows = len(found) + len(cand_ids)
    before = np.full((rows, 2), START, dtype=np.int64)
    words = np.full((rows, width), PAD, dtype=np.int64)
    after = np.full((rows, 2), PAD, dtype=np.int64)
    r = ci = 0
    spans = []
    for s, lo, hi in found:  # the suspect's own words first, then each candidate's
        i, n = s.i, s.n
        b = ids[max(lo, i - 2):i]
        a = ids[i + n:min(hi, i + n + 2)]
        first = r
        for phrase in [ids[i:i + n]] + cand_ids[ci:ci + len(s.cands)]:
            before[r, 2 - len(b):] = b
            words[r, :len(phrase)] = phrase
            after[r, :len(a)] = a
            r += 1
        spans.append((first, r))
        ci += len(s.cands)
    sums = ng.windows(before, words, after).tolist()
    out = []
    for (s, _, _), (first, last) in zip(found, spans):
        base = sums[first]
        gains = [x - base for x in sums[first + 1:last]]
        word_before = prev[s.i - 1] if s.i > 0 else ""
        if word_before in ARTICLES:
            # Spinners never fix the article: agreement with it is evidence for the original.
            gains = [g + 2.0 * (article_agrees(word_before, c.text) - article_agrees(word_before, s.text))
                     for g, c in zip(gains, s.cands)]
        kept = _kept(list(zip(gains, s.cands)), keep)
        if kept:
            # Only the kept candidates become new records: this runs for every suspect of a crawl.
            out.append(evolve(s, cands=tuple(evolve(c, ngram_gain=g) for g, c in kept),
                              ngram_logp=base / (s.n + 2)))
    return out


def _kept(scored: list[tuple[float, Cand]], keep: int) -> list[tuple[float, Cand]]:
    """Known spinner habits always stay; thesaurus guesses compete for `keep` places, and the
    LM's proposals (already filtered by meaning) for places of their own."""
    lm = sorted((t for t in scored if t[1].source == "lm"), key=lambda t: -t[0])
    rest = [t for t in scored if t[1].source != "lm"]
    rest.sort(key=lambda t: (not t[1].known, -t[0]))
    return rest[:max(keep, sum(t[1].known for t in rest))] + lm[:KEEP_PROPOSALS]


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
