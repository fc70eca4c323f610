"""The Typer app shared by every command module and their output helpers. It imports no command
module: they import it and register themselves (`commands` imports them all, and is the entry point)."""
from __future__ import annotations

import sys

import json
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from ..errors import UnspinError

out = Console(highlight=False)
# soft_wrap: a warning is one line however long, also when stderr is a file or a pipe (rich
# would otherwise hard-wrap it at 80 columns, and a log reader would see it broken in two).
err = Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="unspin",
    help="See through machine-spun text: detect, restore, trace and learn.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def print_json(obj) -> None:
    # Plain json.dumps: a terminal renderer could wrap long strings and break the document.
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


@contextmanager
def _writing(path: Path):
    """The folders above `path` made, and any OSError on the way turned into one line."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield
    except OSError as e:
        raise UnspinError(f"cannot write {path}: {e.strerror}") from None


def write_file(path: Path, content: str) -> None:
    with _writing(path):
        path.write_text(content, encoding="utf-8")


def check_writable(path: Path) -> None:
    """Fail now, with write_file's message, if `path` could not be written after the slow work."""
    existed = path.exists()
    with _writing(path):
        open(path, "a", encoding="utf-8").close()
    if not existed:
        path.unlink(missing_ok=True)
