"""Thesaurus look-ups both ways: what a spinner could have replaced (`originals`) and what it
could put in (`synonyms`).

Sources are the Debian thesauri (WordNet, MyThes, Aiksaurus), the curated habits table and an
optional learned table. The thesauri are read once into a compact index in the cache dir: every
source becomes a list of synonym groups (WordNet synsets, MyThes senses, Aiksaurus meanings), and
a word's synonyms in either direction are the other members of its groups. Inflection is carried
over with lemminflect: a spun form is reduced to lemma + tag, its lemma looked up, and each
candidate inflected back to that tag.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import shutil
import struct
import sys
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from .spinners import SpinnerTable, builtin, builtin_habits

SOURCES = ("wordnet", "mythes", "aiksaurus")
# Module-level so tests (and odd installs) can point them elsewhere.
PATHS = {
    "wordnet": "/usr/share/wordnet",
    "mythes": "/usr/share/mythes/th_en_US_v2.dat",
    "aiksaurus": "/usr/share/aiksaurus",
}
HABITS_PATH = Path(__file__).parent.parent / "data" / "habits.tsv"
INDEX_VERSION = 4

MIN_ZIPF = 2.0        # an article's original wording is rarely rarer than this
SPIN_MIN_ZIPF = 2.0   # a spinner's picks: odd words, but real ones
PER_SOURCE_CAP = 25   # a raw reverse look-up of "make" has ~100 candidates; keep the common ones
TOTAL_CAP = 40
AGREE_BONUS = 0.75    # per extra source listing a candidate, in zipf units
MAX_PHRASE_LEN = 4

_POS_UPOS = {"n": "NOUN", "v": "VERB", "a": "ADJ", "r": "ADV"}
_TAG_UPOS = {"NN": "NOUN", "VB": "VERB", "JJ": "ADJ", "RB": "ADV"}
_BASE_TAGS = {"NN", "VB", "VBP", "JJ", "RB"}
_INFL_TAGS = {"VERB": ("VBD", "VBN", "VBG", "VBZ"), "NOUN": ("NNS",),
              "ADJ": ("JJR", "JJS"), "ADV": ("RBR", "RBS")}
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


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str      # the original wording a spinner may have replaced, inflected to fit
    source: str    # "wordnet" | "mythes" | "aiksaurus" | "habit" | "observed" | "learned"
    count: float = 0.0  # times a spinner was seen making this swap (observed and learned tables)


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


def cache_dir() -> Path:
    from ..engine.lm import cache_dir as root
    d = root() / "lexicon"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _stamp(files: list[str]) -> str:
    h = hashlib.sha1(f"v{INDEX_VERSION}".encode())
    for f in files:
        st = os.stat(f)
        h.update(f"{f}:{st.st_mtime_ns}:{st.st_size};".encode())
    return h.hexdigest()[:16]


def _dump(obj, path: Path) -> None:
    # Atomic: several processes may build the same index at once.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _load(path: Path):
    gc.disable()  # millions of small objects: the collector would triple the load time
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    finally:
        gc.enable()


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
    groups, cur = [], []
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


def _prune(pattern: str, keep: int) -> None:
    """Old cache files (thesaurus updated, code version bumped) go; the newest stay."""
    files = sorted(cache_dir().glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)


# ---- inflection helpers -------------------------------------------------------------------

def _head(upos: str | None) -> int:
    return 0 if upos == "VERB" else -1  # "took care of", "most cancers"


@lru_cache(maxsize=1)
def _lemminflect():
    """lemminflect, its two dictionaries loaded from a pickle in the cache: parsing its gzipped
    text files takes 3-5 s of every cold start (half the lexicon's), the pickle a tenth."""
    import lemminflect
    from lemminflect.core.Inflections import Inflections
    from lemminflect.core.Lemmatizer import Lemmatizer
    lem, infl = Lemmatizer(), Inflections()   # the library's singletons
    path = cache_dir() / f"lemminflect-{getattr(lemminflect, '__version__', '0')}.pkl"
    try:
        if path.exists() and not (hasattr(lem, "lemma_dict") and hasattr(infl, "infl_dict")):
            lem.lemma_dict, infl.infl_dict = _load(path)
        elif not path.exists():
            _dump((lem._getLemmaDict(), infl._getInflDict()), path)
    except Exception:  # a stale or foreign cache file: the library loads its own files
        for obj, attr in ((lem, "lemma_dict"), (infl, "infl_dict")):
            if hasattr(obj, attr):
                delattr(obj, attr)
    return lemminflect


@lru_cache(maxsize=100_000)
def _forms(word: str) -> dict[str, tuple[str, ...]]:
    """lemminflect's dictionary forms of a lemma by Penn tag, read once per word: its
    getInflection copies the whole entry on every call, which made lexicon look-ups the
    slowest part of a cold restore."""
    return _lemminflect().getAllInflections(word)


@lru_cache(maxsize=200_000)
def _inflection(lemma: str, tag: str) -> tuple[str, ...]:
    """lemminflect.getInflection(lemma, tag) on the cached forms: the tag, then its
    alternates (VBD for VBN, ...), then lemminflect's rules for words it does not know."""
    from lemminflect.core.LexicalUtils import pennTagAlts
    forms = _forms(lemma)
    for t in [tag] + list(pennTagAlts(tag)):
        if forms.get(t):
            return forms[t]
    return _lemminflect().getInflection(lemma, tag)


@lru_cache(maxsize=100_000)
def _inflect(phrase: str, tag: str, upos: str) -> str | None:
    words = phrase.split()
    i = _head(upos)
    forms = _inflection(words[i], tag)
    if not forms:
        return None
    words[i] = forms[0]
    return " ".join(words)


@lru_cache(maxsize=100_000)
def _knows(word: str, upos: str) -> bool:
    """lemminflect's dictionary has `word` as a lemma of this part of speech."""
    from lemminflect.core.LexicalUtils import uposToTags
    return any(t in _forms(word) for t in uposToTags(upos))


@lru_cache(maxsize=50_000)
def _analyses(phrase: str) -> tuple[tuple[str, str | None, str | None], ...]:
    """(lemma phrase, upos, tag) readings of a surface form; the first is the form as it is."""
    getAllLemmas = _lemminflect().getAllLemmas
    out = [(phrase, None, None)]
    words = phrase.split()
    for upos in ("VERB", "NOUN", "ADJ", "ADV"):
        i = _head(upos)
        w = words[i]
        for lemma in getAllLemmas(w).get(upos, ()):
            if lemma == w:
                continue
            for tag in _INFL_TAGS[upos]:
                if w in _inflection(lemma, tag):
                    out.append((" ".join(words[:i % len(words)] + [lemma] + words[i % len(words) + 1:]),
                                upos, tag))
    return tuple(dict.fromkeys(out))


def _surface_forms(phrase: str, upos_set) -> set[str]:
    """Every inflected form of a lemma phrase that lemminflect's dictionary knows."""
    from lemminflect.core.LexicalUtils import uposToTags
    out = {phrase}
    words = phrase.split()
    for upos in upos_set:
        i = _head(upos)
        tags = uposToTags(upos)
        for forms in (f for t, f in _forms(words[i]).items() if t in tags):
            for f in forms:
                out.add(" ".join(words[:i % len(words)] + [f] + words[i % len(words) + 1:]))
    return out


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
    groups, member = [], {}
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


class Lexicon:
    max_phrase_len: int = MAX_PHRASE_LEN

    def __init__(self, sources=SOURCES, habits: bool = True,
                 learned: dict[str, dict[str, int]] | None = None,
                 spinners: SpinnerTable | None = None):
        """spinners: real spinners' habits (default: the built-in observed table); learned:
        a table from `unspin learn` (spun -> {original: count}), added to it."""
        have = available_sources()
        active = []
        for s in sources:
            if s not in SOURCES:
                raise ValueError(f"unknown thesaurus {s!r}; known: {', '.join(SOURCES)}")
            if s in have:
                active.append(s)
            else:
                _warn_once(s, f"is not installed ({PATHS[s]})")
        idx = _index(tuple(active), habits)
        for s in active:
            if s not in idx["sources"]:
                _warn_once(s, "could not be read")
        self.sources: tuple[str, ...] = idx["sources"]
        self.habits = habits
        self._groups = idx["groups"]
        self._member = idx["member"]
        self._zipf = idx["zipf"]
        self._keys = idx["keys"]
        self._habit_rev = idx["habit_rev"]
        self._habit_fwd = idx["habit_fwd"]
        if learned:
            base = list(builtin_habits()) if spinners is None else spinners.habits
            spinners = SpinnerTable(base, learned)
        self.spinners: SpinnerTable = builtin() if spinners is None else spinners
        self._memo: dict[str, list[Candidate]] = {}
        self._nb_memo: dict[str, frozenset[str]] = {}
        self._fan_memo: dict[str, int] = {}

    # -- reverse ------------------------------------------------------------------------

    def is_key(self, phrase: str) -> bool:
        """Cheap: does originals(phrase) have anything? (A set look-up for most phrases.)"""
        if phrase not in self._keys and phrase not in self.spinners.reverse:
            return False
        return bool(self.originals(phrase))

    def originals(self, phrase: str) -> list[Candidate]:
        """Words/phrases a spinner could have replaced with `phrase`, best first."""
        phrase = " ".join(phrase.lower().split())
        hit = self._memo.get(phrase)
        if hit is not None:
            return hit
        if phrase not in self._keys and phrase not in self.spinners.reverse:
            return []
        # text -> [learned count, habit, sources, zipf]
        found: dict[str, list] = {}

        def add(text, source, zipf, count=0.0):
            if text.lower() == phrase:
                return
            row = found.setdefault(text, [0, 0, [], zipf])
            row[0] = max(row[0], count)
            if source == "habit":
                row[1] = 1
            if source not in row[2]:
                row[2].append(source)

        for text, count in self.spinners.originals(phrase).items():
            source = "learned" if self.spinners.is_learned(phrase, text) else "observed"
            add(text, source, 9.0, count)
        for lemma, upos, tag in _analyses(phrase):
            for o in self._habit_rev.get(lemma, ()):
                if tag and not _knows(o.split()[_head(upos)], upos):
                    continue
                text = _inflect(o, tag, upos) if tag else o
                if text:
                    add(text, "habit", self._zipf.get(text, 0.0))
            for src, cands in self._thesaurus(lemma, upos, tag, MIN_ZIPF).items():
                for text, z in cands[:PER_SOURCE_CAP]:
                    add(text, src, z)
        # Learned, then habits, then thesaurus candidates by frequency plus source agreement.
        ranked = sorted(found.items(), key=lambda kv: (
            -kv[1][0], -kv[1][1], -(kv[1][3] + AGREE_BONUS * (len(kv[1][2]) - 1)), kv[0]))
        out = [Candidate(text, row[2][0], row[0]) for text, row in ranked[:TOTAL_CAP]]
        if len(self._memo) > 100_000:
            self._memo.clear()
        self._memo[phrase] = out
        return out

    def _thesaurus(self, lemma, upos, tag, min_zipf, sources=None,
                   forward=False) -> dict[str, list]:
        """Per source: (inflected candidate, zipf) from the groups of `lemma`, commonest first."""
        per: dict[str, dict[str, float]] = {}
        for gid in self._member.get(lemma, ()):
            si, pos, words = self._groups[gid]
            src = self.sources[si]
            if sources is not None and src not in sources:
                continue
            if pos[-1] == ">":  # directed: head -> generic terms
                if (words[0] == lemma) != forward:
                    continue
                words, pos = (words[1:] if forward else words[:1]), pos[0]
            if upos is not None and pos != "*" and _POS_UPOS[pos] != upos:
                continue
            bucket = per.setdefault(src, {})
            for w in words:
                if w == lemma or w in bucket:
                    continue
                if tag:
                    # Aiksaurus has no POS: the candidate must be known in the analysed one,
                    # and its multi-word entries inflect sensibly only as phrasal verbs.
                    if pos == "*" and (not _knows(w.split()[_head(upos)], upos)
                                       or (" " in w and upos != "VERB")):
                        continue
                    w = _inflect(w, tag, upos)
                    if not w or w in bucket:
                        continue
                z = self._zipf.get(w, 0.0)
                if z >= min_zipf:
                    bucket[w] = z
        return {src: sorted(b.items(), key=lambda kv: (-kv[1], kv[0])) for src, b in per.items()}

    # -- forward ------------------------------------------------------------------------

    def is_entry(self, phrase: str) -> bool:
        """Is `phrase` (lowercase) itself a thesaurus or habit headword?"""
        return phrase in self._member or phrase in self._habit_fwd

    def synonyms(self, word: str, sources=None, pos: str | None = None,
                 tag: str | None = None, inflect: bool = True) -> list[str]:
        """What a spinner using `sources` could put in place of `word`, inflected alike.
        `pos` (NOUN/VERB/ADJ/ADV) or a Penn `tag` narrows the reading when the caller knows it;
        inflect=False gives what a cheap spinner writes: the synonyms of the word's lemma in
        their base form. Commonest first."""
        word = " ".join(word.lower().split())
        want = set(self.sources + ("habit",)) if sources is None else set(sources)
        if tag:
            pos = _TAG_UPOS.get(tag[:2], pos)
        out: dict[str, float] = {}
        for lemma, upos, rtag in _analyses(word):
            if pos and upos and upos != pos:
                continue
            if tag and rtag and rtag != tag:
                continue
            if tag and not rtag and tag not in _BASE_TAGS and any(
                    a[2] == tag for a in _analyses(word)):
                continue  # the word is read as inflected: skip its as-is reading
            tag_ = rtag if inflect else None
            if "habit" in want:
                for s in self._habit_fwd.get(lemma, ()):
                    if tag_ and not _knows(s.split()[_head(upos)], upos):
                        continue
                    text = _inflect(s, tag_, upos) if tag_ else s
                    if tag_ and self._zipf.get(text, 0.0) < SPIN_MIN_ZIPF:
                        continue  # "authentics": a habit that does not inflect
                    if text and text != word:
                        out.setdefault(text, 9.0)
            if (upos is None and pos) or not inflect:
                # Base form (or no inflecting): restrict groups to the known POS.
                found = self._thesaurus(lemma, upos or pos, None, SPIN_MIN_ZIPF, want, True)
            else:
                found = self._thesaurus(lemma, upos, tag_, SPIN_MIN_ZIPF, want, True)
            for cands in found.values():
                for text, z in cands:
                    if text != word:
                        out[text] = max(z, out.get(text, 0.0))
        return sorted(out, key=lambda t: (-out[t], t))

    # -- relatedness (filters the language model's own proposals by meaning) -------------

    def neighbours(self, word: str) -> frozenset[str]:
        """Every lemma that shares a synonym group with a reading of `word` (Roget groups
        excluded: they are too broad to say two words mean alike)."""
        word = " ".join(word.lower().split())
        hit = self._nb_memo.get(word)
        if hit is None:
            out = set()
            for lemma, _, _ in _analyses(word):
                for gid in self._member.get(lemma, ()):
                    si, _pos, words = self._groups[gid]
                    if self.sources[si] != "aiksaurus":
                        out.update(words)
            hit = self._nb_memo[word] = frozenset(out)
        return hit

    def related(self, a: str, b: str) -> bool:
        """Synonyms, or synonyms of a common synonym: the meaning filter for LM proposals."""
        na, nb = self.neighbours(a), self.neighbours(b)
        # One shared neighbour links too much ("expects" ~ "cart"); two rarely do by chance.
        return b in na or a in nb or len(na & nb) >= 2

    def fanout(self, word: str) -> int:
        """How many synonyms a spinner could put for `word` (memoised: every suspect asks)."""
        hit = self._fan_memo.get(word)
        if hit is None:
            if len(self._fan_memo) > 100_000:
                self._fan_memo.clear()
            hit = self._fan_memo[word] = len(self.synonyms(word))
        return hit

    def spun_weight(self, phrase: str) -> float:
        """How often real spinners were seen writing `phrase` (0: never)."""
        return self.spinners.spun_weight(phrase)

    def swap_odds(self, phrase: str, count: float) -> float:
        """Evidence that `phrase` is a spinner's output of an original seen `count` times
        turned into it, against the phrase's own frequency (SpinnerTable.swap_odds)."""
        return self.spinners.swap_odds(" ".join(phrase.lower().split()), count)

    def written_capitalised(self, phrase: str) -> bool:
        """Was `phrase` seen spun inside a name or title (Nationwide for National)?"""
        return " ".join(phrase.lower().split()) in self.spinners.capitalised

    def __repr__(self) -> str:
        return f"Lexicon(sources={self.sources}, habits={self.habits}, keys={len(self._keys)})"


@cache
def default_lexicon() -> Lexicon:
    return Lexicon()
