from __future__ import annotations

import pytest

from unspin.lexicon.lexicon import default_lexicon
from unspin.simulate.spin import STYLES, spin
from unspin.text import Doc, apply_edits

TEXT = ("The chief executive said the company expects profits to rise next year. "
        "According to the report, an expert warned that cancer rates have increased sharply "
        "in recent years.\n\nOfficials requested more time to deal with the problem, and "
        "John Smith asked whether machine learning could help doctors treat patients. "
        "Researchers found that the new method improves results in 42 different hospitals, "
        "although critics argued the study was small and the data were incomplete.")


@pytest.fixture(scope="session")
def lex():
    return default_lexicon()


@pytest.mark.parametrize("style", sorted(STYLES))
def test_edits_restore_original_exactly(lex, style):
    r = spin(TEXT, style=style, rate=0.5, seed=3, lexicon=lex)
    assert r.edits and r.text != TEXT
    assert apply_edits(r.text, r.edits) == TEXT
    for e in r.edits:
        assert r.text[e.start:e.end] == e.from_ and e.from_ != e.to
    # Bytes outside the edited spans are identical, in order.
    pos, kept = 0, []
    for e in sorted(r.edits, key=lambda e: e.start):
        kept.append(r.text[pos:e.start])
        pos = e.end
    kept.append(r.text[pos:])
    rest = TEXT
    for piece in kept:
        i = rest.find(piece)
        assert i >= 0
        rest = rest[i + len(piece):]


def test_names_numbers_function_words_untouched(lex):
    for seed in range(5):
        r = spin(TEXT, rate=1.0, seed=seed, lexicon=lex)
        for e in r.edits:
            assert "John" not in e.to and "Smith" not in e.to and "42" not in e.to
            assert e.to.lower() not in {"the", "and", "that", "in", "to"}


def test_seeded(lex):
    a = spin(TEXT, rate=0.3, seed=7, lexicon=lex)
    b = spin(TEXT, rate=0.3, seed=7, lexicon=lex)
    c = spin(TEXT, rate=0.3, seed=8, lexicon=lex)
    assert a.to_json() == b.to_json()
    assert a.text != c.text


def test_rate_roughly_respected(lex):
    words = len(Doc(TEXT).words)
    low = spin(TEXT, rate=0.1, seed=1, lexicon=lex)
    high = spin(TEXT, rate=0.6, seed=1, lexicon=lex)
    assert 1 <= len(low.edits) < len(high.edits) <= words
    # the rate is a share of all words: 10 % of them, give or take a phrase
    assert abs(sum(len(e.to.split()) for e in low.edits) - 0.1 * words) <= 3
    assert spin(TEXT, rate=0.0, seed=1, lexicon=lex).edits == []


def test_capitalisation_carried(lex):
    r = spin("Officials requested more time.", style="wordnet", rate=1.0, seed=0, lexicon=lex)
    assert r.text[0].isupper()


def test_habits_style_uses_habits(lex):
    r = spin(TEXT, style="habits", rate=0.2, seed=0, lexicon=lex)
    spun = r.text.lower()
    assert "12 months" in spun or "most cancers" in spun or "in step with" in spun \
        or "in keeping with" in spun or "consistent with" in spun or "in line with" in spun


def test_article_fixed_except_naive(lex):
    for seed in range(10):
        r = spin("He met an expert and an officer at an event.", style="thesaurus",
                 rate=1.0, seed=seed, lexicon=lex)
        for e in r.edits:
            if e.from_.lower().startswith(("a ", "an ")):
                art, word = e.from_.split(" ", 1)
                assert (art.lower() == "an") == (word[0].lower() in "aeiou")


def test_to_json(lex):
    j = spin(TEXT, rate=0.2, seed=0, lexicon=lex).to_json()
    assert set(j) == {"text", "style", "rate", "seed", "edits"}
    assert set(j["edits"][0]) == {"start", "end", "from", "to"}


def test_bad_args():
    with pytest.raises(ValueError):
        spin(TEXT, style="nope")
    with pytest.raises(ValueError):
        spin(TEXT, rate=2)
