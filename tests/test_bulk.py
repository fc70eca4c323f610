"""unspin.bulk: the cycle collector paused for bulk work, and put back as it was."""
import gc
import pickle
import threading

import pytest

from unspin.bulk import without_gc


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_restored_after():
    with without_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outermost():
    with without_gc():
        with without_gc():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner pause ending must not restart the collector"
    assert gc.isenabled()


def test_restored_when_the_work_raises():
    with pytest.raises(ValueError):
        with without_gc():
            raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    with without_gc():
        pass
    assert not gc.isenabled()


def test_overlapping_threads_restart_it_once_the_last_ends():
    inside, release = threading.Event(), threading.Event()

    def other():
        with without_gc():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other)
    with without_gc():
        t.start()
        assert inside.wait(5)
    assert not gc.isenabled(), "the other thread's bulk work is still running"
    release.set()
    t.join(5)
    assert gc.isenabled()


def test_loading_a_cached_pickle_keeps_a_callers_pause(tmp_path):
    from unspin.lexicon.cache import _load
    path = tmp_path / "x.pkl"
    path.write_bytes(pickle.dumps({"a": [1, 2]}))
    with without_gc():
        assert _load(path) == {"a": [1, 2]}
        assert not gc.isenabled(), "the cache loader restarted the collector inside bulk work"
    assert gc.isenabled()
