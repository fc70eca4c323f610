"""Contractions both ways, and typographic apostrophes read as the tables write them."""
from unspin.engine import restore as restore_module
from unspin.engine.restore import candidates, restoration
from unspin.engine.edits import Choice
from unspin.lexicon.contractions import contraction_candidates, forms
from unspin.lexicon.lexicon import Lexicon
from unspin.lexicon.spinners import Habit, SpinnerTable, fold
from unspin.text import Doc

TEXT = "He didn\u2019t say it is over, and I\u2019m sure they\u2019ll stay."


def test_forms_go_both_ways():
    short, full = forms()
    assert short["don't"] == ("do not",)
    assert set(short["it's"]) == {"it is", "it has"}
    assert short["won't"] == ("will not",)
    assert "it's" in full["it is"] and "it'd" in full["it would"]
    assert all(c in short and f in short[c] for f, cs in full.items() for c in cs)


def test_candidates_for_each_form_in_the_text():
    doc = Doc(TEXT)
    got = {k: [c.text for c in v] for k, v in contraction_candidates(doc).items()}
    words = [w.lower for w in doc.words]
    assert got[words.index("didn\u2019t"), 1] == ["did not"]
    assert got[words.index("it"), 2] == ["it's"]
    assert got[words.index("i\u2019m"), 1] == ["i am"]
    assert got[words.index("they\u2019ll"), 1] == ["they will"]
    assert (words.index("over"), 1) not in got


class _NoLM:
    """Stands in for the LM: by_left_context asks it for first-token log-probs."""
    def first_token_logprobs(self, texts, positions, options):
        return [[[0.0] * len(o) for o in per] for per in options]


def test_restore_offers_them_as_suspects_even_for_function_words(monkeypatch):
    monkeypatch.setattr(restore_module, "CONTRACTIONS", True)
    lex = Lexicon(spinners=SpinnerTable())  # no spinner table: only the rule can offer them
    sites = {s.text: s for s in candidates(Doc(TEXT), lex, _NoLM())}
    assert "did not" in [c.text for c in sites["didn\u2019t"].cands if c.source == "contraction"]
    assert "it's" in [c.text for c in sites["it is"].cands]
    assert "i am" in [c.text for c in sites["I\u2019m"].cands]  # "I" is not a name
    # without the LM (detection) a contraction is no suspect: writers use both forms
    assert "didn\u2019t" not in {s.text for s in candidates(Doc(TEXT), lex)}


def test_a_table_learned_with_plain_apostrophes_reads_a_typographic_page():
    table = SpinnerTable([Habit("A", "he is", "he's", 3, ("p1",))])
    lex = Lexicon(spinners=table)
    assert fold("He\u2019s") == "he's"
    assert [c.text for c in lex.originals("he\u2019s") if c.source == "observed"] == ["he is"]
    assert lex.spun_weight("He\u2019s") == 3


def test_restored_words_take_the_page_apostrophe(monkeypatch):
    monkeypatch.setattr(restore_module, "CONTRACTIONS", True)
    text = "It is said they don\u2019t agree and it is late."
    doc = Doc(text)
    site = next(s for s in candidates(doc, Lexicon(spinners=SpinnerTable()), _NoLM())
                if s.text == "it is")
    cand = next(c for c in site.cands if c.text == "it's")
    r = restoration(text, [Choice(site, cand, 0.9)])
    assert r.text == "It is said they don\u2019t agree and it\u2019s late."
