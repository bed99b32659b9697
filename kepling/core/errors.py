"""The domain's errors: one base class, so views catch only what they mean.

A `DomainError` is a rule of the program refusing a request; its text is written for the user
(a gettext message) and is safe to show. Anything else that escapes an action is a defect and
must surface as one, never be reworded as a user mistake.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the program's rules refuse; `str(error)` is the message for the user."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class AlreadyDecidedError(DomainError):
    """A review case (conflict, duplicate, reconciliation item) that is no longer open."""


class NoClaimantError(DomainError):
    """An attribution conflict whose claim names no Kepling to transfer the credit to."""


class NotEditableError(DomainError):
    """A change to a field that cannot be changed this way."""


class InvalidParameterError(DomainError):
    """A query parameter (a date, a page, a sort key) the page cannot use."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class RateLimitedError(DomainError):
    """Too many requests of one kind from one user in a short time."""
