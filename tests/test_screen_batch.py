"""Detection's batched paths must give what the one-at-a-time definitions give: the screening
cut (screen.by_ngram), the no-LM edit evidence (edits.columns_without_lm against
edits.features) and the models over columns (calibration.predict_columns against predict)."""
import pytest

from unspin.engine.calibration import predict, predict_columns
from unspin.engine.edits import columns_with_rate, columns_without_lm, edit_model, features
from unspin.engine.restore import candidates
from unspin.engine.screen import KEEP
from unspin.lexicon.lexicon import default_lexicon
from unspin.simulate.spin import spin
from unspin.text import Doc


@pytest.fixture(scope="module")
def sites(seed_text):
    text = spin(seed_text, style="observed", rate=0.3, seed=5).text
    return candidates(Doc(text), default_lexicon())


def test_screening_keeps_known_habits_and_the_best_guesses(sites):
    assert len(sites) > 100
    for s in sites:
        known = [c for c in s.cands if c.known]
        guesses = [c for c in s.cands if not c.known]
        assert s.cands, s
        # habits first, then guesses best first, at most KEEP of them unless habits fill it
        assert list(s.cands) == known + guesses
        assert len(s.cands) <= max(KEEP, len(known))
        assert [c.ngram_gain for c in guesses] == sorted((c.ngram_gain for c in guesses), reverse=True)
    assert any(len([c for c in s.cands if not c.known]) == KEEP for s in sites)


def test_columns_equal_the_feature_dicts_to_the_bit(sites):
    pairs = [(s, c) for s in sites for c in s.cands]
    cols = columns_without_lm(pairs)
    for k, (s, c) in enumerate(pairs):
        f = features(s, c, use_lm=False)
        assert {n: float(v[k]) for n, v in cols.items()} == {n: float(v) for n, v in f.items()}
    rated = columns_with_rate(cols, 0.17)
    for staged, cs in ((False, cols), (True, rated)):
        model = edit_model(False, staged)
        want = [predict(model, features(s, c, use_lm=False, rate=0.17 if staged else None))
                for s, c in pairs]
        assert predict_columns(model, cs) == want
    # the varied inputs were exercised
    assert len(set(cols["margin"].tolist())) > 50 and cols["table"].max() > 0
