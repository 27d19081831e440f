"""Errors services raise besides Django's ValidationError (which means: fix your input)."""


class ConflictError(Exception):
    """The request is valid but clashes with the current state: a finished cycle, a full
    cycle for a hand promotion, a registration after the deadline. The API answers 409."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
