"""The Debian thesauri (WordNet, MyThes, Aiksaurus): where they are installed and how each file
format becomes a list of (pos, words) synonym groups, cached as a pickle per source."""
from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

from .cache import _dump, _load, _prune, _stamp, cache_dir


SOURCES = ("wordnet", "mythes", "aiksaurus")
MAX_PHRASE_LEN = 4   # words in the longest term kept
# Module-level so tests (and odd installs) can point them elsewhere.
PATHS = {
    "wordnet": "/usr/share/wordnet",
    "mythes": "/usr/share/mythes/th_en_US_v2.dat",
    "aiksaurus": "/usr/share/aiksaurus",
}
_POS_UPOS = {"n": "NOUN", "v": "VERB", "a": "ADJ", "r": "ADV"}
# WordNet's 45 lexicographer files (lexnames(5WN)); NLTK's reader needs them, Debian omits them.
_LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
    "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time verb.body verb.change verb.cognition verb.communication "
    "verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion "
    "verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl").split()
_LEX_CLASS = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}

# ---- locating sources ---------------------------------------------------------------------

def _source_files(src: str) -> list[str]:
    p = PATHS[src]
    if src == "wordnet":
        return [os.path.join(p, f"{kind}.{pos}") for kind in ("data", "index")
                for pos in ("noun", "verb", "adj", "adv")]
    if src == "aiksaurus":
        return [os.path.join(p, "words.dat"), os.path.join(p, "meanings.dat")]
    return [p]


def available_sources() -> tuple[str, ...]:
    """The thesauri installed on this machine."""
    return tuple(s for s in SOURCES if all(os.path.isfile(f) for f in _source_files(s)))


_warned: set[str] = set()


def _warn_once(src: str, why: str) -> None:
    if src not in _warned:
        _warned.add(src)
        print(f"unspin: warning: thesaurus '{src}' {why}; running without it (fewer candidates)",
              file=sys.stderr)



# ---- reading the thesauri: each gives a list of (pos, words) groups -----------------------

def _clean(term: str) -> str | None:
    """Lowercase multi-word terms only; names (capitals) are never spun."""
    term = term.replace("_", " ").strip()
    if not term or term != term.lower() or len(term.split()) > MAX_PHRASE_LEN:
        return None
    if not any(c.isalpha() for c in term):
        return None
    return " ".join(term.split())


def _group(pos: str, terms) -> tuple[str, tuple[str, ...]] | None:
    words = tuple(dict.fromkeys(t for t in map(_clean, terms) if t))
    return (pos, words) if len(words) > 1 else None


def _read_wordnet() -> list:
    root = cache_dir() / "nltk_data"
    wdir = root / "corpora" / "wordnet"
    wdir.mkdir(parents=True, exist_ok=True)
    src = PATHS["wordnet"]
    # NLTK refuses symlinks and hard links that leave its data root, so the files are copied.
    for f in os.listdir(src):
        if f.startswith(("data.", "index.")) or f.endswith(".exc"):
            dst = wdir / f
            if not dst.exists() or dst.stat().st_size != os.path.getsize(os.path.join(src, f)):
                shutil.copyfile(os.path.join(src, f), dst)
    (wdir / "lexnames").write_text("".join(
        f"{i:02d}\t{n}\t{_LEX_CLASS[n.split('.')[0]]}\n" for i, n in enumerate(_LEXNAMES)))
    import warnings

    import nltk.data
    if str(root) not in nltk.data.path:
        nltk.data.path.append(str(root))
    from nltk.corpus.reader.wordnet import WordNetCorpusReader
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "multilingual functions are not available"
        wn = WordNetCorpusReader(str(wdir), None)
    groups = []
    for ss in wn.all_synsets():
        pos = "a" if ss.pos() == "s" else ss.pos()
        g = _group(pos, ss.lemma_names())
        if g:
            groups.append(g)
    return groups


_MYTHES_POS = {"(noun)": "n", "(verb)": "v", "(adj)": "a", "(adv)": "r"}


def _read_mythes() -> list:
    seen, groups = set(), []
    with open(PATHS["mythes"], encoding="utf-8", errors="replace") as f:
        f.readline()  # encoding line
        head = None
        for line in f:
            parts = line.rstrip("\n").split("|")
            if not parts[0].startswith("("):
                head = parts[0]
                continue
            pos = _MYTHES_POS.get(parts[0])
            if pos is None or head is None:
                continue
            # Plain synonyms and similar terms are mutual; a generic term (hypernym) is a swap
            # for the headword only, so it goes in a directed group ("n>": head first).
            # Related terms and antonyms are not what a spinner swaps in.
            terms = [head] + [t.replace(" (similar term)", "") for t in parts[1:]
                              if not t.endswith(")") or t.endswith("(similar term)")]
            g = _group(pos, terms)
            if g and (key := (pos, frozenset(g[1]))) not in seen:
                seen.add(key)
                groups.append(g)
            g = _group(pos + ">", [head] + [t[:-len(" (generic term)")] for t in parts[1:]
                                          if t.endswith(" (generic term)")])
            if g and g[1][0] == _clean(head):
                groups.append(g)
    return groups


def _read_aiksaurus() -> list:
    base = PATHS["aiksaurus"]
    # words.dat: word (':' for space), NUL, big-endian uint16 meaning ids, 0xFFFF.
    data = Path(base, "words.dat").read_bytes()
    words, i = [], 0
    while i < len(data):
        j = data.index(b"\0", i)
        words.append(data[i:j].decode("latin-1").replace(":", " "))
        i = j + 1
        while data[i:i + 2] != b"\xff\xff":
            i += 2
        i += 2
    # meanings.dat: per meaning, two title word ids then its member word ids, 0xFFFF.
    mdata = Path(base, "meanings.dat").read_bytes()
    vals = struct.unpack(f">{len(mdata) // 2}H", mdata[:len(mdata) // 2 * 2])
    groups: list = []
    cur: list[int] = []
    for v in vals:
        if v == 0xFFFF:
            g = _group("*", [words[x] for x in cur[2:] if x < len(words)])
            if g:
                groups.append(g)
            cur = []
        else:
            cur.append(v)
    return groups


_READERS = {"wordnet": _read_wordnet, "mythes": _read_mythes, "aiksaurus": _read_aiksaurus}


def _source_groups(src: str) -> list:
    files = _source_files(src)
    path = cache_dir() / f"{src}-{_stamp(files)}.pkl"
    if path.exists():
        try:
            return _load(path)
        except Exception:
            pass  # a damaged cache file is rebuilt
    groups = _READERS[src]()
    _dump(groups, path)
    _prune(f"{src}-*.pkl", keep=1)
    return groups
