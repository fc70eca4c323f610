"""The memory-limit benchmark's reading of cgroup files and of a run's outcome
(bench/memory_limit.py; the runs themselves need root and are never part of CI)."""
from bench import memory_limit as ml

V1_STAT = """cache 572780544
rss 0
total_pgmajfault 991
hierarchical_memory_limit 1999998976
"""


def test_a_cgroup_file_reads_as_numbers_by_name():
    stat = ml.read_stat(V1_STAT)
    assert stat["total_pgmajfault"] == 991
    assert stat["hierarchical_memory_limit"] == 1999998976
    assert ml.read_stat("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")["oom_kill"] == 1
    # v2's memory.events and anything that is not a "name number" pair
    assert ml.read_stat("low 0\nmax 12\nnot a pair\nname text\n") == {"low": 0, "max": 12}


def test_a_run_is_ok_only_with_the_same_output_in_time_and_unkilled():
    assert ml.verdict(0, True, 40.0, 60.0, 0) == "ok"
    assert ml.verdict(0, True, 70.0, 60.0, 0) == "thrashed"
    assert ml.verdict(None, False, 60.0, 60.0, 0) == "thrashed"     # stopped at the bound
    assert ml.verdict(137, False, 12.0, 60.0, 1) == "killed"
    assert ml.verdict(-9, False, 12.0, 60.0, 0) == "killed"
    assert ml.verdict(0, False, 40.0, 60.0, 0) == "different output"
    assert ml.verdict(1, False, 3.0, 60.0, 0) == "failed"


def test_without_root_it_says_so_and_stops(monkeypatch, capsys):
    monkeypatch.setattr(ml.os, "geteuid", lambda: 1000)
    try:
        ml.main(["--limits", "2.0"])
    except SystemExit as e:
        assert "needs root" in str(e.code)
    else:
        raise AssertionError("ran without root")


def test_bad_arguments_are_one_line_errors(capsys):
    for args in (["--modes", "quick"], ["--limits", "two"], ["--limits", "0"], ["--limits", "-1.8"],
                 ["--repeat", "0"]):
        try:
            ml.main(args)
        except SystemExit as e:
            assert e.code == 2
        else:
            raise AssertionError(f"accepted {args}")
    assert "--modes" in capsys.readouterr().err
