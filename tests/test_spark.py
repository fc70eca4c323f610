"""The Spark job (unspin/crawl/spark.py) in local mode gives exactly the local scan's rows.

Skipped where PySpark or a Java runtime is missing (the default set-up installs neither:
`UNSPIN_WITH_SPARK=1 make setup` does)."""
import json
import shutil

import pytest

pytest.importorskip("pyspark", reason="PySpark not installed (UNSPIN_WITH_SPARK=1 make setup)")
if not shutil.which("java"):
    pytest.skip("no Java runtime for Spark (UNSPIN_WITH_SPARK=1 make setup installs one)",
                allow_module_level=True)

from test_scan import (
    archived_copy,
    crawl,  # noqa: F401  (the generated crawl fixture, shared)
    pq,
    rows,
)

from unspin.crawl import scan as sc
from unspin.crawl import spark as sp
from unspin.errors import UnspinError

pytestmark = pytest.mark.slow  # loads the language model or takes more than 5 s

KEY = lambda r: (r["warc_file"], r["record_offset"])


@pytest.fixture(scope="module")
def spark():
    s = sp.session("local[2]", app="unspin-test")
    yield s
    s.stop()


def by_key(table_rows):
    return sorted(table_rows, key=KEY)


def same_summary(a: sc.ScanSummary, b: sc.ScanSummary) -> None:
    x, y = a.to_json(), b.to_json()
    for k in ("seconds", "pages_per_s", "output", "files_resumed", "files_scanned", "pages_this_run"):
        x.pop(k), y.pop(k)
    assert x == y


def test_spark_rows_equal_scan_rows(crawl, spark, tmp_path):  # noqa: F811
    _, inputs, _, _ = crawl
    ref_out = str(tmp_path / "scan.parquet")
    ref = sc.scan(inputs, ref_out, workers=2)
    out = str(tmp_path / "spark")
    s = sp.run(inputs, out, spark=spark)
    t = pq.read_table(out)
    assert t.column_names == list(sc.COLUMNS)
    assert t.schema.equals(sc.schema(), check_metadata=False)
    got, want = by_key(t.to_pylist()), by_key(rows(ref_out))
    assert len(got) == len(want) == 4 and got == want
    assert len({KEY(r) for r in got}) == len(got)
    same_summary(s, ref)
    assert s.files_scanned == 3 and s.rows == 4


def test_spark_partitions_and_no_triage(crawl, spark, tmp_path):  # noqa: F811
    _, inputs, _, _ = crawl
    ref_out = str(tmp_path / "scan.parquet")
    sc.scan(inputs, ref_out, workers=1, triage=False)
    out = str(tmp_path / "spark")
    sp.run(inputs, out, spark=spark, triage=False, partitions=1)  # all files in one task
    got = by_key(pq.read_table(out).to_pylist())
    assert got == by_key(rows(ref_out)) and all(r["tier"] == "fast" for r in got)


@pytest.mark.parametrize("broadcast", [True, False])
def test_spark_traces_like_scan(crawl, spark, tmp_path, broadcast):  # noqa: F811
    db, src = archived_copy(crawl, tmp_path)
    ref_out = str(tmp_path / "scan.parquet")
    ref = sc.scan([src], ref_out, db=db, workers=1)
    out = str(tmp_path / "spark")
    s = sp.run([src], out, db=db, spark=spark, broadcast_max_mb=512 if broadcast else 0)
    got = by_key(pq.read_table(out).to_pylist())
    assert got == by_key(rows(ref_out))
    assert {r["url"]: r["top_source"] for r in got} == {"copy": "art0", "other": None}
    assert s.traced == ref.traced == 1


def test_broadcast_index_finds_what_sqlite_finds(crawl, tmp_path):  # noqa: F811
    from unspin import archive
    from unspin.archive import fingerprint as fp
    parts = crawl[2]
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(parts)))
    db = str(tmp_path / "a.db")
    archive.add(db, [str(corpus)])
    assert sp.load_index(db, 0) is None  # too large for a zero budget
    with archive.Archive(db) as arc:
        ix = sp.IndexedArchive(arc, sp.load_index(db, 2**30))
        for t in parts + ["Nothing like any of them at all, just a few words here and there."]:
            keys = fp.fingerprint(t)
            assert ix.candidates(keys, 5) == arc.candidates(keys, 5)
        assert ix.get(1).id == arc.get(1).id  # the rest goes to SQLite


def test_spark_nothing_readable_is_one_clear_error(spark, tmp_path):
    with pytest.raises(UnspinError, match="nothing could be read"):
        sp.run([str(tmp_path / "nope.warc.gz")], str(tmp_path / "o"), spark=spark)
    bad = tmp_path / "x.wet.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(UnspinError, match="nothing could be read"):
        sp.run([str(bad)], str(tmp_path / "o"), spark=spark)
    assert not (tmp_path / "o").exists()


def test_module_entry_point(crawl, tmp_path):  # noqa: F811
    import subprocess
    import sys

    from conftest import ROOT
    d = crawl[0]
    out = tmp_path / "o"
    p = subprocess.run([sys.executable, "-m", "unspin.crawl.spark", "--input", str(d / "c.jsonl"),
                        str(tmp_path / "missing.wet"), "--output", str(out), "--master", "local[1]"],
                       cwd=ROOT, capture_output=True, timeout=300, check=False)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    s = json.loads(p.stdout)
    assert s["rows"] == s["pages_scored"] == 1 and s["files_skipped"] == {"missing": 1}
    assert pq.read_table(out).num_rows == 1


def test_join_candidates_are_the_archives(crawl, spark, tmp_path):  # noqa: F811
    from unspin import archive
    from unspin.archive import fingerprint as fp
    from unspin.archive.export import export
    from unspin.crawl import lsh_join
    parts = crawl[2]
    corpus = tmp_path / "mine.jsonl"
    # Overlapping pieces of the seed article: documents that share many keys and tie on votes.
    pieces = [" ".join(t.split()[k:k + 120]) for t in parts for k in range(0, 200, 40)]
    corpus.write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(pieces)))
    db = str(tmp_path / "a.db")
    archive.add(db, [str(corpus)], vectors=False)
    ex = str(tmp_path / "a.parquet")
    export(db, ex)
    queries = parts + [pieces[3], "Nothing like any of them at all, just a few words here and there."]
    pages = spark.createDataFrame([(i, q, fp.fingerprint(q)) for i, q in enumerate(queries)],
                                  lsh_join.PAGE_SCHEMA)
    got: dict = {}
    for r in lsh_join.candidates(spark, pages, ex, limit=7).collect():
        got.setdefault(r["pid"], []).append((r["rank"], r["doc"], r["votes"]))
    with archive.Archive(db) as arc:
        for i, q in enumerate(queries):
            want = arc.candidates(fp.fingerprint(q), 7)
            assert [(d, v) for _, d, v in sorted(got.get(i, []))] == want
    assert len(got[0]) >= 5 and len(queries) - 1 not in got  # the unrelated text finds nothing


def test_spark_traces_by_join_like_scan(crawl, spark, tmp_path):  # noqa: F811
    from unspin.archive.export import export
    db, src = archived_copy(crawl, tmp_path)
    ex = str(tmp_path / "a.parquet")
    export(db, ex)
    ref_out = str(tmp_path / "scan.parquet")
    ref = sc.scan([src], ref_out, db=db, workers=1)
    out = str(tmp_path / "spark")
    s = sp.run([src], out, join=ex, spark=spark)
    got = by_key(pq.read_table(out).to_pylist())
    assert got == by_key(rows(ref_out))
    assert {r["url"]: r["top_source"] for r in got} == {"copy": "art0", "other": None}
    same_summary(s, ref)
    with pytest.raises(UnspinError, match="not an archive export"):
        sp.run([src], out, join=str(tmp_path), spark=spark)
    with pytest.raises(UnspinError, match="not both"):
        sp.run([src], out, join=ex, db=db, spark=spark)


def test_a_failed_join_trace_drops_its_row_as_scan_does():
    row = tuple(range(len(sc.COLUMNS)))
    i = sc.COLUMNS.index
    assert sp._with_trace((7, (row, None))) == [row]  # not flagged: as scanned
    assert sp._with_trace((7, (row, (False, None, None, None)))) == []
    got = sp._with_trace((7, (row, (True, "art0", "copy", 0.9))))[0]
    assert (got[i("top_source")], got[i("relation")], got[i("coverage")]) == ("art0", "copy", 0.9)
    assert got[:i("top_source")] == row[:i("top_source")]
