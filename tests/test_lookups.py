"""The stored look-ups (lexicon.lookups) must answer exactly as the lexicon works them out,
answer nothing for what they do not hold, and never answer for another lexicon."""
from unspin.lexicon import lookups
from unspin.lexicon.lexicon import Lexicon

PHRASES = ["said", "year", "climate", "most cancers", "stated", "12 months", "companies",
           "quickly", "nationwide"]


def test_a_store_answers_as_the_lexicon_works_it_out(tmp_path):
    path = lookups.build(workers=1, phrases=PHRASES, path=tmp_path / "store.sqlite")
    assert path is not None and path.exists()
    store = lookups.Lookups(path)
    plain = Lexicon()
    answered = 0
    for p in PHRASES:
        got = store.originals(p)
        assert got == plain.originals(p)
        answered += bool(got)
        for c in got:
            n = store.fanout(c.text)
            assert n is None or n == plain.fanout(c.text)
    assert answered >= 6
    assert store.originals("zebra crossing") is None  # not stored: the lexicon works it out
    # a lexicon that reads the store gives the same answers
    reading = Lexicon()
    reading._stored = store
    assert [reading.originals(p) for p in PHRASES] == [plain.originals(p) for p in PHRASES]
    assert reading.fanout("company") == plain.fanout("company")


def test_only_the_built_in_lexicon_has_a_store():
    assert lookups.stamp(Lexicon()) is not None
    assert lookups.stamp(Lexicon(sources=("wordnet",))) is None
    assert lookups.stamp(Lexicon(learned={"stated": {"said": 3}})) is None
