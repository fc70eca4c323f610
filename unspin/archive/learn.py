"""Learn a spinner's habits from the copies trace has caught.

Each confirmed copy is aligned with its source; short `replace` blocks in spun or paraphrased
passages are the spinner's substitutions. The table is rebuilt from all catches each time,
so learning twice never double-counts.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from . import align as al
from .store import Archive, using
from ..text import plain_apostrophes


@dataclass(frozen=True, slots=True)
class Learned:
    copies: int     # caught copies used
    pairs: int      # substitution occurrences
    distinct: int   # distinct (spun, original) pairs


def extract(query: str, source: str) -> Counter:
    """(spun, original) -> count for one copy and its source, each side as written (case
    kept: a swap seen capitalised, "Nationwide" for "National", may be undone inside a name
    or title, as the built-in table's are; single-spaced)."""
    a = al.align(query, source)
    return Counter((_written(query, s.query_start, s.query_end, s.spun),
                    _written(source, s.source_start, s.source_end, s.original))
                   for s in al.substitutions(query, source, a.passages)
                   if plain_apostrophes(s.spun) != plain_apostrophes(s.original))


def _written(text: str, start: int, end: int, lowered: str) -> str:
    """The words of text[start:end] as the page wrote them, single-spaced (the lowercased
    form where punctuation between them would make the two differ)."""
    words = " ".join(text[start:end].split())
    return words if words.lower() == lowered else lowered


def learn(db: str | Archive) -> Learned:
    with using(db) as arc:
        counts: Counter = Counter()
        copies = 0
        for query, doc, _cov in list(arc.catches()):
            d = arc.get(doc)
            if d is None:
                continue
            counts.update(extract(query, d.text))
            copies += 1
        arc.replace_substitutions([(s, o, c) for (s, o), c in counts.items()])
        return Learned(copies, sum(counts.values()), len(counts))


def load_table(db: str | Archive) -> dict[str, dict[str, int]]:
    """spun -> {original: count}, each as written on the caught copies and their sources
    (an archive learned before case was kept holds lowercase rows), for the restorer."""
    with using(db) as arc:
        table: dict[str, dict[str, int]] = {}
        for spun, orig, count in arc.substitutions():
            table.setdefault(spun, {})[orig] = count
        return table


def apply_table(text: str, table: dict[str, dict[str, int]], min_count: int = 1) -> str:
    """Table-only restoration of single words (the benchmark's floor when the LM is not wanted)."""
    import re
    from ..text import match_case

    folded: dict[str, dict[str, int]] = {}
    for spun, origs in table.items():
        row = folded.setdefault(spun.lower(), {})
        for o, c in origs.items():
            row[o.lower()] = row.get(o.lower(), 0) + c

    def sub(m):
        cands = folded.get(m.group().lower())
        if not cands:
            return m.group()
        best, c = max(cands.items(), key=lambda kv: kv[1])
        return match_case(m.group(), best) if c >= min_count else m.group()
    return re.sub(r"[A-Za-z]+(?:['\-][A-Za-z]+)*", sub, text)
