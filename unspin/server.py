"""HTTP API and a one-page web UI over detect and restore (FastAPI).

    unspin serve --port 8000      # then open http://127.0.0.1:8000/

The page renders everything with textContent, never innerHTML, so article text cannot inject markup.
"""
from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from .errors import TooLarge, UnspinError
from .text import MAX_BYTES, check_text

# The request body, refused while it arrives: JSON escapes (\uXXXX, \n) can make a text a few
# times its UTF-8 size, so this is looser than MAX_BYTES, which check_text applies to the text.
MAX_BODY = 4 * MAX_BYTES


class _BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is over the {limit / 1e6:g} MB limit ({limit:,} bytes)")


class BodyLimit:
    """ASGI middleware: answer 413 before reading a body whose Content-Length is over the limit,
    and stop reading a body without one (chunked) as soon as it passes the limit."""

    def __init__(self, app, limit: int = MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared.strip().isdigit() and int(declared) > self.limit:
            return await _refuse(scope, receive, send, _BodyTooLarge(self.limit))
        seen, started = 0, False

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge(self.limit)  # an HTTPException: FastAPI answers it as a 413
            return message

        async def watched(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except _BodyTooLarge as e:  # raised where no exception handler answered it
            if started:
                raise
            await _refuse(scope, receive, send, e)


async def _refuse(scope, receive, send, e: HTTPException) -> None:
    """The answer FastAPI gives an HTTPException, sent from outside it."""
    await JSONResponse({"detail": e.detail}, status_code=e.status_code)(scope, receive, send)


app = FastAPI(title="unspin", description="Detect and restore machine-spun text.", version="0.1.0")
app.add_middleware(BodyLimit)


@app.exception_handler(RequestValidationError)
async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    """One short line, never the input: FastAPI's default echoes the whole body back."""
    first = (exc.errors() or [{}])[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    why = " ".join(str(first.get("msg", "invalid")).split())[:120]
    return JSONResponse({"detail": f"bad request ({where}: {why}); send JSON {{\"text\": \"...\"}}"},
                        status_code=422)


class TextIn(BaseModel):
    text: str = Field(..., description="The article text (plain).")


def _checked(body: TextIn) -> str:
    try:
        return check_text(body.text, "text")
    except TooLarge as e:
        raise HTTPException(413, str(e)) from None
    except UnspinError as e:
        raise HTTPException(422, str(e)) from None


@app.post("/api/detect")
def api_detect(body: TextIn, deep: bool = False) -> dict:
    """Same JSON as `unspin detect --json`."""
    from .detect import detect
    text = _checked(body)
    try:
        return detect(text, deep=deep).to_json()
    except UnspinError as e:
        raise HTTPException(422, str(e)) from None


@app.post("/api/restore")
def api_restore(body: TextIn) -> dict:
    """Same JSON as `unspin restore --json`."""
    from .restore import restore
    text = _checked(body)
    try:
        return restore(text).to_json()
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
