"""Text model: one immutable string, tokens and sentences as character spans over it.

Everything downstream speaks in character offsets of the original input, so edits can be
applied without touching a single byte outside the edited spans.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from .errors import TooLarge, UnspinError
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
    def __init__(self, text: str):
        self.text = text
        self.tokens = [Token(i, m.start(), m.end(), m.group())
                       for i, m in enumerate(_TOKEN_RE.finditer(text))]

    def __len__(self) -> int:
        return len(self.tokens)

    @cached_property
    def words(self) -> list[Token]:
        return [t for t in self.tokens if t.is_word]

    @cached_property
    def lower_words(self) -> list[str]:
        return [t.lower for t in self.words]

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


def match_case(src: str, repl: str) -> str:
    """Carry the spun word's capitalisation onto its replacement."""
    if src.isupper() and len(src) > 1:
        return repl.upper()
    if src[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


# ---- reading input -------------------------------------------------------------------------

MAX_BYTES = 5_000_000


def decode_input(data: bytes, name: str = "input", max_bytes: int = MAX_BYTES) -> str:
    """Bytes of a .txt/.html/.pdf file (by content) to plain text, or a one-line UnspinError."""
    if len(data) > max_bytes:
        raise too_large(name, max_bytes, len(data))
    if not data.strip():
        raise UnspinError(f"{name} is empty")
    if data[:5] == b"%PDF-":
        text = _pdf_text(data, name)
    else:
        if b"\x00" in data[:8192]:
            raise UnspinError(f"{name} looks binary (NUL bytes); give text, HTML or PDF")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise UnspinError(f"{name} is not valid UTF-8 (byte {e.start}); re-encode it as UTF-8") from None
        head = text[:2048].lstrip().lower()
        if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text):
            text = _html_text(text, name)
    if not text.strip():
        raise UnspinError(f"{name} has no text")
    return text


def too_large(name: str, max_bytes: int = MAX_BYTES, size: int | None = None) -> TooLarge:
    """The one message for input over the size limit. size None: only "more than max_bytes" is
    known (a pipe is read no further than the limit, so its real size is never measured)."""
    got = f"{size / 1e6:.1f} MB, " if size is not None else ""
    return TooLarge(f"{name} is {got}over the {max_bytes / 1e6:g} MB limit for one document "
                    f"({max_bytes:,} bytes); split it into articles")


def read_input(path: str, max_bytes: int = MAX_BYTES) -> str:
    import os
    import stat
    import sys
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise too_large("standard input", max_bytes)
        return decode_input(data, "standard input", max_bytes)
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
            st = os.fstat(f.fileno())
    except FileNotFoundError:
        raise UnspinError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnspinError(f"{path} is a directory") from None
    except OSError as e:
        raise UnspinError(f"{path}: {e.strerror}") from None
    if len(data) > max_bytes:  # a pipe or device (/dev/stdin, <(...)) has no size to report
        raise too_large(path, max_bytes, st.st_size if stat.S_ISREG(st.st_mode) else None)
    return decode_input(data, path, max_bytes)


def _html_text(html: str, name: str) -> str:
    import trafilatura
    text = trafilatura.extract(html, include_comments=False, include_tables=False)
    if not text or not text.strip():
        raise UnspinError(f"{name}: no article text found in the HTML")
    return text


def _pdf_text(data: bytes, name: str) -> str:
    import io
    import logging
    from pypdf import PdfReader
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception as e:  # pypdf raises many types on damaged files
        raise UnspinError(f"{name}: cannot read PDF ({type(e).__name__})") from None
    if not text.strip():
        raise UnspinError(f"{name}: the PDF has no extractable text (scanned?)")
    return text


def check_english(doc: Doc, name: str = "input") -> None:
    """Refuse text whose words are mostly not English: restoring it would only do harm.

    A word counts as English when it is common in English and not much commoner in one of the
    languages content farms also copy from (French "pour" and "le" are English words too)."""
    from wordfreq import zipf_frequency
    words = [t.lower for t in doc.words[:400]]
    if len(words) < 3:
        raise UnspinError(f"{name} has too few words to judge ({len(words)})")
    known = 0
    for w in words:
        en = zipf_frequency(w, "en")
        if en >= 2.5 and en >= max(zipf_frequency(w, lang) for lang in _OTHER_LANGS) - 1.0:
            known += 1
    if known / len(words) < 0.6:
        raise UnspinError(f"{name} does not look like English ({known}/{len(words)} words are English)")


_OTHER_LANGS = ("fr", "es", "de")  # each list costs ~30 MB of memory


def check_text(text: str, name: str = "input", max_bytes: int = MAX_BYTES) -> str:
    """The rules one article's text meets wherever it comes from (a file, standard input, the
    HTTP API): encodable Unicode, within the size limit, not empty, English. Returns the text."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as e:  # a lone surrogate, e.g. \ud800 escaped in JSON
        raise UnspinError(f"{name} is not valid Unicode (unpaired surrogate at character "
                          f"{e.start})") from None
    if size > max_bytes:
        raise too_large(name, max_bytes, size)
    if not text.strip():
        raise UnspinError(f"{name} is empty")
    check_english(Doc(text[:20000]), name)
    return text


def load_document(path: str, max_bytes: int = MAX_BYTES) -> str:
    """read_input + check_text: what every command that reads one article does first."""
    return check_text(read_input(path, max_bytes), "standard input" if path == "-" else path, max_bytes)


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
