"""The 3-gram model read as numpy arrays (engine.trigram) must answer as pocketsphinx does,
to the integer, and the batched windows (NGramLM.windows) as window_with, to the bit."""
import random

import numpy as np
import pytest

from unspin.engine.lm import PAD, START, UNKNOWN, ngram

SENTENCE = ("the chief executive said the company expects profits to rise next year while "
            "analysts warned that the trade deficit would widen in the coming months").split()


@pytest.fixture(scope="module")
def ng():
    return ngram()


def test_tables_give_pocketsphinx_scores_for_seen_unseen_and_unknown_words(ng):
    t = ng.tables
    rng = random.Random(7)
    vocab = [w for w in list(t.vocab)[:20000] if w.isalpha()]
    triples = []
    for k in range(len(SENTENCE) - 2):  # real trigrams, found as trigrams
        triples.append(tuple(SENTENCE[k:k + 3]))
    for _ in range(3000):  # random ones: back-offs to bigrams and unigrams
        triples.append(tuple(rng.choice(vocab) for _ in range(3)))
    triples += [("<s>", "the", "chief"), ("zzqq", "the", "chief"), ("the", "zzqq", "chief"),
                ("the", "chief", "zzqq")]
    h2, h1, w = (t.ids([x[k] for x in triples]) for k in range(3))
    got = t.raw(w, h1, h2)
    want = [ng._m.prob([c, b, a]) for a, b, c in triples]
    known = w >= 0
    assert known.sum() == len(triples) - 1  # only "zzqq" as the word itself is unknown
    assert got[known].tolist() == [x for x, k in zip(want, known) if k]
    # how many came from each order: the test must reach all three
    found3 = sum(ng._m.prob([c, b, a]) != ng._m.prob([c, b]) for a, b, c in triples[:20])
    assert found3 > 5
    # bigram queries (no second history word)
    got2 = t.raw(w, h1, np.full(len(w), -1))
    want2 = [ng._m.prob([c, b]) for _, b, c in triples]
    assert got2[known].tolist() == [x for x, k in zip(want2, known) if k]


def test_batched_windows_equal_window_with_to_the_bit(ng):
    rng = random.Random(3)
    words = SENTENCE
    rows = []
    for _ in range(300):
        k = rng.randrange(len(words))
        n = rng.randint(1, min(4, len(words) - k))
        cand = rng.choice([words[k:k + n], ["top", "boss"], ["zzqq"], ["year", "on", "year", "of", "sales"]])
        rows.append((words[max(0, k - 2):k], cand, words[k + n:k + n + 2]))
    width = max(len(c) for _, c, _ in rows)
    before = np.array([[START] * (2 - len(b)) + ng.ids(b) for b, _, _ in rows])
    phrase = np.array([ng.ids(c) + [PAD] * (width - len(c)) for _, c, _ in rows])
    after = np.array([ng.ids(a) + [PAD] * (2 - len(a)) for _, _, a in rows])
    got = ng.windows(before, phrase, after).tolist()
    want = [ng.window_with(b, c, a) for b, c, a in rows]
    assert got == want  # exact: the same float sums in the same order
    assert UNKNOWN in phrase  # an unknown word was among them
