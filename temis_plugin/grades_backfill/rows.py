"""What a backfill reads, whatever the source: learners' course results, and the problems found in them."""

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey


@dataclass(frozen=True)
class GradeRow:
    """A learner's course result as the LMS gave it; ``where`` finds the row again in the source."""

    where: str
    username: str
    percent: float | None  # 0..1; None when the source has no grade
    passed: bool | None  # None when the source cannot tell
    email: str = ""
    not_attempted: bool = False  # the learner attempted nothing graded: there is no result to record


@dataclass(frozen=True)
class Problem:
    where: str
    column: str
    message: str

    def __str__(self):
        return f"{self.where}, {self.column or '-'}: {self.message}"


class BackfillError(ValueError):
    """The source was refused whole; ``problems`` lists everything found wrong."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(_("grades refused, %(count)d problem(s); nothing was imported") % {"count": len(problems)})


def course_key(value) -> str:
    """``value`` as the LMS spells a course key; :class:`BackfillError` when it is not one."""
    try:
        return str(CourseKey.from_string(str(value).strip()))
    except InvalidKeyError:
        raise BackfillError(
            [Problem(_("course"), "", _("%(value)r is not an Open edX course key") % {"value": value})]
        ) from None


def fraction(value) -> bool:
    """Whether ``value`` is a finite number from 0 to 1, as course grades are."""
    return math.isfinite(value) and 0 <= value <= 1
