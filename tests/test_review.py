"""The review: a second reader reads the page as the decision left it, and the suspects are
decided again on its gains and the decision's own (engine.review)."""
import pytest

from unspin.engine.edits import Choice
from unspin.engine.review import (FEATURES, Rule, contested, decision_gains, evidence, reread, review,
                                  settle)
from unspin.engine.sites import Cand, Site
from unspin.text import Doc

# Trusts the decision's p and both readers' gains alike.
RULE = Rule(floor=0.1, running=0.1, bias=0.0, weights=(1.0, 0.5, 0.5, 0.0, 0.0), cut=0.7)


def _choice(i: int, cand: str, p: float, n: int = 1) -> Choice:
    return Choice(Site(i, n, 10 * i, 10 * i + 5, "spun"), Cand(cand, "observed"), p)


def test_q_rises_with_the_decisions_p_and_both_readers_gains():
    assert RULE.q((0.0, 0.0, 0.0, 0.0, 0.0)) == pytest.approx(0.5)
    assert RULE.q((1.0, 0.0, 0.0, 0.0, 0.0)) > RULE.q((0.0, 0.0, 0.0, 0.0, 0.0))
    assert RULE.q((0.0, 4.0, 0.0, 0.0, 0.0)) > RULE.q((0.0, 0.0, 0.0, 0.0, 0.0)) > RULE.q((0.0, 0.0, -4.0, 0.0, 0.0))


def test_from_params_reads_the_weights_by_name():
    rule = Rule.from_params({"floor": 0.1, "running": 0.2, "bias": -1, "cut": 0.8,
                             "weights": {k: float(i) for i, k in enumerate(reversed(FEATURES))}})
    assert rule.weights == tuple(float(i) for i in reversed(range(len(FEATURES))))
    assert (rule.floor, rule.running, rule.cut) == (0.1, 0.2, 0.8)


def test_contested_takes_the_running_options_of_suspects_above_the_floor():
    options = [_choice(1, "a", 0.5), _choice(1, "b", 0.6), _choice(1, "c", 0.05),  # c: out of the running
               _choice(2, "d", 0.97),                                           # sure: reviewed too
               _choice(3, "e", 0.05), _choice(3, "f", 0.08)]                    # below the floor
    got = contested(options, RULE)
    assert [(o.site.i, o.cand.text) for o in got] == [(1, "b"), (1, "a"), (2, "d")]


def test_evidence_clips_gains_and_takes_margins_over_the_suspects_other_options():
    disputed = [_choice(1, "a", 0.5), _choice(1, "b", 0.5), _choice(2, "c", 0.9)]
    ev = evidence(disputed, [3.0, 50.0, -2.0], [1.0, 2.0, 4.0], lim=10.0)
    assert ev[0][0] == pytest.approx(0.0)                 # logit 0.5
    assert ev[1][1] == 10.0                               # the reader's gain clipped
    assert ev[0][3] == pytest.approx(3.0 - 10.0)          # a against b (reader)
    assert ev[1][4] == pytest.approx(2.0 - 1.0)           # b against a (model)
    assert ev[2][3] == pytest.approx(-2.0 - 0.0)          # alone: against the spun wording
    assert ev[2][4] == pytest.approx(4.0)


def test_settle_keeps_drops_makes_and_switches_edits_by_the_evidence():
    sure = _choice(5, "sure", 0.97)                        # not disputed: as decided
    kept_then_refused = _choice(1, "x", 0.9)
    refused_then_made = _choice(2, "y", 0.6)
    first, second = _choice(3, "first", 0.9), _choice(3, "second", 0.5)
    disputed = [kept_then_refused, refused_then_made, first, second]
    xs = evidence(disputed, [-10.0, 6.0, -3.0, 8.0], [-10.0, 6.0, -3.0, 8.0])
    out = settle([sure, kept_then_refused, first], disputed, xs, RULE)
    got = {(c.site.i, c.cand.text): c.p for c in out}
    assert set(got) == {(5, "sure"), (2, "y"), (3, "second")}
    assert got[(5, "sure")] == 0.97
    assert got[(2, "y")] == pytest.approx(RULE.q(xs[1]))  # its confidence is the rule's q


def test_settle_never_makes_overlapping_edits():
    a = _choice(1, "one word", 0.9, n=2)      # words 1-2
    b = _choice(2, "other", 0.9)              # word 2
    xs = evidence([a, b], [8.0, 6.0], [8.0, 6.0])
    out = settle([], [a, b], xs, RULE)
    assert [c.cand.text for c in out] == ["one word"]


@pytest.mark.slow
def test_the_readers_prefer_the_original_in_the_restored_context():
    """reread asks any neural LM (here the default one) for the gain of each option with the
    other chosen edits in place."""
    from unspin.engine.lm import neural
    text = "The chief executive stated the company expects income to rise next year."
    doc = Doc(text)
    at = text.index("stated")
    site = Site(3, 1, at, at + len("stated"), "stated")
    good = Choice(site, Cand("said", "observed"), 0.6)
    bad = Choice(site, Cand("banana", "observed"), 0.6)
    at2 = text.index("income")
    profits = Choice(Site(6, 1, at2, at2 + len("income"), "income"), Cand("profits", "observed"), 0.9)
    gains = reread(doc, [good, bad], [profits], neural())
    assert len(gains) == 2 and gains[0] > gains[1]
    # review() with a rule that trusts the readers makes the good edit, not the bad one
    trusting = Rule(floor=0.1, running=0.1, bias=0.0, weights=(0.0, 0.5, 0.5, 0.0, 0.0), cut=0.6)
    out = review(doc, [], [good], neural(), neural(), trusting) \
        + review(doc, [], [bad], neural(), neural(), trusting)
    assert [c.cand.text for c in out] == ["said"]


def test_the_fast_review_takes_the_decisions_own_gains_as_the_models_evidence(monkeypatch):
    """In the fast review the decision's LM is not asked again: its gains as the decision read
    each option are the rule's "model" evidence; only the reader reads the page."""
    import unspin.engine.review as rv
    text = "The chief executive stated the company expects income to rise next year."
    at = text.index("stated")
    site = Site(3, 1, at, at + len("stated"), "stated")
    liked = Choice(site, Cand("said", "observed", lm_gain=6.0), 0.5)
    disliked = Choice(site, Cand("declared", "observed", lm_gain=-2.0), 0.5)
    assert decision_gains([liked, disliked]) == [6.0, -2.0]
    readers = []
    monkeypatch.setattr(rv, "reread", lambda doc, disputed, chosen, reader:
                        readers.append(reader) or [0.0] * len(disputed))  # a reader that likes all alike
    trusting = Rule(floor=0.1, running=0.1, bias=-1.0, weights=(0.0, 0.0, 1.0, 0.0, 0.0), cut=0.6)
    out = review(Doc(text), [], [liked, disliked], "the reader", rule=trusting)
    assert readers == ["the reader"] and [c.cand.text for c in out] == ["said"]
    # the full review asks the decision's LM too, and weighs its new reading instead
    out = review(Doc(text), [], [liked, disliked], "the reader", "the model", rule=trusting)
    assert readers[1:] == ["the reader", "the model"] and out == []


def test_review_modes_come_from_the_argument_or_the_environment(monkeypatch):
    from unspin.engine.review import default_rule, resolve
    from unspin.errors import UnspinError
    monkeypatch.delenv("UNSPIN_REVIEW", raising=False)
    assert resolve(True) == "full" and resolve(False) == "off" and resolve("fast") == "fast"
    monkeypatch.setenv("UNSPIN_REVIEW", "fast")
    assert resolve(True) == "fast" and resolve("full") == "full"
    monkeypatch.setenv("UNSPIN_REVIEW", "0")
    assert resolve(True) == "off"
    with pytest.raises(UnspinError):
        resolve("thorough")
    monkeypatch.setenv("UNSPIN_REVIEW", "thorough")  # misspelt: an error too, not a quiet "full"
    with pytest.raises(UnspinError, match="UNSPIN_REVIEW='thorough'"):
        resolve(True)
    assert resolve("off") == "off"  # an explicit mode never reads the environment
    full, fast = default_rule(), default_rule(fast=True)
    assert full is not None and fast is not None and full != fast


def test_the_reader_is_whoever_is_installed_whatever_the_environment_says(monkeypatch):
    # an explicit restore(review="full") must find its reader under UNSPIN_REVIEW=0 too: the
    # review's mode is restore's to resolve, not the reader's (it is cached for the process)
    from unspin.engine import lm
    gemma = object()
    monkeypatch.setattr(lm, "installed", lambda name: True)
    monkeypatch.setattr(lm, "neural", lambda: type("Main", (), {"name": "smollm2"})())
    monkeypatch.setattr(lm, "_load", lambda name, what, fix: gemma)
    monkeypatch.setenv("UNSPIN_REVIEW", "0")
    lm.reader.cache_clear()
    try:
        assert lm.reader() is gemma
        lm.reader.cache_clear()
        monkeypatch.setattr(lm, "installed", lambda name: False)
        assert lm.reader() is None
    finally:
        lm.reader.cache_clear()


@pytest.mark.slow
def test_restore_asks_the_reader_only_when_the_review_is_on(monkeypatch):
    from unspin.engine import lm
    from unspin.engine.restore import restore
    asked = []

    def reader():
        asked.append(True)
        return lm.neural()  # any neural LM can read; Gemma is the installed default
    monkeypatch.setattr(lm, "reader", reader)
    text = "The chief executive stated the company expects income to rise subsequent yr."
    restore(text, review=False)
    assert not asked
    restore(text)
    assert asked


def test_a_heavily_spun_page_is_reviewed_with_a_lower_cut(monkeypatch):
    """Either review's cut follows the decision's (edits.bolder): an option the rule gives a
    q a little under its cut is made on a page estimated heavily spun, not on a lightly spun one."""
    import unspin.engine.review as rv
    from unspin.engine.calibration import params
    monkeypatch.setitem(params(), "bold", {"from": 0.2, "slope": 2.0, "most": 0.1})
    text = "The chief executive stated the company expects income to rise next year."
    at = text.index("stated")
    option = Choice(Site(3, 1, at, at + len("stated"), "stated"), Cand("said", "observed"), 0.5)
    monkeypatch.setattr(rv, "reread", lambda doc, disputed, chosen, reader: [0.0] * len(disputed))
    rule = Rule(floor=0.1, running=0.1, bias=0.0, weights=(1.0, 0.0, 0.0, 0.0, 0.0), cut=0.55)
    # q = 0.5 (logit p 0, no gains): under 0.55, over 0.55 - min(0.1, 2 * (0.28 - 0.2)) = 0.45
    assert review(Doc(text), [], [option], "reader", "model", rule=rule, rate=0.1) == []
    assert review(Doc(text), [], [option], "reader", "model", rule=rule, rate=None) == []
    made = review(Doc(text), [], [option], "reader", "model", rule=rule, rate=0.28)
    assert [c.cand.text for c in made] == ["said"]
    # the fast review (no model to read again) lowers its own cut the same way
    assert review(Doc(text), [], [option], "reader", rule=rule, rate=0.1) == []
    assert [c.cand.text for c in review(Doc(text), [], [option], "reader", rule=rule, rate=0.28)] == ["said"]
