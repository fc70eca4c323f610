"""HTTP API and a one-page web UI over detect and restore (FastAPI).

    unspin serve --port 8000      # then open http://127.0.0.1:8000/

The page renders everything with textContent, never innerHTML, so article text cannot inject markup.
"""
from __future__ import annotations

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from .errors import UnspinError
from .text import MAX_BYTES, Doc, check_english

app = FastAPI(title="unspin", description="Detect and restore machine-spun text.", version="0.1.0")


class TextIn(BaseModel):
    text: str = Field(..., description="The article text (plain).")


def _checked(body: TextIn) -> str:
    text = body.text
    if not text.strip():
        raise HTTPException(422, "text is empty")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise HTTPException(413, f"text is over {MAX_BYTES // 1_000_000} MB")
    try:
        check_english(Doc(text[:20000]), "text")
    except UnspinError as e:
        raise HTTPException(422, str(e)) from None
    return text


@app.post("/api/detect")
def api_detect(body: TextIn, deep: bool = False) -> dict:
    """Same JSON as `unspin detect --json`."""
    from .detect import detect
    return detect(_checked(body), deep=deep).to_json()


@app.post("/api/restore")
def api_restore(body: TextIn) -> dict:
    """Same JSON as `unspin restore --json`."""
    from .restore import restore
    try:
        return restore(_checked(body)).to_json()
    except UnspinError as e:
        raise HTTPException(422, str(e)) from None


@app.get("/", response_class=HTMLResponse)
def page() -> str:
    return _PAGE


_PAGE = """<!doctype html><html lang=en><meta charset=utf-8><title>unspin</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em}
textarea{width:100%;height:14em;font:inherit}#out{white-space:pre-wrap;border:1px solid #ccc;padding:1em;margin-top:1em}
del{color:#a33;background:#fdd}ins{color:#161;background:#dfd;text-decoration:none}.flag{background:#ffe08a}
button{font:inherit;padding:.3em 1em;margin:.5em .5em 0 0}#meta{color:#555}</style>
<h1>unspin</h1><p>Paste an article. <b>Detect</b> says whether it was spun; <b>Restore</b> proposes the original wording.</p>
<textarea id=text placeholder="The chief government mentioned the corporate expects income to rise subsequent yr."></textarea>
<button id=detect>Detect</button><button id=restore>Restore</button><span id=meta></span><div id=out></div>
<script>
const $ = id => document.getElementById(id);
function render(text, spans, fromKey, toKey) {
  const out = $('out'); out.textContent = ''; let pos = 0;
  for (const s of spans.slice().sort((a, b) => a.start - b.start)) {
    out.append(document.createTextNode(text.slice(pos, s.start)));
    const d = document.createElement(toKey ? 'del' : 'span');
    if (!toKey) d.className = 'flag';
    d.textContent = text.slice(s.start, s.end);
    d.title = 'confidence ' + s.confidence.toFixed(2) + (s.suggestion ? ' · original? ' + s.suggestion : '');
    out.append(d);
    if (toKey) { const i = document.createElement('ins'); i.textContent = s[toKey]; out.append(i); }
    pos = s.end;
  }
  out.append(document.createTextNode(text.slice(pos)));
}
async function call(kind) {
  const text = $('text').value; $('meta').textContent = 'working…';
  const r = await fetch('/api/' + kind, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                          body: JSON.stringify({text})});
  const j = await r.json();
  if (!r.ok) { $('meta').textContent = 'error: ' + (j.detail || r.status); return; }
  if (kind === 'detect') {
    $('meta').textContent = j.verdict + ' · spun probability ' + j.spun_probability.toFixed(2);
    render(text, j.spans, 'text', null);
  } else {
    $('meta').textContent = j.edits.length + ' edits';
    render(text, j.edits, 'from', 'to');
  }
}
$('detect').onclick = () => call('detect'); $('restore').onclick = () => call('restore');
</script></html>"""
