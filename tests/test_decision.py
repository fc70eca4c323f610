"""The edit decision's document prior: the spin rate and the features it adds."""
from __future__ import annotations

import pytest

from unspin.engine.calibration import logistic
from unspin.engine.edits import Choice, features, spin_rate, with_rate
from unspin.engine.sites import Cand, Site


def _site(i: int, n: int = 1) -> Site:
    return Site(i, n, 10 * i, 10 * i + 5, "word")


def test_spin_rate_counts_each_suspect_once_by_its_best_option():
    a, b = _site(0), _site(3, n=2)
    options = [Choice(a, Cand("x", "observed"), 0.9), Choice(a, Cand("y", "wordnet"), 0.2),
               Choice(b, Cand("z", "habit"), 0.5)]
    # a: 0.9 x 1 word, b: 0.5 x 2 words, over 20 words
    assert abs(spin_rate(options, 20) - (0.9 + 1.0) / 20) < 1e-9
    assert spin_rate([], 0) == 0.0


def test_a_heavily_spun_document_makes_the_same_swap_likelier():
    f = {"gain": 6.0, "table": 1.5}
    model = {"bias": -2.0, "weights": {"gain": 0.3, "rate": 1.0, "rate_gain": 0.05}}
    low, high = with_rate(f, 0.01), with_rate(f, 0.2)
    assert low["rate"] < high["rate"]
    assert logistic(model, low) < logistic(model, high)
    # Estimates are clipped away from 0 and 1 before the log-odds.
    assert with_rate(f, 0.0)["rate"] > -10 and with_rate(f, 1.0)["rate"] < 10


def test_pool_reads_the_same_swap_elsewhere_in_the_document():
    from unspin.engine.score import pool
    gains = [6.0, 2.0, -1.0]
    given = [Site(i, 1, 10 * i, 10 * i + 6, "Stated",
                  (Cand("said", "observed", lm_gain=g), Cand("declared", "wordnet", lm_gain=0.5)))
             for i, g in enumerate(gains)]
    given.append(Site(9, 1, 90, 95, "extra", (Cand("more", "observed", lm_gain=8.0),)))
    *sites, lone = pool(given)
    # a stage returns new records and leaves its input as it was
    assert all(c.doc_n == 0 for s in given for c in s.cands)
    assert [s.key for s in sites] == [s.key for s in given[:3]]
    said = [s.cands[0] for s in sites]
    # each place sees the mean of the others, never its own gain
    assert [c.doc_n for c in said] == [2, 2, 2]
    assert [c.doc_gain for c in said] == [(2.0 - 1.0) / 2, (6.0 - 1.0) / 2, (6.0 + 2.0) / 2]
    assert lone.cands[0].doc_n == 0 and lone.cands[0].doc_gain == 0.0
    # the no-LM path never has it
    assert features(sites[0], said[0], use_lm=False)["doc_n"] == 0.0
    assert features(sites[0], said[0])["doc_gain"] == said[0].doc_gain


def test_restoring_a_word_puts_back_the_article_the_spinner_fixed():
    from unspin.engine.restore import restoration
    text = "It was an enormous day and a huge crowd. An enormous win."
    def choice(word, cand, at=0):
        start = text.index(word, at)
        s = Site(0, 1, start, start + len(word), word, (Cand(cand, "observed"),))
        return Choice(s, s.cands[0], 0.9, (Choice(s, Cand("vast", "wordnet"), 0.2),))
    r = restoration(text, [choice("enormous", "big"), choice("huge", "big"),
                           choice("enormous", "big", text.index("An "))])
    assert r.text == "It was a big day and a big crowd. A big win."
    first = r.edits[0]
    assert (first.from_, first.to) == ("an enormous", "a big")
    assert text[first.start:first.end] == "an enormous"
    assert first.alternatives[0][0] == "a vast"
    # "a huge" -> "a big": the article suits both, so the edit is the word alone.
    assert (r.edits[1].from_, r.edits[1].to) == ("huge", "big")
    assert (r.edits[2].from_, r.edits[2].to) == ("An enormous", "A big")


def test_a_known_spinner_swap_reaches_the_lm_even_where_cheap_evidence_sees_nothing():
    from unspin.engine.screen import SCREEN, passes
    quiet = SCREEN - 2.0  # the 3-gram and left-context gains see nothing wrong
    thesaurus_only = Site(0, 1, 0, 5, "vital", (Cand("key", "wordnet", ngram_gain=quiet),))
    known = Site(0, 1, 0, 5, "extra", (Cand("more", "observed", ngram_gain=quiet),
                                       Cand("additional", "wordnet", ngram_gain=quiet)))
    loud = Site(0, 1, 0, 5, "vital", (Cand("key", "wordnet", ngram_gain=SCREEN + 1.0),))
    assert not passes(thesaurus_only)
    assert passes(known) and passes(loud)


def _stumps() -> dict:
    """Two depth-1 trees in the exported layout: gain <= 2 -> -1.5 else +1.0; rate <= -3 ->
    -0.5 else +0.5 (a leaf points to itself)."""
    return {"features": ["gain", "rate"], "baseline": 0.25, "depth": 1, "trees": [0, 3],
            "nodes": {"feature": [0, 0, 0, 1, 0, 0], "threshold": [2.0, 0, 0, -3.0, 0, 0],
                      "left": [1, 1, 2, 4, 4, 5], "right": [2, 1, 2, 5, 4, 5],
                      "value": [0, -1.5, 1.0, 0, -0.5, 0.5], "leaf": [0, 1, 1, 0, 1, 1]}}


def test_boosted_trees_are_walked_to_their_leaves():
    from math import exp

    from unspin.engine.calibration import predict, predict_many
    m = _stumps()
    rows = [{"gain": 1.0, "rate": -4.0}, {"gain": 2.0, "rate": 0.0}, {"gain": 7.5}, {}]
    want = [0.25 - 1.5 - 0.5, 0.25 - 1.5 + 0.5, 0.25 + 1.0 + 0.5, 0.25 - 1.5 + 0.5]  # absent = 0
    got = predict_many(m, rows)
    assert [round(p, 12) for p in got] == [round(1 / (1 + exp(-z)), 12) for z in want]
    assert [predict(m, r) for r in rows] == got and predict_many(m, []) == []
    # A logistic model goes through the same entry point.
    lm = {"bias": -2.0, "weights": {"gain": 0.3}}
    assert predict(lm, {"gain": 5.0}) == logistic(lm, {"gain": 5.0})


def test_a_learned_swap_is_weighed_as_an_observed_one():
    """No dev evidence holds learned swaps: the decision reads them as the observed table's."""
    from unspin.engine.calibration import predict
    from unspin.engine.edits import edit_model
    site = Site(0, 1, 0, 6, "stated", spun_weight=30.0)
    seen, learned = Cand("said", "observed", count=30.0), Cand("said", "learned", count=30.0)
    f_seen, f_learned = features(site, seen, use_lm=False), features(site, learned, use_lm=False)
    assert f_learned == f_seen and f_learned["src_observed"] == 1.0
    for use_lm in (False, True):
        model = edit_model(use_lm, False)
        assert predict(model, features(site, learned, use_lm)) == predict(model, features(site, seen, use_lm))


def test_a_chain_of_spun_words_comes_undone_one_link_a_pass(monkeypatch):
    """Each word of "decreasing its coverage charge" reads right to the LM only once the word
    after it is restored: pass 1 restores the last, each later pass the one before; options
    judged out of the running are not scored again."""
    from unspin.engine import decode as dec
    from unspin.text import Doc
    doc = Doc("They hope to start decreasing its coverage charge soon.")
    at = {w.text: k for k, w in enumerate(doc.words)}
    chain = [("decreasing", "lowering"), ("coverage", "policy"), ("charge", "rate")]
    sites = [Site(at[w], 1, doc.words[at[w]].start, doc.words[at[w]].end, w,
                  (Cand(right, "observed"), Cand("nonsense", "wordnet"))) for w, right in chain]
    asked: list[tuple[int, str]] = []

    def score(doc, given, model, context, progress=None):
        restored = {key[0] for key in context}
        out = []
        for s in given:
            nxt = {at["decreasing"]: at["coverage"], at["coverage"]: at["charge"]}.get(s.i)
            sees = nxt is None or nxt in restored
            cands = []
            for c in s.cands:
                asked.append((s.i, c.text))
                cands.append(Cand(c.text, c.source, lm_gain=(9.0 if sees else -2.0)
                                  if c.source == "observed" else -9.0))
            out.append(Site(s.i, s.n, s.start, s.end, s.text, tuple(cands)))
        return out

    def probs(model, rows):
        return [0.95 if f["gain"] > 5 else 0.3 if f["gain"] > -5 else 0.001 for f in rows]

    monkeypatch.setattr(dec, "score", score)
    monkeypatch.setattr(dec, "predict_many", probs)
    monkeypatch.setattr(dec, "predict", lambda model, f: probs(model, [f])[0])
    monkeypatch.setattr(dec, "split", lambda sites, use_lm: (sites, []))
    monkeypatch.setattr(dec, "UNSETTLED", (0.03, 0.85))
    monkeypatch.setattr(dec, "NEIGHBOURHOOD", 2)
    for passes, undone in ((2, {"charge", "coverage"}), (3, {"charge", "coverage", "decreasing"})):
        monkeypatch.setattr(dec, "PASSES", passes)
        asked.clear()
        chosen = dec.decode(doc, sites, model=object()).chosen
        assert {ch.site.text for ch in chosen} == undone
        assert {ch.cand.text for ch in chosen} == {right for w, right in chain if w in undone}
        # pass 1 asks for every option; later passes only for those still in the running
        assert asked.count((at["coverage"], "nonsense")) == 1
        assert asked.count((at["coverage"], "policy")) == 2


def test_the_cut_falls_for_a_heavily_spun_document_and_no_further_than_most(monkeypatch):
    from unspin.engine.calibration import params
    from unspin.engine.edits import bolder, decide_at
    monkeypatch.setitem(params(), "bold", {"from": 0.22, "slope": 2.0, "most": 0.16})
    base = params()["decide_at"]
    assert decide_at(True) == base and decide_at(True, 0.05) == base and decide_at(True, 0.22) == base
    assert decide_at(True, 0.25) == pytest.approx(base - 0.06)
    assert decide_at(True, 0.6) == pytest.approx(base - 0.16)           # at most `most` lower
    cuts = [bolder(0.76, r / 100) for r in range(0, 60)]
    assert all(a >= b for a, b in zip(cuts, cuts[1:])) and cuts[0] == 0.76 > cuts[-1]
    # the 3-gram decision (no LM) keeps its own cut whatever the rate
    assert decide_at(False, 0.6) == decide_at(False)
    monkeypatch.setitem(params(), "bold", None)                         # no "bold": the fitted cut
    assert decide_at(True, 0.6) == base
