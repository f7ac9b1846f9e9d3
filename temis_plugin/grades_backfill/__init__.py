"""Backfill training-module results from Open edX: the instructor grade report CSV or the Grades API.

The LMS's events (temis_plugin.signals) keep results current; a backfill fills in what they missed,
such as results from before the plugin was installed. Reading is apart from writing: the report
(:mod:`.report`), or every page the API returns (:mod:`.lms`), is parsed and checked whole first,
so a bad source writes nothing; then each row goes through
:func:`temis_plugin.api.backfill_module_result`, to the same writer as the events.

The grade report has no "passed" column. Its ``Certificate Eligible`` cell is "Y" when the learner
passed in a track that certifies by grade (verified and the other paid tracks), is on the course's
certificate allowlist, or already has a certificate: "Y" counts as passed. "N" counts as not passed
only in those tracks; in an audit or honor track it also means "passed, no certificate", so there
the pass is left unknown and only the grade is recorded. The Grades API says ``passed`` for every
track, as the LMS's events do.
"""
import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .. import api
from .lms import GradesApiClient, GradesApiError, rows_from_api
from .report import course_for_report, parse_grade_report, read_report_name, report_prefix
from .rows import BackfillError, GradeRow, Problem, course_key as _course_key

__all__ = ["BackfillError", "BackfillSummary", "GradeRow", "GradesApiClient", "GradesApiError", "Problem",
           "backfill_from_api", "backfill_report", "backfill_rows", "course_for_report", "parse_grade_report",
           "read_report_name", "report_prefix", "rows_from_api"]

UNMATCHED = ("unknown_user", "not_educator")  # outcomes whose rows the operator may want to look up


@dataclass
class BackfillSummary:
    """What a backfill did: a count per :class:`api.BackfillOutcome` status, and where to look."""

    counts: Counter = field(default_factory=Counter)
    pass_unknown: int = 0  # rows whose passing status the source could not tell (grade only)
    unmatched: dict = field(default_factory=dict)  # status -> where the rows are (unknown user, not an educator)
    unmapped_courses: list = field(default_factory=list)


def backfill_rows(rows: list[GradeRow], course_key, at: datetime.datetime, summary: BackfillSummary | None = None,
                  progress=None) -> BackfillSummary:
    """Record ``rows`` (already checked) as the course's results at ``at``; ``progress(done, total)``."""
    summary = summary if summary is not None else BackfillSummary()
    course_key = _course_key(course_key)
    if api.module_for_course(course_key) is None:
        summary.counts["unmapped_course"] += len(rows)
        summary.unmapped_courses.append(course_key)
        return summary
    for done, row in enumerate(rows, start=1):
        outcome = api.backfill_module_result(row.username, course_key, row.percent, row.passed, at)
        summary.counts[outcome.status] += 1
        if outcome.status in UNMATCHED:
            summary.unmatched.setdefault(outcome.status, []).append(row.where)
        if row.passed is None and outcome.result is not None:
            summary.pass_unknown += 1
        if progress:
            progress(done, len(rows))
    return summary


def backfill_report(path, course: str | None = None, at: datetime.datetime | None = None,
                    progress=None) -> BackfillSummary:
    """Backfill from a grade report file. The course and the report's time come from the file's
    standard name unless given; a file that fails any check writes nothing."""
    course_key = course_for_report(path, course)
    if at is None:
        name = read_report_name(path)
        if name is None:
            raise BackfillError([Problem(_("file name"), "", _(
                "the report's time cannot be read from the file name; give it with --at"))])
        at = name.generated_at
    rows = parse_grade_report(path)
    return backfill_rows(rows, course_key, at, progress=progress)


def backfill_from_api(client: GradesApiClient, courses, page_size: int = 100, on_page=None,
                      progress=None) -> BackfillSummary:
    """Backfill the courses from the Grades API as of now. Every course is read and checked before
    anything is written; a course not mapped to a module is counted, not read."""
    summary = BackfillSummary()
    at = datetime.datetime.now(datetime.UTC)  # the snapshot is no older than this: newer events win
    fetched = []
    for course_key in dict.fromkeys(_course_key(c) for c in courses):
        if api.module_for_course(course_key) is None:
            summary.unmapped_courses.append(course_key)
            continue
        pages = []
        for page in client.course_grade_pages(course_key, page_size=page_size):
            pages.append(page)
            if on_page:
                on_page(course_key, len(pages), sum(len(p) for p in pages))
        fetched.append((course_key, rows_from_api(pages, course_key)))
    total = sum(len(rows) for _key, rows in fetched)
    written = 0
    for course_key, rows in fetched:
        def step(done, _total, before=written):
            if progress:
                progress(before + done, total)
        backfill_rows(rows, course_key, at, summary, progress=step)
        written += len(rows)
    return summary
