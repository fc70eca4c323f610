"""Report: one self-contained page, article text escaped, evidence on both sides."""
import pytest
import json
import random
import re

from unspin.simulate import articles as tb  # the benchmarks' article generator
from conftest import run_cli
from unspin import archive
from unspin.archive import report


EVIL = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


@pytest.mark.slow
def test_report_is_escaped_and_self_contained(tmp_path):
    gen = tb.Generator(seed=5, pool=2000)
    clusters = [gen.event() for _ in range(2)]
    tb.write_corpus(tmp_path / "c.jsonl", gen, 0, 40, clusters)
    docs = [json.loads(l) for l in open(tmp_path / "c.jsonl")]
    docs[7]["text"] = docs[7]["text"].replace(". ", f". {EVIL} ", 1)
    docs[7]["title"] = EVIL
    with open(tmp_path / "c.jsonl", "w") as f:
        f.writelines(json.dumps(d) + "\n" for d in docs)
    db = str(tmp_path / "a.db")
    archive.add(db, [str(tmp_path / "c.jsonl")])
    q = tmp_path / "q.txt"
    q.write_text(tb.spin(docs[7]["text"], 0.4, random.Random(1)))

    p = run_cli("report", q, "--db", db, "-o", tmp_path / "r.html", "--no-lm")
    assert p.returncode == 0, p.stderr_text
    page = (tmp_path / "r.html").read_text()
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert not re.search(r'(src|href)=["\']?(https?:)?//', page)  # loads nothing
    assert "doc7" in page and "copy" in page and "Suspect" in page and "Substitutions" in page
    assert page.count('class=spun') + page.count('class=verbatim') >= 2  # marked on both sides


def test_report_without_source(tmp_path):
    db = str(tmp_path / "a.db")
    (tmp_path / "a.txt").write_text("The river rose overnight and the mayor closed the old bridge, officials said.")
    archive.add(db, [str(tmp_path / "a.txt")])
    page = report.report("Completely different words about gardening and the weather in spring time.",
                         db, use_lm=False)
    assert "No source found" in page
