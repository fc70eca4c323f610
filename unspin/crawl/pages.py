"""Crawl records, one at a time: WARC responses (HTML → text), WET conversions (text), JSONL lines.

Every record read comes out as a `Page` (text ready to score) or a `Skip` with its reason, so
a caller can count what it did not score; damage ends the file with one `Skip("corrupt")`.
A file nothing could be read from raises UnspinError. Readers never judge the text itself
(length, language): that is the caller's policy.
"""
from __future__ import annotations

import codecs
import contextlib
import io
import re
from dataclasses import dataclass
from typing import Iterator

from ..errors import UnspinError
from ..inputs import MAX_BYTES

WARC_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz")
JSONL_SUFFIXES = (".jsonl",)
SUFFIXES = WARC_SUFFIXES + JSONL_SUFFIXES

# Why a record was not scored (the reader's share; the scan adds too_short, not_english).
NOT_RESPONSE = "not_response"      # request, metadata, warcinfo, revisit ... records
NO_HTTP_HEADERS = "no_http_headers"
HTTP_STATUS = "http_status"        # not a 2xx response
NOT_HTML = "not_html"
BINARY = "binary"
TOO_LARGE = "too_large"            # body over inputs.MAX_BYTES
NO_TEXT = "no_text"                # no article text found
BAD_JSON = "bad_json"              # a JSONL line that is not an object with valid "text"
CORRUPT = "corrupt"                # truncated or damaged data: the rest of the file is lost


@dataclass(frozen=True, slots=True)
class Page:
    offset: int                    # byte offset of the record in the file (compressed for .gz)
    url: str | None
    date: str | None
    text: str
    language: str | None = None    # what the crawl says (WET: WARC-Identified-Content-Language)


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str
    offset: int | None = None
    url: str | None = None


def read(path: str) -> Iterator[Page | Skip]:
    """Every record of one .warc/.wet(.gz) or .jsonl file, in order."""
    if path.lower().endswith(JSONL_SUFFIXES):
        return _jsonl(path)
    if path.lower().endswith(WARC_SUFFIXES):
        return _warc(path)
    raise UnspinError(f"{path}: unsupported file type; give {', '.join(SUFFIXES)}")


def _jsonl(path: str) -> Iterator[Page | Skip]:
    from ..archive.readers import _jsonl as records  # the archive's reader: same rules for the same files
    problems: list[str] = []
    start = 0
    for lineno, (rec, end) in enumerate(records(path, problems.append), 1):
        if rec is not None:
            url = None if rec.source == f"{path}:{lineno}" else rec.source
            try:
                size = len(rec.text.encode("utf-8"))
            except UnicodeEncodeError:  # a lone surrogate escaped in the JSON
                yield Skip(BAD_JSON, start, url)
            else:
                yield Skip(TOO_LARGE, start, url) if size > MAX_BYTES else Page(start, url, rec.date, rec.text)
        elif problems:  # a blank line is no record at all
            problems.clear()
            yield Skip(BAD_JSON, start)
        start = end


def _warc(path: str) -> Iterator[Page | Skip]:
    from warcio.archiveiterator import ArchiveIterator

    from ..archive.readers import _check_gzip
    n = 0
    try:
        f = open(path, "rb")
    except OSError as e:
        raise UnspinError(f"{path}: {e.strerror}") from None
    with f:
        records = ArchiveIterator(f)
        try:
            while True:
                with contextlib.redirect_stderr(io.StringIO()):  # warcio prints its own damage reports
                    rec = next(records, None)
                    if rec is None:
                        break
                    if not rec.format.startswith("warc"):  # warcio reads any text line as an ARC header
                        raise ValueError(f"{rec.format} record")
                    item = _record(rec)
                    offset = records.get_record_offset()  # only valid once the record has been read
                n += 1
                if item is None:  # the record stops before its Content-Length: the file was cut
                    yield Skip(CORRUPT, offset, rec.rec_headers.get_header("WARC-Target-URI"))
                    return
                if isinstance(item, Page):
                    yield Page(offset, item.url, item.date, item.text, item.language)
                else:
                    yield Skip(item.reason, offset, item.url)
            if path.lower().endswith(".gz"):
                _check_gzip(path)  # warcio drops a cut-off last gzip member silently
        except Exception as e:  # warcio and gzip raise several types on truncated/damaged input
            if not n:
                raise UnspinError(f"{path}: not a WARC/WET file, or damaged before its first record "
                                  f"({type(e).__name__})") from None
            yield Skip(CORRUPT)


def _record(rec) -> Page | Skip | None:
    """One WARC record read to its end: a Page, a Skip, or None when it was cut short."""
    h = rec.rec_headers
    url, date = h.get_header("WARC-Target-URI"), h.get_header("WARC-Date")
    if rec.rec_type not in ("response", "conversion"):
        return Skip(NOT_RESPONSE, url=url)
    http = rec.http_headers
    if rec.rec_type == "response":
        if http is None or not (http.protocol or "").upper().startswith("HTTP/"):
            return Skip(NO_HTTP_HEADERS, url=url)
        status = http.get_statuscode() or ""
        if not status.startswith("2"):
            return Skip(HTTP_STATUS, url=url)
        ctype = http.get_header("Content-Type") or ""
        if "html" not in ctype.lower():
            return Skip(NOT_HTML, url=url)
    body = rec.content_stream().read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        return Skip(TOO_LARGE, url=url)
    if getattr(rec.raw_stream, "limit", 0):
        return None
    if b"\x00" in body[:8192]:
        return Skip(BINARY, url=url)
    if rec.rec_type == "conversion":
        text = body.decode("utf-8", "replace")
        lang = h.get_header("WARC-Identified-Content-Language")
    else:
        text, lang = _html(body, ctype), None
    if not text or not text.strip():
        return Skip(NO_TEXT, url=url)
    return Page(0, url, date, text, lang)


_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


def _html(body: bytes, ctype: str) -> str | None:
    from ..inputs import html_article
    m = _CHARSET.search(ctype)
    enc = "utf-8"
    if m:
        try:
            enc = codecs.lookup(m.group(1)).name
        except LookupError:
            pass
    try:
        return html_article(body.decode(enc, "replace"))
    except Exception:  # a page lxml cannot parse: no text either
        return None


def warc_record(uri: str, rtype: str, ctype: str, body: bytes, extra: str = "",
                gz: bool = True) -> bytes:
    """One WARC record written by hand, for generated crawls (tests, bench/scan_bench.py):
    warcio refuses to write a response without HTTP headers, which real crawls contain."""
    import gzip
    import hashlib
    rid = hashlib.sha1(f"{rtype}:{uri}".encode()).hexdigest()[:32]
    head = (f"WARC/1.0\r\nWARC-Type: {rtype}\r\nWARC-Target-URI: {uri}\r\n"
            f"WARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{rid}>\r\n{extra}"
            f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    rec = head + body + b"\r\n\r\n"
    return gzip.compress(rec, 1) if gz else rec
