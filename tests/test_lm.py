"""The neural model's shared-prefix scoring against a plain full-sequence computation."""
import math

import pytest

pytestmark = pytest.mark.slow  # loads the language model or takes more than 5 s


@pytest.fixture(scope="module")
def model():
    from unspin.engine import lm
    return lm.neural()


def naive(model, prefix: list[int], cont: list[int]) -> float:
    """log P(cont | prefix) from one forward pass over BOS + prefix + cont."""
    torch = model.torch
    seq = [model.bos] + prefix + cont
    with torch.inference_mode():
        logits = model.model(input_ids=torch.tensor([seq])).logits[0].float()
    lp = logits.log_softmax(-1)
    return sum(lp[len(prefix) + k, t].item() for k, t in enumerate(cont))


def test_cut_logprobs_match_full_passes(model):
    a = model.encode("The chief executive said the company expects profits to rise next year")
    b = model.encode("Doctors warned that cancer rates were climbing")
    opts_a = [(0, model.encode("The boss")), (3, model.encode(" stated the firm")),
              (3, model.encode(" said the company expects")), (len(a) - 2, model.encode(" next 12 months"))]
    opts_b = [(2, model.encode(" cautioned that most")), (5, model.encode(" levels"))]
    got = model.cut_logprobs([(a, opts_a), (b, opts_b)], bucket=2)  # small buckets: several passes
    want = [[naive(model, ids[:cut], cont) for cut, cont in opts] for ids, opts in ((a, opts_a), (b, opts_b))]
    assert [len(g) for g in got] == [4, 2]
    # bfloat16 (used where the CPU computes it natively) keeps about 3 significant digits, and a
    # batched, cached pass rounds differently from a full one; a misaligned prefix or
    # continuation is off by nats either way.
    bf16 = next(model.model.parameters()).dtype == model.torch.bfloat16
    rel, absolute = (0.01, 0.02) if bf16 else (0.0, 2e-3)
    for g, w in zip(got, want):
        for x, y in zip(g, w):
            assert math.isclose(x, y, rel_tol=rel, abs_tol=absolute), (x, y)


def test_cut_logprobs_empty_group(model):
    assert model.cut_logprobs([([1, 2], [])]) == [[]]
