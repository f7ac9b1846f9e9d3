"""Helpers the API modules share: the acting educator, cycles, text checks, plain-data builders."""

from django.utils import timezone

from ..data import CycleData, EducatorData
from ..errors import InvalidInput, NoEducatorProfile, NotFound
from ..models import Cycle, EducatorProfile


def current_cycle_row() -> Cycle:
    cycle = Cycle.objects.filter(is_current=True).first()
    if cycle is None:
        today = timezone.localdate()
        cycle = Cycle.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()
    if cycle is None:
        raise NotFound("no current evaluation cycle is set up")
    return cycle


def cycle_row(code: str | None) -> Cycle:
    if code is None:
        return current_cycle_row()
    cycle = Cycle.objects.filter(code=code).first()
    if cycle is None:
        raise NotFound(f"no cycle {code!r}")
    return cycle


def educator_of(user) -> EducatorProfile | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        EducatorProfile.objects.select_related("school", "subject_group")
        .filter(user=user, retired_at__isnull=True)
        .first()
    )


def own_educator(user) -> EducatorProfile:
    """The acting user's educator profile, for what only an educator does; NoEducatorProfile otherwise."""
    educator = educator_of(user)
    if educator is None:
        raise NoEducatorProfile()
    return educator


def checked_text(value, field) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text")
    if len(value) > 10000:
        raise InvalidInput(f"{field} is longer than 10,000 characters")
    return value


def cycle_data(cycle) -> CycleData:
    return CycleData(
        code=cycle.code,
        name=cycle.name,
        starts_on=cycle.starts_on,
        ends_on=cycle.ends_on,
        self_assessment_closes_on=cycle.self_assessment_closes_on,
    )


def educator_data(educator: EducatorProfile) -> EducatorData:
    return EducatorData(
        id=educator.pk,
        full_name=educator.full_name,
        school_code=educator.school.code,
        school_name=educator.school.name,
        subject_group_code=educator.subject_group.code if educator.subject_group_id else None,
        position=educator.position,
        subject=educator.subject,
        school_level=educator.school_level,
        is_core_teacher=educator.is_core_teacher,
    )


# Ids and version numbers are 64-bit signed integers in every database the plugin runs on.
ID_MAX = 2**63 - 1


def positive_int(value) -> int | None:
    """``value`` as an id or a version number (an integer, or its digits, from 1 to ID_MAX), or None.

    Callers answer None as they answer a missing id or a malformed version: a value out of range must
    not reach the database, whose driver refuses it (SQLite) or compares it oddly.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 1 <= number <= ID_MAX else None
