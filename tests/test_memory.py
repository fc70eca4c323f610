"""unspin.memory: freed heap given back to the system after a long job."""
import pytest

from unspin import memory


def test_trim_gives_freed_heap_back_where_glibc_is():
    if memory._libc() is None:
        pytest.skip("no malloc_trim in this C library")
    blocks = [bytearray(4000) for _ in range(50_000)]  # about 200 MB of small heap blocks
    del blocks
    assert memory.trim() is True


def test_restore_trims_after_the_language_model_only(monkeypatch):
    from unspin.engine import restore as rs
    calls = []
    monkeypatch.setattr(rs, "trim", lambda: calls.append(1) or True)
    rs.restore("The chief government mentioned the corporate expects income to rise.", use_lm=False)
    assert calls == [], "a restore without the LM has no batches to give back"


def test_restore_with_the_language_model_trims_once(monkeypatch):
    from unspin.engine import restore as rs
    calls = []
    monkeypatch.setattr(rs, "trim", lambda: calls.append(1) or True)
    rs.restore("The chief government mentioned the corporate expects income to rise.", review=False)
    assert calls == [1]
