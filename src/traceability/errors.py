"""Errors meant for the person at the keyboard: one line that names what is wrong and what to do."""


class TraceabilityError(Exception):
    """An expected failure. The CLI prints its message on one line and exits non-zero."""

    exit_code = 1


class UsageError(TraceabilityError):
    exit_code = 2


class DatabaseBusyError(TraceabilityError):
    pass
