"""`python -m unspin.cli`: the same as the `unspin` command."""
from .commands import main

main()
