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

import re
from dataclasses import dataclass
from functools import cache

from .spinners import SpinnerTable, builtin, builtin_habits, fold
from .index import _index
from .lookups import Lookups, open_for
from .inflect import _BASE_TAGS, _TAG_UPOS, _analyses, _head, _inflect, _knows
from ..language import ARTICLES, FUNCTION_WORDS, article_agrees, changes_quantity, quantity
from .thesauri import _POS_UPOS, MAX_PHRASE_LEN, PATHS, SOURCES, _warn_once, available_sources  # noqa: F401  (SOURCES, PATHS: part of this module's interface)

MIN_ZIPF = 2.0        # an article's original wording is rarely rarer than this
SPIN_MIN_ZIPF = 2.0   # a spinner's picks: odd words, but real ones
PER_SOURCE_CAP = 25   # a raw reverse look-up of "make" has ~100 candidates; keep the common ones
TOTAL_CAP = 40
AGREE_BONUS = 0.75    # per extra source listing a candidate, in zipf units
POSSESSIVE = ("'s", "\u2019s")
TABLE_SOURCES = ("habit", "observed", "learned")  # substitutions a spinner is known to make
GRAMMAR_SOURCES = ("confusion", "contraction")  # closed-class rules: a function word's other forms


def possessor(phrase: str) -> tuple[str, str] | None:
    """("court docket", "'s") for "court docket's": real spinners rewrite a possessive's owner
    as they rewrite the word alone (court's -> courtroom's, film's -> movie's), so its
    originals are the owner's with the ending put back. Not for "it's", "that's" (is/has)."""
    for s in POSSESSIVE:
        if phrase.endswith(s) and len(phrase) > 2 and phrase[-3].isalpha():
            base = phrase[:-2]
            if base.split()[-1] not in FUNCTION_WORDS:
                return base, s
    return None


def article_phrase(phrase: str) -> tuple[str, str] | None:
    """("an", "inventory") for "an inventory": real spinner A fixes the article when its swap
    needs the other one (a list -> an inventory, an answer -> a solution), so the phrase's
    originals are the noun phrase's known originals that take the other article, written with it."""
    art, _, rest = phrase.partition(" ")
    if art in ARTICLES and rest and rest.split()[0] not in FUNCTION_WORDS:
        return art, rest
    return None


def inner_phrase(phrase: str) -> str | None:
    """The part a composed reading looks up: a possessive's owner, or the noun phrase after
    "a"/"an"; None for any other phrase."""
    if not phrase.endswith(POSSESSIVE) and not phrase.startswith(("a ", "an ")):
        return None  # (the common case, cheaply: every n-gram of a text is asked)
    owner = possessor(phrase)
    if owner is not None:
        return owner[0]
    art = article_phrase(phrase)
    return art[1] if art is not None else None


def _noise(lemma: str, text: str) -> bool:
    """A thesaurus entry that is never a spinner's original: a single letter ("i", "d", "m"
    under number words, "s" for "second"), or, under a word that names a number, a roman
    numeral or another number ("one", "million", "ii", "cd" for "billion"). On clean earnings
    news those read better to the 3-gram model than "$4.1 billion" and made detection call the
    article spun. Under another word a cardinal goes too (a thesaurus lists "five" for "team"; such
    numbers made a clean Brown article look spun) and an ordinal stays: spinners write "primary"
    for "first"."""
    if len(text) == 1 or len(lemma) == 1:
        return True
    if quantity(lemma) is None:
        return any(q is not None and q[0] == "cardinal" for q in map(quantity, text.split()))
    return bool(_ROMAN_LETTERS.fullmatch(text)) or changes_quantity(lemma, text)


_ROMAN_LETTERS = re.compile(r"[ivxlcdm]{2,}")


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str      # the original wording a spinner may have replaced, inflected to fit
    source: str    # "wordnet" | "mythes" | "aiksaurus" | "habit" | "observed" | "learned" | "confusion" | "contraction"
    count: float = 0.0  # times a spinner was seen making this swap (observed and learned tables)


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
        # the built-in lexicon's common look-ups, worked out at set-up (lexicon.lookups)
        self._stored: Lookups | None = None

    # -- reverse ------------------------------------------------------------------------

    def is_key(self, phrase: str, folded: bool = False) -> bool:
        """Cheap: does originals(phrase) have anything? (A set look-up for most phrases.)
        folded: the caller already wrote the phrase as fold() does (a text's scan asks for
        every n-gram)."""
        if not folded:
            phrase = fold(phrase)
        if phrase not in self._keys and phrase not in self.spinners.reverse \
                and inner_phrase(phrase) is None:
            return False
        return bool(self.originals(phrase, folded=True))

    def originals(self, phrase: str, folded: bool = False) -> list[Candidate]:
        """Words/phrases a spinner could have replaced with `phrase`, best first."""
        if not folded:
            phrase = fold(phrase)
        hit = self._memo.get(phrase)
        if hit is not None:
            return hit
        if self._stored is not None:
            hit = self._stored.originals(phrase)
            if hit is not None:
                return self._remember(phrase, hit)
        if phrase not in self._keys and phrase not in self.spinners.reverse:
            composed = self._composed(phrase)
            return [] if composed is None else self._remember(phrase, composed)
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
                text = _inflect(o, tag, upos) if tag else o  # type: ignore[assignment]  # str | None, checked next
                if text:
                    add(text, "habit", self._zipf.get(text, 0.0))
            for src, cands in self._thesaurus(lemma, upos, tag, MIN_ZIPF).items():
                for text, z in [c for c in cands if not _noise(lemma, c[0])][:PER_SOURCE_CAP]:
                    add(text, src, z)
        # Learned, then habits, then thesaurus candidates by frequency plus source agreement.
        ranked = sorted(found.items(), key=lambda kv: (
            -kv[1][0], -kv[1][1], -(kv[1][3] + AGREE_BONUS * (len(kv[1][2]) - 1)), kv[0]))
        return self._remember(phrase, [Candidate(text, row[2][0], row[0])
                                       for text, row in ranked[:TOTAL_CAP]])

    def _remember(self, phrase: str, out: list[Candidate]) -> list[Candidate]:
        """originals(phrase) memoised, the memo bounded: a long crawl must not grow it forever."""
        if len(self._memo) > 100_000:
            self._memo.clear()
        self._memo[phrase] = out
        return out

    def _composed(self, phrase: str) -> list[Candidate] | None:
        """Originals of a phrase no table or thesaurus lists as a whole, read from its parts:
        a possessive from its owner, an article + noun phrase from the noun phrase (only
        where the article must change; otherwise the noun phrase is a suspect of its own).
        None where the phrase is neither."""
        owner = possessor(phrase)
        if owner is not None and self.is_key(owner[0]):
            # A thesaurus lists "firm" the adjective too: only a noun owns something.
            return [Candidate(c.text + owner[1], c.source, c.count) for c in self.originals(owner[0])
                    if c.source in TABLE_SOURCES or _knows(c.text.split()[-1], "NOUN")]
        art = article_phrase(phrase)
        if art is not None and (art[1] in self.spinners.reverse or art[1] in self._habit_rev):
            other = "a" if art[0] == "an" else "an"
            # Known habits only: every "a"/"an" before a thesaurus word would be a suspect.
            return [Candidate(f"{other} {c.text}", c.source, c.count) for c in self.originals(art[1])
                    if c.source in TABLE_SOURCES and not article_agrees(art[0], c.text)]
        return None

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
            stored = self._stored.fanout(word) if self._stored is not None else None
            hit = self._fan_memo[word] = len(self.synonyms(word)) if stored is None else stored
        return hit

    @property
    def count_scale(self) -> float:
        """The spinner table's counts at the scale the restore decision was fitted on
        (SpinnerTable.count_scale)."""
        return self.spinners.count_scale

    def spun_weight(self, phrase: str) -> float:
        """How often real spinners were seen writing `phrase` (0: never)."""
        return self.spinners.spun_weight(self._table_form(phrase))

    def swap_odds(self, phrase: str, count: float) -> float:
        """Evidence that `phrase` is a spinner's output of an original seen `count` times
        turned into it, against the phrase's own frequency (SpinnerTable.swap_odds)."""
        return self.spinners.swap_odds(self._table_form(phrase), count)

    def rewrite_rate(self, phrase: str) -> float:
        """How often a spinner rewrites `phrase` where it occurs (SpinnerTable.rewrite_rate)."""
        return self.spinners.rewrite_rate(phrase)

    def written_capitalised(self, phrase: str) -> bool:
        """Was `phrase` seen spun inside a name or title (Nationwide for National)?"""
        return self._table_form(phrase) in self.spinners.capitalised

    def _table_form(self, phrase: str) -> str:
        """The phrase as the spinner table knows it: a possessive or article + noun phrase it
        has no row for is read as the owner or noun phrase ("Vigorous's" as "vigorous")."""
        phrase = fold(phrase)
        if phrase not in self.spinners.reverse:
            return inner_phrase(phrase) or phrase
        return phrase

    def __repr__(self) -> str:
        return f"Lexicon(sources={self.sources}, habits={self.habits}, keys={len(self._keys)})"


@cache
def default_lexicon() -> Lexicon:
    lex = Lexicon()
    lex._stored = open_for(lex)
    return lex
