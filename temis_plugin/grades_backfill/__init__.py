"""Backfill training-module results from Open edX: the instructor grade report CSV or the Grades API.

The LMS's events (temis_plugin.signals) keep results current; a backfill fills in what they missed,
such as results from before the plugin was installed. Reading is apart from writing: the report
(:mod:`.report`), or every page the API returns (:mod:`.lms`), is parsed and checked whole first,
so a bad source writes nothing; then all its rows go through
:func:`temis_plugin.api.backfill_course_results`, in one transaction, under the events' watermarks.

Pass status has three values. The Grades API says ``passed`` for every track, as the LMS's events
do. The grade report has no pass column: its ``Certificate Eligible`` cell tells the pass only in the
certifying tracks (:data:`.report.CERTIFYING_TRACKS`); for audit and honor learners the grade is
compared with the course's pass mark (set on its mapping to a module), and without a mark the pass
is unknown. A learner who attempted nothing graded is counted as "not attempted" and not recorded.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import api
from .lms import GradesApiClient, GradesApiError, rows_from_api
from .report import course_for_report, parse_grade_report, read_report_name, report_prefix
from .rows import BackfillError, GradeRow, Problem
from .rows import course_key as _course_key

__all__ = [
    "BackfillError",
    "BackfillSummary",
    "GradeRow",
    "GradesApiClient",
    "GradesApiError",
    "Problem",
    "Unmatched",
    "backfill_from_api",
    "backfill_report",
    "backfill_rows",
    "course_for_report",
    "parse_grade_report",
    "read_report_name",
    "report_prefix",
    "rows_from_api",
]

NOT_ATTEMPTED = "not_attempted"


@dataclass(frozen=True)
class Unmatched:
    """A row that matched no educator: where it is, who it names, why."""

    where: str
    username: str
    email: str
    status: str
    same_as: str = ""  # for SAME_ACCOUNT: where the row matched to the same account is


@dataclass
class BackfillSummary:
    """What a backfill did: a count per outcome status (and NOT_ATTEMPTED), the pass status of the
    rows recorded (passed, not_passed, unknown), and the rows that matched no educator."""

    counts: Counter = field(default_factory=Counter)
    passing: Counter = field(default_factory=Counter)
    matched_by_email: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)


def backfill_rows(
    rows: list[GradeRow],
    course_key,
    at: datetime.datetime,
    summary: BackfillSummary | None = None,
    *,
    match_email: bool = False,
    progress=None,
) -> BackfillSummary:
    """Record ``rows`` (already checked) as the course's results at ``at``, in one transaction;
    ``progress(done, total)`` when done. The course must be mapped to a module."""
    summary = summary if summary is not None else BackfillSummary()
    course_key = _course_key(course_key)
    _check_mapped([course_key])
    attempted = [row for row in rows if not row.not_attempted]
    if len(attempted) < len(rows):
        summary.counts[NOT_ATTEMPTED] += len(rows) - len(attempted)
    outcomes = api.backfill_course_results(
        course_key,
        [api.LearnerResult(row.username, row.email, row.percent, row.passed) for row in attempted],
        at,
        match_email=match_email,
    )
    for row, outcome in zip(attempted, outcomes):
        summary.counts[outcome.status] += 1
        summary.matched_by_email += outcome.matched_by_email
        if outcome.status in api.BackfillOutcome.RECORDED:
            summary.passing["unknown" if outcome.passed is None else "passed" if outcome.passed else "not_passed"] += 1
        elif outcome.status in api.BackfillOutcome.UNMATCHED:  # listed with the learner's identifiers
            same_as = attempted[outcome.same_as].where if outcome.same_as is not None else ""
            summary.unmatched.append(Unmatched(row.where, row.username, row.email, outcome.status, same_as))
    if progress:
        progress(len(rows), len(rows))
    return summary


def backfill_report(
    path, course: str | None = None, at: datetime.datetime | None = None, *, match_email: bool = False, progress=None
) -> BackfillSummary:
    """Backfill from a grade report file, in one transaction. The course and the report's time come
    from the file's standard name unless given; a time in the future, a course not mapped to a
    module or a file that fails any check is refused, and nothing is written."""
    course_key = course_for_report(path, course)
    if at is None:
        name = read_report_name(path)
        if name is None:
            raise BackfillError(
                [
                    Problem(
                        _("file name"), "", _("the report's time cannot be read from the file name; give it with --at")
                    )
                ]
            )
        at, source = name.generated_at, _("file name")
    else:
        source = "--at"
    if at > timezone.now():
        raise BackfillError(
            [
                Problem(
                    source,
                    "",
                    _("the report's time %(at)s is in the future; a report cannot be newer than now")
                    % {"at": at.isoformat()},
                )
            ]
        )
    _check_mapped([course_key])
    rows = parse_grade_report(path)
    return backfill_rows(rows, course_key, at, match_email=match_email, progress=progress)


def backfill_from_api(
    client: GradesApiClient, courses, page_size: int = 100, on_page=None, *, match_email: bool = False, progress=None
) -> BackfillSummary:
    """Backfill the courses from the Grades API as of now, in one transaction. Every course must be
    mapped to a module; every course is read and checked before anything is written."""
    summary = BackfillSummary()
    at = datetime.datetime.now(datetime.UTC)  # the snapshot is no older than this: newer events win
    keys = list(dict.fromkeys(_course_key(c) for c in courses))
    _check_mapped(keys)
    fetched = []
    for course_key in keys:
        pages = []
        for page in client.course_grade_pages(course_key, page_size=page_size):
            pages.append(page)
            if on_page:
                on_page(course_key, len(pages), sum(len(p) for p in pages))
        fetched.append((course_key, rows_from_api(pages, course_key)))
    total = sum(len(rows) for _key, rows in fetched)
    written = 0
    with transaction.atomic():
        for course_key, rows in fetched:
            backfill_rows(rows, course_key, at, summary, match_email=match_email)
            written += len(rows)
            if progress:
                progress(written, total)
    return summary


def _check_mapped(course_keys):
    unmapped = [key for key in course_keys if api.module_for_course(key) is None]
    if unmapped:
        raise BackfillError(
            [
                Problem(
                    _("course"),
                    "",
                    _(
                        "%(course)s is not mapped to a training module: map it in the admin (courses of training modules), "
                        "then run this again"
                    )
                    % {"course": key},
                )
                for key in unmapped
            ]
        )
