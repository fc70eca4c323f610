import json

from fastapi.testclient import TestClient

from unspin.server import app

client = TestClient(app)
SPUN = "Doctors warned that most cancers rates were climbing, in keeping with a new report."


def test_page_renders_text_safely():
    r = client.get("/")
    assert r.status_code == 200 and "textContent" in r.text and "innerHTML" not in r.text


def test_detect_endpoint_matches_cli_contract():
    r = client.post("/api/detect", json={"text": SPUN})
    assert r.status_code == 200
    j = r.json()
    assert 0 <= j["spun_probability"] <= 1 and j["verdict"] in ("spun", "clean", "uncertain")
    assert all(SPUN[s["start"]:s["end"]] == s["text"] for s in j["spans"])


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
    from unspin.server import MAX_BODY
    chunk = b" " * 1_000_000
    status, body, read = _asgi_post((chunk for _ in range(300)), [(b"content-length", b"300000000")])
    assert status == 413 and read == 0
    assert "MB" in json.loads(body)["detail"] and len(body) < 200
    assert MAX_BODY < 300_000_000


def test_chunked_body_reading_stops_at_the_limit():
    from unspin.server import MAX_BODY
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
