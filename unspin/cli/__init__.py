"""Command-line interface: thin Typer layers over the public Python functions.

Commands live in one module per stage (core: detect/restore/spin/demo; archive: archive/trace/
report/learn; scan: scan); `commands` imports them all so they register on the shared `app`.
"""
from .app import app


def main() -> None:
    """The `unspin` command (imports every command module first)."""
    from .commands import main as run
    run()


__all__ = ["app", "main"]
