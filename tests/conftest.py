import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "unspin" / "data" / "demo_article.txt"


def run_cli(*args, stdin: bytes | None = None, timeout: float = 300):
    """Run the installed CLI the way users do; returns CompletedProcess with text output."""
    exe = Path(sys.executable).with_name("unspin")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "unspin.cli"]
    p = subprocess.run(cmd + [str(a) for a in args], input=stdin, capture_output=True, timeout=timeout,
                       env={**os.environ, "COLUMNS": "200"})
    p.stdout_text = p.stdout.decode("utf-8", "replace")
    p.stderr_text = p.stderr.decode("utf-8", "replace")
    return p


@contextmanager
def live_server(app):
    """Serve a FastAPI app with uvicorn on a free local port in a thread; yields its base URL."""
    import uvicorn
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        t.join(10)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def generated_archive(d: Path, seed: int, pool: int, events: int, docs: int, vectors: bool = False):
    """An archive of `docs` generated articles (the trace benchmark's generator) in folder d,
    with the meaning index when `vectors`. Returns (db path, {id: text}, generator, event clusters)."""
    import json
    from unspin.simulate import articles as tb
    from unspin import archive
    gen = tb.Generator(seed=seed, pool=pool)
    clusters = [gen.event() for _ in range(events)]
    tb.write_corpus(d / "c.jsonl", gen, 0, docs, clusters)
    db = str(d / "a.db")
    archive.add(db, [str(d / "c.jsonl")], vectors=vectors)
    texts = {json.loads(l)["id"]: json.loads(l)["text"] for l in open(d / "c.jsonl")}
    return db, texts, gen, clusters
