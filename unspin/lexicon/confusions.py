"""Closed-class confusion sets (data/confusions.tsv): the function words that can stand in
one another's slot. No thesaurus lists "to" for "for", yet spinners swap function words; restore
offers a function word's set-mates as candidates (source "confusion") and lets the language
model and the edit model judge them. Detection does not read them: every "in" of a text would
become a suspect."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from ..text import Doc
from .lexicon import Candidate

PATH = Path(__file__).parent.parent / "data" / "confusions.tsv"


@cache
def confusions() -> dict[str, tuple[str, ...]]:
    """word -> the other members of every set it belongs to, in file order."""
    out: dict[str, list[str]] = {}
    for line in PATH.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("set\t"):
            continue
        words = [w.strip() for w in line.split("\t")[0].split(",") if w.strip()]
        for w in words:
            mates = out.setdefault(w, [])
            mates += [o for o in words if o != w and o not in mates]
    return {w: tuple(m) for w, m in out.items()}


def confusion_candidates(doc: Doc, span: tuple[int, int] | None = None
                         ) -> dict[tuple[int, int], list[Candidate]]:
    """(word index, 1) -> its confusion-set mates (source "confusion"), for every word of doc
    in a set (span: only the words [first, end))."""
    sets = confusions()
    first, end = span or (0, len(doc.words))
    words = doc.words
    return {(k, 1): [Candidate(o, "confusion") for o in sets[words[k].lower]]
            for k in range(first, min(end, len(words))) if words[k].lower in sets}
