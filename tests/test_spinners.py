"""The real-spinner table: provenance, reverse look-ups, names, and the `observed` style."""
from __future__ import annotations

import math

import pytest

from unspin.lexicon import spinners as S
from unspin.lexicon.lexicon import Lexicon, default_lexicon
from unspin.engine.suspects import find_sites
from unspin.simulate.spin import spin
from unspin.text import Doc, apply_edits


def test_every_observation_has_provenance():
    pairs = S.read_pairs()
    habits = S.read_observed()
    assert len(habits) > 2000 and len(pairs) > 70
    for h in habits:
        assert h.pairs and all(p in pairs for p in h.pairs), h
    for p in pairs.values():
        assert p["spun_url"].startswith("http") and p["original_url"].startswith("http")


def test_builtin_leaves_out_machine_translation():
    styles = {h.style for h in S.builtin_habits()}
    assert "MT" not in styles and {"A", "B", "C"} <= styles


def test_reverse_lookup_and_inflected_variants():
    t = S.SpinnerTable([S.Habit("X", "said", "stated", 4, ("p",))])
    assert t.originals("stated") == {"said": 4.0}
    # Both sides inflect alike: the other forms count half an observation.
    assert t.originals("states") == {"says": 2.0}
    assert t.spun_weight("Stated") == 4.0 and t.spun_weight("declared") == 0.0


def test_rewrite_rate_is_how_often_a_spinner_rewrites_a_phrase_where_it_occurs():
    t = S.SpinnerTable([S.Habit("X", "said", "stated", 40, ("p",)),
                        S.Habit("X", "said", "declared", 40, ("p",)),
                        S.Habit("X", "thoroughfare", "street", 2, ("p",))])
    # Both swaps of "said" count; the table's words_seen is the typical size (no pairs.tsv row).
    assert t.rewrite_rate("Said") == pytest.approx(
        math.log(S.per_occurrence("said", 80, S.TYPICAL_WORDS_SEEN)))
    # A rare word rewritten twice is rewritten at a higher rate than a common one 80 times.
    assert t.rewrite_rate("thoroughfare") > t.rewrite_rate("said")
    assert t.rewrite_rate("stated") == t.rewrite_rate("banana") == S.NEVER_REWRITTEN


def test_internal_capitals_are_kept():
    t = S.SpinnerTable([S.Habit("A", "the United States", "the US", 3, ("p",)),
                        S.Habit("A", "National", "Nationwide", 2, ("p",))])
    assert t.originals("the us") == {"the United States": 3.0}
    assert t.originals("nationwide") == {"national": 2.0}
    assert "nationwide" in t.capitalised and "the us" in t.capitalised


def test_halves_split_by_original_article():
    pairs = S.read_pairs()
    by_url: dict[str, set[int]] = {}
    for p in pairs.values():
        by_url.setdefault(p["original_url"], set()).add(S.pair_half(p))
    assert all(len(h) == 1 for h in by_url.values())
    a = [p for p in pairs.values() if p["style"] == "A"]
    assert 0 < sum(S.pair_half(p) for p in a) < len(a)


def test_select_counts_only_the_given_pairs():
    h = S.Habit("A", "said", "stated", 10, ("1", "2"))
    (kept,) = S.select([h], ["A"], {"1"})
    assert kept.pairs == ("1",) and kept.count == 5
    assert S.select([h], ["B"]) == [] and S.select([h], None, {"3"}) == []


def test_lexicon_ranks_table_originals_first():
    lx = default_lexicon()
    first = lx.originals("stated")[0]
    assert first.text == "said" and first.source == "observed" and first.count > 0
    assert lx.is_key("12 months") and "year" in [c.text for c in lx.originals("12 months")]


def test_suspects_carry_the_rewrite_rates_of_spun_text_and_original():
    table = S.SpinnerTable([S.Habit("A", "said", "stated", 30, ("p",)),
                            S.Habit("A", "stated", "acknowledged", 3, ("p",))])
    from unspin.engine import lm
    from unspin.engine.edits import features
    doc = Doc("The minister stated that talks would resume next week.")
    (site,) = [s for s in find_sites(doc, Lexicon(spinners=table), lm.ngram()) if s.text == "stated"]
    said = next(c for c in site.cands if c.text == "said")
    f = features(site, said, use_lm=False)
    assert f["orig_rate"] == table.rewrite_rate("said") > S.NEVER_REWRITTEN
    assert f["spun_rate"] == table.rewrite_rate("stated") > S.NEVER_REWRITTEN


def test_names_are_suspects_only_where_a_spinner_was_seen_capitalising():
    lx = Lexicon(spinners=S.SpinnerTable([S.Habit("A", "National", "Nationwide", 5, ("p",))]))
    from unspin.engine import lm
    doc = Doc("Officials from the Nationwide Security Council met Sheinbaum on Tuesday.")
    sites = {s.text: s for s in find_sites(doc, lx, lm.ngram())}
    assert "Nationwide" in sites and sites["Nationwide"].in_name
    assert [c.text for c in sites["Nationwide"].cands] == ["national"]
    assert "Sheinbaum" not in sites and "Security" not in sites


def test_observed_style_spins_with_the_table_and_leaves_articles():
    t = S.SpinnerTable([S.Habit("X", "said", "stated", 3, ("p",)),
                        S.Habit("X", "big", "enormous", 3, ("p",))])
    text = "He said it was a big day. She said so too."
    r = spin(text, style="observed", rate=1.0, seed=0, table=t)
    assert r.text == "He stated it was a enormous day. She stated so too."
    assert apply_edits(r.text, r.edits) == text
    assert {e.to for e in r.edits} == {"said", "big"}


@pytest.mark.parametrize("rate", [0.05, 0.2])
def test_observed_style_rate_is_a_share_of_words(rate):
    text = " ".join(["The minister said more trade would help the economy this year."] * 20)
    r = spin(text, style="observed", rate=rate, seed=1)
    words = len(Doc(text).words)
    assert abs(len(r.edits) - rate * words) <= 1


def test_natural_rate_follows_how_often_the_spinner_rewrites_each_word():
    # Spinner A rewrote "said" almost everywhere but "a" (to "an") twice in ~22,000 words:
    # at its own rates, a long text gets many "stated"s and next to no "an"s.
    text = " ".join(["The minister said a deal on more trade would help the economy."] * 40)
    r = spin(text, style="observed", rate=None, seed=3)
    swapped = [e.to.lower() for e in r.edits]
    assert swapped.count("said") >= 30
    assert swapped.count("a") <= 3
    assert apply_edits(r.text, r.edits) == text
    with pytest.raises(ValueError):
        spin(text, style="wordnet", rate=None)


def test_habit_rate_is_rewrites_over_expected_occurrences():
    from unspin.simulate.spin import habit_rate
    assert habit_rate("said", 88, 22_000) == 1.0
    assert habit_rate("a", 2, 22_000) < 0.01
    assert habit_rate("a", 2, 0) == 1.0  # no provenance: every occurrence is a candidate


def test_each_lexicon_keeps_its_own_remembered_candidates():
    """find_sites remembers a phrase's candidates between calls, per lexicon: a second
    lexicon must not get the first one's, and a second call gives what the first gave."""
    from unspin.engine import lm
    doc = Doc("The minister stated that talks would resume next week.")
    plain = Lexicon(spinners=S.SpinnerTable())
    table = Lexicon(spinners=S.SpinnerTable([S.Habit("A", "said", "stated", 30, ("p",))]))
    first = find_sites(doc, plain, lm.ngram())
    assert all(c.source != "observed" for s in first for c in s.cands)
    with_table = {s.text: s for s in find_sites(doc, table, lm.ngram())}
    assert ("said", "observed") in [(c.text, c.source) for c in with_table["stated"].cands]
    assert find_sites(doc, plain, lm.ngram()) == first


def test_restore_reads_numbers_as_words_and_detection_does_not():
    # Spinner A writes "12 months" for "year" and "4" for "four": restore must see them.
    lx = Lexicon(spinners=S.SpinnerTable([S.Habit("A", "year", "12 months", 9, ("p",)),
                                          S.Habit("A", "four", "4", 9, ("p",))]))
    from unspin.engine import lm
    from unspin.engine.restore import reading
    text = "Profits rose 4 percent in the final 12 months, on the 4th day, in 1,000 shops."
    sites = {s.text: s for s in find_sites(reading(text), lx, lm.ngram())}
    assert "year" in [c.text for c in sites["12 months"].cands]
    assert "four" in [c.text for c in sites["4"].cands]
    # the "4" of "4th" is part of a word, not a number to spell out
    assert [s for s in sites.values() if text[s.start:s.end + 2] == "4th"] == []
    assert "12 months" not in {s.text for s in find_sites(Doc(text), lx, lm.ngram())}


def test_only_numbers_standing_alone_are_words():
    text = "On the 4th hole, 4 strokes in the 1990s, a 10-year deal, 1,000 units, 3.5 km (5) 2019."
    assert [w.text for w in Doc(text, numbers=True).words if w.text[0].isdigit()] == \
        ["4", "1,000", "5", "2019"]
    assert not any(w.text[0].isdigit() for w in Doc(text).words)


def test_a_learned_table_adds_the_swaps_the_table_lacks_and_leaves_the_counts_it_knows():
    # The decision was fitted on the table's own counts: more sightings of a swap it knows
    # must not move them (they moved "however" -> "but" across the trees' split points).
    base = S.builtin()
    both = S.SpinnerTable(base.habits, {"however": {"but": 27}, "stated": {"said": 40, "proclaimed": 3}})
    assert both.originals("however")["but"] == base.originals("however")["but"]
    assert both.spun_weight("however") == base.spun_weight("however")
    assert both.spun_weight("stated") == base.spun_weight("stated")
    assert both.rewrite_rate("said") == base.rewrite_rate("said")
    assert both.is_learned("however", "but")  # still shown as learned: the user saw it too
    # a swap the table lacks is added, with its count, and restore's candidates carry it
    assert "proclaimed" not in base.originals("stated") and both.originals("stated")["proclaimed"] == 3
    lex = Lexicon(learned={"stated": {"proclaimed": 3}})
    got = {c.text: c for c in lex.originals("stated")}
    assert got["proclaimed"].count == 3 and got["proclaimed"].source == "learned"
    assert got["said"].count == default_lexicon().spinners.originals("stated")["said"]


def test_a_table_larger_than_the_decisions_is_read_at_its_scale():
    # The decision's trees split on exact raw counts of the table they were fitted with; the
    # whole built-in table is about twice as large, so its counts are read scaled down to it.
    from unspin.engine.edits import features
    from unspin.engine.sites import Cand, Site
    big = S.builtin()
    assert big.words_seen > S.DECISION_WORDS and big.count_scale == pytest.approx(S.DECISION_WORDS / big.words_seen)
    small = S.SpinnerTable(S.select(S.read_observed(), ["B"]))
    assert small.count_scale == 1.0 and S.SpinnerTable().count_scale == 1.0
    assert default_lexicon().count_scale == big.count_scale
    site = Site(0, 1, 0, 7, "however", (Cand("but", "observed", count=684.0),), spun_weight=688.0,
                table_scale=0.5)
    with_lm, without = features(site, site.cands[0]), features(site, site.cands[0], use_lm=False)
    assert with_lm["table"] == pytest.approx(math.log1p(342.0)) and with_lm["spun_known"] == pytest.approx(math.log1p(344.0))
    # detection and the 3-gram decision were fitted on the table as it is
    assert without["table"] == pytest.approx(math.log1p(684.0))
    assert with_lm["table_share"] == without["table_share"]  # a share does not depend on the scale
