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


@dataclass(frozen=True, slots=True)
class Learned:
    copies: int     # caught copies used
    pairs: int      # substitution occurrences
    distinct: int   # distinct (spun, original) pairs


def extract(query: str, source: str) -> Counter:
    """(spun, original) -> count for one copy and its source."""
    a = al.align(query, source)
    return Counter((s.spun, s.original) for s in al.substitutions(query, source, a.passages)
                   if s.spun != s.original)


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
    """spun (lowercase) -> {original: count}, for the restorer."""
    with using(db) as arc:
        table: dict[str, dict[str, int]] = {}
        for spun, orig, count in arc.substitutions():
            table.setdefault(spun, {})[orig] = count
        return table


def apply_table(text: str, table: dict[str, dict[str, int]], min_count: int = 1) -> str:
    """Table-only restoration of single words (the benchmark's floor when the LM is not wanted)."""
    import re
    from ..text import match_case

    def sub(m):
        cands = table.get(m.group().lower())
        if not cands:
            return m.group()
        best, c = max(cands.items(), key=lambda kv: kv[1])
        return match_case(m.group(), best) if c >= min_count else m.group()
    return re.sub(r"[A-Za-z]+(?:['\-][A-Za-z]+)*", sub, text)
