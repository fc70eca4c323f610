"""Which of a model's tokens English text needs (engine.vocab): no language model loaded."""
import pytest

from unspin.engine import vocab


def _tokenizer(words):
    from tokenizers import Tokenizer, models, pre_tokenizers
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.add_special_tokens(["<start_of_image>"])
    return tok


@pytest.fixture(autouse=True)
def fewer_words(monkeypatch):
    monkeypatch.setattr(vocab, "COMMON_WORDS", 5_000)  # the same rule, a second to tokenise


FOREIGN = ["北京市", "Москва", "القاهرة", "東京都", "서울시", "Αθήνα", "ประเทศ", "मुंबई", "上海市", "Київ"]


def test_english_rows_keep_english_words_short_tokens_and_added_tokens():
    words = ["[UNK]", "the", "said", "Company", "’", "—", "é", "zzyzxq"] + FOREIGN
    tok = _tokenizer(words)
    rows = vocab.english_rows(tok)
    kept = {tok.id_to_token(i) for i in rows}
    assert {"the", "said", "Company", "’", "—", "é", "<start_of_image>"} <= kept
    assert not kept & set(FOREIGN)          # other scripts' words
    assert "zzyzxq" not in kept             # long, and no common English word


def test_head_rows_are_worked_out_once_and_only_where_they_pay(tmp_path, monkeypatch):
    mostly_foreign = _tokenizer(["[UNK]", "the", "said"] + FOREIGN)
    rows = vocab.head_rows(tmp_path, mostly_foreign)
    assert rows == vocab.english_rows(mostly_foreign) and len(rows) < mostly_foreign.get_vocab_size()
    monkeypatch.setattr(vocab, "english_rows", lambda tok: pytest.fail("worked out again"))
    assert vocab.head_rows(tmp_path, mostly_foreign) == rows   # read back from the folder
    english = tmp_path / "english"
    english.mkdir()
    monkeypatch.setattr(vocab, "english_rows", lambda tok: list(range(tok.get_vocab_size())))
    assert vocab.head_rows(english, _tokenizer(["[UNK]", "the", "said", "Company"])) is None
