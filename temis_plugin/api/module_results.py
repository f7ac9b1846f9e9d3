"""Training-module results from the LMS: its grade events as they arrive, and backfills of a course's results.

Results arrive as openedx-events (see temis_plugin.signals). Events may be replayed, duplicated
or delivered out of order: each kind (grade, passing status) has its own watermark, and an event
no newer than its kind's watermark changes nothing, except that it may move ``passed_on`` to an
earlier day, since the first pass is the same whichever order the events arrive in.

Results can also be backfilled from the LMS's grade report or Grades API
(:mod:`temis_plugin.grades_backfill`): a backfill is a snapshot taken at a known time and goes
through the same watermarks, so it never overwrites what a newer event said. A course's snapshot is
written in one transaction with a few bulk statements.

The pass status has three values: passed, not passed, and unknown (None), when no source has told
(a grade report's audit or honor learner in a course without a pass mark). The events always tell.
"""

import datetime
import logging
import math
import string
import zoneinfo
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from ..data import (
    CREATED,
    NOT_EDUCATOR,
    SAME_ACCOUNT,
    UNCHANGED,
    UNKNOWN_USER,
    UNMAPPED_COURSE,
    UPDATED,
    BackfillOutcome,
    LearnerResult,
    ModuleResultData,
)
from ..errors import InvalidInput, NotFound
from ..models import CourseModule, EducatorProfile, ModuleResult
from ._training_records import course_key_text, lock_educator, module_result_data

log = logging.getLogger(__name__)


def record_course_passing_status(
    user_id: int, course_key, is_passing: bool, at: datetime.datetime
) -> ModuleResultData | None:
    """Apply a COURSE_PASSING_STATUS_UPDATED event sent at ``at``.

    Returns the result, or None when the course is not mapped to a module or the user is not an
    educator (the event is not for TEMIS).
    """
    if not isinstance(is_passing, bool):
        raise InvalidInput("is_passing must be true or false")
    at = _aware(at, "at")

    def apply(result: ModuleResult):
        if is_passing:
            _earliest_pass(result, at)
        if result.passing_event_at is None or at > result.passing_event_at:
            result.passed = is_passing
            result.passing_event_at = at
            result.last_event_at = max(result.last_event_at or at, at)

    return _write_result(user_id, course_key, apply).result


def record_persistent_grade(
    user_id: int, course_key, percent: float | None, passed_timestamp: datetime.datetime | None, at: datetime.datetime
) -> ModuleResultData | None:
    """Apply a PERSISTENT_GRADE_SUMMARY_CHANGED event sent at ``at``.

    ``percent`` is the course grade from 0 to 1; ``passed_timestamp`` is when the learner first
    passed (the LMS keeps it once set), or None. Until a passing-status event has arrived, a
    ``passed_timestamp`` also marks the result as passed. Returns as
    :func:`record_course_passing_status` does.
    """
    percent = _percent(percent)
    passed_at = _aware(passed_timestamp, "passed_timestamp") if passed_timestamp is not None else None
    at = _aware(at, "at")

    def apply(result: ModuleResult):
        if passed_at is not None:
            _earliest_pass(result, passed_at)
        if result.grade_event_at is None or at > result.grade_event_at:
            result.percent = percent
            result.grade_event_at = at
            result.last_event_at = max(result.last_event_at or at, at)
            if result.passing_event_at is None:
                result.passed = passed_at is not None

    return _write_result(user_id, course_key, apply).result


BATCH = 1000  # ids per IN (...) list and rows per bulk statement: within every backend's limits


def backfill_course_results(
    course_key, learners, at: datetime.datetime, *, match_email: bool = False
) -> list[BackfillOutcome]:
    """Apply a snapshot of a course's results read from the LMS as of ``at``, in one transaction.

    ``learners`` is a sequence of :class:`LearnerResult`; one outcome is returned per learner, in
    order. Every value is checked before anything is written. Each value is applied like an event of
    its kind sent at ``at``, and only when it differs from the stored one: a snapshot no newer than
    an event already applied changes nothing, and the same snapshot applied again (even later)
    changes nothing. A pass counts from ``at``'s day at the latest. Where the source cannot tell the
    pass, the course's pass mark decides from the grade; without a mark the pass stays unknown.

    Usernames match exactly (MariaDB's collation would also match other cases and accents); with
    ``match_email``, a learner whose username matches no account is matched by email, ignoring the
    case of ASCII letters, when exactly one account has it. Raises :class:`NotFound` when the course
    is not mapped to a module, :class:`InvalidInput` for a malformed value.
    """
    course_key = course_key_text(course_key)
    at = _aware(at, "at")
    checked = [_checked_learner(learner) for learner in learners]
    mapping = CourseModule.objects.select_related("module").filter(course_key=course_key).first()
    if mapping is None:
        raise NotFound(f"course {course_key} is not mapped to a training module")
    outcomes: list[BackfillOutcome] = []
    with transaction.atomic():
        matched = _match_accounts([learner for learner, _percent, _passed in checked], match_email)
        educators = _lock_educators({user_id for user_id, _by in matched if user_id is not None})
        stored = _stored_results(mapping, course_key, set(educators.values()))
        now = timezone.now()
        to_create, to_update, claimed = [], [], {}
        for index, ((_learner, percent, passed), (user_id, by_email_match)) in enumerate(zip(checked, matched)):
            if user_id is None:
                outcomes.append(BackfillOutcome(UNKNOWN_USER))
                continue
            educator_id = educators.get(user_id)
            if educator_id is None:
                outcomes.append(BackfillOutcome(NOT_EDUCATOR, matched_by_email=by_email_match))
                continue
            if educator_id in claimed:
                outcomes.append(
                    BackfillOutcome(SAME_ACCOUNT, matched_by_email=by_email_match, same_as=claimed[educator_id])
                )
                continue
            claimed[educator_id] = index
            passed = _pass_by_mark(percent, passed, mapping.pass_mark)
            result = stored.get(educator_id) or ModuleResult(
                educator_id=educator_id, module=mapping.module, course_key=course_key
            )
            before = _result_state(result)
            _apply_snapshot(result, percent, passed, at)
            if result.pk is None:
                status = CREATED if result.last_event_at is not None else UNCHANGED  # knew nothing: no row
                if status == CREATED:
                    to_create.append(result)
            elif _result_state(result) != before:
                status = UPDATED
                result.modified = now  # bulk_update does not touch auto_now fields
                to_update.append(result)
            else:
                status = UNCHANGED
            outcomes.append(BackfillOutcome(status, passed=passed, matched_by_email=by_email_match))
        ModuleResult.objects.bulk_create(to_create, batch_size=BATCH)
        ModuleResult.objects.bulk_update(
            to_update,
            ["percent", "passed", "passed_on", "last_event_at", "grade_event_at", "passing_event_at", "modified"],
            batch_size=BATCH,
        )
    return outcomes


def backfill_module_result(
    learner: int | str, course_key, percent: float | None, passed: bool | None, at: datetime.datetime
) -> BackfillOutcome:
    """Apply one learner's course result read from the LMS as of ``at`` (see
    :func:`backfill_course_results`). ``learner`` is an Open edX user id (int) or username (str).
    Returns the outcome with the stored result; UNMAPPED_COURSE when the course is not mapped."""
    if isinstance(learner, bool) or not isinstance(learner, (int, str)):
        raise InvalidInput("the learner is a user id or a username")
    snapshot = (
        LearnerResult(learner, percent=percent, passed=passed)
        if isinstance(learner, str)
        else LearnerResult("", percent=percent, passed=passed, user_id=learner)
    )
    try:
        [outcome] = backfill_course_results(course_key, [snapshot], at)
    except NotFound:
        return BackfillOutcome(UNMAPPED_COURSE)
    if outcome.status not in (CREATED, UPDATED, UNCHANGED):
        return outcome
    user_id = learner if isinstance(learner, int) else _users_by_username({learner}).get(learner)
    result = (
        ModuleResult.objects.select_related("module")
        .filter(educator__user_id=user_id, course_key=course_key_text(course_key))
        .first()
    )
    return replace(outcome, result=module_result_data(result) if result else None)


def _match_accounts(learners, match_email) -> list[tuple[int | None, bool]]:
    """Each learner's account id (None when none matches) and whether it was found by email."""
    user_ids = _users_by_username({learner.username for learner in learners if learner.user_id is None})
    by_email = {}
    if match_email:
        by_email = _users_by_email(
            {
                _email_key(learner.email)
                for learner in learners
                if learner.user_id is None and learner.username not in user_ids and learner.email
            }
        )
    matched = []
    for learner in learners:
        if learner.user_id is not None:
            matched.append((learner.user_id, False))
        elif learner.username in user_ids:
            matched.append((user_ids[learner.username], False))
        else:
            user_id = by_email.get(_email_key(learner.email)) if learner.email else None
            matched.append((user_id, user_id is not None))
    return matched


def _checked_learner(learner) -> tuple[LearnerResult, Decimal | None, bool | None]:
    if not isinstance(learner, LearnerResult):
        raise InvalidInput("each learner is a LearnerResult")
    if learner.user_id is None and (not isinstance(learner.username, str) or not learner.username):
        raise InvalidInput("the learner is a user id or a username")
    if learner.user_id is not None and (isinstance(learner.user_id, bool) or not isinstance(learner.user_id, int)):
        raise InvalidInput("the learner is a user id or a username")
    if learner.passed is not None and not isinstance(learner.passed, bool):
        raise InvalidInput("passed must be true, false or unknown")
    return learner, _percent(learner.percent), learner.passed


def _pass_by_mark(percent: Decimal | None, passed: bool | None, pass_mark: Decimal | None) -> bool | None:
    if passed is not None or percent is None or pass_mark is None:
        return passed
    return percent >= pass_mark


def _apply_snapshot(result: ModuleResult, percent: Decimal | None, passed: bool | None, at: datetime.datetime):
    new = result.pk is None
    if passed:
        _earliest_pass(result, at)
    # A value the row already holds is left with its watermark: a snapshot confirms it, it does not
    # date it, and moving the mark would make every later run an update.
    if (
        percent is not None
        and (new or result.percent != percent)
        and (result.grade_event_at is None or at > result.grade_event_at)
    ):
        result.percent = percent
        result.grade_event_at = at
        result.last_event_at = max(result.last_event_at or at, at)
    if (
        passed is not None
        and (new or result.passed != passed)
        and (result.passing_event_at is None or at > result.passing_event_at)
    ):
        result.passed = passed
        result.passing_event_at = at
        result.last_event_at = max(result.last_event_at or at, at)


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def _users_by_username(usernames) -> dict[str, int]:
    User = get_user_model()
    field = User.USERNAME_FIELD
    found = {}
    for chunk in _chunks(usernames):
        wanted = set(chunk)
        for pk, name in User.objects.filter(**{f"{field}__in": chunk}).values_list("pk", field):
            if name in wanted:  # exactly: a case- and accent-insensitive collation returns look-alikes too
                found[name] = pk
    return found


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _email_key(email: str) -> str:
    # ASCII letters only: what SQLite's LOWER() folds, so both databases find the same accounts.
    return (email or "").strip().translate(_ASCII_LOWER)


def _users_by_email(keys) -> dict[str, int]:
    User = get_user_model()
    owners = defaultdict(set)
    for chunk in _chunks(keys):
        wanted = set(chunk)
        for pk, email in (
            User.objects.annotate(email_key=Lower("email")).filter(email_key__in=chunk).values_list("pk", "email")
        ):
            if _email_key(email) in wanted:
                owners[_email_key(email)].add(pk)
    return {key: next(iter(ids)) for key, ids in owners.items() if len(ids) == 1}  # shared email: no guess


def _lock_educators(user_ids) -> dict[int, int]:
    """Lock the educators of ``user_ids`` (as every writer of results does) and map user id -> educator id."""
    educators = {}
    for chunk in _chunks(user_ids):
        educators.update(
            EducatorProfile.objects.select_for_update()
            .filter(user_id__in=chunk, retired_at__isnull=True)
            .order_by("user_id")
            .values_list("user_id", "pk")
        )
    return educators


def _stored_results(mapping, course_key, educator_ids) -> dict[int, ModuleResult]:
    stored = {}
    for chunk in _chunks(educator_ids):
        for result in ModuleResult.objects.filter(module=mapping.module, course_key=course_key, educator_id__in=chunk):
            stored[result.educator_id] = result
    return stored


def _write_result(user_id, course_key, apply) -> BackfillOutcome:
    """The one writer of module results: events and backfills differ only in ``apply``."""
    course_key = course_key_text(course_key)
    mapping = CourseModule.objects.select_related("module").filter(course_key=course_key).first()
    if mapping is None:
        log.debug("TEMIS: course %s is not a training module; result ignored", course_key)
        return BackfillOutcome(UNMAPPED_COURSE)
    educator = EducatorProfile.objects.filter(user_id=user_id, retired_at__isnull=True).first()
    if educator is None:
        log.debug("TEMIS: user %s has no educator profile; result for %s ignored", user_id, course_key)
        return BackfillOutcome(NOT_EDUCATOR)
    lookup = {"educator": educator, "module": mapping.module, "course_key": course_key}
    for attempt in range(2):
        try:
            with transaction.atomic():
                lock_educator(educator)
                result = ModuleResult.objects.select_for_update().filter(**lookup).first()
                if result is None:
                    result = ModuleResult(**lookup)
                before = _result_state(result)
                apply(result)
                if result.pk is None and result.last_event_at is None:
                    return BackfillOutcome(UNCHANGED)  # a snapshot that knew nothing creates no row
                status = CREATED if result.pk is None else UPDATED if _result_state(result) != before else UNCHANGED
                if status != UNCHANGED:
                    result.save()
            break
        except IntegrityError:
            # Another delivery created the row between our read and our insert: read it again.
            if attempt:
                raise
    return BackfillOutcome(status, module_result_data(result))


def _result_state(result: ModuleResult):
    return (
        result.percent,
        result.passed,
        result.passed_on,
        result.last_event_at,
        result.grade_event_at,
        result.passing_event_at,
    )


def _earliest_pass(result: ModuleResult, passed_at: datetime.datetime):
    day = passed_at.astimezone(zoneinfo.ZoneInfo(settings.TEMIS_TIME_ZONE)).date()
    if result.passed_on is None or day < result.passed_on:
        result.passed_on = day


def _aware(value, name) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise InvalidInput(f"{name} must be a date and time")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)  # the LMS and its events keep time in UTC
    return value


def _percent(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or not math.isfinite(value):
        raise InvalidInput(f"the grade must be a number from 0 to 1, not {value!r}")
    number = Decimal(str(value))
    rounded = round(number, 4) if -1 < number < 2 else number  # no rounding of absurd magnitudes
    if not 0 <= rounded <= 1:
        raise InvalidInput(f"the grade must be a number from 0 to 1, not {value!r}")
    return rounded
