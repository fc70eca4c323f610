"""Reading archive sources: plain text and HTML files, JSONL, WARC; one Record per article."""
from __future__ import annotations

import json
import os
from typing import Callable, Iterator

from ..errors import UnspinError
from .store import Record

SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".warc", ".warc.gz")


def expand(paths: list[str]) -> Iterator[str]:
    """Files to ingest, directories walked in sorted order; unknown suffixes skipped there."""
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                for name in sorted(names):
                    if name.lower().endswith(SUFFIXES):
                        yield os.path.join(root, name)
        elif os.path.isfile(p):
            if not p.lower().endswith(SUFFIXES):
                raise UnspinError(f"{p}: unsupported file type; give .txt, .html, .jsonl, .warc or .warc.gz")
            yield p
        else:
            raise UnspinError(f"{p}: no such file or directory")


def read_records(path: str, warn: Callable[[str], None]) -> Iterator[tuple[Record | None, int]]:
    """(record or None when skipped, bytes consumed) for every record of one file, in order.

    Skipped records still count, so a resume index stays valid across reruns.
    """
    low = path.lower()
    if low.endswith(".jsonl"):
        yield from _jsonl(path, warn)
    elif low.endswith((".warc", ".warc.gz")):
        yield from _warc(path, warn)
    else:
        yield _plain(path, warn), os.path.getsize(path)


def _plain(path: str, warn) -> Record | None:
    from ..inputs import decode_input
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = decode_input(data, path)
    except UnspinError as e:
        warn(f"{e}; skipped")
        return None
    return Record(id=path, source=path, text=text, title=_first_line(text))


def _first_line(text: str) -> str | None:
    line = text.strip().split("\n", 1)[0].strip()
    return line[:200] if 0 < len(line) <= 200 else None


def _jsonl(path: str, warn):
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            pos = f.tell()
            if not raw.strip():
                yield None, pos
                continue
            where = f"{path}:{lineno}"
            try:
                obj = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                warn(f"{where}: not valid JSON ({getattr(e, 'msg', 'bad UTF-8')}); skipped")
                yield None, pos
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not obj["text"].strip():
                warn(f"{where}: no \"text\" field with text; skipped")
                yield None, pos
                continue
            url = obj.get("url") if isinstance(obj.get("url"), str) else None
            doc_id = obj.get("id")
            doc_id = str(doc_id) if doc_id not in (None, "") else (url or where)
            yield Record(id=doc_id, source=url or where, text=obj["text"],
                         title=_str(obj.get("title")), date=_str(obj.get("date"))), pos


def _str(v) -> str | None:
    return str(v) if v not in (None, "") else None


def _warc(path: str, warn):
    """HTML responses of a WARC file. A file not one page could be read from is an error, not a
    warning: the run would otherwise end well having added nothing."""
    import contextlib
    import io
    from warcio.archiveiterator import ArchiveIterator
    import trafilatura

    from ..inputs import html_article
    n = 0
    with open(path, "rb") as f:
        try:
            records = ArchiveIterator(f)
            while True:
                with contextlib.redirect_stderr(io.StringIO()):  # warcio prints its own damage reports
                    rec = next(records, None)
                if rec is None:
                    break
                if rec.rec_type != "response":
                    continue
                ctype = (rec.http_headers.get_header("Content-Type") or "") if rec.http_headers else ""
                if "html" not in ctype.lower():
                    continue
                url = rec.rec_headers.get_header("WARC-Target-URI") or f"{path}#{n}"
                html = rec.content_stream().read().decode("utf-8", "replace")
                if getattr(rec.raw_stream, "limit", 0):  # record ends before its Content-Length
                    raise EOFError("record cut short")
                n += 1
                text = html_article(html)
                if text is None:
                    warn(f"{path}: {url}: no article text found in the HTML; skipped")
                    yield None, f.tell()
                    continue
                meta = trafilatura.extract_metadata(html)
                yield Record(id=url, source=url, text=text, title=getattr(meta, "title", None),
                             date=getattr(meta, "date", None)), f.tell()
            if path.lower().endswith(".gz"):
                _check_gzip(path)  # warcio drops a cut-off last gzip member silently
        except Exception as e:  # warcio raises several types on truncated/damaged input
            if not n:
                raise UnspinError(f"{path}: not a WARC file, or damaged before its first page "
                                  f"({type(e).__name__}); nothing added from it") from None
            warn(f"{path}: WARC is truncated or damaged after {n} records "
                 f"({type(e).__name__}); kept the complete ones")
    if not n:
        raise UnspinError(f"{path}: no HTML pages in this WARC file; nothing added from it")


def _check_gzip(path: str) -> None:
    import gzip
    with gzip.open(path, "rb") as g:
        while g.read(1 << 20):
            pass
