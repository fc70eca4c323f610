"""The entry point: imports every command module, so each registers its commands on the shared
app, then runs it keeping errors to one line. Imports flow one way: commands -> core, archive,
scan -> app."""
from __future__ import annotations

import os
import sys

from ..errors import UnspinError
from . import archive, core, scan  # noqa: F401  (each registers its commands on `app`)
from .app import app


def main() -> None:
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


if __name__ == "__main__":
    main()
