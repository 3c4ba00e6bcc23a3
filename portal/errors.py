"""The refusal every service raises: a change that was asked for and not made."""


class DomainError(Exception):
    """A refused change; `message` is meant for the person who asked for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
