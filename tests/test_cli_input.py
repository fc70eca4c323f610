"""Bad input at the command line: one clear line on stderr, a non-zero exit, never a traceback."""
import pytest

from conftest import run_cli
from unspin.errors import UnspinError

FRENCH = ("Le premier ministre a annoncé mercredi un nouveau partenariat avec le Mexique. "
          "Les deux pays veulent renforcer leurs échanges commerciaux et leur coopération. ") * 5


def _assert_clean_failure(p, needle):
    assert p.returncode != 0
    assert "Traceback" not in p.stderr_text
    lines = [l for l in p.stderr_text.splitlines() if l.strip()]
    assert len(lines) == 1 and needle in lines[0], p.stderr_text


@pytest.mark.parametrize("cmd", ["detect", "restore"])
@pytest.mark.parametrize("payload,needle", [
    (b"", "empty"),
    (b"  \n\n\t  ", "empty"),
    (bytes(range(256)) * 4, "binary"),
    ("Caf\u00e9 soci\u00e9t\u00e9 ".encode("latin-1") * 20, "UTF-8"),
    (FRENCH.encode(), "English"),
])
def test_bad_stdin(cmd, payload, needle):
    _assert_clean_failure(run_cli(cmd, "-", stdin=payload), needle)


def test_missing_file_and_directory(tmp_path):
    _assert_clean_failure(run_cli("detect", tmp_path / "nope.txt"), "no such file")
    _assert_clean_failure(run_cli("restore", tmp_path), "directory")


def test_fifty_megabytes_is_refused_quickly(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.write(b"The minister said the company expects profits to rise next year. " * 800_000)
    assert big.stat().st_size > 50_000_000
    p = run_cli("detect", big, timeout=60)
    _assert_clean_failure(p, "MB")


def test_unknown_spin_style():
    _assert_clean_failure(run_cli("spin", "-", "--style", "nope", stdin=b"The cat sat on the mat today."),
                          "unknown style")


def test_natural_rate_needs_the_observed_style():
    _assert_clean_failure(run_cli("spin", "-", "--natural", stdin=b"The minister said more trade would help."),
                          "--natural needs --style observed")
    p = run_cli("spin", "-", "--style", "observed", "--natural", "--json",
                stdin=b"The minister said more trade would help the economy this year. " * 20)
    assert p.returncode == 0, p.stderr_text
    import json
    res = json.loads(p.stdout_text)
    assert res["rate"] is None and res["edits"]


@pytest.mark.slow
def test_unknown_language_model_is_one_line(monkeypatch):
    monkeypatch.setenv("UNSPIN_LM", "nope")
    p = run_cli("restore", "-", stdin=b"The chief executive said the company expects profits to rise next year.")
    assert p.returncode == 2
    _assert_clean_failure(p, "unknown language model 'nope'")


def test_oversized_stdin_reports_the_limit_not_a_made_up_size():
    # Standard input is read no further than the limit: its size is unknown, so none is claimed.
    p = run_cli("detect", "-", stdin=b"The minister said profits would rise. " * 300_000, timeout=60)  # 11.7 MB
    _assert_clean_failure(p, "standard input is over the 5 MB limit")
    assert "5.0 MB" not in p.stderr_text


def test_spin_list_option_that_the_help_points_to():
    p = run_cli("spin", "--help")
    assert p.returncode == 0 and "--list" in p.stdout_text
    p = run_cli("spin", "--list")
    assert p.returncode == 0, p.stderr_text
    listed = {line.split()[0] for line in p.stdout_text.splitlines() if line.strip()}
    from unspin.simulate.spin import STYLES
    assert listed == set(STYLES)


def _invoke(*args):
    """The command in this process (typer's runner), so a test can replace the slow parts."""
    from typer.testing import CliRunner
    from unspin.cli import commands  # noqa: F401  (registers the commands)
    from unspin.cli.app import app
    return CliRunner().invoke(app, [str(a) for a in args])


def test_unwritable_html_fails_before_restoring(tmp_path, monkeypatch, seed_text):
    import importlib
    monkeypatch.setattr(importlib.import_module("unspin.engine.restore"), "restore", lambda *a, **k: pytest.fail("restored first"))
    src = tmp_path / "a.txt"
    src.write_text(seed_text)
    r = _invoke("restore", src, "--html", tmp_path)  # a directory: cannot be written
    assert isinstance(r.exception, UnspinError) and "cannot write" in str(r.exception)
    from unspin.cli.app import check_writable
    ok = tmp_path / "new" / "view.html"
    check_writable(ok)  # a path that can be written passes, and the check leaves no file behind
    assert not ok.exists()


def test_unwritable_report_fails_before_the_report(tmp_path, monkeypatch):
    import importlib
    monkeypatch.setattr(importlib.import_module("unspin.archive.report"), "report", lambda *a, **k: pytest.fail("reported first"))
    src = tmp_path / "a.txt"
    src.write_text("The minister said profits would rise next year.")
    r = _invoke("report", src, "--db", tmp_path / "a.db", "-o", tmp_path)
    assert isinstance(r.exception, UnspinError) and "cannot write" in str(r.exception)


def test_unwritable_html_is_one_line_and_nonzero(tmp_path):
    p = run_cli("restore", "-", "--no-lm", "--html", tmp_path,
                stdin=b"The chief executive said the company expects profits to rise next year.")
    _assert_clean_failure(p, "cannot write")


def test_progress_bar_counts_suspects_never_none(monkeypatch):
    import io
    from rich.console import Console
    from unspin.cli import core
    buf = io.StringIO()
    monkeypatch.setattr(core, "err", Console(file=buf, force_terminal=True, width=120))
    with core.progress_bar("detecting"):
        pass  # never told a total (detect, restore --no-lm)
    assert "restoring" not in buf.getvalue() and "detecting" in buf.getvalue()
    assert "None" not in buf.getvalue()
    buf.seek(0), buf.truncate()
    with core.progress_bar("restoring") as tick:
        tick(3, 10)
    assert "3/10 suspects" in buf.getvalue() and "None" not in buf.getvalue()


@pytest.mark.parametrize("flags,env,review", [
    ((), None, "full"), ((), "fast", "fast"), ((), "0", "off"), (("--fast-review",), None, "fast"),
    (("--no-review",), None, "off"), (("--no-review",), "fast", "off"), (("--fast-review",), "off", "fast")])
def test_restore_passes_the_review_asked_for(tmp_path, monkeypatch, seed_text, flags, env, review):
    # the CLI hands restore the mode it resolved: its flags, else $UNSPIN_REVIEW, else full
    import importlib
    if env is None:
        monkeypatch.delenv("UNSPIN_REVIEW", raising=False)
    else:
        monkeypatch.setenv("UNSPIN_REVIEW", env)

    from unspin.engine.restore import Restoration
    asked = []
    monkeypatch.setattr(importlib.import_module("unspin.engine.restore"), "restore",
                        lambda text, **k: asked.append(k["review"]) or Restoration(text, text))
    src = tmp_path / "a.txt"
    src.write_text(seed_text)
    r = _invoke("restore", src, *flags)
    assert r.exit_code == 0 and asked == [review]


def test_restore_refuses_contradictory_or_unknown_reviews_before_any_work(tmp_path, monkeypatch, seed_text):
    import importlib
    monkeypatch.setattr(importlib.import_module("unspin.engine.restore"), "restore",
                        lambda *a, **k: pytest.fail("restored first"))
    src = tmp_path / "a.txt"
    src.write_text(seed_text)
    r = _invoke("restore", src, "--no-review", "--fast-review")
    assert isinstance(r.exception, UnspinError) and "give one of them" in str(r.exception)
    monkeypatch.setenv("UNSPIN_REVIEW", "thorough")
    r = _invoke("restore", src)
    assert isinstance(r.exception, UnspinError) and "UNSPIN_REVIEW='thorough'" in str(r.exception)
    # an explicit choice on the command line does not read the environment
    monkeypatch.setattr(importlib.import_module("unspin.engine.restore"), "restore",
                        lambda text, **k: importlib.import_module("unspin.engine.restore").Restoration(text, text))
    assert _invoke("restore", src, "--fast-review").exit_code == 0


def test_an_unknown_review_setting_is_one_line_and_nonzero(monkeypatch):
    monkeypatch.setenv("UNSPIN_REVIEW", "thorough")
    p = run_cli("restore", "-", stdin=b"The chief executive said the company expects profits to rise next year.")
    _assert_clean_failure(p, "UNSPIN_REVIEW='thorough' is not a review")
    p = run_cli("serve", "--port", "0", timeout=60)  # refused at start, before listening
    _assert_clean_failure(p, "UNSPIN_REVIEW='thorough' is not a review")
