"""The LMS's instructor grade report (CSV): its file name, its columns, its rows. Parsing only."""
import csv
import datetime
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from .rows import BackfillError, GradeRow, Problem, course_key as _course_key, fraction as _fraction

# The grade report's columns this module reads (CourseGradeReport in the LMS's instructor tasks).
STUDENT_ID, EMAIL, USERNAME, GRADE = "Student ID", "Email", "Username", "Grade"
ENROLLMENT_TRACK, CERTIFICATE_ELIGIBLE = "Enrollment Track", "Certificate Eligible"
REQUIRED_COLUMNS = (STUDENT_ID, EMAIL, USERNAME, GRADE, ENROLLMENT_TRACK, CERTIFICATE_ELIGIBLE)
NOT_ATTEMPTED = "not attempted"
# Enrollment tracks (course mode slugs) in which the LMS makes a learner certificate-eligible by grade.
CERTIFYING_TRACKS = frozenset({"verified", "professional", "no-id-professional", "masters", "executive-education",
                               "paid-executive-education", "paid-bootcamp"})
# "<org>_<course>_<run>_grade_report_<YYYY-MM-DD-HHMM>.csv", the time in UTC; a browser may add " (1)".
REPORT_NAME = re.compile(r"^(?P<prefix>.+)_grade_report_(?P<stamp>\d{4}-\d{2}-\d{2}-\d{4})(?: \(\d+\))?\.csv$")


@dataclass(frozen=True)
class ReportName:
    prefix: str  # the course part of the name, "<org>_<course>_<run>" with unsafe characters removed
    generated_at: datetime.datetime


def read_report_name(filename) -> ReportName | None:
    """The course prefix and generation time in a grade report's standard file name, or None."""
    match = REPORT_NAME.match(Path(str(filename)).name)
    if match is None:
        return None
    try:
        generated = datetime.datetime.strptime(match["stamp"], "%Y-%m-%d-%H%M").replace(tzinfo=datetime.UTC)
    except ValueError:
        return None
    return ReportName(match["prefix"], generated)


def report_prefix(course_key) -> str:
    """The prefix the LMS puts on the names of a course's reports."""
    key = CourseKey.from_string(str(course_key))
    return re.sub(r"[^-\w.]", "", "_".join((key.org, key.course, key.run)).replace(" ", "_"))


def course_for_report(filename, course: str | None = None) -> str:
    """The course a grade report is for: ``course`` as given, checked against the file name, or read
    from the name when that can be done without guessing (exactly three parts, a course-v1 key)."""
    name = read_report_name(filename)
    if course:
        key = _course_key(course)
        if name is not None and name.prefix != report_prefix(key):
            raise BackfillError([Problem(_("file name"), "", _(
                "the file name is that of a report of another course (%(prefix)s), not %(course)s")
                % {"prefix": name.prefix, "course": key})])
        return key
    parts = name.prefix.split("_") if name else []
    if len(parts) == 3 and all(parts):
        try:
            return str(CourseKey.from_string("course-v1:" + "+".join(parts)))
        except InvalidKeyError:
            pass
    raise BackfillError([Problem(_("file name"), "", _(
        "the course cannot be read from the file name; give it with --course"))])


def parse_grade_report(source) -> list[GradeRow]:
    """Parse an instructor grade report: a path, the file's bytes, or a file object.

    Raises :class:`BackfillError` listing every problem, by line, when any row is malformed.
    """
    text = _text(source)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise BackfillError([Problem(_line(1), "", str(exc))]) from None
    if not header or not any(cell.strip() for cell in header):
        raise BackfillError([Problem(_line(1), "", _("the file is empty; expected a grade report"))])
    positions = {}
    for index, name in enumerate(header):
        positions.setdefault(name.strip().casefold(), index)
    missing = [column for column in REQUIRED_COLUMNS if column.casefold() not in positions]
    if missing:
        raise BackfillError([Problem(_line(1), column, _("this grade report column is missing")) for column in missing])
    at = {column: positions[column.casefold()] for column in REQUIRED_COLUMNS}
    problems, rows, seen = [], [], {}
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(_line(start), "", str(exc)))
            break
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are layout, not data
        if len(cells) != len(header):
            problems.append(Problem(_line(start), "", _("%(cells)d cells where the header has %(columns)d")
                                    % {"cells": len(cells), "columns": len(header)}))
            continue
        row = _report_row(start, {column: cells[index].strip() for column, index in at.items()}, problems)
        if row is None:
            continue
        if row.username in seen:
            problems.append(Problem(row.where, USERNAME, _("appears again (first on line %(line)d)")
                                    % {"line": seen[row.username]}))
            continue
        seen[row.username] = start
        rows.append(row)
    if problems:
        raise BackfillError(problems)
    return rows


def _report_row(line, cells, problems) -> GradeRow | None:
    found = len(problems)
    where = _line(line)
    if not cells[USERNAME]:
        problems.append(Problem(where, USERNAME, _("is empty")))
    if not cells[STUDENT_ID].isdigit():
        problems.append(Problem(where, STUDENT_ID, _("is not a user id")))
    percent = None
    if cells[GRADE].casefold() != NOT_ATTEMPTED:
        try:
            percent = float(cells[GRADE])
        except ValueError:
            percent = math.nan
        if not _fraction(percent):
            problems.append(Problem(where, GRADE, _("%(value)r is not a number from 0 to 1 (or Not Attempted)")
                                    % {"value": cells[GRADE]}))
    eligible = cells[CERTIFICATE_ELIGIBLE].upper()
    if eligible not in ("Y", "N"):
        problems.append(Problem(where, CERTIFICATE_ELIGIBLE, _("must be Y or N")))
    if len(problems) > found:
        return None
    if eligible == "Y":
        passed = True
    else:
        passed = False if cells[ENROLLMENT_TRACK].casefold() in CERTIFYING_TRACKS else None
    return GradeRow(where, cells[USERNAME], percent, passed)


def _line(number) -> str:
    return _("line %(line)d") % {"line": number}


def _text(source) -> str:
    if isinstance(source, (str, Path)):
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BackfillError([Problem(_("file"), "", _("the file is not UTF-8 text"))]) from None
