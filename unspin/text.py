"""Text model: one immutable string, tokens and sentences as character spans over it.

Everything downstream speaks in character offsets of the original input, so edits can be
applied without touching a single byte outside the edited spans.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from .bulk import without_gc
from .language import TOKEN_RE as _TOKEN_RE

_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt",
    "st", "jr", "sr", "inc", "co", "corp", "ltd", "vs", "etc", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e",
    "mt", "ft", "ave", "blvd", "dept", "univ", "assn", "bros", "rev", "hon",
}
# A sentence longer than this is cut: keeps LM windows bounded on text without punctuation.
MAX_SENT_TOKENS = 80


@dataclass(frozen=True, slots=True)
class Token:
    i: int
    start: int
    end: int
    text: str

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True, slots=True)
class Span:
    """Tokens [start_tok, end_tok) of a Doc, with their character extent."""
    doc: "Doc" = field(repr=False, compare=False)
    start_tok: int
    end_tok: int

    @property
    def tokens(self) -> list[Token]:
        return self.doc.tokens[self.start_tok:self.end_tok]

    @property
    def start(self) -> int:
        return self.doc.tokens[self.start_tok].start

    @property
    def end(self) -> int:
        return self.doc.tokens[self.end_tok - 1].end

    @property
    def text(self) -> str:
        return self.doc.text[self.start:self.end]


class Doc:
    def __init__(self, text: str, numbers: bool = False):
        """numbers: whole numbers ("4", "12", "1,000") count as words too. Restore reads a
        text so, since spinners write numbers for words ("4" for "four", "12 months" for
        "year"), and so does learn's reading of a copy's substitutions; detection and the
        archive's fingerprints do not (their features and stored fingerprints were made
        without them)."""
        self.text = text
        self.numbers = numbers
        with without_gc():  # a token an object: a 5 MB text makes a million (unspin.bulk)
            self.tokens = [Token(i, m.start(), m.end(), m.group())
                           for i, m in enumerate(_TOKEN_RE.finditer(text))]

    def __len__(self) -> int:
        return len(self.tokens)

    @cached_property
    def words(self) -> list[Token]:
        if self.numbers:
            return [t for t in self.tokens if t.is_word or _is_whole_number(self.text, t)]
        return [t for t in self.tokens if t.is_word]

    @cached_property
    def lower_words(self) -> list[str]:
        return [t.lower for t in self.words]

    @cached_property
    def plain_lower_words(self) -> list[str]:
        """lower_words with typographic apostrophes as plain ones, as the tables and the 3-gram
        model write them (once a document: each stretch of a long text's scan reads it)."""
        return [plain_apostrophes(w) for w in self.lower_words]

    @cached_property
    def sentences(self) -> list[Span]:
        sents, start, i = [], 0, 0
        toks, text, n = self.tokens, self.text, len(self.tokens)
        while i < n:
            cut = i + 1 == n or (i + 1 - start) >= MAX_SENT_TOKENS
            if not cut and "\n\n" in text[toks[i].end:toks[i + 1].start].replace("\r", ""):
                cut = True  # paragraph break
            if not cut and toks[i].text in ".!?" and _ends_sentence(toks, i, text):
                cut = True
            if cut:
                # Closing quotes/brackets glued to the stop belong to this sentence.
                while i + 1 < n and toks[i + 1].text in "\"'\u201d\u2019)]" \
                        and toks[i + 1].start == toks[i].end:
                    i += 1
                sents.append(Span(self, start, i + 1))
                start = i + 1
            i += 1
        return sents

    def span(self, start_tok: int, end_tok: int) -> Span:
        return Span(self, start_tok, end_tok)

    @cached_property
    def sentence_words(self) -> list[tuple[int, int]]:
        """[lo, hi) ranges of `words` per sentence (sentences without a word left out).
        Not to be modified: every stage of a long text's scan reads this one list."""
        word_index = {t.i: k for k, t in enumerate(self.words)}
        ranges = []
        for s in self.sentences:
            ks = [word_index[t.i] for t in s.tokens if t.i in word_index]
            if ks:
                ranges.append((ks[0], ks[-1] + 1))
        return ranges

    @cached_property
    def plain_text(self) -> str:
        """The text with typographic apostrophes as plain ones, offsets unchanged: what the
        language models read (to them "it\u2019s" is a rarer spelling than "it's", and would
        make every contraction on such a page look odd)."""
        return plain_apostrophes(self.text)


def _is_whole_number(text: str, t: Token) -> bool:
    """A number standing alone: "4" and "1,000", not the "4" of "4th", "4-yard" or "1990s"."""
    if not (t.text[0].isdigit() and t.text.replace(",", "").isdigit()):
        return False
    before, after = text[t.start - 1:t.start], text[t.end:t.end + 1]
    glued = ("-", "'", "\u2019")  # "10-year", "1990's"
    return not (before.isalnum() or before == "-" or after.isalnum() or after in glued)


def _ends_sentence(toks: list[Token], i: int, text: str) -> bool:
    if toks[i].text != "." or i == 0:
        return True
    prev = toks[i - 1]
    if prev.end != toks[i].start:
        return True
    word = prev.lower
    # "U.S." tokenises as U . S . ; treat single letters and known abbreviations as non-final.
    if len(word) == 1 and word.isalpha():
        return False
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if word in _ABBREV or (word == "no" and nxt is not None and nxt.text[0].isdigit()):
        return False
    return nxt is None or not nxt.text[0].islower()


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] (== `from_`) with `to`."""
    start: int
    end: int
    from_: str
    to: str
    confidence: float = 1.0
    # Other originals the restorer weighed here, (text, probability), most likely first.
    alternatives: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    def to_json(self) -> dict:
        out = {"start": self.start, "end": self.end, "from": self.from_, "to": self.to,
               "confidence": round(self.confidence, 4)}
        if self.alternatives:
            out["alternatives"] = [{"to": t, "confidence": round(p, 4)} for t, p in self.alternatives]
        return out


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Splice non-overlapping edits into text; everything between them is copied verbatim."""
    out, pos = [], 0
    for e in sorted(edits, key=lambda e: e.start):
        if e.start < pos:
            raise ValueError(f"overlapping edits at {e.start}")
        if text[e.start:e.end] != e.from_:
            raise ValueError(f"edit at {e.start} does not match the text")
        out.append(text[pos:e.start])
        out.append(e.to)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def match_case(src: str, repl: str, sentence_start: bool = False) -> str:
    """Carry the spun word's capitalisation onto its replacement. A spun text without letters
    (a number: "2" for "two") has none to carry: its replacement is capitalised where it
    starts a sentence (Site.sentence_start)."""
    if src.isupper() and len(src) > 1:
        return repl.upper()
    if src[:1].isupper() or (sentence_start and not any(c.isalpha() for c in src)):
        return repl[:1].upper() + repl[1:]
    return repl


def plain_apostrophes(text: str) -> str:
    return text.replace("\u2019", "'")


def apostrophe_of(text: str) -> str:
    """The apostrophe `text` writes its contractions with (typographic or plain)."""
    return "\u2019" if text.count("\u2019") > text.count("'") else "'"


def typeset(repl: str, apostrophe: str) -> str:
    """A replacement written with the text's apostrophe: tables keep plain ones
    (lexicon.spinners.fold), a page may write "didn\u2019t"."""
    return repl.replace("'", apostrophe) if apostrophe != "'" else repl


# ---- offsets for JavaScript ----------------------------------------------------------------

_ASTRAL_RE = re.compile("[\U00010000-\U0010FFFF]")


def utf16_offsets(text: str):
    """A function from a character (code point) offset in `text` to the same position counted
    in UTF-16 code units, as JavaScript's String indexes count: each character outside the
    Basic Multilingual Plane (most emoji) is one code point but two UTF-16 units."""
    import bisect
    astral = [m.start() for m in _ASTRAL_RE.finditer(text)]
    if not astral:
        return lambda i: i
    return lambda i: i + bisect.bisect_left(astral, i)
