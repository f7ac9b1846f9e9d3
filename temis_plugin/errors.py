"""Errors the plugin's API raises. Each maps to one HTTP status in the adapters."""

from .standards import StandardsError
from .workflow import InvalidTransition


class TemisError(Exception):
    status_code = 400


class InvalidInput(TemisError, ValueError):
    """Input the API refuses; ``field`` names the argument at fault, when there is one."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


class NotAllowed(TemisError):
    status_code = 403


class NotFound(TemisError, LookupError):
    status_code = 404


class NoEducatorProfile(NotFound):
    """The acting account is on no school's roster: screens ask the user to have it added, not to retry."""

    def __init__(self, message: str = "this account has no educator profile"):
        super().__init__(message)


class ConcurrentEdit(TemisError):
    """Someone else saved first: reload, then apply the change again."""

    status_code = 409

    def __init__(self, current_version: int, what: str = "the evaluation"):
        self.current_version = current_version
        super().__init__(
            f"{what} was changed by someone else (now at version {current_version}); "
            "reload it and apply your change again"
        )


__all__ = [
    "ConcurrentEdit",
    "InvalidInput",
    "InvalidTransition",
    "NoEducatorProfile",
    "NotAllowed",
    "NotFound",
    "StandardsError",
    "TemisError",
]
