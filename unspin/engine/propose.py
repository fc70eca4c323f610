"""Candidates the language model proposes, filtered by meaning.

The thesauri hold the original for only part of a spinner's replacements. SmolLM2 reads each
sentence once and says which words it expected at each position; a proposal is kept when the
lexicon links it to the word on the page (synonyms, or synonyms of a common synonym).
"""
from __future__ import annotations

from ..lexicon.lexicon import Candidate
from ..language import FUNCTION_WORDS
from .suspects import is_name, sentence_starts
from ..text import Doc

TOP_K = 40          # tokens read off the LM at each position
KEEP = 3            # proposals kept per word after the meaning filter
MIN_ZIPF = 3.0      # proposals must be ordinary words (first BPE pieces of long words are not)


def propose(doc: Doc, model, lexicon) -> dict[tuple[int, int], list[Candidate]]:
    """(word index, 1) -> proposals (source "lm") for every content word of doc."""
    from wordfreq import zipf_frequency
    words = doc.words
    ranges = doc.sentence_words
    starts = sentence_starts(doc, wide=True)  # restore's suspects: a transcript turn's first word too
    texts, positions, owners = [], [], []
    for lo, hi in ranges:
        base = words[lo].start
        want = [k for k in range(lo, hi) if words[k].lower not in FUNCTION_WORDS
                and not is_name(words, k, starts) and len(words[k].text) > 2
                and words[k].text.isalpha()]
        if not want:
            continue
        texts.append(doc.plain_text[base:words[hi - 1].end])
        positions.append([words[k].start - base for k in want])
        owners.append(want)
    out: dict[tuple[int, int], list[Candidate]] = {}
    if not texts:
        return out
    for want, props in zip(owners, model.expected_words(texts, positions, TOP_K)):
        for k, options in zip(want, props):
            w = words[k].lower
            keep = []
            for p in options:
                if p == w or p in FUNCTION_WORDS or zipf_frequency(p, "en") < MIN_ZIPF:
                    continue
                if lexicon.related(p, w):
                    keep.append(Candidate(p, "lm"))
                    if len(keep) == KEEP:
                        break
            if keep:
                out[k, 1] = keep
    return out
