"""Render a restoration or detection for people: rich terminal text and a self-contained HTML page.

Article text is untrusted: every piece goes through html.escape before it reaches the page.
"""
from __future__ import annotations

import html

from rich.text import Text

from .text import Edit

_CSS = """body{font:16px/1.6 Georgia,serif;max-width:48em;margin:2em auto;padding:0 1em;color:#222}
del{color:#a33;background:#fdd;text-decoration:line-through}ins{color:#161;background:#dfd;text-decoration:none}
.flag{background:#ffe08a}.meta{font:14px sans-serif;color:#555}table{border-collapse:collapse;font:14px sans-serif}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}pre{white-space:pre-wrap;font:inherit}"""


def terminal(text: str, edits: list[Edit]) -> Text:
    """The input with each edit shown as [spun -> original]."""
    out, pos = Text(), 0
    for e in sorted(edits, key=lambda e: e.start):
        out.append(text[pos:e.start])
        out.append(e.from_, style="strike red")
        out.append("→", style="dim")
        out.append(e.to, style="bold green")
        pos = e.end
    out.append(text[pos:])
    return out


def marked_html(text: str, edits: list[Edit]) -> str:
    parts, pos = [], 0
    for e in sorted(edits, key=lambda e: e.start):
        parts.append(html.escape(text[pos:e.start]))
        parts.append(f'<del title="confidence {e.confidence:.2f}">{html.escape(e.from_)}</del>'
                     f'<ins>{html.escape(e.to)}</ins>')
        pos = e.end
    parts.append(html.escape(text[pos:]))
    return "".join(parts)


def page(title: str, body: str, css: str = _CSS) -> str:
    """A self-contained page: the title escaped, the body already escaped HTML."""
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<style>{css}</style><body>{body}</body></html>")


def spin_rate_note(spin_rate: float | None, bold: bool) -> str:
    """How spun the restorer judged the page, as the terminal and the HTML page say it ("" where
    it made no estimate, as without the language model)."""
    if spin_rate is None:
        return ""
    return f"estimated spin rate {spin_rate:.0%}" + (" (heavily spun: restored more boldly)" if bold else "")


def restoration_summary(n_edits: int, spin_rate: float | None, bold: bool,
                        probability: float | None = None) -> str:
    """The line under a restoration, in the terminal and on the HTML page: "[spun probability
    0.97 · ]12 edits[ · estimated spin rate 27% ...]"."""
    return " · ".join(x for x in (None if probability is None else f"spun probability {probability:.2f}",
                                  f"{n_edits} edits", spin_rate_note(spin_rate, bold)) if x)


def restoration_page(title: str, text: str, edits: list[Edit], probability: float | None = None,
                     spin_rate: float | None = None, bold: bool = False) -> str:
    meta = restoration_summary(len(edits), spin_rate, bold, probability)
    rows = "".join(f"<tr><td>{e.start}</td><td><del>{html.escape(e.from_)}</del></td>"
                   f"<td><ins>{html.escape(e.to)}</ins></td><td>{e.confidence:.2f}</td></tr>" for e in edits)
    body = (f"<h1>{html.escape(title)}</h1><p class=meta>{meta}</p>"
            f"<pre>{marked_html(text, edits)}</pre><h2>Edits</h2>"
            f"<table><tr><th>offset</th><th>spun</th><th>original</th><th>confidence</th></tr>{rows}</table>")
    return page(title, body)
