from hypothesis import given, settings, strategies as st

from unspin.errors import UnspinError
from unspin.inputs import decode_input
from unspin.text import Doc, Edit, apply_edits, match_case
import pytest


def test_tokens_carry_offsets_into_the_input(seed_text):
    doc = Doc(seed_text)
    assert len(doc.words) > 500
    for t in doc.tokens:
        assert seed_text[t.start:t.end] == t.text


def test_sentences_cover_tokens_in_order_without_overlap(seed_text):
    doc = Doc(seed_text)
    prev_end = -1
    for s in doc.sentences:
        assert s.start >= prev_end
        prev_end = s.end
    assert sum(s.end_tok - s.start_tok for s in doc.sentences) == len(doc.tokens)


def test_abbreviations_do_not_end_sentences():
    doc = Doc("Mr. Carney met U.S. officials. Then he left.")
    assert [s.text for s in doc.sentences] == ["Mr. Carney met U.S. officials.", "Then he left."]


def test_closing_quote_stays_with_its_sentence():
    doc = Doc('He said "no." She agreed.')
    assert doc.sentences[0].text == 'He said "no."'


def test_apply_edits_touches_only_edited_spans():
    text = "The  chief\ngovernment \u201cmentioned\u201d it.\r\nNext line"
    a = text.index("government")
    b = text.index("mentioned")
    out = apply_edits(text, [Edit(b, b + 9, "mentioned", "said"), Edit(a, a + 10, "government", "executive")])
    assert out == "The  chief\nexecutive \u201csaid\u201d it.\r\nNext line"


def test_apply_edits_rejects_mismatch_and_overlap():
    with pytest.raises(ValueError):
        apply_edits("abc def", [Edit(0, 3, "xyz", "q")])
    with pytest.raises(ValueError):
        apply_edits("abc def", [Edit(0, 3, "abc", "q"), Edit(2, 5, "c d", "r")])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab c\n\t.,\"'\u2019-1"), min_size=1, max_size=80), st.data())
def test_apply_edits_preserves_everything_outside_the_edits(text, data):
    doc = Doc(text)
    words = doc.words
    if not words:
        return
    chosen = data.draw(st.lists(st.sampled_from(words), unique_by=lambda t: t.i, max_size=4))
    edits = [Edit(t.start, t.end, t.text, "X" + t.text) for t in chosen]
    out = apply_edits(text, edits)
    # Removing the inserted marker gives the input back byte for byte.
    assert out.replace("X", "") == text.replace("X", "")
    assert len(out) == len(text) + len(edits)


def test_match_case():
    assert match_case("Government", "executive") == "Executive"
    assert match_case("NASA", "agency") == "AGENCY"
    assert match_case("yr", "year") == "year"


@pytest.mark.parametrize("data,msg", [
    (b"", "empty"), (b"   \n\t ", "empty"), (b"\x00\x01\x02binary\x00", "binary"),
    (b"caf\xe9 au lait", "UTF-8"), (b"%PDF-1.4 garbage", "PDF"),
    (b"<html><body><script>x</script></body></html>", "no article text"),
])
def test_bad_bytes_give_one_line_errors(data, msg):
    with pytest.raises(UnspinError) as e:
        decode_input(data, "in")
    assert msg in str(e.value) and "\n" not in str(e.value)


def test_html_main_text_is_extracted():
    html = ("<html><head><title>t</title></head><body><nav>Menu Home About</nav><article><p>"
            + "The minister said the company expects profits to rise next year. " * 8
            + "</p></article><footer>Copyright</footer></body></html>").encode()
    text = decode_input(html, "page.html")
    assert "profits to rise" in text and "<p>" not in text


def test_oversize_input_is_refused():
    with pytest.raises(UnspinError, match="MB"):
        decode_input(b"word " * 2_000_000, "big", max_bytes=1_000_000)


def _tiny_pdf(line: str) -> bytes:
    """A one-page PDF with one line of Helvetica text, written by hand (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_pdf_text_is_extracted():
    text = decode_input(_tiny_pdf("The chief executive said profits would rise."), "a.pdf")
    assert "chief executive said profits" in text


def test_sentence_starts_and_the_case_of_a_number_replaced_there():
    from unspin.engine import lm
    from unspin.engine.restore import reading
    from unspin.engine.suspects import find_sites
    from unspin.lexicon import spinners as S
    from unspin.lexicon.lexicon import Lexicon
    lx = Lexicon(spinners=S.SpinnerTable([S.Habit("A", w, d, 9, ("p",)) for w, d in
                                          (("two", "2"), ("three", "3"), ("four", "4"), ("five", "5"))]))
    text = ('3 firms rose. 2 banks said. "4 of them," he said.\n\n5 more came; 3 left at 2 on '
            'Jan. 4 in all.')
    first = {s.start: s.sentence_start for s in find_sites(reading(text), lx, lm.ngram())
             if s.text.isdigit()}
    want = {"3 firms": True, "2 banks": True, "4 of": True, "5 more": True, "3 left": False,
            "2 on": False, "4 in": False}  # "Jan." ends no sentence
    assert first == {text.index(k): v for k, v in want.items()}
    assert match_case("2", "two", sentence_start=True) == "Two"
    assert match_case("2", "two") == "two"
    assert match_case("stated", "said", sentence_start=True) == "said"  # its own case wins


def test_restoration_capitalises_a_number_word_that_starts_a_sentence():
    from unspin.engine.edits import Choice
    from unspin.engine.restore import restoration
    from unspin.engine.sites import Cand, Site
    text = "Profits rose. 2 banks opened 2 branches."
    at = [i for i, c in enumerate(text) if c == "2"]
    chosen = [Choice(Site(2 + k, 1, a, a + 1, "2", sentence_start=k == 0), Cand("two", "observed"), 0.9)
              for k, a in enumerate(at)]
    assert restoration(text, chosen).text == "Profits rose. Two banks opened two branches."
