"""Contractions and their full forms: "don't" may stand for "do not" and "he is" for "he's".

Real spinners rewrite them in both directions (spinner A writes "it is" for "it's" and
"there's" for "there is"), and no thesaurus lists either. Restore offers the other form as a
candidate (source "contraction") and lets the language model weigh it.
Provenance: the contractions of standard written English, listed by the unspin authors from
general grammar; not drawn from any spinner's table.
"""
from __future__ import annotations

from functools import cache

from ..text import Doc
from .lexicon import Candidate
from .spinners import fold

# auxiliary -> its negative contraction
_NOT = {"do": "don't", "does": "doesn't", "did": "didn't", "is": "isn't", "are": "aren't",
        "was": "wasn't", "were": "weren't", "have": "haven't", "has": "hasn't",
        "had": "hadn't", "will": "won't", "would": "wouldn't", "can": "can't",
        "could": "couldn't", "should": "shouldn't", "must": "mustn't"}
# ending -> (the subjects it contracts with, the words it stands for)
_ENDINGS = {
    "'m": (("i",), ("am",)),
    "'re": (("you", "we", "they", "what", "who"), ("are",)),
    "'s": (("he", "she", "it", "that", "there", "what", "who", "here", "where", "how"),
           ("is", "has")),
    "'ll": (("i", "you", "he", "she", "it", "we", "they", "that", "there", "who"), ("will",)),
    "'ve": (("i", "you", "we", "they", "who", "would", "could", "should"), ("have",)),
    "'d": (("i", "you", "he", "she", "it", "we", "they", "who", "that", "there"),
           ("would", "had")),
}


@cache
def forms() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(contraction -> its full forms, full form -> its contractions), keyed as tables fold."""
    short: dict[str, list[str]] = {}
    for aux, neg in _NOT.items():
        short.setdefault(neg, []).append(f"{aux} not")
    short.setdefault("can't", []).append("cannot")
    for ending, (subjects, verbs) in _ENDINGS.items():
        for s in subjects:
            short.setdefault(s + ending, []).extend(f"{s} {v}" for v in verbs)
    full: dict[str, list[str]] = {}
    for c, longs in short.items():
        for f in longs:
            full.setdefault(f, []).append(c)
    return ({k: tuple(v) for k, v in short.items()}, {k: tuple(v) for k, v in full.items()})


def contraction_candidates(doc: Doc) -> dict[tuple[int, int], list[Candidate]]:
    """(word index, words) -> the other form of each contraction or full form in doc."""
    short, full = forms()
    words = [fold(w) for w in doc.lower_words]
    out: dict[tuple[int, int], list[Candidate]] = {}
    for k, w in enumerate(words):
        if w in short:
            out[k, 1] = [Candidate(f, "contraction") for f in short[w]]
        pair = f"{w} {words[k + 1]}" if k + 1 < len(words) else ""
        if pair in full:
            out[k, 2] = [Candidate(c, "contraction") for c in full[pair]]
    return out
