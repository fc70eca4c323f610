"""The lexicon's index: every source's synonym groups, the habits table both ways, every surface
form a key can take and word frequencies, built once per source set and cached."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .cache import _dump, _load, _prune, _stamp, cache_dir
from .inflect import _INFL_TAGS, _head, _knows, _surface_forms
from .thesauri import _POS_UPOS, _source_files, _source_groups, _warn_once


HABITS_PATH = Path(__file__).parent.parent / "data" / "habits.tsv"


# ---- habits -------------------------------------------------------------------------------

def read_habits(path: Path | str | None = None) -> list[tuple[str, str]]:
    """(original, spun) pairs from the habits table, lowercase."""
    rows = []
    with open(path or HABITS_PATH, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[0] != "original":
                o, s = " ".join(cols[0].lower().split()), " ".join(cols[1].lower().split())
                if o and s and o != s:
                    rows.append((o, s))
    return rows


# ---- the index ----------------------------------------------------------------------------

def _build_index(sources: tuple[str, ...], habits: bool) -> dict:
    from wordfreq import get_frequency_dict, zipf_frequency
    groups: list = []
    member: dict = {}
    per_source = {}
    for src in sources:
        try:
            per_source[src] = _source_groups(src)
        except Exception as e:  # a damaged thesaurus file: run without it rather than crash
            _warn_once(src, f"could not be read ({type(e).__name__}: {e})")
    sources = tuple(per_source)
    for si, src in enumerate(sources):
        for pos, words in per_source[src]:
            gid = len(groups)
            groups.append((si, pos, words))
            for w in words:
                member.setdefault(w, []).append(gid)
    member = {w: tuple(g) for w, g in member.items()}
    habit_rev: dict[str, list[str]] = {}
    habit_fwd: dict[str, list[str]] = {}
    if habits and HABITS_PATH.exists():
        for o, s in read_habits():
            habit_rev.setdefault(s, []).append(o)
            habit_fwd.setdefault(o, []).append(s)

    # Surface keys: every group member in every inflection its POS allows.
    keys: set[str] = set()
    for w, gids in member.items():
        poses = {groups[g][1] for g in gids}
        uposes = {_POS_UPOS[p[0]] for p in poses if p != "*"}
        if "*" in poses:
            uposes |= {u for u in _INFL_TAGS if _knows(w.split()[_head(u)], u)}
        keys |= _surface_forms(w, uposes)
    for s in habit_rev:
        words = s.split()
        keys |= _surface_forms(s, {u for u in ("VERB", "NOUN") if _knows(words[_head(u)], u)})

    # Word frequency of every form a candidate can take (inflected ones included: "quested"
    # is far rarer than "quest").
    import math
    freq = get_frequency_dict("en")
    zipf = {}
    for w in keys | set(member) | {o for v in habit_rev.values() for o in v}:
        f = freq.get(w) if " " not in w else None
        zipf[w] = round(math.log10(f * 1e9), 2) if f else round(zipf_frequency(w, "en"), 2)
    return {"sources": sources, "groups": groups, "member": member, "zipf": zipf,
            "keys": frozenset(keys), "habit_rev": habit_rev, "habit_fwd": habit_fwd}


def _index(sources: tuple[str, ...], habits: bool) -> dict:
    files = [f for s in sources for f in _source_files(s)]
    if habits and HABITS_PATH.exists():
        files.append(str(HABITS_PATH))
    tag = hashlib.sha1(f"{sources}{habits}{_stamp(files)}".encode()).hexdigest()[:16]
    path = cache_dir() / f"index-{tag}.pkl"
    if path.exists():
        try:
            return _load(path)
        except Exception:
            pass
    idx = _build_index(sources, habits)
    _dump(idx, path)
    _prune("index-*.pkl", keep=8)  # one per source set in use (leave-one-out runs need 4)
    return idx
