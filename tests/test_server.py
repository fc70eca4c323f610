import pytest
import json

from fastapi.testclient import TestClient

from unspin.server.web import app

client = TestClient(app)
SPUN = "Doctors warned that most cancers rates were climbing, in keeping with a new report."


def test_page_and_its_script_are_served_and_render_text_safely():
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "/static/app.js" in r.text and "/static/style.css" in r.text and 'name="viewport"' in r.text
    # No inline script can run on the page, whatever text ends up in it.
    assert "script-src 'self'" in r.headers["content-security-policy"] and "<script>" not in r.text
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "textContent" in js.text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js.text, sink
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/..%2fserver.py").status_code == 404
    assert client.get("/static/server.py").status_code == 404


def test_detect_endpoint_matches_cli_contract():
    r = client.post("/api/detect", json={"text": SPUN})
    assert r.status_code == 200
    j = r.json()
    assert 0 <= j["spun_probability"] <= 1 and j["verdict"] in ("spun", "clean", "uncertain")
    assert j["spans"] and all(SPUN[s["start"]:s["end"]] == s["text"] for s in j["spans"])


def test_bad_text_is_a_clear_client_error():
    assert client.post("/api/detect", json={"text": "   "}).status_code == 422
    r = client.post("/api/restore", json={"text": "Le gouvernement a annoncé un nouveau plan aujourd'hui pour tous."})
    assert r.status_code == 422 and "English" in r.json()["detail"]
    assert client.post("/api/detect", json={"nope": 1}).status_code == 422


def test_lone_surrogate_is_a_client_error_not_500():
    body = b'{"text": "The minister said abc \\ud800 def the company expects profits to rise."}'
    r = TestClient(app, raise_server_exceptions=False).post(
        "/api/detect", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "Unicode" in r.json()["detail"]


def test_validation_errors_do_not_echo_the_body():
    big = b"The minister said the company expects profits to rise next year. " * 15_000  # ~1 MB
    for kwargs in ({"content": big, "headers": {"content-type": "text/plain"}},
                   {"json": {"nope": big.decode()}},
                   {"content": b'{"text": ' + big, "headers": {"content-type": "application/json"}}):
        r = client.post("/api/restore", **kwargs)
        assert r.status_code == 422 and len(r.content) < 500, r.content[:300]
        detail = r.json()["detail"]
        assert isinstance(detail, str) and "\n" not in detail and "minister" not in detail


def _asgi_post(chunks, headers=()):
    """POST /api/detect straight to the ASGI app; returns (status, body, how many chunks it read)."""
    import asyncio
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/api/detect", "raw_path": b"/api/detect", "query_string": b"",
             "root_path": "", "headers": [(b"content-type", b"application/json"), *headers],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    it, read, sent = iter(chunks), [0], []

    async def receive():
        chunk = next(it, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read[0] += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, read[0]


def test_oversized_body_refused_by_content_length_before_reading():
    from unspin.server.web import MAX_BODY
    chunk = b" " * 1_000_000
    status, body, read = _asgi_post((chunk for _ in range(300)), [(b"content-length", b"300000000")])
    assert status == 413 and read == 0
    assert "MB" in json.loads(body)["detail"] and len(body) < 200
    assert MAX_BODY < 300_000_000


def test_chunked_body_reading_stops_at_the_limit():
    from unspin.server.web import MAX_BODY
    chunk = b" " * 1_000_000
    status, body, read = _asgi_post(chunk for _ in range(300))  # no Content-Length: chunked
    assert status == 413 and "MB" in json.loads(body)["detail"]
    assert read <= MAX_BODY // len(chunk) + 1


def test_body_under_the_limit_still_gets_through():
    status, body, _ = _asgi_post([json.dumps({"text": SPUN}).encode()])
    assert status == 200 and "spun_probability" in json.loads(body)


def test_text_over_the_document_limit_is_413_with_the_shared_message():
    r = client.post("/api/detect", json={"text": "word " * 1_100_000})
    assert r.status_code == 413 and "over the 5 MB limit" in r.json()["detail"]


# ---- health, offsets, jobs, trace and archive (issue 9) ------------------------------------

def _u16(text: str, a: int, b: int) -> str:
    """text[a:b] counted in UTF-16 units, as JavaScript's slice counts."""
    return text.encode("utf-16-le")[2 * a:2 * b].decode("utf-16-le")


def test_health_says_what_is_served():
    j = client.get("/api/health").json()
    assert j["status"] == "ok" and j["archive"] is None and j["workers"] >= 1
    assert j["limits"]["text_bytes"] == 5_000_000 and "utf16" in j["offsets"]
    assert set(j["jobs"]) == {"queued", "running", "done", "failed", "cancelled"}


def test_openapi_documents_every_endpoint():
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/health", "/api/detect", "/api/restore", "/api/trace", "/api/archive", "/api/jobs",
              "/api/jobs/{job_id}", "/api/jobs/{job_id}/report", "/api/extract"):
        assert p in paths, p
    assert client.get("/docs").status_code == 200


def test_utf16_offsets_land_after_emoji():
    text = "\U0001F1EC\U0001F1E7 \U0001F600 " + SPUN  # a flag (two astral characters) and a smiley
    j = client.post("/api/detect", json={"text": text}).json()
    assert j["spans"]
    for s in j["spans"]:
        assert text[s["start"]:s["end"]] == s["text"]           # code points, as in Python
        assert _u16(text, s["start_utf16"], s["end_utf16"]) == s["text"]  # UTF-16, as in JavaScript
        assert s["start_utf16"] == s["start"] + 3
    r = client.post("/api/restore", params={"use_lm": False}, json={"text": text}).json()
    assert r["edits"] and r["original"] == text
    for e in r["edits"]:
        assert _u16(text, e["start_utf16"], e["end_utf16"]) == e["from"]


def test_utf16_offsets_function():
    from unspin.text import utf16_offsets
    t = "a\U0001F600b\U0001F600c"
    f = utf16_offsets(t)
    assert [f(i) for i in range(len(t) + 1)] == [0, 1, 3, 4, 6, 7]
    assert utf16_offsets("plain")(3) == 3


def test_clean_text_is_not_painted_and_the_verdict_is_explained(seed_text):
    j = client.post("/api/detect", json={"text": seed_text}).json()
    assert j["verdict"] == "clean" and j["spans"]
    assert not any(s["painted"] for s in j["spans"])
    assert j["explanation"].startswith("clean") and "none of the" in j["explanation"]
    spun = client.post("/api/detect", json={"text": SPUN * 3}).json()
    assert spun["verdict"] != "clean"
    assert [s["painted"] for s in spun["spans"]] == [s["edit_probability"] >= spun["paint_at"]
                                                     for s in spun["spans"]]


def _wait(c, job, states=("done", "failed", "cancelled"), timeout=60.0):
    import time
    t0 = time.time()
    while job["state"] not in states:
        assert time.time() - t0 < timeout, job
        time.sleep(0.05)
        job = c.get(job["url"]).json()
    return job


def test_job_lifecycle_detect_and_restore():
    r = client.post("/api/jobs", json={"kind": "detect", "text": SPUN})
    assert r.status_code == 202
    job = _wait(client, r.json())
    assert job["state"] == "done" and job["progress"]["total"]
    spans = job["result"]["spans"]
    assert spans and all(SPUN[s["start"]:s["end"]] == s["text"] for s in spans)
    r = client.post("/api/jobs", json={"kind": "restore", "text": SPUN, "use_lm": False})
    job = _wait(client, r.json())
    assert job["state"] == "done" and job["result"]["edits"]
    e = job["result"]["edits"][0]
    assert {"start", "end", "from", "to", "confidence", "start_utf16"} <= set(e)
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.delete("/api/jobs/nope").status_code == 404
    # a finished job cannot be cancelled any more: it stays done
    assert client.delete(job["url"]).json()["state"] == "done"


def test_job_inputs_are_checked_like_the_sync_endpoints():
    assert client.post("/api/jobs", json={"kind": "detect", "text": " "}).status_code == 422
    assert client.post("/api/jobs", json={"kind": "nope", "text": SPUN}).status_code == 422
    r = client.post("/api/jobs", content=b'{"kind": "detect", "text": "a \\ud800 b"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and "Unicode" in r.json()["detail"]
    r = client.post("/api/jobs", json={"kind": "restore", "text": "word " * 1_100_000})
    assert r.status_code == 413
    r = client.post("/api/jobs", json={"kind": "trace", "text": SPUN})
    assert r.status_code == 404 and "--db" in r.json()["detail"]
    assert client.post("/api/trace", json={"text": SPUN}).status_code == 404
    assert client.post("/api/archive", json={"documents": [{"id": "a", "text": SPUN}]}).status_code == 404


def _slow_app(monkeypatch, **kw):
    """An app whose restore is a loop that reports progress (and so checks for cancellation)
    forever: what a long LM restore looks like to the job machinery, without the LM."""
    import threading
    from unspin.server import api
    from unspin.server.web import create_app
    steps = {"n": 0}
    started = threading.Event()

    def slow(text, use_lm=True, learned=None, progress=None):
        started.set()
        while True:
            steps["n"] += 1
            progress(steps["n"], None, "suspects")
            threading.Event().wait(0.01)
    monkeypatch.setattr(api, "restore_json", slow)
    return TestClient(create_app(**kw)), steps, started


def test_cancel_really_stops_the_work(monkeypatch):
    import time
    c, steps, started = _slow_app(monkeypatch)
    job = c.post("/api/jobs", json={"kind": "restore", "text": SPUN}).json()
    assert started.wait(10)
    job = _wait(c, c.get(job["url"]).json(), states=("running",))
    r = c.delete(job["url"])
    assert r.status_code == 200
    job = _wait(c, r.json())
    assert job["state"] == "cancelled"
    n = steps["n"]
    time.sleep(0.2)
    assert steps["n"] == n  # the loop is no longer running
    # the worker is free again: the next job runs
    assert _wait(c, c.post("/api/jobs", json={"kind": "detect", "text": SPUN}).json())["state"] == "done"


def test_full_queue_is_503_with_retry_after_and_queued_jobs_cancel(monkeypatch):
    c, steps, started = _slow_app(monkeypatch, workers=1, queue=1)
    running = c.post("/api/jobs", json={"kind": "restore", "text": SPUN}).json()
    assert started.wait(10)
    queued = c.post("/api/jobs", json={"kind": "detect", "text": SPUN}).json()
    assert queued["state"] == "queued"
    r = c.post("/api/jobs", json={"kind": "detect", "text": SPUN})
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0 and "busy" in r.json()["detail"]
    r = c.post("/api/detect", json={"text": SPUN})
    assert r.status_code == 503
    assert c.delete(queued["url"]).json()["state"] == "cancelled"
    assert _wait(c, c.delete(running["url"]).json())["state"] == "cancelled"
    assert c.get("/api/health").json()["jobs"]["cancelled"] == 2


def test_library_work_stops_at_its_checkpoints():
    """A cancelled job stops inside detect itself (find_sites checks every few thousand words),
    not only between steps: the flag is set from inside the job, before detect starts."""
    from unspin.engine.detect import detect
    from unspin.jobs import Jobs
    jobs = Jobs(workers=1)
    calls = []

    def work(job):
        job.cancel_event.set()
        return detect(SPUN * 400, progress=lambda *a: calls.append(a))
    job = jobs.submit("detect", work)
    job.future.result(timeout=60)
    assert job.state == "cancelled" and not calls
    jobs.shutdown()


@pytest.mark.slow
def test_detect_progress_moves_and_is_linear_in_flags():
    from unspin.engine.detect import detect
    calls = []
    d = detect(SPUN * 600, progress=lambda done, total, unit: calls.append((done, total, unit)))
    words = [c for c in calls if c[2] == "words"]
    assert len(words) >= 3 and words[-1][0] == words[-1][1]
    assert [c[0] for c in words] == sorted(c[0] for c in words)
    assert calls[-1][2] == "chunks" and calls[-1][0] == calls[-1][1] == len(d.chunks)


def test_non_overlapping_flags_match_the_quadratic_rule():
    import random
    from unspin.engine.detect import Flag, non_overlapping
    rng = random.Random(3)
    for _ in range(50):
        flags = []
        for _ in range(rng.randint(0, 40)):
            a = rng.randint(0, 200)
            flags.append(Flag(a, a + rng.randint(1, 15), "x", None, rng.random(), ""))
        slow = []
        for f in sorted(flags, key=lambda f: (-f.confidence, f.start)):
            if all(f.end <= g.start or f.start >= g.end for g in slow):
                slow.append(f)
        assert non_overlapping(flags) == sorted(slow, key=lambda f: f.start)


def test_extract_reads_html_and_refuses_binary():
    page = (b"<!doctype html><html><body><article><p>" + SPUN.encode() * 3
            + b"</p></article><script>alert(1)</script></body></html>")
    r = client.post("/api/extract", params={"name": "a.html"}, content=page,
                    headers={"content-type": "application/octet-stream"})
    assert r.status_code == 200 and "Doctors warned" in r.json()["text"] and "alert" not in r.json()["text"]
    r = client.post("/api/extract", content=b"\x00\x01binary", headers={"content-type": "application/octet-stream"})
    assert r.status_code == 422 and "binary" in r.json()["detail"]
    r = client.post("/api/extract", content=b"x" * 5_000_001, headers={"content-type": "application/octet-stream"})
    assert r.status_code == 413


def test_archive_trace_and_report_over_http(tmp_path, seed_text):
    from unspin.server.web import create_app
    from unspin.simulate.spin import spin
    db = tmp_path / "a.db"
    c = TestClient(create_app(str(db)))
    paras = [p for p in seed_text.split("\n\n") if len(p.split()) > 30]
    source = "\n\n".join(paras[:4])
    docs = [{"id": "src", "text": source, "title": "<script>alert(1)</script> [/b] title"},
            {"id": "other", "text": "The council met on Tuesday to discuss the new budget for parks, "
                                    "libraries and roads in the northern district of the city."}]
    r = c.post("/api/archive", json={"documents": docs})
    assert r.status_code == 200 and r.json()["added"] == 2
    assert c.post("/api/archive", json={"documents": docs}).json()["duplicates"] == 2
    assert c.get("/api/health").json()["archive"]["documents"] == 2
    bad = c.post("/api/archive", content=b'{"documents": [{"id": "x\\udc00", "text": "t"}]}',
                 headers={"content-type": "application/json"})
    assert bad.status_code == 422
    copy = "\U0001F4F0 " + spin(source, style="observed", rate=0.2, seed=1).text
    r = c.post("/api/trace", json={"text": copy})
    assert r.status_code == 200
    m = r.json()["matches"][0]
    assert m["id"] == "src" and m["relation"] == "copy" and m["passages"]
    for p in m["passages"]:
        assert source[p["source_start"]:p["source_end"]] == p["source_text"]
        assert _u16(copy, p["query_start_utf16"], p["query_end_utf16"]) == copy[p["query_start"]:p["query_end"]]
    job = _wait(c, c.post("/api/jobs", json={"kind": "report", "text": copy, "use_lm": False}).json())
    assert job["state"] == "done" and job["download"].endswith("/report")
    rep = c.get(job["download"])
    assert rep.status_code == 200 and "attachment" in rep.headers["content-disposition"]
    assert "<script>alert" not in rep.text and "&lt;script&gt;" in rep.text
    # trace as a job, with its progress
    job = _wait(c, c.post("/api/jobs", json={"kind": "trace", "text": copy}).json())
    assert job["state"] == "done" and job["result"]["matches"][0]["id"] == "src"
    assert c.get(f"/api/jobs/{job['id']}/report").status_code == 409


def test_a_client_that_goes_away_cancels_its_work(monkeypatch):
    import asyncio
    from unspin.server import web as server
    c, steps, started = _slow_app(monkeypatch)
    app = c.app
    job = app.state.jobs.submit("restore", lambda j: server.job_work(
        server.JobIn(kind="restore", text=SPUN), None)(j))

    class Gone:  # what Starlette's Request says once the client has disconnected
        def __init__(self):
            self.app = app

        async def is_disconnected(self):
            return started.is_set()

    r = asyncio.run(server.answer_job(Gone(), job))
    assert r.status_code == 499
    job.future.result(timeout=10)
    assert job.state == "cancelled"


def test_any_accepted_text_gets_an_answer_not_a_500():
    """Odd characters anywhere in an English text: 200, or a 4xx saying why; never a 500."""
    import random
    rng = random.Random(0)
    odd = ["\U0001F600", "\u200b", "\u0301", "\ufeff", "\r", "\t", "\u2028", "\x0b", "\U0001F1EC",
           "\u202e", "\x00", "\ud7ff", "\U0010FFFF", "...", "—", "’", "«", "\\", "\"", "<", "&amp;"]
    words = SPUN.split()
    c = TestClient(app, raise_server_exceptions=False)
    for _ in range(4):
        text = " ".join(w + (rng.choice(odd) if rng.random() < 0.3 else "") for w in words * 3)
        for path in ("/api/detect", "/api/restore?use_lm=false"):
            r = c.post(path, json={"text": text})
            assert r.status_code in (200, 413, 422), (r.status_code, r.text[:200])
            if r.status_code == 200 and path == "/api/detect":
                for s in r.json()["spans"]:
                    assert text[s["start"]:s["end"]] == s["text"]


def test_restore_edits_carry_their_alternatives():
    text = ("The chief government mentioned the corporate expects income to rise subsequent yr, "
            "in keeping with a new report.")
    r = client.post("/api/restore", params={"use_lm": False}, json={"text": text}).json()
    alts = [e["alternatives"] for e in r["edits"] if "alternatives" in e]
    assert alts and all(1 <= len(a) <= 3 for a in alts)
    for e in r["edits"]:
        ps = [a["confidence"] for a in e.get("alternatives", [])]
        assert ps == sorted(ps, reverse=True) and all(p <= e["confidence"] for p in ps)
        assert all(a["to"] != e["to"] for a in e.get("alternatives", []))


def test_restore_says_how_spun_the_page_looked_in_the_views_words(monkeypatch):
    """The API sends view.spin_rate_note with a restoration, so the web page shows the words
    the terminal and the HTML view use; none without an estimate (no language model)."""
    import unspin.engine.restore as engine_restore
    from unspin.engine.restore import Restoration
    from unspin.server.api import restore_json
    from unspin.view import spin_rate_note
    text = "The chief government mentioned the corporate expects income to rise subsequent yr."
    assert restore_json(text, use_lm=False)["spin_rate_note"] == ""
    monkeypatch.setattr(engine_restore, "restore", lambda t, **k: Restoration(t, t, [], spin_rate=0.3))
    out = restore_json(text)
    assert out["spin_rate_note"] == spin_rate_note(0.3, out["bold"]) and "30%" in out["spin_rate_note"]
    assert "spin_rate_note" in client.get("/static/app.js").text  # the page renders the server's words
