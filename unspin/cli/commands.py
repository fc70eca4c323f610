"""Imports every command module so each registers its commands on the shared app."""
from . import core  # noqa: F401
