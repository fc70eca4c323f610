"""Closed-class confusion sets: restore's candidates for function words, never detect's."""
from unspin.engine import lm
from unspin.engine.restore import candidates
from unspin.engine.suspects import find_sites
from unspin.lexicon.confusions import confusion_candidates, confusions
from unspin.lexicon.lexicon import Lexicon
from unspin.lexicon.spinners import SpinnerTable
from unspin.text import Doc

TEXT = "The council voted for close the old bridge in Monday."


def test_sets_are_symmetric_and_never_list_the_word_itself():
    sets = confusions()
    assert "to" in sets["for"] and "for" in sets["to"]
    assert all(w not in mates for w, mates in sets.items())
    assert all(w in sets[m] for w, mates in sets.items() for m in mates)


def test_restore_offers_set_mates_for_function_words():
    lex = Lexicon(spinners=SpinnerTable())  # no spinner table: only the sets can offer "to"
    sites = {s.text: s for s in candidates(Doc(TEXT), lex)}
    assert "to" in [c.text for c in sites["for"].cands if c.source == "confusion"]
    assert "on" in [c.text for c in sites["in"].cands]


def test_detection_suspects_do_not_include_them():
    lex = Lexicon(spinners=SpinnerTable())
    doc = Doc(TEXT)
    at = [t.lower for t in doc.words].index("for")
    assert (at, 1) in confusion_candidates(doc)  # "for" is in a set ...
    assert not any(c.source == "confusion" for s in find_sites(doc, lex, lm.ngram()) for c in s.cands)
    assert "for" not in {s.text for s in find_sites(doc, lex, lm.ngram())}  # ... but no suspect there
