"""One self-contained HTML page of evidence: suspect and source side by side.

Meant to be read by someone who is not an engineer, so it says in words what each colour
means. Every piece of article text goes through html.escape; the page loads nothing.
"""
from __future__ import annotations

import html
from datetime import datetime, timezone

from . import align as al
from .store import Archive, using
from .trace import Match, trace

_CSS = """body{font:15px/1.55 Georgia,serif;margin:1.5em auto;max-width:78em;padding:0 1em;color:#222}
h1,h2,.meta,table,.legend{font-family:system-ui,sans-serif}.meta{color:#555;font-size:14px}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1.5em}.col{white-space:pre-wrap;border:1px solid #ccc;
padding:.8em;border-radius:4px}.verbatim{background:#ffd6d6}.spun{background:#ffe9b3}.paraphrase{background:#dde8ff}.translation{background:#def3de}
td.t{font:14px/1.45 Georgia,serif;vertical-align:top;width:42%}
del{color:#a33;text-decoration:line-through}ins{color:#161;background:#dfd;text-decoration:none}
b.sub{text-decoration:underline wavy #a33}sup{font:11px system-ui;color:#666}
table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
.legend span{padding:0 .4em;margin-right:.6em}"""

_KIND_WORDS = {"verbatim": "copied word for word", "spun": "copied with words swapped for synonyms",
               "paraphrase": "reworded but following the source sentence",
               "translation": "translated from the source sentence"}


def _marked(text: str, regions: list[tuple[int, int, str, str]], words: list[tuple[int, int]]) -> str:
    """Text with (start, end, css class, label) regions and underlined word spans, escaped."""
    regions = sorted(regions)
    kept, end = [], -1
    for r in regions:  # several suspect sentences can point at one source sentence
        if r[0] >= end:
            kept.append(r)
            end = r[1]
    words = sorted(words)
    out, pos = [], 0

    def plain(a, b):
        parts, p = [], a
        for ws, we in words:
            if ws >= a and we <= b and ws >= p:
                parts.append(html.escape(text[p:ws]))
                parts.append(f"<b class=sub>{html.escape(text[ws:we])}</b>")
                p = we
        parts.append(html.escape(text[p:b]))
        return "".join(parts)

    for s, e, cls, label in kept:
        out.append(plain(pos, s))
        out.append(f"<span class={cls}><sup>{html.escape(label)}</sup>{plain(s, e)}</span>")
        pos = e
    out.append(plain(pos, len(text)))
    return "".join(out)


def report(text: str, db: str | Archive, use_lm: bool = True, match: Match | None = None) -> str:
    """The evidence page for `text` against its best source in the archive."""
    with using(db) as arc:
        ms = [match] if match else trace(text, arc, top=3)
        if not ms:
            return _page("No source found", "<p>unspin found no article in the archive that this text "
                         "copies or covers.</p>" + f"<h2>Suspect text</h2><div class=col>{html.escape(text)}</div>")
        best = ms[0]
        src = arc.get(best.doc) or arc.get_id(best.id)
        assert src is not None  # trace found it in this archive
        learned = None
        try:
            from .learn import load_table
            learned = load_table(arc) or None
        except Exception:  # noqa: BLE001 - the report still stands without a learned table
            pass
    return _page(f"unspin report: {best.title or best.id}", _body(text, best, src.text, ms[1:], learned, use_lm))


def _body(text, m: Match, source: str, others: list[Match], learned, use_lm) -> str:
    e = html.escape
    subs = al.substitutions(text, source, m.passages)
    q_regions = [(p.query_start, p.query_end, p.kind, f"{i}") for i, p in enumerate(m.passages, 1)]
    s_regions = [(p.source_start, p.source_end, p.kind, f"{i}") for i, p in enumerate(m.passages, 1)]
    verdict = ("is a <strong>copy</strong> of" if m.relation == "copy"
               else "is <strong>not a copy</strong>, but covers the same story as")
    kinds = {k: sum(p.query_end - p.query_start for p in m.passages if p.kind == k) for k in _KIND_WORDS}
    total = max(1, len(text.strip()))
    parts = [f"<h1>Source report</h1><p class=meta>Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC "
             "by unspin. Offsets are character positions in each text.</p>",
             f"<p>The suspect text {verdict} archived article <strong>{e(m.id)}</strong>"
             f"{' (' + e(m.title) + ')' if m.title else ''}, source <code>{e(m.source)}</code>. "
             f"{m.coverage:.0%} of the suspect's text is aligned to it (score {m.score:.2f}).</p><ul>"]
    parts += [f"<li><span class={k}>{k}</span>: {_KIND_WORDS[k]}, {v / total:.0%} of the suspect</li>"
              for k, v in kinds.items() if v]
    if m.reasons is not None:
        parts.append("</ul><h2>Why</h2><ul>" + "".join(f"<li>{e(w)}</li>" for w in m.reasons.why))
    parts.append("</ul><p class=legend>Numbered passages correspond between the two columns; "
                 "<b class=sub>underlined</b> words differ from the source.</p>")
    parts.append(f"<div class=cols><div><h2>Suspect</h2><div class=col>"
                 f"{_marked(text, q_regions, [(s.query_start, s.query_end) for s in subs])}</div></div>"
                 f"<div><h2>Source: {e(m.id)}</h2><div class=col>"
                 f"{_marked(source, s_regions, [(s.source_start, s.source_end) for s in subs])}</div></div></div>")
    parts.append(_passage_table(text, source, m.passages))
    parts.append(f"<h2>Substitutions ({len(subs)})</h2>")
    if subs:
        parts.append("<table><tr><th>suspect offset</th><th>spun</th><th>original</th><th>source offset</th></tr>"
                     + "".join(f"<tr><td>{s.query_start}</td><td><del>{e(s.spun)}</del></td>"
                               f"<td><ins>{e(s.original)}</ins></td><td>{s.source_start}</td></tr>" for s in subs)
                     + "</table>")
    if m.reasons is not None and m.reasons.translation:
        parts.append("<h2>Restored text</h2><p class=meta>Not attempted: the suspect is a translation, "
                     "not a word-spun copy.</p>")
    else:
        parts.append("<h2>Restored text</h2>" + _restored(text, learned, use_lm))
    if others:
        parts.append("<h2>Other candidates</h2><table><tr><th>id</th><th>relation</th><th>coverage</th></tr>"
                     + "".join(f"<tr><td>{e(o.id)}</td><td>{o.relation}</td><td>{o.coverage:.0%}</td></tr>"
                               for o in others) + "</table>")
    return "".join(parts)


def _passage_table(text: str, source: str, passages: list[al.Passage], limit: int = 300) -> str:
    """Each aligned passage, suspect beside source, with its kind and similarity."""
    if not passages:
        return ""
    e = html.escape
    rows = "".join(f"<tr><td>{i}</td><td><span class={p.kind}>{p.kind}</span></td><td>{p.similarity:.2f}</td>"
                   f"<td class=t>{e(text[p.query_start:p.query_end])}</td>"
                   f"<td class=t>{e(source[p.source_start:p.source_end])}</td></tr>"
                   for i, p in enumerate(passages[:limit], 1))
    return (f"<h2>Aligned passages ({len(passages)})</h2><p class=meta>Similarity: share of words in "
            "common for verbatim and spun passages; agreement in meaning (cosine of multilingual "
            "sentence vectors, 1 = same meaning) for paraphrases and translations.</p>"
            "<table><tr><th>#</th><th>kind</th><th>similarity</th><th>suspect</th><th>source</th></tr>"
            f"{rows}</table>")


def _restored(text: str, learned, use_lm: bool) -> str:
    try:
        from ..engine.restore import restore
        from ..view import marked_html
        r = restore(text, learned=learned, use_lm=use_lm)
        return (f"<p class=meta>{len(r.edits)} words restored to their most likely original "
                f"(struck: spun; green: restored).</p><div class=col>{marked_html(text, r.edits)}</div>")
    except Exception as ex:  # noqa: BLE001 - the evidence above stands without a restoration
        return f"<p class=meta>Restoration unavailable: {html.escape(type(ex).__name__ + ': ' + str(ex))}</p>"


def _page(title: str, body: str) -> str:
    from ..view import page
    return page(title, body, _CSS)
