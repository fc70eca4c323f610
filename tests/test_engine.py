"""detect and restore end to end (loads the language model once, ~10 s)."""
import json

import pytest

import unspin
from unspin.text import Doc, apply_edits
from conftest import run_cli

pytestmark = pytest.mark.slow  # loads the language model or takes more than 5 s

# Spun as real spinners do: several traces per paragraph, names included. (The decision now
# weighs the document's spin rate, so a lone habit in otherwise clean text is left alone.)
SPUN = ("The company said its profits would rise, in keeping with a statement on Tuesday.\n"
        "Doctors warned that most cancers rates were climbing.\n\n"
        "The minister  said the plan would take 12 months. The Nationwide Climate Service additionally "
        "stated the storm would proceed into the weekend.")


@pytest.fixture(scope="module")
def restored():
    return unspin.restore(SPUN)


def test_restore_undoes_known_spinner_habits(restored):
    got = {(e.from_.lower(), e.to.lower()) for e in restored.edits}
    assert ("in keeping with", "according to") in got
    assert ("most cancers", "cancer") in got
    assert ("nationwide", "national") in got  # inside a name: seen capitalised on real pages


def test_restore_edits_are_offsets_into_the_input(restored):
    assert restored.edits
    for e in restored.edits:
        assert SPUN[e.start:e.end] == e.from_
        assert 0.0 <= e.confidence <= 1.0
    assert apply_edits(SPUN, restored.edits) == restored.text


def test_restore_keeps_layout_outside_edits(restored):
    # Line breaks, the blank line and the double space all survive.
    assert restored.text.count("\n") == SPUN.count("\n")
    assert "\n\n" in restored.text and "minister  said" in restored.text


def test_restore_leaves_clean_text_nearly_alone(seed_text):
    clean = " ".join(seed_text.split()[:300])
    r = unspin.restore(clean)
    words = len(Doc(clean).words)
    assert len(r.edits) <= 0.02 * words, [(e.from_, e.to) for e in r.edits]


@pytest.mark.parametrize("style", ["observed", "thesaurus"])
def test_detect_separates_spun_from_clean(seed_text, style):
    from unspin.simulate.spin import spin
    clean = seed_text[:3000]
    spun = spin(clean, style=style, rate=0.3, seed=3).text
    d_spun, d_clean = unspin.detect(spun), unspin.detect(clean)
    assert d_spun.spun_probability > d_clean.spun_probability
    assert d_clean.verdict == "clean"
    # Real spinners' habits are called spun outright; a pure thesaurus spinner is at least
    # not called clean (detection weighs false accusations double: see bench/tune.py).
    assert d_spun.verdict == "spun" if style == "observed" else d_spun.verdict != "clean"
    assert d_spun.spans
    for f in d_spun.spans:
        assert spun[f.start:f.end] == f.text


def test_detect_never_suggests_another_amount_in_clean_earnings_prose():
    # "billion" had thesaurus candidates "one", "million", "i": each read better to the 3-gram
    # model than the amount, and clean earnings reports were called spun.
    text = ("The retailer reported revenue of $4.1 billion for the quarter, up from $3.9 billion "
            "a year earlier, and expects to spend another 1 billion dollars on new stores. "
            "Its net income rose to $612 million.")
    from unspin.language import changes_quantity
    d = unspin.detect(text)
    assert d.spans, "the amounts are still read"
    assert not [f for f in d.spans if changes_quantity(f.text, f.suggestion)]


def test_cli_json_contracts():
    p = run_cli("detect", "-", "--json", stdin=SPUN.encode())
    assert p.returncode == 0, p.stderr_text
    d = json.loads(p.stdout_text)
    assert 0.0 <= d["spun_probability"] <= 1.0 and d["verdict"] in ("spun", "clean", "uncertain")
    assert d["spans"]
    for s in d["spans"]:
        assert SPUN[s["start"]:s["end"]] == s["text"] and isinstance(s["confidence"], float)
    p = run_cli("restore", "-", "--json", stdin=SPUN.encode())
    assert p.returncode == 0, p.stderr_text
    r = json.loads(p.stdout_text)
    assert set(r) == {"text", "edits", "spin_rate", "bold"} and r["edits"]
    assert 0.0 < r["spin_rate"] < 1.0 and isinstance(r["bold"], bool)  # SPUN is spun: an estimate above 0
    for e in r["edits"]:
        assert SPUN[e["start"]:e["end"]] == e["from"]
        assert {"start", "end", "from", "to", "confidence"} <= set(e) <= {"start", "end", "from", "to",
                                                                        "confidence", "alternatives"}
        for alt in e.get("alternatives", []):  # the suspect's other originals, less likely
            assert set(alt) == {"to", "confidence"} and alt["confidence"] <= e["confidence"]


def test_cli_plain_restore_keeps_line_breaks():
    p = run_cli("restore", "-", stdin=SPUN.encode())
    assert p.returncode == 0, p.stderr_text
    assert p.stdout_text.rstrip("\n").count("\n") == SPUN.count("\n")
    assert "most cancers" not in p.stdout_text


def test_one_enormous_line_gets_a_result(tmp_path):
    line = ("the minister said the company expects profits to rise next year and officials agreed "
            * 3000).strip()
    f = tmp_path / "line.txt"
    f.write_text(line)
    p = run_cli("detect", f, "--json", timeout=240)
    assert p.returncode == 0, p.stderr_text
    assert json.loads(p.stdout_text)["verdict"] in ("spun", "clean", "uncertain")


def test_ngram_reads_each_word_from_at_most_two_before_and_the_sentence_start():
    from unspin.engine.lm import ngram
    ng = ngram()
    words = "the chief executive said the company expects profits to rise".split()
    lps = ng.logps(words, 0, len(words))
    assert len(lps) == len(words)
    assert lps[0] == pytest.approx(ng.logp("the", ("<s>",)))
    assert lps[1] == pytest.approx(ng.logp("chief", ("the",)))
    assert lps[5] == pytest.approx(ng.logp("company", ("said", "the")))
    # A window sums its words, clipped to the sentence; history before it still counts.
    assert ng.window(words, 4, 7) == pytest.approx(sum(lps[4:7]))
    assert ng.window(words, 8, 20) == pytest.approx(sum(lps[8:]))
    # "said" reads better after "executive" than after "profits".
    assert lps[3] > ng.logp("said", ("to", "profits"))
    # Screening's shortcut is the same sum, to the bit, at the start, middle and end.
    for k, n in ((0, 1), (1, 2), (4, 1), (8, 2), (9, 1)):
        cand = ["top", "boss"][:n]
        seq = words[max(0, k - 2):k] + cand + words[k + n:k + n + 2]
        at = min(k, 2)
        assert ng.window_with(words[max(0, k - 2):k], cand, words[k + n:k + n + 2]) == \
            ng.window(seq, at, at + n + 2)


def test_detect_in_worker_processes_gives_the_one_process_result(seed_text, monkeypatch):
    """A long text's fast path split over processes (each a stretch of whole chunks) must
    give exactly what one process gives: the same spans, probabilities and features."""
    from unspin.engine import detect as D
    from unspin.simulate.spin import spin
    text = "\n\n".join([seed_text, spin(seed_text, style="observed", rate=0.2, seed=3).text] * 2)
    assert len(D.chunk_bounds(len(Doc(text).words))) >= 3
    one = D.detect(text).to_json()
    monkeypatch.setattr(D, "PARALLEL_WORDS", 0)
    seen: list[tuple[int, int, str]] = []
    calls = []
    real = D._in_processes
    monkeypatch.setattr(D, "_in_processes", lambda *a: calls.append(len(a[1])) or real(*a))
    two = D.detect(text, workers=2, progress=lambda d, t, u: seen.append((d, t, u))).to_json()
    assert calls == [2]
    assert two == one
    words = [(d, t) for d, t, u in seen if u == "words"]
    assert words[-1][0] == words[-1][1] == len(Doc(text).words)
    assert [d for d, _ in words] == sorted(d for d, _ in words)


def test_detect_one_stretch_at_a_time_gives_the_whole_text_result(seed_text, monkeypatch):
    """Holding one stretch of suspects at a time (memory) must not change a thing."""
    from unspin.engine import detect as D
    from unspin.simulate.spin import spin
    text = "\n\n".join([spin(seed_text, style="observed", rate=0.2, seed=5).text, seed_text] * 2)
    whole = D.detect(text).to_json()
    monkeypatch.setattr(D, "STRETCH_WORDS", 500)
    seen: list[int] = []
    cut = D.detect(text, progress=lambda d, t, u: seen.append(d)).to_json()
    assert cut == whole and len(whole["chunks"]) >= 6
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == len(Doc(text).words)


def test_find_sites_over_word_spans_adds_up_to_the_whole(seed_text):
    from unspin.engine.lm import ngram
    from unspin.engine.suspects import find_sites
    from unspin.lexicon.lexicon import default_lexicon
    doc = Doc(seed_text)
    n = len(doc.words)
    whole = find_sites(doc, default_lexicon(), ngram())
    parts = [s for a, b in ((0, n // 3), (n // 3, n)) for s in
             find_sites(doc, default_lexicon(), ngram(), span=(a, b))]
    assert len(whole) > 20 and parts == whole
    assert all(s.i < n // 3 for s in find_sites(doc, default_lexicon(), ngram(), span=(0, n // 3)))


def test_lm_proposals_take_a_transcript_turns_first_word_as_restore_does():
    """The LM's proposals (restore(..., proposals=True)) skip names by the same sentence starts
    as restore's suspects: a turn's first word after a speaker's label is no name."""
    from unspin.engine.propose import propose

    class Reader:  # proposes "well" wherever it is asked
        def expected_words(self, texts, positions, k):
            return [[["well"] for _ in pos] for pos in positions]

    class Related:
        def related(self, a, b):
            return True
    doc = Doc("SEN. JOHN THUNE: Nicely, the economy grew quickly.")
    asked = {doc.words[k].text for k, _ in propose(doc, Reader(), Related())}
    assert "Nicely" in asked and "economy" in asked
    assert not {"JOHN", "THUNE"} & asked


def test_restore_suspects_take_a_transcript_turns_first_word():
    """A transcript turn's first word is no name, though the sentence runs on from the
    speaker's label: restore's (wide) suspects read it as a sentence's first word, detection's
    as before (its features were fitted that way)."""
    from unspin.engine.lm import ngram
    from unspin.engine.suspects import find_sites, turn_starts
    from unspin.lexicon.lexicon import default_lexicon
    text = ("MARGARET BRENNAN: Welcome back.\n\nSEN. JOHN THUNE: Nicely, the plan is set.\n"
            "Captain America: Brave New World")
    doc = Doc(text)
    assert {doc.words[k].text for k in turn_starts(doc)} == {"Welcome", "Nicely"}  # no label
    wide = {s.text: s for s in find_sites(doc, default_lexicon(), ngram(), keep=12, wide=True)}
    narrow = {s.text: s for s in find_sites(doc, default_lexicon(), ngram(), keep=12)}
    assert "well" in {c.text for c in wide["Nicely"].cands} and wide["Nicely"].sentence_start
    assert "Nicely" not in narrow or not narrow["Nicely"].sentence_start
    assert unspin.restore(text).text.startswith("MARGARET BRENNAN: Welcome back.\n\n"
                                                "SEN. JOHN THUNE: Well, the plan")


def test_restore_reports_its_spin_rate_estimate_and_whether_it_restored_boldly(monkeypatch):
    """The report carries the decision's estimate of how spun the page is; `bold` says whether
    that estimate lowered the cut (edits.bolder), so a reader can see why a page was restored
    as boldly as it was. Without the LM no estimate is reported (its cut never moves)."""
    from unspin.engine.calibration import params
    from unspin.engine.restore import Restoration
    monkeypatch.setitem(params(), "bold", {"from": 0.22, "slope": 2.0, "most": 0.16})
    assert Restoration("a", "a", [], 0.3).bold and not Restoration("a", "a", [], 0.1).bold
    assert not Restoration("a", "a", []).bold and Restoration("a", "a", []).to_json()["spin_rate"] is None
    assert unspin.restore(SPUN, use_lm=False).spin_rate is None


def test_cli_restore_show_and_html_say_how_spun_the_page_looked(tmp_path):
    page = tmp_path / "r.html"
    p = run_cli("restore", "-", "--show", "--html", page, stdin=SPUN.encode())
    assert p.returncode == 0, p.stderr_text
    assert "edits · estimated spin rate " in p.stderr_text and "%" in p.stderr_text
    assert "estimated spin rate " in page.read_text(encoding="utf-8")


def test_html_view_says_the_spin_rate_only_where_there_is_an_estimate():
    from unspin.view import restoration_page, spin_rate_note
    bold = restoration_page("t", "a <b>", [], 0.97, spin_rate=0.27, bold=True)
    assert "spun probability 0.97 · 0 edits · estimated spin rate 27% (heavily spun: restored more boldly)" in bold
    assert "&lt;b&gt;" in bold and "<b>" not in bold
    assert "restored more boldly" not in spin_rate_note(0.1, False) and "10%" in spin_rate_note(0.1, False)
    assert "spin rate" not in restoration_page("t", "a", [])
