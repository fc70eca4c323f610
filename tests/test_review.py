"""The review: a second reader settles the decision's contested edits (engine.review)."""
import pytest

from unspin.engine.edits import Choice
from unspin.engine.review import Rule, contested, reread, review, settle
from unspin.engine.sites import Cand, Site
from unspin.text import Doc

RULE = Rule(lo=0.3, hi=0.95, bias=0.0, w_p=1.0, w_gain=0.5, cut=0.7)


def _choice(i: int, cand: str, p: float, n: int = 1) -> Choice:
    return Choice(Site(i, n, 10 * i, 10 * i + 5, "spun"), Cand(cand, "observed"), p)


def test_q_rises_with_the_decisions_p_and_the_readers_gain_and_clips_the_gain():
    assert RULE.q(0.5, 0.0) == pytest.approx(0.5)
    assert RULE.q(0.8, 0.0) > RULE.q(0.6, 0.0)
    assert RULE.q(0.6, 4.0) > RULE.q(0.6, 0.0) > RULE.q(0.6, -4.0)
    assert RULE.q(0.6, 50.0) == RULE.q(0.6, RULE.clip)


def test_contested_takes_each_suspects_best_option_inside_the_band():
    options = [_choice(1, "a", 0.5), _choice(1, "b", 0.6),   # best 0.6: contested
               _choice(2, "c", 0.97),                          # sure: left alone
               _choice(3, "d", 0.1), _choice(3, "e", 0.2)]    # unlikely: left alone
    got = contested(options, RULE)
    assert [(o.site.i, o.cand.text) for o in got] == [(1, "b")]


def test_settle_makes_keeps_and_drops_contested_edits_by_the_readers_gain():
    sure = _choice(5, "sure", 0.97)
    kept_then_refused = _choice(1, "x", 0.9)
    refused_then_made = _choice(2, "y", 0.6)
    disputed = [kept_then_refused, refused_then_made]
    out = settle([sure, kept_then_refused], disputed, [-10.0, 6.0], RULE)
    got = {(c.site.i, c.cand.text): c.p for c in out}
    assert set(got) == {(5, "sure"), (2, "y")}
    assert got[(5, "sure")] == 0.97                       # outside the band: as decided
    assert got[(2, "y")] == pytest.approx(RULE.q(0.6, 6.0))  # its confidence is the rule's q


def test_settle_never_makes_overlapping_edits():
    a = _choice(1, "one word", 0.9, n=2)      # words 1-2
    b = _choice(2, "other", 0.9)              # word 2
    out = settle([], [a, b], [8.0, 6.0], RULE)
    assert [c.cand.text for c in out] == ["one word"]


@pytest.mark.slow
def test_the_reader_prefers_the_original_in_the_restored_context():
    """reread asks any neural LM (here the default one) for the gain of each option with the
    other chosen edits in place."""
    from unspin.engine.lm import neural
    text = "The chief executive stated the company expects profits to rise next year."
    doc = Doc(text)
    at = text.index("stated")
    site = Site(3, 1, at, at + len("stated"), "stated")
    good = Choice(site, Cand("said", "observed"), 0.6)
    bad = Choice(site, Cand("banana", "observed"), 0.6)
    gains = reread(doc, [good, bad], [], neural())
    assert len(gains) == 2 and gains[0] > gains[1]
    # review() with a rule that trusts the reader makes the good edit, not the bad one
    trusting = Rule(lo=0.3, hi=0.95, bias=0.0, w_p=0.0, w_gain=1.0, cut=0.6)
    out = review(doc, [], [good], neural(), trusting) + review(doc, [], [bad], neural(), trusting)
    assert [c.cand.text for c in out] == ["said"]


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
