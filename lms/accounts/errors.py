"""The one error type of account operations, carrying an English msgid the views translate."""
from __future__ import annotations


class AccountError(ValueError):
    """Bad input for an account operation; ``message`` is an English msgid with %(name)s params."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
