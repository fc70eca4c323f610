"""What the HTTP API answers: the CLI's JSON, plus what a browser needs to show it.

Offsets. Every `start`/`end` (and trace's `query_start`... `source_end`) counts Unicode code
points of the text, as Python does and as the CLI's JSON does. JavaScript strings count UTF-16
code units, which differ after any character outside the Basic Multilingual Plane (most
emoji), so each offset also comes as `<name>_utf16`, ready for `text.slice()` in a browser.

These functions take a `progress(done, total, unit)` callback, which a job uses both to
report and to stop (it raises when the job is cancelled); the server is a thin layer on them.
"""
from __future__ import annotations

from typing import Callable

from ..text import utf16_offsets

Progress = Callable[..., None]


def add_utf16(text: str, items: list[dict], keys: tuple[str, ...] = ("start", "end")) -> list[dict]:
    """Each item with `<key>_utf16` beside each of `keys` (code point offsets into text)."""
    to16 = utf16_offsets(text)
    for it in items:
        for k in keys:
            it[f"{k}_utf16"] = to16(it[k])
    return items


def detect_json(text: str, deep: bool = False, progress: Progress | None = None) -> dict:
    """`unspin detect --json`, each span with its UTF-16 offsets and whether the page paints
    it (`painted`), and the verdict explained in a sentence (`explanation`)."""
    from ..engine.detect import PAINT_AT, detect, explain, painted
    d = detect(text, deep=deep, progress=progress)
    out = d.to_json()
    add_utf16(text, out["spans"])
    for span, shown in zip(out["spans"], painted(d)):
        span["painted"] = shown
    out["paint_at"] = PAINT_AT
    out["explanation"] = explain(d)
    return out


def restore_json(text: str, use_lm: bool = True, learned=None, progress: Progress | None = None) -> dict:
    """`unspin restore --json`, each edit with its UTF-16 offsets (into the input text) and its
    alternatives; `original` is the input; `spin_rate_note` says how spun the page looked in
    the words the terminal and the HTML view use ("" without an estimate)."""
    from ..engine.restore import restore
    from ..view import spin_rate_note
    tick = (lambda done, total: progress(done, total, "suspects")) if progress else None
    r = restore(text, use_lm=use_lm, learned=learned, progress=tick)
    out = r.to_json()
    out["original"] = text
    out["spin_rate_note"] = spin_rate_note(r.spin_rate, r.bold)
    add_utf16(text, out["edits"])
    return out


def trace_json(text: str, db: str, top: int = 5, progress: Progress | None = None) -> dict:
    """`unspin trace --json`, each passage with its UTF-16 offsets and the archived source's
    text of it (`source_text`), so suspect and source can be shown side by side."""
    from ..archive.store import Archive
    from ..archive.trace import trace
    if progress:
        progress(0, 1, "steps")
    with Archive(db) as arc:
        ms = trace(text, arc, top=top)
        out = []
        for m in ms:
            j = m.to_json()
            src = arc.get(m.doc)
            source = src.text if src is not None else ""
            add_utf16(text, j["passages"], ("query_start", "query_end"))
            add_utf16(source, j["passages"], ("source_start", "source_end"))
            for p in j["passages"]:
                p["source_text"] = source[p["source_start"]:p["source_end"]]
            out.append(j)
    if progress:
        progress(1, 1, "steps")
    return {"matches": out}


def report_html(text: str, db: str, use_lm: bool = True, progress: Progress | None = None) -> str:
    """`unspin report`: the self-contained evidence page."""
    from ..archive.report import report
    if progress:
        progress(0, 1, "steps")
    html = report(text, db, use_lm=use_lm)
    if progress:
        progress(1, 1, "steps")
    return html


def add_documents(db: str, documents: list[dict]) -> dict:
    """Add articles to the archive (created if missing): what `unspin archive add` reports."""
    from ..archive.ingest import add_records
    from ..archive.store import Record
    recs = [Record(d["id"], d.get("source") or "api", d["text"], d.get("title"), d.get("date"))
            for d in documents]
    st = add_records(db, recs)
    return {"added": st.added, "duplicates": st.duplicates, "conflicts": st.conflicts,
            "warnings": st.warnings}
