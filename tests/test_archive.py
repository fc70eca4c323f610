"""Archive ingest: every input kind, duplicates, bad input and a killed run."""
import io
import json
import os
import random
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli
from unspin import archive
from unspin.archive import ingest
from unspin.errors import UnspinError

ARTICLE = ("The council of Springfield voted on Tuesday to close the old bridge over the river. "
           "Mayor Linda Harris said the repairs would cost 4.2 million dollars and take two years. ")


def art(i: int) -> str:
    return f"Report {i}. " + ARTICLE * 3 + f"The figure for district {i} was {i * 7} in total."


def html_page(body: str) -> str:
    return (f"<!doctype html><html><head><title>T</title></head><body><article><h1>Headline</h1>"
            f"<p>{body}</p><p>{body}</p></article></body></html>")


def write_jsonl(path, n, start=0, bad_lines=()):
    with open(path, "w") as f:
        for i in range(start, start + n):
            f.write(json.dumps({"id": f"d{i}", "url": f"https://x.test/{i}", "title": f"T{i}",
                                "date": "2024-01-01", "text": art(i)}) + "\n")
            if i in bad_lines:
                f.write("{not json\n")


def write_warc(path, pages, gz=True):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    for url, body in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body.encode()),
                                            http_headers=headers))
    data = buf.getvalue()
    with open(path, "wb") as f:
        f.write(data)
    return data


def ids(db):
    with archive.Archive(db) as a:
        return sorted(r[0] for r in a.con.execute("SELECT id FROM docs"))


def integrity(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def test_every_input_kind_and_ids(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text(art(1))
    (d / "sub" / "b.html").write_text(html_page(art(2)))
    (d / "ignored.bin").write_bytes(b"\x00\x01")
    write_jsonl(d / "c.jsonl", 2, start=10)
    with open(d / "c.jsonl", "a") as f:
        f.write(json.dumps({"url": "https://only.url/x", "text": art(20)}) + "\n")
    write_warc(d / "w.warc.gz", [("https://w.test/1", html_page(art(30)))])
    db = str(tmp_path / "a.db")
    st = archive.add(db, [str(d)])
    assert st.added == 6
    got = ids(db)
    assert {"d10", "d11", "https://only.url/x", "https://w.test/1"} <= set(got)
    assert os.path.join(str(d), "a.txt") in got and os.path.join(str(d), "sub", "b.html") in got
    with archive.Archive(db) as a:
        doc = a.get_id("d10")
        assert doc.text == art(10) and doc.title == "T10" and doc.source == "https://x.test/10"
        assert a.stats()["documents"] == 6


def test_exact_duplicates_stored_once_and_rerun_skips(tmp_path):
    (tmp_path / "a.txt").write_text(art(1))
    (tmp_path / "b.txt").write_text(art(1) + "\n")  # same text up to whitespace
    db = str(tmp_path / "a.db")
    st = archive.add(db, [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert (st.added, st.duplicates) == (1, 1)
    st = archive.add(db, [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert (st.added, st.skipped_files) == (0, 2)
    assert len(ids(db)) == 1


def test_duplicate_id_with_other_text_keeps_first(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"id": "x", "text": art(1)}) + "\n" + json.dumps({"id": "x", "text": art(2)}) + "\n")
    db = str(tmp_path / "a.db")
    warnings = []
    st = archive.add(db, [str(p)], warn=warnings.append)
    assert st.added == 1 and st.conflicts == 1
    assert any("'x'" in w and "different text" in w for w in warnings)
    with archive.Archive(db) as a:
        assert a.get_id("x").text == art(1)


def test_malformed_jsonl_lines_are_skipped_with_line_numbers(tmp_path):
    p = tmp_path / "a.jsonl"
    write_jsonl(p, 5, bad_lines={1, 3})
    with open(p, "a") as f:
        f.write(json.dumps({"id": "notext"}) + "\n")
        f.write("[1, 2]\n")
    warnings = []
    st = archive.add(str(tmp_path / "a.db"), [str(p)], warn=warnings.append)
    assert st.added == 5
    assert sum("not valid JSON" in w for w in warnings) == 2
    assert sum("no \"text\"" in w for w in warnings) == 2
    assert all(str(p) + ":" in w for w in warnings)


def test_truncated_warc_keeps_complete_records(tmp_path):
    pages = [(f"https://w.test/{i}", html_page(art(i))) for i in range(4)]
    data = write_warc(tmp_path / "full.warc.gz", pages)
    (tmp_path / "cut.warc.gz").write_bytes(data[: len(data) * 7 // 8])  # inside the last record
    warnings = []
    st = archive.add(str(tmp_path / "a.db"), [str(tmp_path / "cut.warc.gz")], warn=warnings.append)
    assert 1 <= st.added < 4
    assert any("truncated or damaged" in w for w in warnings)
    assert integrity(str(tmp_path / "a.db")) == "ok"


def test_html_without_text_is_skipped(tmp_path):
    (tmp_path / "empty.html").write_text("<!doctype html><html><head><script>var a = 1;</script></head>"
                                         "<body><div></div></body></html>")
    (tmp_path / "menu.html").write_text("<!doctype html><html><body><nav>menu</nav></body></html>")
    (tmp_path / "ok.txt").write_text(art(1))
    warnings = []
    st = archive.add(str(tmp_path / "a.db"), [str(tmp_path)], warn=warnings.append)
    assert st.added == 1
    assert any("empty.html" in w and "no article text" in w for w in warnings)
    assert any("menu.html" in w and "words of text" in w for w in warnings)


def test_truncated_plain_warc(tmp_path):
    pages = [(f"https://w.test/{i}", html_page(art(i))) for i in range(4)]
    data = write_warc(tmp_path / "full.warc", pages, gz=False)
    (tmp_path / "cut.warc").write_bytes(data[:-10])
    warnings = []
    st = archive.add(str(tmp_path / "a.db"), [str(tmp_path / "cut.warc")], warn=warnings.append)
    assert st.added == 3 and any("truncated or damaged after 3 records" in w for w in warnings)


def test_missing_path_and_bad_db(tmp_path):
    with pytest.raises(UnspinError, match="no such file"):
        archive.add(str(tmp_path / "a.db"), [str(tmp_path / "nope.jsonl")])
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UnspinError, match="not an unspin archive"):
        archive.stats(str(tmp_path / "junk.db"))
    with pytest.raises(UnspinError, match="no such archive"):
        archive.stats(str(tmp_path / "none.db"))


def test_stats_only_reads_and_the_schema_is_versioned(tmp_path):
    from unspin.archive.store import SCHEMA_VERSION
    db = str(tmp_path / "a.db")
    (tmp_path / "a.txt").write_text(ARTICLE * 3)
    archive.add(db, [str(tmp_path / "a.txt")], vectors=False)
    before = os.stat(db).st_mtime_ns, os.stat(db).st_size
    assert archive.stats(db)["documents"] == 1
    # The file is untouched (SQLite may still create its -wal and -shm companions to read it).
    assert (os.stat(db).st_mtime_ns, os.stat(db).st_size) == before
    con = sqlite3.connect(db)
    assert con.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    con.execute("UPDATE schema_version SET version = version + 1")
    con.commit()
    con.close()
    with pytest.raises(UnspinError, match="newer unspin"):
        archive.stats(db)


def test_an_archive_from_before_versions_is_brought_up_to_date(tmp_path):
    db = str(tmp_path / "old.db")
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE docs(n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT, title TEXT, "
                "date TEXT, hash BLOB NOT NULL UNIQUE, body BLOB NOT NULL)")
    con.commit()
    con.close()
    s = archive.stats(db)  # read-only, after a one-time upgrade that creates the missing tables
    assert s["documents"] == 0 and s["vectors"] == 0


def test_kill_and_resume(tmp_path):
    src = tmp_path / "big.jsonl"
    n = 2 * ingest.BATCH + 300
    write_jsonl(src, n)
    db = str(tmp_path / "a.db")
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from unspin import archive; archive.add({db!r}, [{str(src)!r}])"
    env = {**os.environ, "UNSPIN_FAULT_KILL_AFTER": str(ingest.BATCH + 123)}
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    assert p.returncode == -9  # killed mid-batch
    assert integrity(db) == "ok"
    first = ids(db)
    assert len(first) == ingest.BATCH  # the committed batch survived, the open one is gone
    with archive.Archive(db) as a:
        assert a.stats()["files_in_progress"] == 1
    st = archive.add(db, [str(src)], vectors=False)  # the meaning index is resumable on its own
    assert st.added == n - ingest.BATCH and st.duplicates == 0  # resumed, not re-read
    got = ids(db)
    assert len(got) == len(set(got)) == n
    assert integrity(db) == "ok"
    with archive.Archive(db) as a:
        lsh_docs = a.con.execute("SELECT count(DISTINCT doc) FROM lsh").fetchone()[0]
        assert lsh_docs == n and a.stats()["files_in_progress"] == 0


def test_cli_add_and_stats(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", 3, bad_lines={0})
    p = run_cli("archive", "add", "--db", tmp_path / "a.db", tmp_path / "a.jsonl")
    assert p.returncode == 0, p.stderr_text
    assert "added 3 documents" in p.stdout_text
    assert "warning" in p.stderr_text and "not valid JSON" in p.stderr_text and "Traceback" not in p.stderr_text
    p = run_cli("archive", "stats", "--db", tmp_path / "a.db", "--json")
    assert json.loads(p.stdout_text)["documents"] == 3


def test_cli_errors_are_one_line(tmp_path):
    for args in (["archive", "add", "--db", tmp_path / "a.db", tmp_path / "nope.txt"],
                 ["archive", "stats", "--db", tmp_path / "none.db"]):
        p = run_cli(*args)
        lines = [l for l in p.stderr_text.splitlines() if l.strip()]
        assert p.returncode != 0 and len(lines) == 1 and "Traceback" not in p.stderr_text, p.stderr_text


@pytest.mark.parametrize("payload", [
    bytes(random.Random(7).randrange(256) for _ in range(20_000)),  # random bytes
    __import__("gzip").compress(b"hello world this is not a warc\n" * 50),  # gzip, but not WARC
    b"",
], ids=["random", "gzip-text", "empty"])
def test_garbage_warc_is_an_error_not_an_empty_success(tmp_path, payload):
    bad = tmp_path / "crawl.warc.gz"
    bad.write_bytes(payload)
    db = tmp_path / "a.db"
    with pytest.raises(UnspinError, match="nothing added"):
        archive.add(str(db), [str(bad)])
    assert archive.stats(str(db))["files_in_progress"] == 0
    p = run_cli("archive", "add", "--db", db, bad)
    lines = [l for l in p.stderr_text.splitlines() if l.strip()]
    assert p.returncode != 0 and "Traceback" not in p.stderr_text, p.stderr_text
    assert len(lines) == 1 and str(bad) in lines[0] and "nothing added" in lines[0], p.stderr_text


def test_garbage_warc_does_not_undo_good_files_before_it(tmp_path):
    write_warc(tmp_path / "a.warc.gz", [("https://w.test/1", html_page(art(1)))])
    (tmp_path / "b.warc.gz").write_bytes(b"\x1f\x8b junk" * 100)
    db = str(tmp_path / "a.db")
    with pytest.raises(UnspinError, match="b.warc.gz"):
        archive.add(db, [str(tmp_path)])
    assert ids(db) == ["https://w.test/1"]


def test_cli_warning_is_one_line_when_stderr_is_a_pipe(tmp_path):
    """A long warning is not hard-wrapped at 80 columns when stderr is not a terminal."""
    long_id = "syndicated-wire-story-" + "x" * 90
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"id": long_id, "text": art(1)}) + "\n"
                 + json.dumps({"id": long_id, "text": art(2)}) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    exe = [sys.executable, "-m", "unspin.cli"]
    r = subprocess.run(exe + ["archive", "add", str(p), "--db", str(tmp_path / "a.db"), "--no-vectors"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if "warning" in line]
    assert len(lines) == 1 and long_id in lines[0] and len(lines[0]) > 120


def test_export_writes_the_index_and_articles_as_parquet(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from unspin.archive import export as ex
    from unspin.archive import store
    write_jsonl(tmp_path / "a.jsonl", 12)
    db = str(tmp_path / "a.db")
    archive.add(db, [str(tmp_path / "a.jsonl")], vectors=False)
    # A posting limit that the near-identical articles' shared keys exceed: those rows go.
    monkeypatch.setattr(ex, "MAX_POSTING", 5)
    monkeypatch.setattr(store, "MAX_POSTING", 5)
    monkeypatch.setattr(ex, "ROW_GROUP", 7)   # a key's rows straddle chunks
    out = str(tmp_path / "x.parquet")
    seen = []
    info = ex.export(db, out, progress=seen.append)
    with archive.Archive(db) as a:
        rows = a.band_keys().fetchall()
        per_key: dict = {}
        for k, d in rows:
            per_key.setdefault(k, []).append(d)
        want = [(k, d) for k, d in rows if len(per_key[k]) <= 5]
        assert 0 < len(want) < len(rows)  # some keys are over-shared, some not
        got = pq.read_table(os.path.join(out, ex.KEYS)).to_pylist()
        assert [(r["key"], r["doc"]) for r in got] == want
        assert info == {"documents": 12, "keys": len(want), "keys_dropped": len(rows) - len(want)}
        assert sum(seen) == 12 + len(rows)
        docs = pq.read_table(os.path.join(out, ex.DOCS)).to_pylist()
        assert [(r["doc"], r["id"], r["text"], r["title"]) for r in docs] == \
            [(d.n, d.id, d.text, d.title) for d in (a.get(n) for n in range(1, 13))]
        # Look-ups on the export agree with the archive's own (same posting limit).
        from unspin.archive import fingerprint as fp
        keys = fp.fingerprint(art(3))
        index: dict = {}
        for r in got:
            index.setdefault(r["key"], []).append(r["doc"])
        votes: dict = {}
        for k in keys:
            for d in index.get(k, []):
                votes[d] = votes.get(d, 0) + 1
        assert sorted(votes.items(), key=lambda x: (-x[1], x[0]))[:4] == a.candidates(keys, 4)
    # A second export replaces the first whole; a directory that is not an export is refused.
    write_jsonl(tmp_path / "b.jsonl", 3, start=50)
    archive.add(db, [str(tmp_path / "b.jsonl")], vectors=False)
    assert ex.export(db, out)["documents"] == 15
    assert not [p for p in os.listdir(tmp_path) if ".partial" in p]
    (tmp_path / "mine").mkdir()
    with pytest.raises(UnspinError, match="not an archive export"):
        ex.export(db, str(tmp_path / "mine"))


def test_export_command(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", 3)
    db = tmp_path / "a.db"
    archive.add(str(db), [str(tmp_path / "a.jsonl")], vectors=False)
    p = run_cli("archive", "export", "--db", db, tmp_path / "x.parquet")
    assert p.returncode == 0, p.stderr_text
    assert "exported 3 documents" in p.stdout_text
    assert (tmp_path / "x.parquet" / "keys.parquet").exists()
    p = run_cli("archive", "export", "--db", tmp_path / "none.db", tmp_path / "y.parquet")
    assert p.returncode != 0 and len(p.stderr_text.strip().splitlines()) == 1
    assert "Traceback" not in p.stderr_text and not (tmp_path / "y.parquet").exists()
