"""The neural LM's evidence for each candidate: its log-prob gain over the spun wording in
context, and the same swap's mean gain elsewhere in the document."""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from ..text import Doc, match_case, plain_apostrophes
from .edits import clip
from .sites import Site, by_sentence

CONTEXT_WORDS = 8           # words of left context the LM sees
# Words after the site whose probability the change affects. On the dev split (known spinner A
# at 0.25, 8 articles; unknown A at 0.2) 3 words restored 56.4 % / 21.4 % of the edits, 6 words
# 57.9 % / 21.8 % at the same precision and 12 % more LM time, 10 words no more than 6.
LOOKAHEAD_WORDS = 6


def score(doc: Doc, sites: list[Site], model, context: Mapping[tuple[int, int], tuple[Site, str]],
          progress=None) -> list[Site]:
    """The sites (in text order) with cand.lm_gain: LM log-prob of the window with the
    candidate minus with the spun text.

    context: site key -> (site, replacement) edits already chosen, applied around each site.
    The left context is the site's sentence up to it (and the last CONTEXT_WORDS words of the
    sentence before); the window ends LOOKAHEAD_WORDS after the site. Every suspect of a
    sentence shares one pass over it (model.cut_logprobs)."""
    words = doc.words
    groups: list[tuple[list[int], list[tuple[int, list[int]]]]] = []
    owners: list[list[Site]] = []
    for (first, _), in_sentence in by_sentence(doc, sites):
        lo = words[max(0, first - CONTEXT_WORDS)].start
        base: list[int] | None = None
        for s in in_sentence:
            hi = max(words[min(len(words), s.i + s.n + LOOKAHEAD_WORDS) - 1].end, s.end)
            # The space before the site travels with the continuation, as BPE attaches it there.
            left = _render(doc, lo, s.start, context, s)
            stripped = left.rstrip()
            gap = left[len(stripped):]
            right = _render(doc, s.end, hi, context, s)
            prefix = model.encode(stripped) if stripped else []
            spun = plain_apostrophes(s.text)
            options = [spun] + [match_case(spun, c.text, s.sentence_start) for c in s.cands]
            conts = [(len(prefix), model.encode(gap + o + right)) for o in options]
            # A later suspect's prefix extends an earlier one's (same sentence, same context):
            # its options join that group, which keeps the longest base. The base runs on
            # through the last suspect's window as the text stands, so that each suspect's own
            # wording is read off the base pass (model.cut_logprobs) rather than run again.
            if base is not None and prefix[:len(base)] == base:
                groups[-1] = (prefix + conts[0][1], groups[-1][1] + conts)
                owners[-1].append(s)
            else:
                groups.append((prefix + conts[0][1], conts))
                owners.append([s])
            base = prefix
    # One call over all the sentences, so the model's batches are full (progress in steps
    # would cut them into many small ones, each paying the model's fixed cost per call).
    done = [0]

    def moved(finished: list[int]) -> None:
        done[0] += sum(len(owners[g]) for g in finished)
        if progress:
            progress(done[0], len(sites))

    out: list[Site] = []
    for group, lps in zip(owners, model.cut_logprobs(groups, done=moved)):
        k = 0
        for s in group:
            gains = lps[k + 1:k + 1 + len(s.cands)]
            out.append(replace(s, cands=tuple(replace(c, lm_gain=lp - lps[k])
                                              for c, lp in zip(s.cands, gains))))
            k += 1 + len(s.cands)
    return out


def _render(doc: Doc, lo: int, hi: int, context: Mapping[tuple[int, int], tuple[Site, str]],
            skip: Site) -> str:
    """doc.plain_text[lo:hi] with the context edits inside it applied (except `skip`'s own)."""
    out, pos = [], lo
    for s, to in sorted(context.values(), key=lambda e: e[0].start):
        if s.key == skip.key or s.start < lo or s.end > hi or s.start < pos:
            continue
        out += [doc.plain_text[pos:s.start], match_case(s.text, to, s.sentence_start)]
        pos = s.end
    out.append(doc.plain_text[pos:hi])
    return "".join(out)


def pool(sites: list[Site]) -> list[Site]:
    """The sites with cand.doc_gain / doc_n: the mean LM gain (clipped as a feature) of the
    same swap (same spun text, same candidate) at the document's other suspects, and their
    number. A spinner swaps a word the same way throughout."""
    # Each candidate's swap and clipped gain once; each swap's gains summed once.
    per_site = [[((s.text.lower(), c.text.lower()), clip(c.lm_gain or 0.0)) for c in s.cands]
                for s in sites]
    gains: dict[tuple[str, str], list[float]] = {}
    for swaps in per_site:
        for swap, gain in swaps:
            gains.setdefault(swap, []).append(gain)
    totals = {swap: (sum(g), len(g)) for swap, g in gains.items()}
    out = []
    for s, swaps in zip(sites, per_site):
        cands = []
        for c, (swap, gain) in zip(s.cands, swaps):
            total, count = totals[swap]
            n = count - 1
            mean = (total - gain) / n if n else 0.0
            cands.append(replace(c, doc_n=n, doc_gain=mean))
        out.append(replace(s, cands=tuple(cands)))
    return out
