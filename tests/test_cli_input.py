"""Bad input at the command line: one clear line on stderr, a non-zero exit, never a traceback."""
import pytest

from conftest import run_cli

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


def test_unknown_language_model_is_one_line(monkeypatch):
    monkeypatch.setenv("UNSPIN_LM", "nope")
    p = run_cli("restore", "-", stdin=b"The chief executive said the company expects profits to rise next year.")
    assert p.returncode == 2
    _assert_clean_failure(p, "unknown language model 'nope'")
