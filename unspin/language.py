"""English as unspin reads it: word patterns, function-word lists and the a/an rule, in one place.

Three word lists live here because three jobs need different ones, and each is frozen by what
depends on it: `FUNCTION_WORDS` (never a suspect: the engine's detections and benchmark
figures), `CLOSED_CLASS` (words the simulator never spins: the benchmark corpora) and
`STOPWORDS` (kept in archive fingerprints: archives already built store fingerprints made with
it). Merging them would change all three, so they are kept apart and named for their use.
"""
from __future__ import annotations

import re
from functools import lru_cache

# ---- tokens --------------------------------------------------------------------------------

LETTERS = "A-Za-z\u00C0-\u024F"
# Digits, with the separators of numbers, times, dates and percentages ("3.5", "10:30", "5%").
NUMBER = r"\d+(?:[.,:/]\d+)*%?"


def word_pattern(letters: str = LETTERS) -> str:
    """A word: letters keeping inner apostrophes and hyphens ("don't", "well-known")."""
    return rf"[{letters}]+(?:['\u2019\-][{letters}]+)*"


WORD = word_pattern()
# Words, numbers and every other non-space character on its own: the text model's tokens.
TOKEN_RE = re.compile(rf"{WORD}|{NUMBER}|[^\s{LETTERS}\d]")

# A transcript's speaker label at the start of a line ("MARGARET BRENNAN:", "SEN. JOHN THUNE:"):
# the word after it starts a turn, so it is capitalised as a sentence's first word, not a name.
SPEAKER_LABEL = re.compile(r"^[ \t]*(?:[A-Z][A-Z.'\u2019-]*[ \t]+){0,4}[A-Z][A-Z.'\u2019-]*:[ \t]+(?=[A-Z])",
                           re.MULTILINE)

# ---- function words ------------------------------------------------------------------------

# The engine's: spinners leave them alone, and as suspects they only cost LM time.
FUNCTION_WORDS = frozenset("""a an the and or but nor so yet if then than that this these those there here
of to in on at by for with from into onto upon over under about above below between among through during
before after since until while as like per via off out up down near against without within across along
i me my mine we us our ours you your yours he him his she her hers it its they them their theirs who whom
whose which what when where why how all any both each either neither every no not none some such own same
other another more most much many few less least very too also just only even still again ever never
is am are was were be been being have has had do does did done will would shall should can could may
might must ought let lets get got s t don't can't won't isn't aren't wasn't weren't it's that's
one two three four five six seven eight nine ten first second third last next""".split())

# The simulator's: closed-class words a spinner leaves alone.
CLOSED_CLASS = frozenset("""
a an the this that these those my your his her its our their some any no every each either
neither all both few many much more most other another such what which who whom whose whatever
i me you he him she it we us they them myself yourself himself herself itself ourselves
themselves one ones and or but nor so yet for if then than because although though while
whereas unless until since as at by from in into of off on onto out over to toward towards up
upon with within without about above across after against along among around before behind
below beneath beside besides between beyond down during except inside near outside past per
through throughout under underneath via be am is are was were been being have has had having
do does did doing done will would shall should can could may might must ought not n't no yes
there here where when why how very too also just only even still already again ever never
now then once soon often always sometimes quite rather almost enough like well however thus
therefore hence mr mrs ms dr st get got gets getting let lets said say says
""".split())

# The archive's fingerprints: pure function words only (a spinner replaces adverbs and
# adjectives, but not these), so they survive spinning and translation-free copying.
STOPWORDS = frozenset("""
a an the this that these those there here
i me my we us our you your he him his she her it its they them their who whom whose which what
and or but nor so yet if then than because while although though unless until since as
of in on at by for with about against between into through during before after above below
to from up down over under again further once out off near
is are was were be been being am have has had having do does did doing will would shall should
can could may might must not no
all any both each few more most other some such only own same too very just also
when where why how
""".split())

# ---- numbers -------------------------------------------------------------------------------

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
CARDINALS: dict[str, float] = {**{w: float(i) for i, w in enumerate(_UNITS)},
                               **{w: 20.0 + 10 * i for i, w in enumerate(_TENS)},
                               "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9,
                               "trillion": 1e12, "dozen": 12.0}
ORDINALS: dict[str, float] = {w: float(i) for i, w in enumerate(
    ("zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
     "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth").split())}
ORDINALS.update({w[:-1] + "ieth": 20.0 + 10 * i for i, w in enumerate(_TENS)})
_NUMBER_WORDS = CARDINALS.keys() | ORDINALS.keys()
_ROMAN = re.compile(r"[ivx]{2,}")  # ii, iv, xii: how thesauri list numbers beside number words
_ROMAN_VALUE = {"i": 1, "v": 5, "x": 10}


@lru_cache(maxsize=1 << 16)  # the lexicon asks for each thesaurus candidate of a word
def quantity(word: str) -> tuple[str, float] | None:
    """The number a word names, as (kind, value): ("cardinal", 1e9) for "billion", "4.1" or
    "xii" too, ("ordinal", 3.0) for "third"; "twenty-one" is 21. None for any other word."""
    w = word.lower().replace(",", "")
    if w in CARDINALS:
        return "cardinal", CARDINALS[w]
    if w in ORDINALS:
        return "ordinal", ORDINALS[w]
    try:
        return "cardinal", float(w)
    except ValueError:
        pass
    if _ROMAN.fullmatch(w):
        vals = [_ROMAN_VALUE[c] for c in w]
        return "cardinal", float(sum(-v if v < nxt else v for v, nxt in zip(vals, vals[1:] + [0])))
    parts = w.split("-")
    if len(parts) > 1 and all(p in CARDINALS for p in parts[:-1]) and parts[-1] in _NUMBER_WORDS:
        kind, last = quantity(parts[-1]) or ("cardinal", 0.0)
        return kind, sum(CARDINALS[p] for p in parts[:-1]) + last
    return None


def changes_quantity(word: str, other: str) -> bool:
    """Whether writing `other` for `word` would name another number: "one", "million" or "ii"
    for "billion", "third" for "second", "five" for "team" (a number where `word` names none)."""
    mine = quantity(word)
    theirs = [q for q in map(quantity, other.split()) if q is not None]
    return any(q != mine for q in theirs)


# ---- articles ------------------------------------------------------------------------------

ARTICLES = {"a", "an"}
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")
# Vowel letters that sound as consonants ("a university", "a one-off"). The engine's list and
# the simulator's differ in three prefixes each; unifying them would change detections or the
# benchmark corpora, so each keeps its own.
CONSONANT_VOWELS = ("uni", "use", "usu", "one", "once", "eu", "ewe", "ure", "uti")
SIMULATOR_CONSONANT_VOWELS = ("uni", "use", "usu", "uti", "eu", "one", "once", "ubi", "ura", "uro")


def starts_with_vowel_sound(word: str, consonant_vowels: tuple[str, ...] = CONSONANT_VOWELS) -> bool:
    """Whether `word` takes "an" (spelling heuristics: silent h, consonant-sounding vowels)."""
    w = word.lower()
    if w.startswith(_SILENT_H):
        return True
    if w.startswith(consonant_vowels):
        return False
    return w[:1] in "aeiou"


def article_agrees(article: str, word: str) -> bool:
    """Whether "a"/"an" (`article`) is the right one before `word`."""
    return (article.lower() == "an") == starts_with_vowel_sound(word)
