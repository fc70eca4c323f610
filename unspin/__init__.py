"""unspin: see through machine-spun text.

Data flows one way: text -> tokens -> suspects -> candidates -> scored edits -> report.
`unspin.detect(text)` and `unspin.restore(text)` mirror the CLI; the simulator is `unspin.simulate.spin.spin`.
Models load on first use, so importing the package is cheap.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .engine.detect import Detection, Flag, detect
from .errors import UnspinError
from .engine.restore import Restoration, restore
from .text import Doc, Edit

__all__ = ["detect", "restore", "Detection", "Flag", "Restoration", "Doc", "Edit", "UnspinError"]
