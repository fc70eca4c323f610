"""Inflection with lemminflect: reading a surface form as lemma + tag, and inflecting a
candidate back to that tag (its head word: the first of a verb phrase, the last of a noun's)."""
from __future__ import annotations

from functools import lru_cache

from .cache import _dump, _load, cache_dir


_TAG_UPOS = {"NN": "NOUN", "VB": "VERB", "JJ": "ADJ", "RB": "ADV"}
_BASE_TAGS = {"NN", "VB", "VBP", "JJ", "RB"}
_INFL_TAGS = {"VERB": ("VBD", "VBN", "VBG", "VBZ"), "NOUN": ("NNS",),
              "ADJ": ("JJR", "JJS"), "ADV": ("RBR", "RBS")}


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
    out: list[tuple[str, str | None, str | None]] = [(phrase, None, None)]
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

