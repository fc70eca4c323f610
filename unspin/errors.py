"""One exception type for every problem a user can fix; the CLI prints it as one line."""


class UnspinError(Exception):
    """Bad input or a missing resource, with a message fit for one terminal line."""


class TooLarge(UnspinError):
    """Input over the size limit for one document (the server answers 413 for it)."""
