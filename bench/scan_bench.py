"""Scan benchmark (issue 10, part 3): a generated crawl, the throughput of each tier, what each passes on.

    .venv/bin/python bench/scan_bench.py                     # 10,000 pages (long: the detector runs on all of them 4 times)
    .venv/bin/python bench/scan_bench.py --pages 300 --json out.json   # smoke run

The crawl (deterministic for a --seed): files of 500 records, WARC.gz (HTML responses,
text extracted by trafilatura in the scan) and WET (text conversions) alternating. Pages are
windows of 100-800 words of Brown press TEST-split text (held out: nothing was tuned on it),
clean (60 %) or spun (30 %: real spinners' habits at 0.05-0.25, thesaurus styles at 0.1-0.2),
and broken records (10 %): non-HTML responses, binary bodies, responses without HTTP headers;
every fourth WARC file has its last gzip member cut off (truncated gzip).

Measured, each on the same pages: the triage alone (unspin.crawl.triage.score), the fast detector
alone (`detect(text, deep=False)`, on a sample of --detect-pages pages), and `unspin scan`
with 1 and 2 workers, triage on and off. Per core = per worker process (the scan runs one
process a worker; the tiers alone run in this one process). Triage recall: of the pages the
fast detector calls spun (p >= 0.7, from the --no-triage 1-worker scan, which runs it on
every page), the share the triage passes on. With --spark CORES:TRIAGE, the PySpark job
(`python -m unspin.crawl.spark`, local mode with that many cores) on the same crawl, its rows
checked against the scan's. The output ends with a cost model for one monthly Common Crawl,
worked out from the measured per-core rates (its assumptions are printed with it).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PER_FILE = 500              # records a file (--per-file)
SPINS = [("observed", "A", 0.05), ("observed", "A", 0.1), ("observed", "A", 0.15),
         ("observed", "A", 0.25), ("observed", "B", 0.2), ("observed", "C", 0.2),
         ("wordnet", None, 0.2), ("mythes", None, 0.2), ("thesaurus", None, 0.1),
         ("naive", None, 0.15), ("habits", None, 0.2)]


# ---- the crawl ------------------------------------------------------------------------------

def _sentences() -> list[list[str]]:
    """Brown press test files as lists of paragraphs (runs of sentences)."""
    import corpus
    out = []
    for d in corpus.documents("press", "test"):
        out.append([p for p in d.text.split("\n\n") if p.strip()])
    return out


def _window(files: list[list[str]], rng: random.Random) -> str:
    paras = files[rng.randrange(len(files))]
    want = rng.randint(100, 800)
    i = rng.randrange(len(paras))
    got, n = [], 0
    while n < want and i < len(paras):
        got.append(paras[i])
        n += len(paras[i].split())
        i += 1
    return "\n\n".join(got)


def _html(text: str, title: str) -> bytes:
    import html as h
    paras = "".join(f"<p>{h.escape(p)}</p>\n" for p in text.split("\n\n"))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{h.escape(title)}</title></head>"
            f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>{h.escape(title)}</h1>"
            f"{paras}</article><footer>Copyright the site</footer></body></html>").encode()


def _raw(*args, **kw) -> bytes:
    from unspin.crawl.pages import warc_record
    return warc_record(*args, **kw)


def generate(d: Path, pages: int, seed: int = 0, per_file: int = PER_FILE) -> dict:
    """Write the crawl into folder d; {url: kind} of every record, and counts."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from unspin.simulate.spin import spin
    from unspin.lexicon.spinners import style_table
    rng = random.Random(seed)
    files = _sentences()
    kinds: dict[str, str] = {}
    counts = {"clean": 0, "spun": 0, "broken": 0, "files": 0}
    k = 0
    for fno in range((pages + per_file - 1) // per_file):
        n = min(per_file, pages - k)
        wet = fno % 2 == 1
        buf = io.BytesIO()
        w = WARCWriter(buf, gzip=True)
        for _ in range(n):
            url = f"https://site{k % 97}.test/{k}"
            k += 1
            r = rng.random()
            if r < 0.10:  # broken
                kinds[url] = "broken"
                counts["broken"] += 1
                what = rng.choice(("pdf", "binary", "noheaders"))
                if wet:  # a WET conversion of a binary body; or no text at all
                    buf.write(_raw(url, "conversion", "text/plain", b"\x00\x01\x02PK\x03\x04" * 50))
                elif what == "pdf":
                    h = StatusAndHeaders("200 OK", [("Content-Type", "application/pdf")], protocol="HTTP/1.1")
                    w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(b"%PDF-1.4 ..."),
                                                        http_headers=h))
                elif what == "binary":
                    h = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                    w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(
                        b"\x89PNG\x00\x00\x01\x02" * 300), http_headers=h))
                else:
                    buf.write(_raw(url, "response", "application/http; msgtype=response",
                                   b"<html>no status line, no headers</html>"))
                continue
            text = _window(files, rng)
            if r < 0.40:
                style, table, rate = SPINS[rng.randrange(len(SPINS))]
                text = spin(text, style=style, rate=rate, seed=k,
                            table=style_table(table) if table else None).text
                kinds[url] = f"spun:{style}{'-' + table if table else ''}:{rate}"
                counts["spun"] += 1
            else:
                kinds[url] = "clean"
                counts["clean"] += 1
            if wet:
                buf.write(_raw(url, "conversion", "text/plain", text.encode(),
                               extra="WARC-Identified-Content-Language: eng\r\n"))
            else:
                h = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(
                    _html(text, text.split(".")[0][:60])), http_headers=h))
        data = buf.getvalue()
        if not wet and fno % 4 == 2:  # the last member cut off mid-way
            data += _raw(f"https://cut.test/{fno}", "response", "application/http; msgtype=response",
                         b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + _html("cut " * 200, "cut"))[:300]
            counts["broken"] += 1
        (d / f"crawl-{fno:05d}.{'wet.gz' if wet else 'warc.gz'}").write_bytes(data)
        counts["files"] += 1
    return {"kinds": kinds, "counts": counts}


# ---- measurements ---------------------------------------------------------------------------

def _pages(d: Path) -> tuple[list, float]:
    """Every scorable page of the crawl as the scan reads it (reader + extraction), and the time."""
    from unspin.crawl import pages as crawl
    from unspin.crawl.scan import MIN_WORDS, expand
    t0 = time.perf_counter()
    out = []
    for f in expand([str(d)])[0]:
        for item in crawl.read(f):
            if isinstance(item, crawl.Page) and len(item.text.split()) >= MIN_WORDS:
                out.append((f, item))
    return out, time.perf_counter() - t0


def _tier(name, pages, fn) -> tuple[dict, list]:
    t0 = time.perf_counter()
    res = [fn(p.text) for _, p in pages]
    secs = time.perf_counter() - t0
    words = sum(len(p.text.split()) for _, p in pages)
    return {"tier": name, "workers": 1, "pages": len(pages), "words": words, "seconds": round(secs, 2),
            "pages_per_s_core": round(len(pages) / secs, 2), "words_per_s_core": round(words / secs)}, res


def _scan(d: Path, work: Path, workers: int, triage: bool) -> tuple[dict, list[dict]]:
    """`unspin scan` as users run it, in a fresh process (models loaded, caches cold: start-up
    is part of the time, a few seconds once per worker)."""
    import subprocess

    import pyarrow.parquet as pq
    out = work / f"scan-{workers}-{int(triage)}.parquet"
    shutil.rmtree(str(out) + ".parts", ignore_errors=True)
    exe = Path(sys.executable).with_name("unspin")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "unspin.cli"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd + ["scan", str(d), "-o", str(out), "--workers", str(workers), "--json",
                              "--triage" if triage else "--no-triage"], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if p.returncode:
        raise SystemExit(f"scan failed: {p.stderr[-2000:]}")
    s = json.loads(p.stdout)
    rows = pq.read_table(out).to_pylist()
    return dict(_job_row(f"scan, triage {'on' if triage else 'off'}", workers, s, rows, wall),
                scan_seconds=s["seconds"]), rows


def _job_row(tier: str, workers: int, s: dict, rows: list[dict], wall: float) -> dict:
    """A crawl job's table row: its summary (`--json`) and output rows over its wall time."""
    words = sum(r["words"] for r in rows)
    return {"tier": tier, "workers": workers, "pages": s["pages_scored"], "words": words,
            "seconds": round(wall, 2), "pages_per_s_core": round(s["pages_scored"] / wall / workers, 2),
            "words_per_s_core": round(words / wall / workers),
            "pages_per_s": round(s["pages_scored"] / wall, 2),
            "passed_to_detector": round(sum(r["tier"] != "triage" for r in rows) / max(1, len(rows)), 4),
            "skipped": s["skipped"], "records_read": s["records_read"], "verdicts": s["verdicts"]}


def _row_key(r: dict) -> tuple:
    """Where a page's row comes from: the one order both jobs' rows compare in."""
    return r["warc_file"], r["record_offset"]


def _spark(d: Path, work: Path, workers: int, triage: bool) -> tuple[dict, list[dict]]:
    """The same job on PySpark in local mode with `workers` cores (`python -m unspin.crawl.spark`,
    a fresh driver: JVM and Python workers start inside the time, as they would for a user)."""
    import subprocess

    import pyarrow.parquet as pq
    out = work / f"spark-{workers}-{int(triage)}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "unspin.crawl.spark", "--input", str(d), "--output", str(out),
           "--master", f"local[{workers}]"] + ([] if triage else ["--no-triage"])
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if p.returncode:
        raise SystemExit(f"spark scan failed: {p.stderr[-2000:]}")
    s = json.loads(p.stdout[p.stdout.index("{"):])
    rows = sorted(pq.read_table(out).to_pylist(), key=_row_key)
    return _job_row(f"Spark local, triage {'on' if triage else 'off'}", workers, s, rows, wall), rows


def run(pages: int, detect_pages: int, seed: int, workdir: str | None, scans: list[tuple[int, bool]],
        per_file: int = PER_FILE, spark: list[tuple[int, bool]] | None = None) -> dict:
    from unspin.crawl import triage
    from unspin.engine.detect import SPUN_AT, detect
    from unspin.lexicon.lexicon import default_lexicon
    work = Path(workdir or tempfile.mkdtemp(prefix="scan-bench-"))
    crawl_dir = work / "crawl"
    shutil.rmtree(crawl_dir, ignore_errors=True)
    crawl_dir.mkdir(parents=True)
    t0 = time.perf_counter()
    gen = generate(crawl_dir, pages, seed, per_file)
    res = {"pages": pages, "seed": seed, "cpus": os.cpu_count(), "generated": gen["counts"],
           "generate_seconds": round(time.perf_counter() - t0, 1)}
    got, secs = _pages(crawl_dir)
    words = sum(len(p.text.split()) for _, p in got)
    res["read"] = {"tier": "read + extract (reader, trafilatura)", "workers": 1, "pages": len(got),
                   "words": words, "seconds": round(secs, 2), "pages_per_s_core": round(len(got) / secs, 2),
                   "words_per_s_core": round(words / secs)}
    triage.forms()  # loading the table is start-up, not per page
    lex = default_lexicon()
    tiers = []
    row, scores = _tier("triage alone", got, triage.score)
    row["passed_to_detector"] = round(sum(s >= triage.THRESHOLD for s in scores) / max(1, len(got)), 4)
    clean = [s for (_, p), s in zip(got, scores) if gen["kinds"].get(p.url) == "clean"]
    row["passed_clean"] = round(sum(s >= triage.THRESHOLD for s in clean) / max(1, len(clean)), 4)
    tiers.append(row)
    rng = random.Random(seed)
    sample = rng.sample(got, min(detect_pages, len(got)))
    row, dets = _tier("fast detector alone", sample, lambda t: detect(t, deep=False, lexicon=lex))
    row["flagged_spun"] = round(sum(x.spun_probability >= SPUN_AT for x in dets) / max(1, len(dets)), 4)
    tiers.append(row)
    by_key = {(f, p.offset): s for (f, p), s in zip(got, scores)}
    scan_rows = {}
    for workers, tri in scans:
        row, rows = _scan(crawl_dir, work, workers, tri)
        tiers.append(row)
        scan_rows[(workers, tri)] = rows
    for workers, tri in spark or []:
        row, rows = _spark(crawl_dir, work, workers, tri)
        same = scan_rows.get((workers, tri)) or scan_rows.get((1, tri))
        if same is not None:  # the Spark job's rows against the local scan's, in one order
            row["rows_equal_scan"] = sorted(same, key=_row_key) == rows
        tiers.append(row)
    res["tiers"] = tiers
    full = scan_rows.get((1, False)) or scan_rows.get((2, False))
    if full:  # the detector on every page: triage recall on what it calls spun
        spun = [r for r in full if r["spun_probability"] is not None and r["spun_probability"] >= SPUN_AT]
        kept = [r for r in spun if by_key.get((r["warc_file"], r["record_offset"]), float("inf")) >= triage.THRESHOLD]
        res["triage_recall"] = {"detector_spun": len(spun), "passed": len(kept),
                                "recall": round(len(kept) / max(1, len(spun)), 4)}
        kinds = gen["kinds"]
        by_kind: dict[str, dict] = {}
        for r in full:
            kind = kinds.get(r["url"], "?").split(":")[0]
            b = by_kind.setdefault(kind, {"pages": 0, "detector_spun": 0, "triage_passed": 0})
            b["pages"] += 1
            b["detector_spun"] += r["verdict"] == "spun"
            b["triage_passed"] += by_key.get((r["warc_file"], r["record_offset"]), float("inf")) >= triage.THRESHOLD
        res["by_kind"] = by_kind
        on = scan_rows.get((1, True)) or scan_rows.get((2, True))
        if on:  # same rows, same order; the triage only turns detector verdicts into "clean"
            res["rows_equal_where_detected"] = all(
                a["spun_probability"] == b["spun_probability"] for a, b in zip(full, on) if b["tier"] != "triage")
            res["verdicts_lost"] = sum(a["verdict"] == "spun" and b["verdict"] != "spun" for a, b in zip(full, on))
    if not workdir:
        shutil.rmtree(work, ignore_errors=True)
    return res


# The cost model's assumptions about one monthly Common Crawl (stated in the output).
CC_PAGES = 3.0e9            # pages a month (recent crawls: 2.5-3.5 billion)
CC_ENGLISH = 0.45           # share of pages in English; the others are skipped at reading time
CC_WORDS = 500              # words of main text per English page after extraction (assumed)


def cost_model(res: dict, executors: tuple[int, ...] = (100, 1000)) -> list[str]:
    """Core-hours and wall time for one monthly crawl, from this run's per-core rates: every
    page is read, English pages go through the triage, and the share the triage passes on
    clean pages (a crawl is nearly all clean) goes to the fast detector."""
    by = {t["tier"]: t for t in [res["read"]] + res["tiers"]}
    read, tri, det = (by[k]["words_per_s_core"] for k in ("read + extract (reader, trafilatura)",
                                                         "triage alone", "fast detector alone"))
    passed = by["triage alone"].get("passed_clean", by["triage alone"]["passed_to_detector"])
    per_page = CC_WORDS / read + CC_ENGLISH * (CC_WORDS / tri + passed * CC_WORDS / det)
    core_h = CC_PAGES * per_page / 3600
    lines = ["", (f"Cost model for one monthly Common Crawl (assumed: {CC_PAGES / 1e9:.0f} billion pages, "
                  f"{CC_ENGLISH:.0%} in English, {CC_WORDS} words of text per page; measured here: "
                  f"reading {read:,} words/s, triage {tri:,} words/s, fast detector {det:,} words/s per "
                  f"core, triage passing {passed:.0%} of clean pages): {per_page * 1000:.0f} core-ms a "
                  f"page, {core_h:,.0f} core-hours; on N single-core executors:"), "",
             "| executors (cores) | wall time |", "|---|---|"]
    for n in executors:
        lines.append(f"| {n:,} | {core_h / n:,.0f} h ({core_h / n / 24:.1f} days) |")
    return lines


def markdown(res: dict) -> str:
    g = res["generated"]
    lines = [("Per core: per worker process; scan times are wall-clock of `unspin scan` in a fresh "
              "process (start-up included)."), "",
             (f"Generated crawl: {res['pages']:,} records in {g['files']} files ({g['clean']:,} clean, "
              f"{g['spun']:,} spun, {g['broken']:,} broken), {res['cpus']} CPUs."), "",
             "| tier | workers | pages | words | seconds | pages/s per core | words/s per core | passed to detector |",
             "|---|---|---|---|---|---|---|---|"]
    for t in [res["read"]] + res["tiers"]:
        passed = t.get("passed_to_detector")
        lines.append(f"| {t['tier']} | {t['workers']} | {t['pages']:,} | {t['words']:,} | {t['seconds']} | "
                     f"{t['pages_per_s_core']:,} | {t['words_per_s_core']:,} | "
                     f"{'' if passed is None else f'{passed:.1%}'} |")
    for t in res["tiers"]:
        if "passed_clean" in t:
            lines += ["", f"The triage alone passes {t['passed_clean']:.1%} of the clean pages to the detector."]
        if "rows_equal_scan" in t:
            lines += ["", f"{t['tier']} with {t['workers']} cores: rows identical to `unspin scan`'s: "
                          f"{t['rows_equal_scan']}."]
    if "triage_recall" in res:
        r = res["triage_recall"]
        lines += ["", (f"Triage recall on the pages the fast detector calls spun: {r['recall']:.2%} "
                       f"({r['passed']} of {r['detector_spun']}); spun verdicts lost with triage on: "
                       f"{res.get('verdicts_lost', '-')}; rows identical where the detector ran: "
                       f"{res.get('rows_equal_where_detected', '-')}."), "",
                  "| pages | n | detector spun | triage passed |", "|---|---|---|---|"]
        for k, b in sorted(res["by_kind"].items()):
            lines.append(f"| {k} | {b['pages']:,} | {b['detector_spun']:,} | {b['triage_passed']:,} |")
    if any(t["tier"] == "fast detector alone" for t in res["tiers"]):
        lines += cost_model(res)
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10_000, help="records in the generated crawl")
    ap.add_argument("--detect-pages", type=int, default=1000, help="pages the detector-alone tier times")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-file", type=int, default=PER_FILE, help="records a crawl file")
    ap.add_argument("--workdir", help="keep the crawl and the scan outputs here (default: a temporary folder)")
    ap.add_argument("--scans", default="1:off,1:on,2:off,2:on",
                    help="which scans to time, workers:triage, comma-separated")
    ap.add_argument("--spark", default="",
                    help="Spark local-mode runs to time, cores:triage, comma-separated (needs PySpark)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--markdown", metavar="PATH", help="also write the tables as Markdown")
    a = ap.parse_args()
    scans = [(int(w), t == "on") for w, t in (s.split(":") for s in a.scans.split(","))]
    spark = [(int(w), t == "on") for w, t in (s.split(":") for s in a.spark.split(",") if s)]
    res = run(a.pages, a.detect_pages, a.seed, a.workdir, scans, a.per_file, spark)
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1))
    if a.markdown:
        Path(a.markdown).write_text(markdown(res) + "\n")
    print(markdown(res))


if __name__ == "__main__":
    main()
