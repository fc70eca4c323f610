"""Imports every command module so each registers its commands on the shared app."""
from . import core  # noqa: F401
from . import archive  # noqa: F401
from . import scan  # noqa: F401
