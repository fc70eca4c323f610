"""HTTP API and the web page (FastAPI): a thin layer over unspin.server.api, with every piece of model
work in one bounded pool (unspin.jobs).

    unspin serve --port 8000                    # then open http://127.0.0.1:8000/
    unspin serve --db archive.db --workers 1    # also /api/trace, /api/archive, reports

Endpoints (OpenAPI at /docs): POST /api/detect, /api/restore, /api/trace (answered when done;
a client that goes away cancels its work); POST /api/jobs (the same work as a job: 202 with
its id), GET /api/jobs/{id} (progress, then the result), DELETE /api/jobs/{id} (cancel: the
work stops at its next checkpoint), GET /api/jobs/{id}/report (a report job's HTML);
POST /api/archive (add documents); GET /api/health. Offsets count code points; each also
comes as `<name>_utf16` for JavaScript (see unspin.server.api). A full pool answers 503 with
Retry-After; bodies over the limit get 413 before they are read; errors never echo the body.

The page (unspin/server/static/) renders all text with textContent, never innerHTML.
"""
from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from importlib import resources
from typing import Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from ..errors import TooLarge, UnspinError
from ..jobs import Busy, Job, Jobs
from ..inputs import MAX_BYTES, check_text

# The request body, refused while it arrives: JSON escapes (\uXXXX, \n) can make a text a few
# times its UTF-8 size, so this is looser than MAX_BYTES, which check_text applies to the text.
MAX_BODY = 4 * MAX_BYTES
MAX_DOCUMENTS = 1000   # per POST /api/archive


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


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    """One short line, never the input: FastAPI's default echoes the whole body back."""
    first = (exc.errors() or [{}])[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    why = " ".join(str(first.get("msg", "invalid")).split())[:120]
    return JSONResponse({"detail": f"bad request ({where}: {why}); see /docs for the JSON to send"},
                        status_code=422)


# ---- request bodies --------------------------------------------------------------------------

class TextIn(BaseModel):
    text: str = Field(..., description="The article text (plain). At most 5 MB of UTF-8, English.")


class JobIn(TextIn):
    kind: Literal["detect", "restore", "trace", "report"] = Field(
        ..., description="detect, restore; trace and report need a server started with --db.")
    deep: bool = Field(False, description="detect: also run the language model.")
    use_lm: bool = Field(True, description="restore, report: use the language model (slower, better).")
    top: int = Field(5, ge=1, le=50, description="trace: how many sources to list.")


class TraceIn(TextIn):
    top: int = Field(5, ge=1, le=50, description="How many sources to list.")


class DocumentIn(BaseModel):
    id: str = Field(..., min_length=1, max_length=500, description="Your id; unique in the archive.")
    text: str = Field(..., description="The article text (plain); at least 10 words.")
    title: str | None = Field(None, max_length=2000)
    source: str | None = Field(None, max_length=2000, description="Where it came from (a URL).")
    date: str | None = Field(None, max_length=100)


class ArchiveIn(BaseModel):
    documents: list[DocumentIn] = Field(..., min_length=1, max_length=MAX_DOCUMENTS)


# ---- the work, as functions of a job ---------------------------------------------------------

def _checked(text: str) -> str:
    try:
        return check_text(text, "text")
    except TooLarge as e:
        raise HTTPException(413, str(e)) from None
    except UnspinError as e:
        raise HTTPException(422, str(e)) from None


def _archive(request: Request) -> str:
    db = request.app.state.db
    if db is None:
        raise HTTPException(404, "this server has no archive; start it with `unspin serve --db ARCHIVE`")
    return db


def _as_json(obj) -> bytes:
    """Results are kept serialised: a detection of a 5 MB text is ~20 MB as JSON, far more as
    Python dicts, and finished jobs wait for their clients."""
    return json.dumps(obj, ensure_ascii=False).encode()


def job_work(body: JobIn, db: str | None):
    from . import api
    text = body.text
    if body.kind == "detect":
        return lambda job: _as_json(api.detect_json(text, deep=body.deep, progress=job.progress))
    if body.kind == "restore":
        return lambda job: _as_json(api.restore_json(text, use_lm=body.use_lm, learned=_learned(db),
                                                     progress=job.progress))
    assert db is not None  # trace and report jobs are refused earlier without an archive
    archive: str = db
    if body.kind == "trace":
        return lambda job: _as_json(api.trace_json(text, archive, top=body.top, progress=job.progress))
    return lambda job: api.report_html(text, archive, use_lm=body.use_lm, progress=job.progress).encode()


def _learned(db: str | None):
    """The archive's learned substitution table, as `unspin restore --db` uses it."""
    from ..archive.learn import load_table
    if db is None:
        return None
    try:
        return load_table(db) or None
    except UnspinError:
        return None


def _submit(request: Request, kind: str, fn) -> Job:
    try:
        return request.app.state.jobs.submit(kind, fn)
    except Busy as e:
        raise HTTPException(503, str(e), headers={"Retry-After": str(e.retry_after)}) from None


async def answer_job(request: Request, job: Job) -> Response:
    """Wait for the job; cancel it if the client goes away; answer its result or its error."""
    future = job.future
    assert future is not None  # set by Jobs.submit
    waiting = asyncio.wrap_future(future)
    while not future.done():
        done, _ = await asyncio.wait({waiting}, timeout=0.5)
        if not done and await request.is_disconnected():
            request.app.state.jobs.cancel(job.id)
            return Response(status_code=499)  # nobody reads it
    if job.state == "done":
        return Response(job.result, media_type="application/json")
    if job.state == "cancelled":
        raise HTTPException(409, "the work was cancelled")
    raise HTTPException(job.status, job.error)


def _job_response(job: Job, status: int = 200) -> Response:
    """The job as JSON, its kept result (already JSON) spliced in when done."""
    env = job.to_json(with_result=False)
    env["url"] = f"/api/jobs/{job.id}"
    if job.kind == "report" and job.state == "done":
        env["download"] = f"/api/jobs/{job.id}/report"
    if job.state == "failed":
        env["status"] = job.status
    body = json.dumps(env, ensure_ascii=False).encode()
    if job.state == "done" and job.kind != "report":
        body = body[:-1] + b', "result": ' + job.result + b"}"
    return Response(body, status_code=status, media_type="application/json")


# ---- routes ----------------------------------------------------------------------------------

router = APIRouter()


@router.get("/api/health")
def health(request: Request) -> dict:
    """Whether the server is up, what it serves and how busy it is."""
    from .. import __version__
    st = request.app.state
    arc = None
    if st.db is not None:
        arc = {"path": st.db}
        try:
            from ..archive.store import Archive
            with Archive(st.db) as a:
                arc["documents"] = len(a)
        except UnspinError as e:
            arc["error"] = str(e)
    return {"status": "ok", "version": __version__, "archive": arc,
            "workers": st.jobs.workers, "queue": st.jobs.queue, "jobs": st.jobs.counts(),
            "limits": {"text_bytes": MAX_BYTES, "body_bytes": MAX_BODY, "documents": MAX_DOCUMENTS},
            "offsets": "start/end count Unicode code points; *_utf16 fields count UTF-16 code units "
                       "(JavaScript string indexes)"}


@router.post("/api/detect")
async def api_detect(body: TextIn, request: Request, deep: bool = False) -> Response:
    """`unspin detect --json`, plus `*_utf16` offsets, `painted` per span and `explanation`."""
    job = JobIn(kind="detect", text=_checked(body.text), deep=deep)
    return await answer_job(request, _submit(request, "detect", job_work(job, request.app.state.db)))


@router.post("/api/restore")
async def api_restore(body: TextIn, request: Request, use_lm: bool = True) -> Response:
    """`unspin restore --json`, plus `*_utf16` offsets and each edit's alternatives."""
    job = JobIn(kind="restore", text=_checked(body.text), use_lm=use_lm)
    return await answer_job(request, _submit(request, "restore", job_work(job, request.app.state.db)))


@router.post("/api/trace")
async def api_trace(body: TraceIn, request: Request) -> Response:
    """`unspin trace --json` against the server's archive, each passage with `source_text`."""
    db = _archive(request)
    job = JobIn(kind="trace", text=_checked(body.text), top=body.top)
    return await answer_job(request, _submit(request, "trace", job_work(job, db)))


@router.post("/api/jobs", status_code=202)
def create_job(body: JobIn, request: Request) -> Response:
    """Start detect, restore, trace or report as a job; poll GET /api/jobs/{id}."""
    db = _archive(request) if body.kind in ("trace", "report") else request.app.state.db
    body.text = _checked(body.text)
    return _job_response(_submit(request, body.kind, job_work(body, db)), 202)


def _job(request: Request, job_id: str) -> Job:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such job (finished jobs are kept for an hour)")
    return job


@router.get("/api/jobs/{job_id}")
def get_job(job_id: str, request: Request) -> Response:
    """state (queued, running, done, failed, cancelled), progress, then result or error."""
    return _job_response(_job(request, job_id))


@router.delete("/api/jobs/{job_id}")
def cancel_job(job_id: str, request: Request) -> Response:
    """Cancel: a queued job never starts; a running one stops at its next checkpoint."""
    _job(request, job_id)
    return _job_response(request.app.state.jobs.cancel(job_id))


@router.get("/api/jobs/{job_id}/report", response_class=HTMLResponse)
def job_report(job_id: str, request: Request, download: bool = Query(True)) -> Response:
    """A finished report job's self-contained HTML page."""
    job = _job(request, job_id)
    if job.kind != "report" or job.state != "done":
        raise HTTPException(409, f"job {job_id} is a {job.kind} job in state {job.state}, not a finished report")
    headers = {"Content-Disposition": 'attachment; filename="unspin-report.html"'} if download else {}
    return Response(job.result, media_type="text/html; charset=utf-8", headers=headers)


@router.post("/api/archive")
async def add_to_archive(body: ArchiveIn, request: Request) -> Response:
    """Add articles to the server's archive: counts added, duplicates, conflicts, warnings."""
    from . import api
    db = _archive(request)
    docs = [d.model_dump() for d in body.documents]
    for k, d in enumerate(docs):
        for field, value in d.items():
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise HTTPException(422, f"documents.{k}.{field} is not valid Unicode "
                                             "(unpaired surrogate)") from None
    job = _submit(request, "archive", lambda job: _as_json(api.add_documents(db, docs)))
    return await answer_job(request, job)


@router.post("/api/extract")
async def extract(request: Request, name: str = Query("upload", max_length=300)) -> Response:
    """The article text of a .txt, .html or .pdf file sent as the raw body (what the CLI reads
    from such a file): {"name", "text"}. Offsets of later calls refer to this text."""
    from ..inputs import decode_input
    data = await request.body()

    def work(job):
        return _as_json({"name": name, "text": decode_input(data, name)})
    return await answer_job(request, _submit(request, "extract", work))


_STATIC = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _static(name: str) -> bytes:
    return resources.files("unspin.server").joinpath("static", name).read_bytes()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page() -> Response:
    return Response(_static("index.html"), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": _CSP})


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    if name not in _STATIC:
        raise HTTPException(404, "not found")
    return Response(_static(name), media_type=_STATIC[name], headers={"Cache-Control": "no-cache"})


def create_app(db: str | None = None, workers: int = 1, queue: int = 8) -> FastAPI:
    """The app; db: an archive path for trace, report and /api/archive."""
    jobs = Jobs(workers=workers, queue=queue)

    @asynccontextmanager
    async def lifespan(_):
        yield
        jobs.shutdown()

    web = FastAPI(title="unspin", version="0.1.0", lifespan=lifespan,
                  description="Detect, restore and trace machine-spun text. Offsets count code "
                              "points; every offset also comes as `<name>_utf16` for JavaScript.")
    web.state.db = db
    web.state.jobs = jobs
    web.add_middleware(BodyLimit)
    web.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]  # Starlette types handlers for Exception
    web.include_router(router)
    return web


app = create_app()
