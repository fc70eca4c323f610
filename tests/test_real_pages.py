"""The real-page benchmark's scoring: gold edits from a word alignment, edits judged by what
they do to the word edit distance to the original (bench/real_pages.py)."""
import pytest

from bench import real_pages as rp
from bench.metrics import E

SPUN = "The chief government mentioned the corporate expects income to rise subsequent yr."
ORIGINAL = "The chief executive said the company expects profits to rise next year."


def _edit(text: str, word: str, to: str) -> E:
    at = text.index(word)
    return E(at, at + len(word), word, to)


def test_gold_edits_are_the_words_the_spinner_changed():
    gold = rp.gold_edits(SPUN, ORIGINAL)
    assert [(g.from_, g.to) for g in gold] == [
        ("government", "executive"), ("mentioned", "said"), ("corporate", "company"),
        ("income", "profits"), ("subsequent", "next"), ("yr", "year")]
    assert all(SPUN[g.start:g.end] == g.from_ for g in gold)


def test_distance_counts_words_and_ignores_case_and_punctuation():
    assert rp.distance(SPUN, ORIGINAL) == 6
    assert rp.distance("The Chief, executive.", "the chief executive") == 0
    assert rp.distance("a b c", "a c") == 1


def test_an_edit_is_right_when_it_brings_the_text_closer_to_the_original():
    right = _edit(SPUN, "mentioned", "said")
    wrong_on_gold = _edit(SPUN, "income", "revenue")      # a spun word, restored wrongly
    untouched = _edit(SPUN, "expects", "anticipates")     # a word the spinner left alone
    judged = rp.judge_edits(SPUN, ORIGINAL, sorted([right, wrong_on_gold, untouched],
                                                   key=lambda e: e.start))
    assert judged["right"] == 1 and judged["edits"] == 3
    assert judged["right_each"] == [True, False, False]    # in text order: mentioned, expects, income
    assert judged["changed"] == 1                          # only "expects" was untouched
    assert judged["untouched"] == len(SPUN.split()) - 6


def test_pages_split_by_original_article():
    a = {"original_url": "https://www.example.com/story/"}
    b = {"original_url": "http://example.com/story"}
    assert rp.page_split(a) == rp.page_split(b) in ("dev", "test")


def test_training_labels_credit_a_word_inside_a_phrase_the_spinner_rewrote():
    spun = "The situations had been bad, the man stated on Monday."
    original = "The conditions were bad, the man said on Monday."
    judge = rp.labels(spun, original)

    def at(word: str) -> tuple[int, int]:
        i = spun.index(word)
        return i, i + len(word)
    # "situations had been" aligns as one stretch with "conditions were"
    assert judge(*at("situations"), "conditions") == (True, True)
    assert judge(*at("situations"), "circumstances") == (False, True)
    assert judge(*at("stated"), "said") == (True, True)
    assert judge(*at("Monday"), "Tuesday") == (False, False)  # a word the spinner left alone


def test_pages_are_grouped_by_the_site_of_their_original():
    assert rp.source_site("https://www.cbsnews.com/news/face-the-nation") == "cbsnews.com"
    assert rp.source_site("http://apnews.com/article/x") == "apnews.com"


def test_a_rebuilt_page_cache_is_checked_against_the_recorded_checksums(tmp_path, monkeypatch):
    import hashlib
    h = lambda t: hashlib.sha256(t.encode()).hexdigest()[:16]  # noqa: E731
    sums = tmp_path / "sums.tsv"
    sums.write_text("# comment\nid\tsplit\tspun_sha256\toriginal_sha256\tspun_words\toriginal_words\n"
                    f"p1\tdev\t{h('spun words')}\t{h('original words')}\t2\t2\n")
    monkeypatch.setitem(rp.SETS, "1", (rp.PAGES, sums))
    same = {"id": "p1", "spun": "spun words", "original": "original words"}
    assert rp.unlike_recorded([same]) == []
    assert rp.unlike_recorded([dict(same, spun="spun word")]) == ["p1"]
    assert rp.unlike_recorded([dict(same, id="p2")]) == ["p2"]
    # the committed file lists the 40 pairs the README's figures came from
    recorded = (rp.HERE / "data" / "realpages_checksums.tsv").read_text().splitlines()
    assert sum(1 for line in recorded if line and not line.startswith(("#", "id\t"))) == 40


def test_reliability_bins_edits_by_confidence_and_measures_the_gap():
    from bench.metrics import calibration_error, reliability
    judged = [(0.95, True), (0.92, True), (1.0, False), (0.65, True), (0.62, False), (0.4, False)]
    bins = {b["bin"]: b for b in reliability(judged)}
    assert bins["0.9-1.0"]["edits"] == 3 and abs(bins["0.9-1.0"]["right"] - 2 / 3) < 1e-9
    assert bins["0.6-0.7"]["edits"] == 2 and bins["0.6-0.7"]["right"] == 0.5
    assert bins["0.5-0.6"]["edits"] == 1          # under the first bound: the first bin
    assert bins["0.7-0.8"]["edits"] == 0 and bins["0.7-0.8"]["right"] is None
    assert sum(b["edits"] for b in bins.values()) == len(judged)
    perfect = [(1.0, True)] * 4
    assert calibration_error(perfect) == 0.0
    assert calibration_error(judged) > 0.1
    assert calibration_error([]) is None


def test_the_story_out_table_holds_every_pair_but_those_of_the_benchmarks_stories():
    from unspin.lexicon.spinners import builtin, pair_half, read_pairs
    pairs = read_pairs()
    told = {rp._story(pairs[i]["original_url"]) for i in rp.recorded()}
    assert len(told) >= 20, "the recorded pages name their originals"
    table = rp.story_out_table()
    held = {p for h in table.habits for p in h.pairs}
    # no pair spun from a benchmark page's original, whichever site copied it
    assert not {k for k in held if rp._story(pairs[k]["original_url"]) in told}
    # every other pair, of both halves of spinner A (the known regime holds one half)
    a_halves = {pair_half(pairs[k]) for k in held if pairs[k]["style"] == "A"}
    assert a_halves == {0, 1}
    assert table.words_seen < builtin().words_seen
    assert table.words_seen > 1.8 * rp.lexicon_for("known").spinners.words_seen


def test_the_cache_rebuild_finds_the_recorded_stretch_however_the_lines_were_joined():
    """bench/real_pages_cut.py: a saved stored-page excerpt holds site furniture around the
    article body and may join its paragraphs otherwise than the recorded text did; the stretch
    with the recorded hash and word count is found, and nothing is returned where none has it."""
    from bench import real_pages_cut as cut
    body = "The chief executive said the company\u2019s profits rose.\n\nShares fell 3 % on Monday."
    saved = "Menu\nSubscribe now\nThe chief executive said the company\u2019s profits rose.\n" \
            "Shares fell 3 % on Monday.\nAdvertisement\nRelated stories"
    n = len(rp.words(body))
    assert cut.find(saved, rp.text_hash(body), n) == body
    assert cut.find(saved, rp.text_hash(body.replace("\u2019", "'")), n) is None
    assert cut.find(saved, rp.text_hash(body), n + 1) is None


def test_originals_through_restore_counts_each_story_once_and_the_words_changed():
    from types import SimpleNamespace

    from unspin.text import Edit
    made = []

    def restore(text, lex, model):  # a restorer that rewrites "profits" wherever it reads it
        made.append(text)
        at = text.find("profits")
        edits = [Edit(at, at + 7, "profits", "income")] if at >= 0 else []
        return SimpleNamespace(words=text.split()), None, SimpleNamespace(rate=0.1), SimpleNamespace(edits=edits)
    pages = [{"id": "a", "original": ORIGINAL}, {"id": "b", "original": ORIGINAL},
             {"id": "c", "original": "Nothing to see here."}]
    out = rp.originals_through_restore(pages, None, None, restore=restore)
    assert len(made) == 2 and out["originals"] == 2       # copies of one story restored once
    assert out["words"] == len(ORIGINAL.split()) + 4 and out["changed"] == 1
    assert [x["id"] for x in out["pages"]] == ["a", "c"] and out["pages"][1]["edits"] == 0


def test_each_page_set_keeps_its_own_checksums_and_story_out_table():
    """Set 2 (the thirty-third session's harvest) never changes set 1's figures: set 1's
    story-out table is as before, set 2's leaves out set 2's stories, and no page is in both."""
    from unspin.lexicon.spinners import read_pairs
    pairs = read_pairs()
    one, two = rp.recorded("1"), rp.recorded("2")
    assert len(two) >= 50, "the committed set 2 checksums list the harvested pairs"
    assert not set(one) & set(two)
    assert rp.recorded("all") == {**one, **two}
    stories = {n: {rp._story(pairs[i]["original_url"]) for i in rp.recorded(n)} for n in ("1", "2")}
    for name in ("1", "2"):
        held = {p for h in rp.story_out_table(name).habits for p in h.pairs}
        assert not {k for k in held if rp._story(pairs[k]["original_url"]) in stories[name]}
    held_1 = {p for h in rp.story_out_table("1").habits for p in h.pairs}
    only_two = stories["2"] - stories["1"]
    assert {k for k in held_1 if rp._story(pairs[k]["original_url"]) in only_two}, \
        "set 1's table still holds set 2's stories"
    with pytest.raises(ValueError):
        rp.set_names("3")


def test_a_new_pair_is_cut_to_the_body_both_pages_cover():
    """bench/real_pages_add.py: site furniture before the body and each excerpt's ragged end
    fall outside the cut; a line whose first words the spinner rewrote is taken whole."""
    from bench import real_pages_add as add
    spun = ("Home | Politics | Sports\nSubscribe to our newsletter today for more\n"
            "The chief government mentioned the corporate expects income to rise subsequent yr, "
            "and shares rose 3 % on Monday after the report was released to investors.\n"
            "Analysts had anticipated a weaker quarter for the retailer this time round. Extra on th")
    original = ("Business news\n"
                "The chief executive said the company expects profits to rise next year, "
                "and shares rose 3 % on Monday after the report was released to investors.\n"
                "Analysts had expected a weaker quarter for the retailer this time round. Related: "
                "Markets close higher")
    cut_spun, cut_original = add.body(spun, original)
    assert cut_spun.startswith("The chief government") and cut_original.startswith("The chief executive")
    assert cut_spun.endswith("this time round.") and cut_original.endswith("this time round.")
    assert add.body("alpha beta gamma", "delta epsilon zeta") is None
    rows = [("said", "mentioned"), ("expected", "anticipated"), ("income", "earnings")]
    assert abs(add.seen_share(cut_spun, cut_original, rows) - 2 / 3) < 1e-9


def test_the_learned_regime_learns_only_from_dev_pages_as_unspin_learn_does(monkeypatch, capsys):
    """learned-N: the unknown regime's table plus what `unspin learn` extracts from the set's
    first N dev pages; it is scored on test only, so no page is learned from and scored."""
    assert rp.learned_count("learned") == 0 and rp.learned_count("learned-12") == 12
    assert rp.learned_count("learned-0") is None and rp.learned_count("known") is None
    dev = [{"id": "d1", "spun": SPUN, "original": ORIGINAL},
           {"id": "d2", "spun": "The corporate stated on Monday that it expects income to rise within the "
            "coming months as gross sales develop throughout the nation.",
            "original": "The company said on Monday that it expects profits to rise in the coming months "
            "as sales grow across the country."}]
    asked = []
    monkeypatch.setattr(rp, "load_set", lambda which, split: asked.append(split) or dev)
    one = rp.learned_table("2", 1)
    assert asked == ["dev"]
    assert one["corporate"] == {"company": 1} and one["subsequent yr"] == {"next year": 1}
    assert "nation" not in one, "only the first page is learned from"
    both = rp.learned_table("2")
    assert both["income"] == {"profits": 2} and both["nation"] == {"country": 1}
    for split in ("dev", "all"):
        with pytest.raises(SystemExit):
            rp.main(["--set", "2", "--split", split, "--regimes", "learned-5"])
        assert "score them on --split test" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        rp.main(["--regimes", "learned-x"])
    assert "unknown regime" in capsys.readouterr().err
