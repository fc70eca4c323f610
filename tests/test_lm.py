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


def test_blockwise_head_matches_whole_vocabulary(model):
    torch = model.torch
    ids = model.encode("The council said on Tuesday that the bridge would reopen next spring")
    with torch.inference_mode():
        h = model.model.model(input_ids=torch.tensor([[model.bos] + ids])).last_hidden_state[0]
        whole = model.model.lm_head(h).float().log_softmax(-1)
        vocab = whole.shape[1]
        # targets on both sides of a block edge, the first word and the last
        targets = torch.tensor([(0, 4095, 4096, vocab - 1, 7)[k % 5] for k in range(len(h))])
        got = model._target_logprobs(h, targets, rows=5)  # several row slices too
        picked, norm = model._head(h, torch.stack([targets, targets.flip(0)], 1), cols=1000)
    want = whole.gather(1, targets.unsqueeze(1)).squeeze(1)
    assert torch.allclose(got, want, atol=1e-3)
    assert torch.allclose(picked[:, 0] - norm, want, atol=1e-3)
    assert torch.allclose(picked[:, 1] - norm, whole.gather(1, targets.flip(0).unsqueeze(1)).squeeze(1), atol=1e-3)


def test_cut_logprobs_reports_every_group_once(model):
    groups = [(model.encode(t), [(1, model.encode(" was")), (2, model.encode(" the end"))])
              for t in ("It is the start", "This was a test of it", "We said so")]
    seen: list[int] = []
    out = model.cut_logprobs(groups, batch_tokens=12, done=seen.extend)  # one group a batch
    assert sorted(seen) == [0, 1, 2] and all(len(o) == 2 for o in out)


def test_cut_logprobs_sentences_of_very_different_lengths(model):
    # run in separate base sub-batches, their caches padded to one width (lm._base_pass)
    short = model.encode("Prices rose")
    long = model.encode("The regional council said on Tuesday that the old bridge over the river "
                        "would reopen to traffic next spring after two years of repairs")
    mid = model.encode("Doctors warned that cancer rates were climbing across the region")
    groups = [(long, [(4, model.encode(" stated on Monday")), (len(long) - 3, model.encode(" of work"))]),
              (short, [(1, model.encode(" fell")), (1, model.encode(" rose"))]),
              (mid, [(2, model.encode(" cautioned that"))])]
    got = model.cut_logprobs(groups)
    bf16 = next(model.model.parameters()).dtype == model.torch.bfloat16
    rel, absolute = (0.01, 0.02) if bf16 else (0.0, 2e-3)
    for (ids, opts), g in zip(groups, got):
        for (cut, cont), x in zip(opts, g):
            y = naive(model, ids[:cut], cont)
            assert math.isclose(x, y, rel_tol=rel, abs_tol=absolute), (x, y)


def test_tokenizer_reads_as_transformers_does(model):
    # The engine reads tokenizer.json with the tokenizers library directly (far less memory than
    # transformers' wrapper); the ids, offsets and BOS must be the wrapper's, or every fitted
    # gain would shift.
    from transformers import AutoTokenizer
    from unspin.engine import lm
    hf = AutoTokenizer.from_pretrained(lm.cache_dir() / lm.MODELS[model.name])
    assert model.bos == hf.bos_token_id
    for text in ("The chief executive said", " it\u2019s 12 months", "Don't\n\nstop \u2014 \u201cnow\u201d",
                 "  two spaces", "Caf\u00e9 na\u00efve \U0001F600", ""):
        want = hf(text, add_special_tokens=False, return_offsets_mapping=True)
        got = model.tok.encode(text, add_special_tokens=False)
        assert model.encode(text) == want.input_ids
        assert [tuple(o) for o in got.offsets] == [tuple(o) for o in want.offset_mapping]


def test_head_over_some_rows_scores_a_target_outside_them_exactly(model, tmp_path):
    """The head normalises over its English rows (engine.vocab); a target outside them still
    gets its own logit, and its term joins its row's normaliser once however often it is asked."""
    import copy

    from unspin.engine.lm import cache_dir, MODELS
    torch = model.torch
    ids = model.encode("The council said on Tuesday that the bridge would reopen next spring")
    with torch.inference_mode():
        h = model.model.model(input_ids=torch.tensor([[model.bos] + ids])).last_hidden_state[0]
        whole = model.model.lm_head(h).float()
    vocab = whole.shape[1]
    outside = [ids[1], ids[3], vocab - 1]              # tokens the cut-down head lacks
    rows = [i for i in range(vocab) if i not in outside]
    cut = copy.copy(model)                              # the shared model keeps its own head
    cut._head_rows(rows, cache_dir() / MODELS[model.name] / "model.safetensors")
    assert cut._head_pos is not None and model._head_pos is None  # SmolLM2's vocabulary is English
    inside = [ids[0], 7]
    targets = torch.tensor([[ids[1], ids[1], inside[0]], [inside[1], vocab - 1, ids[3]]] * (len(h) // 2)
                           + [[ids[1], ids[1], inside[0]]] * (len(h) % 2))
    with torch.inference_mode():
        picked, norm = cut._head(h, targets, cols=1000)
    # a dot product rounds as a block's matrix product does, give or take one bfloat16 step
    # (0.125 for logits of 16 to 32)
    assert torch.allclose(picked, whole.gather(1, targets), atol=0.13)
    keep = torch.ones(vocab, dtype=torch.bool)
    keep[outside] = False
    for r in range(len(h)):
        asked = {int(t) for t in targets[r]}
        want = torch.logsumexp(whole[r][keep | torch.isin(torch.arange(vocab), torch.tensor(sorted(asked)))], 0)
        assert abs(float(norm[r]) - float(want)) < 0.02, r


def test_english_rows_hold_every_word_of_an_english_text(model):
    from unspin.engine.vocab import english_rows
    rows = set(english_rows(model.tok))
    text = "The chief executive said on Tuesday that profits rose 12 % — “a record” — in Québec."
    assert set(model.encode(text)) <= rows
    assert len(rows) < model.tok.get_vocab_size()
