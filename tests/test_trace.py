"""Trace: spun, paraphrased and partial copies come back as copies of their source; articles on
the same story by other writers come back as related."""
import json
import random

import pytest

from unspin.simulate import articles as tb  # the benchmarks' article generator
from conftest import generated_archive, run_cli
from unspin import archive
from unspin.archive import trace


KINDS = {"verbatim", "spun", "paraphrase"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("trace")
    db, texts, gen, clusters = generated_archive(d, seed=3, pool=2000, events=12, docs=400)
    return {"db": db, "texts": texts, "gen": gen, "clusters": clusters, "dir": d}


def check_passages(m, query, source):
    assert m.passages
    for p in m.passages:
        assert p.kind in KINDS
        assert 0 <= p.query_start < p.query_end <= len(query)
        assert 0 <= p.source_start < p.source_end <= len(source)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5])
def test_word_spun_copy_is_found(corpus, rate):
    rng = random.Random(rate)
    for doc_id in ("doc3", "doc42", "doc300"):
        src = corpus["texts"][doc_id]
        q = tb.spin(src, rate, rng)
        ms = trace.trace(q, corpus["db"], record=False, use_vectors=False)
        assert ms[0].id == doc_id and ms[0].relation == "copy"
        assert ms[0].coverage > 0.8
        check_passages(ms[0], q, src)
        assert {p.kind for p in ms[0].passages} & {"spun", "verbatim"}


def test_paraphrase_and_partial_copies(corpus):
    rng = random.Random(1)
    src = corpus["texts"]["doc17"]
    for q in (tb.paraphrase(src, rng), tb.partial(src, rng)):
        ms = trace.trace(q, corpus["db"], record=False, use_vectors=False)
        assert ms[0].id == "doc17" and ms[0].relation == "copy"
        check_passages(ms[0], q, src)


@pytest.mark.parametrize("use_vectors", [False, True])
def test_same_story_other_writer_is_related_not_copy(corpus, use_vectors):
    gen = corpus["gen"]
    for c in range(3):
        gen.rng.seed(1000 + c)
        _, q = gen.article(corpus["clusters"][c], quote_p=1.0)
        ms = trace.trace(q, corpus["db"], record=False, use_vectors=use_vectors)
        assert ms, "articles on the same event should come back"
        assert all(m.relation == "related" for m in ms)
        assert int(ms[0].id[3:]) // tb.PER_CLUSTER == c  # the same event


def test_unrelated_text_finds_nothing_as_copy(corpus):
    q = ("Quantum gardeners in orbit prefer turnips. " * 8).strip()
    assert not any(m.relation == "copy" for m in trace.trace(q, corpus["db"], record=False, use_vectors=False))


def test_cli_json_schema(corpus):
    q = corpus["dir"] / "q.txt"
    q.write_text(tb.spin(corpus["texts"]["doc5"], 0.3, random.Random(2)))
    p = run_cli("trace", q, "--db", corpus["db"], "--json", "--top", "2")
    assert p.returncode == 0, p.stderr_text
    out = json.loads(p.stdout_text)
    assert 1 <= len(out["matches"]) <= 2
    m = out["matches"][0]
    assert set(m) == {"id", "source", "title", "relation", "coverage", "score", "passages", "reasons"}
    assert m["id"] == "doc5" and m["relation"] == "copy" and m["source"] == "https://news.example/5"
    assert set(m["passages"][0]) == {"query_start", "query_end", "source_start", "source_end", "kind",
                                     "similarity"}
    assert {"aligned", "in_order", "names_numbers_shared", "quotes_shared", "why"} <= set(m["reasons"])
    scores = [x["score"] for x in out["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_cli_trace_stdin_and_missing_db(corpus, tmp_path):
    p = run_cli("trace", "-", "--db", corpus["db"], stdin=corpus["texts"]["doc9"].encode())
    assert p.returncode == 0 and "copy" in p.stdout_text and "doc9" in p.stdout_text
    p = run_cli("trace", "-", "--db", tmp_path / "none.db", stdin=b"Some text here to trace.")
    assert p.returncode != 0 and "no such archive" in p.stderr_text and "Traceback" not in p.stderr_text


@pytest.mark.slow
def test_embedding_search_finds_a_paraphrase(tmp_path):
    from unspin.archive import embed
    db, texts, gen, clusters = generated_archive(tmp_path, seed=8, pool=1000, events=2, docs=30)
    with archive.Archive(db) as a:
        assert embed.embed_archive(a) == 30
        assert embed.embed_archive(a) == 0  # resumable: nothing left to do
        q = tb.paraphrase(texts["doc20"], random.Random(4))
        hits = embed.search(a, q, k=3)
        assert a.get(hits[0][0]).id == "doc20"


def test_cli_prints_untrusted_titles_and_ids_literally(tmp_path):
    seed_text = tb.Generator(seed=12, pool=300).article(tb.Generator(seed=13, pool=10).event())[1]
    # Archived metadata is untrusted: rich markup in it must be shown, not parsed (it crashed on [/b]).
    title = "Profits [/b] rise [bold red]again[/] [link=http://evil.test]x[/link]"
    doc_id = "doc[/i]1"
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"id": doc_id, "url": "https://news.example/[/b]", "title": title,
                               "text": seed_text}) + "\n")
    db = tmp_path / "a.db"
    archive.add(str(db), [str(src)])
    q = tmp_path / "q.txt"
    q.write_text(seed_text)
    p = run_cli("trace", q, "--db", db)
    assert p.returncode == 0 and "Traceback" not in p.stderr_text, p.stderr_text
    assert title in p.stdout_text and doc_id in p.stdout_text and "copy" in p.stdout_text


@pytest.mark.slow
def test_meaning_index_is_centred_and_reports_stored_cosines(tmp_path):
    import numpy as np
    from unspin.archive import embed, sentvec
    db, texts, gen, clusters = generated_archive(tmp_path, seed=9, pool=1000, events=2, docs=12)
    with archive.Archive(db) as a:
        embed.embed_archive(a)
        meta = json.load(open(str(db) + ".ann.json"))
        rows = a.vector_rows(list(range(1, 25)))
        stored = np.frombuffer(b"".join(v for _, _, v in rows), dtype=np.int8).reshape(len(rows), -1)
        # the mean it is centred on is the stored vectors' mean
        assert meta["center_count"] == len(rows) == 24
        assert np.allclose(meta["center"], stored.astype(float).mean(0) / 127.0, atol=1e-4)
        q = texts["doc5"]
        hits = embed.search(a, q, k=3)
        assert a.get(hits[0][0]).id == "doc5"
        # the cosine reported is the raw one between the query's and the stored vectors
        q8 = sentvec.quantize(sentvec.encode(embed.passages(q, per_doc=embed.PER_DOC + 2))).astype(float)
        mine = [r for r in rows if r[1] == hits[0][0]]
        own = np.frombuffer(b"".join(v for _, _, v in mine), dtype=np.int8).astype(float).reshape(len(mine), -1)
        assert hits[0][1] == pytest.approx((own @ q8.T).max() / 127 ** 2, abs=1e-5)


@pytest.mark.slow
def test_meaning_index_is_rebuilt_on_a_new_mean_when_the_archive_doubles(tmp_path):
    from unspin.archive import embed
    db, texts, gen, clusters = generated_archive(tmp_path, seed=10, pool=1000, events=2, docs=6)
    with archive.Archive(db) as a:
        embed.embed_archive(a)
    assert json.load(open(str(db) + ".ann.json"))["center_count"] == 12
    more = tmp_path / "more.jsonl"
    with open(more, "w") as f:
        for i in range(7):
            title, text = gen.article(clusters[i % len(clusters)])
            f.write(json.dumps({"id": f"more{i}", "title": title, "text": text}) + "\n")
    archive.add(str(db), [str(more)], vectors=False)
    embed._OPEN.clear()  # as a fresh process would: the index file is read back
    with archive.Archive(db) as a:
        embed.embed_archive(a)
        meta = json.load(open(str(db) + ".ann.json"))
        assert meta["count"] == 26 and meta["center_count"] == 26  # 26 >= 2 x 12: rebuilt
        assert a.get(embed.search(a, texts["doc3"], k=1)[0][0]).id == "doc3"
