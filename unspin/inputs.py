"""Input: bytes of a .txt/.html/.pdf file or standard input to plain text, and the rules one
article's text meets wherever it comes from (CLI and HTTP API alike): size, encoding, English."""
from __future__ import annotations

from .errors import TooLarge, UnspinError
from .text import Doc

# ---- reading -------------------------------------------------------------------------

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


def html_article(html: str) -> str | None:
    """The article text of an HTML page (trafilatura; no comments, no tables), or None: the one
    extraction every input uses (files, the HTTP API, archive WARC files, crawls)."""
    import trafilatura
    text = trafilatura.extract(html, include_comments=False, include_tables=False)
    return text if text and text.strip() else None


def _html_text(html: str, name: str) -> str:
    text = html_article(html)
    if text is None:
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
