"""Learn: substitutions of an unknown spinner come out of caught copies and restore new ones."""
import pytest
import json
import random

from unspin.simulate import articles as tb  # the benchmarks' article generator
from conftest import generated_archive, run_cli
from unspin import archive
from unspin.archive import learn, trace



@pytest.mark.slow
def test_learn_from_caught_copies(tmp_path):
    db, by_id, gen, clusters = generated_archive(tmp_path, seed=4, pool=2000, events=4, docs=120)
    texts = list(by_id.values())
    table = tb.private_spinner()
    rng = random.Random(0)
    for t in texts[:10]:
        ms = trace.trace(tb.spin(t, 0.6, rng, table=table), db, use_vectors=False)
        assert ms[0].relation == "copy"
    assert archive.stats(db)["caught_copies"] == 10

    r = learn.learn(db)
    assert r.copies == 10 and r.distinct > 10
    learned = learn.load_table(db)
    hits = [w for w, odd in table.items() if odd in learned]
    assert len(hits) > 10
    assert all(max(learned[table[w]], key=learned[table[w]].get) == w for w in hits)
    assert learn.learn(db).pairs == r.pairs  # relearning does not double-count

    # a new copy by the same spinner: table restoration brings back most of the original words
    src = texts[50]
    spun = tb.spin(src, 0.6, rng, table=table)
    restored = learn.apply_table(spun, learned)
    before = sum(a == b for a, b in zip(spun.split(), src.split()))
    after = sum(a == b for a, b in zip(restored.split(), src.split()))
    assert after > before

    p = run_cli("learn", "--db", db)
    assert p.returncode == 0 and "caught copies" in p.stdout_text

    # the core restorer takes the learned table through --db
    p = run_cli("restore", "-", "--db", db, "--no-lm", "--json", stdin=spun.encode())
    assert p.returncode == 0, p.stderr_text
    out = json.loads(p.stdout_text)["text"]
    assert sum(a == b for a, b in zip(out.split(), src.split())) > before


def test_load_table_of_empty_archive(tmp_path):
    db = str(tmp_path / "a.db")
    (tmp_path / "a.txt").write_text("Nothing much happened in the town of Springfield today, officials said.")
    archive.add(db, [str(tmp_path / "a.txt")])
    assert learn.load_table(db) == {}
    assert learn.learn(db).copies == 0


def test_substitutions_keep_numbers_with_their_words():
    # Spinner A writes "12 months" for "year" and "4" for "four": learned as such, so that
    # restore (which reads numbers as words) can use them; not as "months" -> "year".
    source = ("The bank said its profits rose last year, and it expects four new branches to "
              "open in the coming months across the north of the country.")
    copy = ("The financial institution stated its income rose final 12 months, and it expects 4 "
            "new branches to open within the coming months throughout the north of the nation.")
    got = learn.extract(copy, source)
    assert got[("final 12 months", "last year")] == 1 or got[("12 months", "year")] == 1
    assert got[("4", "four")] == 1
    assert ("months", "year") not in got


SOURCE_NAMES = ("The National Bank said on Monday that it expects profits to rise in the coming months "
                "as sales grow across the country, and the White House welcomed the news.")
COPY_NAMES = ("The Nationwide Financial institution stated on Monday that it expects income to rise within "
              "the coming months as gross sales develop throughout the nation, and the White Home "
              "welcomed the information.")


def test_learned_swaps_keep_their_case_and_count_once_whatever_the_case():
    got = learn.extract(COPY_NAMES, SOURCE_NAMES)
    assert got[("Home", "House")] == 1, got                # as the pages wrote them
    assert any(s.startswith("Nationwide") for s, _ in got)
    assert got[("nation", "country")] == 1
    from unspin.lexicon.spinners import SpinnerTable
    table = SpinnerTable([], {"Home": {"House": 2}, "home": {"house": 3}, "nation": {"country": 1}})
    assert table.originals("home") == {"house": 5.0}       # one swap, counted once
    assert "home" in table.capitalised and "nation" not in table.capitalised
    # a typographic apostrophe is no substitution
    from unspin.archive import align as al
    copy, source = (COPY_NAMES.replace("it expects", "I’m sure it expects"),
                    SOURCE_NAMES.replace("it expects", "I'm sure it expects"))
    raw = al.substitutions(copy, source, al.align(copy, source).passages)
    assert [s for s in raw if s.spun.startswith("i’m")], "the aligner sees the apostrophes differ"
    assert not [k for k in learn.extract(copy, source) if k[0].startswith("I")]


def test_a_swap_learned_capitalised_is_a_suspect_inside_a_name():
    """Restore skips a capitalised word inside a name unless the swap was seen written
    capitalised: a learned "Home" -> "House" now counts, a lowercase-only one does not."""
    from unspin.engine.suspects import find_sites
    from unspin.engine import lm
    from unspin.lexicon.lexicon import Lexicon
    from unspin.lexicon.spinners import SpinnerTable
    from unspin.text import Doc
    doc = Doc("Officials at the White Home welcomed the plan.")

    def suspects(learned):
        lex = Lexicon(spinners=SpinnerTable([], learned))
        return {s.text for s in find_sites(doc, lex, lm.ngram())}
    assert "Home" in suspects({"Home": {"House": 1}})
    assert "Home" not in suspects({"home": {"house": 1}})
