"""The Typer app shared by every command module, and the entry point that keeps errors to one line."""
from __future__ import annotations

import os
import sys

import json
from pathlib import Path

import typer
from rich.console import Console

from ..errors import UnspinError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

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


def write_file(path: Path, content: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    except OSError as e:
        raise UnspinError(f"cannot write {path}: {e.strerror}") from None


def main() -> None:
    # Import here so every command module registers itself on `app` first.
    from . import commands  # noqa: F401
    try:
        app(prog_name="unspin")
    except UnspinError as e:
        print(f"unspin: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as e:  # never a traceback for users; UNSPIN_DEBUG=1 shows it
        if os.environ.get("UNSPIN_DEBUG"):
            raise
        print(f"unspin: internal error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
              " (set UNSPIN_DEBUG=1 for details)", file=sys.stderr)
        sys.exit(1)
