"""Level sheets as screens and handlers send them: criterion numbers as integers or as text (JSON object
keys), a partial sheet while a draft is saved, a complete one to rate. Pure functions, no Django.

Every check raises :class:`InvalidSheet` with the message the API shows to the user as it is.
"""

from .levels import Level, OverallRating
from .rules import InvalidLevels, evaluate, validate_levels
from .schema import Framework


class InvalidSheet(InvalidLevels):
    """A sheet, a criterion number or a list of criteria that cannot be read; ``field`` names the
    argument at fault when the caller should point at one."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


def criterion_number(key) -> int:
    """A criterion number given as an integer or as its digits (JSON object keys arrive as text from the
    XBlock and LTI handlers)."""
    if isinstance(key, bool) or not isinstance(key, (int, str)):
        raise InvalidSheet(f"not a criterion number: {str(key)[:40]!r}")
    try:
        return int(key)
    except ValueError:
        raise InvalidSheet(f"not a criterion number: {key[:40]!r}") from None


def partial_levels(framework: Framework, levels) -> dict[int, Level]:
    """Some of the framework's criteria, each with a known level: a draft saved part by part."""
    if not hasattr(levels, "items"):
        raise InvalidSheet("levels must map criterion numbers to level codes")
    numbers = set(framework.criterion_numbers)
    checked = {}
    for key, code in levels.items():
        number = criterion_number(key)
        if number not in numbers:
            raise InvalidSheet(f"{framework.code} has no criterion {key!r}")
        try:
            checked[number] = Level(code)
        except ValueError:
            raise InvalidSheet(f"criterion {number}: unknown level {code!r}") from None
    return checked


def complete_levels(framework: Framework, levels) -> dict[int, Level]:
    """Every criterion of the framework with a known level (:func:`validate_levels`), keys read as numbers."""
    try:
        numbered = {criterion_number(k): v for k, v in levels.items()}
    except AttributeError:
        raise InvalidSheet("levels must map criterion numbers to level codes") from None
    return validate_levels(framework, numbered)


def known_criteria(framework: Framework, criteria) -> list[int]:
    """A list of the framework's criterion numbers, in the order given."""
    if not isinstance(criteria, (list, tuple)):
        raise InvalidSheet("criteria must be a list of criterion numbers", field="criteria")
    numbers = [criterion_number(c) for c in criteria]
    unknown = sorted(set(numbers) - set(framework.criterion_numbers))
    if unknown:
        raise InvalidSheet(f"{framework.code} has no criteria {unknown}")
    return numbers


def rating_if_complete(framework: Framework, levels: dict[int, Level]) -> OverallRating | str:
    """The overall rating of a sheet checked by :func:`partial_levels` once every criterion has a level, else ""."""
    if len(levels) == len(framework.criterion_numbers):
        return evaluate(framework, levels).result
    return ""
