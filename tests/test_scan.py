"""unspin scan: WARC/WET/JSONL in, Parquet out; bad records counted, resumable, same rows on any
number of workers. Fast path only (no language model)."""
import gzip
import io
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, SEED, run_cli
from unspin.crawl import scan as sc
from unspin.crawl.pages import warc_record as raw_record
from unspin.errors import UnspinError

pq = pytest.importorskip("pyarrow.parquet")

FRENCH = ("Le premier ministre a annoncé mercredi un nouveau partenariat avec le Mexique. "
          "Les deux pays veulent renforcer leurs échanges commerciaux et leur coopération. ") * 5


def chunks(text: str, words: int = 160) -> list[str]:
    """The seed article cut at sentence ends into pieces of about `words` words."""
    out, cur = [], []
    for sent in text.replace("\n", " ").split(". "):
        cur.append(sent.strip())
        if sum(len(s.split()) for s in cur) >= words:
            out.append(". ".join(cur) + ".")
            cur = []
    return out


def html(text: str) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in text.split(". "))
    return (f"<!doctype html><html><head><title>T</title></head><body><article><h1>News</h1>"
            f"{paras}</article></body></html>").encode()


def write_warc(path, texts):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)

    def response(url, body, ctype="text/html; charset=utf-8", status="200 OK"):
        h = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=h))

    clean, spun = texts
    req = StatusAndHeaders("GET /1 HTTP/1.1", [("Host", "w.test")], is_http_request=True)
    w.write_record(w.create_warc_record("https://w.test/1", "request", http_headers=req))
    response("https://w.test/1", html(clean))
    response("https://w.test/spun", html(spun))
    response("https://w.test/doc.pdf", b"%PDF-1.4 not html", ctype="application/pdf")
    response("https://w.test/img", b"\x89PNG\x00\x00\x01\x02" * 200)
    response("https://w.test/fr", html(FRENCH))
    response("https://w.test/gone", html(clean), status="404 Not Found")
    response("https://w.test/big", html(clean) * 20_000)  # about 30 MB
    data = buf.getvalue()
    data += raw_record("https://w.test/noheaders", "response", "application/http; msgtype=response",
                       b"<html>no status line, no headers</html>")
    cut = raw_record("https://w.test/cut", "response", "application/http; msgtype=response",
                     b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + html(clean))
    path.write_bytes(data + cut[:len(cut) // 2])  # the last gzip member cut off mid-way


def write_wet(path, clean):
    data = raw_record("", "warcinfo", "application/warc-fields", b"software: test\r\n", gz=False)
    data += raw_record("https://e.test/1", "conversion", "text/plain", clean.encode(), gz=False,
                       extra="WARC-Identified-Content-Language: eng\r\n")
    data += raw_record("https://e.test/fr", "conversion", "text/plain", FRENCH.encode(), gz=False,
                       extra="WARC-Identified-Content-Language: fra,eng\r\n")
    data += raw_record("https://e.test/short", "conversion", "text/plain", b"Too short to judge.", gz=False)
    path.write_bytes(data)


def write_jsonl(path, clean):
    path.write_text("\n".join([
        json.dumps({"url": "https://j.test/1", "date": "2024-05-02", "text": clean}),
        "{not json",
        "",
        json.dumps({"url": "https://j.test/notext", "title": "no text field"}),
        json.dumps({"url": "https://j.test/short", "text": "Only five words here."}),
        json.dumps({"url": "https://j.test/big", "text": clean * 40_000}),  # about 40 MB
        '{"url": "https://j.test/surrogate", "text": "bad \\ud800 text"}',
    ]) + "\n")


EXPECTED_SKIPS = {"bad_json": 3, "binary": 1, "corrupt": 1, "http_status": 1, "no_http_headers": 1,
                  "not_english": 2, "not_html": 1, "not_response": 2, "too_large": 2, "too_short": 2}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    from unspin.simulate.spin import spin
    d = tmp_path_factory.mktemp("crawl")
    parts = chunks(SEED.read_text(encoding="utf-8"))
    spun = spin(parts[0], style="observed", rate=0.25, seed=1).text
    assert spun != parts[0]
    write_warc(d / "c.warc.gz", (parts[0], spun))
    write_wet(d / "c.wet", parts[1])
    write_jsonl(d / "c.jsonl", parts[2])
    (d / "crawl.paths").write_text("c.warc.gz\n\nc.wet\nmissing.warc.gz\nhttps://data.commoncrawl.org/x.warc.gz\n")
    inputs = [str(d / "crawl.paths"), str(d / "c.jsonl"), str(d / "c.warc.gz")]  # the WARC twice
    return d, inputs, parts, spun


@pytest.fixture(scope="module")
def reference(crawl, tmp_path_factory):
    inputs = crawl[1]
    out = str(tmp_path_factory.mktemp("ref") / "out.parquet")
    seen = []
    s = sc.scan(inputs, out, workers=1, progress=lambda *a: seen.append(a))
    return s, rows(out), seen


def rows(out):
    return pq.read_table(out).to_pylist()


def test_rows_counts_and_skip_reasons(crawl, reference):
    d, _, _, _ = crawl
    s, got, seen = reference
    assert s.files == 3 and s.files_scanned == 3 and s.files_resumed == 0
    assert s.files_skipped == {"missing": 1, "remote": 1}
    assert s.skipped == EXPECTED_SKIPS
    assert s.records_read == 20 and s.pages_scored == 4 and s.failed == 0
    assert s.records_read == s.pages_scored + sum(s.skipped.values()) + s.failed
    assert s.rows == len(got) == 4 and sum(s.verdicts.values()) == 4
    assert [r["url"] for r in got] == ["https://w.test/1", "https://w.test/spun", "https://e.test/1",
                                       "https://j.test/1"]  # input order, record order
    assert list(got[0]) == list(sc.COLUMNS)
    for r in got:
        assert r["language"] == "en" and r["words"] >= sc.MIN_WORDS and r["deep"] is False
        assert r["top_source"] is r["relation"] is r["coverage"] is None  # no --db
        assert r["tier"] in ("triage", "fast") and r["triage_score"] is not None
        if r["tier"] == "triage":  # cleared by the first tier: clean, no detector probability
            assert r["spun_probability"] is None and r["verdict"] == "clean"
        else:
            assert 0.0 <= r["spun_probability"] <= 1.0 and r["verdict"] in ("spun", "uncertain", "clean")
    assert got[0]["warc_file"] == str(d / "c.warc.gz") and got[0]["date"]  # warcio's WARC-Date
    assert got[2]["date"] == "2024-05-01T10:00:00Z"
    assert got[3]["warc_file"] == str(d / "c.jsonl") and got[3]["date"] == "2024-05-02"
    assert seen[-1] == (4, 3, 3) and s.pages_per_s > 0


def test_record_offsets_point_at_the_records(crawl, reference):
    from warcio.archiveiterator import ArchiveIterator
    d = crawl[0]
    _, got, _ = reference
    with open(d / "c.warc.gz", "rb") as f:
        for r in got[:2]:
            f.seek(r["record_offset"])
            rec = next(iter(ArchiveIterator(f)))
            assert rec.rec_headers.get_header("WARC-Target-URI") == r["url"]
    with open(d / "c.jsonl", "rb") as f:
        f.seek(got[3]["record_offset"])
        assert json.loads(f.readline())["url"] == got[3]["url"]


def test_spun_page_scores_higher_than_clean_ones(reference):
    _, got, _ = reference
    p = {r["url"]: r["spun_probability"] or 0.0 for r in got}  # None: cleared by the triage
    spun = p.pop("https://w.test/spun")
    assert spun > max(p.values())
    assert spun >= 0.7 and max(p.values()) < 0.7


def test_two_workers_give_the_same_rows(crawl, reference, tmp_path):
    _, inputs, _, _ = crawl
    s1, ref, _ = reference
    out = str(tmp_path / "out.parquet")
    s2 = sc.scan(inputs, out, workers=2)
    assert rows(out) == ref
    a, b = s1.to_json(), s2.to_json()
    for k in ("seconds", "pages_per_s", "output"):
        a.pop(k), b.pop(k)
    assert a == b


def test_rerun_after_losing_output_and_a_part(crawl, reference, tmp_path):
    _, inputs, _, _ = crawl
    s1, ref, _ = reference
    out = str(tmp_path / "out.parquet")
    sc.scan(inputs, out, workers=1)
    parts = sorted(os.listdir(sc.parts_dir(out)))
    assert len(parts) == 3 and all(p.endswith(".parquet") for p in parts)
    os.remove(out)
    os.remove(os.path.join(sc.parts_dir(out), parts[0]))
    with open(os.path.join(sc.parts_dir(out), parts[1] + ".tmp999"), "wb") as f:
        f.write(b"PAR1 half-written part of a killed run")
    s = sc.scan(inputs, out, workers=1)
    assert s.files_resumed == 2 and s.files_scanned == 1
    assert rows(out) == ref
    assert (s.records_read, s.pages_scored, s.skipped) == (s1.records_read, s1.pages_scored, s1.skipped)
    s = sc.scan(inputs, out, workers=2)  # everything done: nothing scanned, same table
    assert s.files_resumed == 3 and s.files_scanned == 0 and s.pages_this_run == 0
    assert rows(out) == ref


KILLER = """
import os, sys
from unspin.crawl.scan import scan
def progress(pages, files_done, files):
    if files_done == 1:
        os.kill(os.getpid(), 9)  # SIGKILL as soon as the first file is finished
scan(sys.argv[2:], sys.argv[1], workers=1, progress=progress)
"""


@pytest.mark.slow
def test_killed_scan_resumes_without_losing_or_duplicating_rows(crawl, reference, tmp_path):
    _, inputs, _, _ = crawl
    _, ref, _ = reference
    out = str(tmp_path / "out.parquet")
    p = subprocess.run([sys.executable, "-c", KILLER, out, *inputs], cwd=ROOT, capture_output=True, timeout=300,
                       check=False)
    assert p.returncode == -9, p.stderr.decode()
    assert not os.path.exists(out) and len(os.listdir(sc.parts_dir(out))) == 1
    s = sc.scan(inputs, out, workers=2)
    assert s.files_resumed == 1 and s.files_scanned == 2
    got = rows(out)
    assert got == ref
    assert len({(r["warc_file"], r["record_offset"]) for r in got}) == len(got)


def test_changed_file_or_settings_are_scanned_again(crawl, tmp_path):
    parts = crawl[2]
    src = tmp_path / "a.jsonl"
    write_jsonl(src, parts[2])
    out = str(tmp_path / "out.parquet")
    assert sc.scan([str(src)], out, workers=1).files_scanned == 1
    assert sc.scan([str(src)], out, workers=1).files_resumed == 1
    write_jsonl(src, parts[1])  # new content: the old part no longer names this file
    os.utime(src, ns=(1, 1))
    s = sc.scan([str(src)], out, workers=1)
    assert s.files_scanned == 1 and s.rows == 1
    assert rows(out)[0]["words"] == len(parts[1].split())


def test_unreadable_file_is_skipped_and_the_scan_goes_on(crawl, tmp_path):
    d = crawl[0]
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(gzip.compress(b"hello, this is not a WARC file\n" * 10))
    empty = tmp_path / "empty.paths"
    empty.write_text("\n# nothing listed\n")
    odd = tmp_path / "notes.md"
    odd.write_text("not a crawl")
    s = sc.scan([str(junk), str(empty), str(odd), str(d / "c.jsonl")], str(tmp_path / "o.parquet"), workers=1)
    assert s.files_skipped == {"empty_list": 1, "unreadable": 1, "unsupported": 1}
    assert s.pages_scored == 1 and s.rows == 1


@pytest.mark.parametrize("make", ["nothing", "missing", "empty_list", "junk"])
def test_nothing_readable_is_one_clear_error(tmp_path, make):
    args = {"nothing": [], "missing": [str(tmp_path / "nope.warc.gz")]}.get(make)
    if make == "empty_list":
        (tmp_path / "warc.paths").write_text("")
        args = [str(tmp_path / "warc.paths")]
    elif make == "junk":
        (tmp_path / "x.wet.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
        args = [str(tmp_path / "x.wet.gz")]
    out = tmp_path / "o.parquet"
    with pytest.raises(UnspinError, match="nothing could be read"):
        sc.scan(args, str(out), workers=1)
    assert not out.exists()


def test_deep_path_only_on_suspicious_pages(tmp_path, monkeypatch):
    import importlib
    det = importlib.import_module("unspin.engine.detect")  # the package exports a function of that name
    calls = []

    def fake(text, *, deep=False, lexicon=None):
        calls.append(deep)
        p = 0.9 if "spun" in text else 0.1
        return det.Detection(p, det.verdict(p))
    monkeypatch.setattr(det, "detect", fake)
    src = tmp_path / "a.jsonl"
    clean = "The minister said the company expects profits to rise next year in every region. "
    src.write_text(json.dumps({"url": "u1", "text": clean}) + "\n"
                   + json.dumps({"url": "u2", "text": clean + "This one was spun."}) + "\n")
    out = str(tmp_path / "o.parquet")
    s = sc.scan([str(src)], out, workers=1, deep=True, triage=False)  # the detector on every page
    assert calls == [False, False, True] and s.deep_scored == 1
    assert [r["deep"] for r in rows(out)] == [False, True]


def archived_copy(crawl, tmp_path) -> tuple[str, str]:
    """(an archive of two articles, a crawl holding a spun copy of the first and an unrelated
    article): what the trace tests of scan and of the Spark job scan."""
    from unspin import archive
    _, _, parts, spun = crawl
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"art{i}", "text": t}) + "\n" for i, t in enumerate(parts[:2])))
    db = str(tmp_path / "a.db")
    archive.add(db, [str(corpus)])
    src = tmp_path / "crawl.jsonl"
    src.write_text(json.dumps({"url": "copy", "text": spun}) + "\n"
                   + json.dumps({"url": "other", "text": parts[2]}) + "\n")
    return db, str(src)


def test_db_traces_flagged_pages(crawl, tmp_path):
    db, src = archived_copy(crawl, tmp_path)
    out = str(tmp_path / "o.parquet")
    s = sc.scan([src], out, db=db, workers=1)
    got = {r["url"]: r for r in rows(out)}
    assert got["copy"]["top_source"] == "art0" and got["copy"]["relation"] == "copy"
    assert got["copy"]["coverage"] > 0.5
    assert got["other"]["top_source"] is None and s.traced == 1
    with pytest.raises(UnspinError, match="no such archive"):
        sc.scan([str(src)], str(tmp_path / "o2.parquet"), db=str(tmp_path / "none.db"), workers=1)


@pytest.mark.slow
def test_cli_summary_and_errors(crawl, tmp_path):
    d, _, _, _ = crawl
    out = tmp_path / "o.parquet"
    p = run_cli("scan", d / "c.jsonl", tmp_path / "missing.wet", "-o", out, "--workers", "1", "--json")
    assert p.returncode == 0, p.stderr_text
    s = json.loads(p.stdout_text)
    assert s["pages_scored"] == s["rows"] == 1 and s["files_skipped"] == {"missing": 1}
    assert s["skipped"] == {"bad_json": 3, "too_large": 1, "too_short": 1} and s["records_read"] == 6
    assert pq.read_table(out).num_rows == 1
    p = run_cli("scan", d / "c.jsonl", "-o", out)  # resumed: nothing to score, plain summary
    assert p.returncode == 0 and "1 done by an earlier run" in p.stdout_text and "wrote 1 rows" in p.stdout_text
    p = run_cli("scan", tmp_path / "nope.warc.gz", "-o", tmp_path / "x.parquet")
    lines = [l for l in p.stderr_text.splitlines() if l.strip()]
    assert p.returncode != 0 and "Traceback" not in p.stderr_text
    assert len(lines) == 1 and "nothing could be read" in lines[0] and "missing 1" in lines[0]


def test_no_page_scored_still_writes_an_empty_table(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"url": "u", "text": FRENCH}) + "\n{broken\n")
    out = tmp_path / "o.parquet"
    s = sc.scan([str(src)], str(out), workers=1)
    assert (s.records_read, s.pages_scored, s.rows) == (2, 0, 0)
    assert s.skipped == {"bad_json": 1, "not_english": 1}
    t = pq.read_table(out)
    assert t.num_rows == 0 and t.column_names == list(sc.COLUMNS)


def test_progress_bar_shows_pages_per_second(monkeypatch):
    from rich.console import Console

    from unspin.cli import core
    buf = io.StringIO()
    monkeypatch.setattr(core, "err", Console(file=buf, force_terminal=True, width=160))
    with core.progress_bar("scanning", unit="files") as tick:
        tick(1, 3, " · 120 pages · 40.0 pages/s")
    assert "1/3 files · 120 pages · 40.0 pages/s" in buf.getvalue()
    buf.seek(0), buf.truncate()
    with core.progress_bar("restoring") as tick:
        tick(3, 10)  # the other commands' calls are unchanged
    assert "3/10 suspects" in buf.getvalue() and "None" not in buf.getvalue()
