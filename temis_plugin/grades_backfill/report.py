"""The LMS's instructor grade report (CSV): its file name, its columns, its rows. Parsing only.

The report is read as the LMS writes it (``CourseGradeReport`` in edx-platform's
lms/djangoapps/instructor_task/tasks_helper/grades.py) and as a spreadsheet saves it again: with or
without a byte-order mark, with semicolons or tabs between cells, with grades written "0,85" or
"85%", with invisible characters or spaces around cells. Anything else the LMS does not write is a
problem, listed by line. Nothing here touches the database: the verdict on a file depends on the
file alone.
"""

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

from ..normalise import remove_invisible
from .rows import BackfillError, GradeRow, Problem
from .rows import course_key as _course_key
from .rows import fraction as _fraction

# The grade report's columns this module reads (CourseGradeReport._success_headers).
STUDENT_ID, EMAIL, USERNAME, GRADE = "Student ID", "Email", "Username", "Grade"
ENROLLMENT_TRACK, CERTIFICATE_ELIGIBLE = "Enrollment Track", "Certificate Eligible"
ENROLLMENT_STATUS = "Enrollment Status"
REQUIRED_COLUMNS = (STUDENT_ID, EMAIL, USERNAME, GRADE, ENROLLMENT_TRACK, CERTIFICATE_ELIGIBLE)
# Reports made before the LMS added the column lack it; when present it is checked, which also
# shows a file cut short in its last cell.
ENROLLMENT_STATUSES = frozenset({"enrolled", "unenrolled"})  # ENROLLED_IN_COURSE, NOT_ENROLLED_IN_COURSE
# What the LMS writes after the per-assignment columns (cohort, experiment groups, team, enrollment).
TRAILING_COLUMNS = frozenset(
    {
        "cohort name",
        "team name",
        "enrollment track",
        "verification status",
        "certificate eligible",
        "certificate delivered",
        "certificate type",
        "enrollment status",
    }
)
NOT_ATTEMPTED = "not attempted"
# The tracks in which "Certificate Eligible" says whether the learner passed: edx-platform's
# CourseMode.VERIFIED_MODES, exactly (common/djangoapps/course_modes/models.py, openedx/openedx-platform
# at 6913dfd; no-id-professional is not in it). certificates/api.py certificate_info_for_user writes "Y"
# for a learner of these tracks with a passing letter grade, and for anyone on the allowlist or with a
# certificate: in audit and honor tracks "Y" and "N" say nothing about the grade.
CERTIFYING_TRACKS = frozenset(
    {"verified", "professional", "masters", "executive-education", "paid-executive-education", "paid-bootcamp"}
)
DELIMITERS = (",", ";", "\t")  # the LMS's, then a spreadsheet's in a locale with a decimal comma
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_PERCENTAGE = re.compile(r"([+-]?\d+(?:[.,]\d+)?)\s*%")
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
            raise BackfillError(
                [
                    Problem(
                        _("file name"),
                        "",
                        _("the file name is that of a report of another course (%(prefix)s), not %(course)s")
                        % {"prefix": name.prefix, "course": key},
                    )
                ]
            )
        return key
    parts = name.prefix.split("_") if name else []
    if len(parts) == 3 and all(parts):
        try:
            return str(CourseKey.from_string("course-v1:" + "+".join(parts)))
        except InvalidKeyError:
            pass
    raise BackfillError(
        [Problem(_("file name"), "", _("the course cannot be read from the file name; give it with --course"))]
    )


def parse_grade_report(source) -> list[GradeRow]:
    """Parse an instructor grade report: a path, the file's bytes, or a file object.

    Raises :class:`BackfillError` listing every problem, by line, when any row is malformed.
    """
    text = _text(source)
    header, delimiter = _header(text)
    reader = _reader(text, delimiter)
    next(reader, None)  # the header, read above
    if not header or not any(header):
        raise BackfillError([Problem(_line(1), "", _("the file is empty; expected a grade report"))])
    positions = {}
    for index, name in enumerate(header):
        positions.setdefault(name.casefold(), index)
    missing = [column for column in REQUIRED_COLUMNS if column.casefold() not in positions]
    if missing:
        raise BackfillError([Problem(_line(1), column, _("this grade report column is missing")) for column in missing])
    columns = (*REQUIRED_COLUMNS, ENROLLMENT_STATUS) if ENROLLMENT_STATUS.casefold() in positions else REQUIRED_COLUMNS
    at = {column: positions[column.casefold()] for column in columns}
    assignments = _assignment_columns(header, at[GRADE])
    line_label = _("line %(line)d")  # translated once: a gettext per row was a third of the parse
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
        if not any(_clean(cell) for cell in cells):
            continue  # blank lines are layout, not data
        if len(cells) != len(header):
            problems.append(
                Problem(
                    line_label % {"line": start},
                    "",
                    _("%(cells)d cells where the header has %(columns)d")
                    % {"cells": len(cells), "columns": len(header)},
                )
            )
            continue
        untried = bool(assignments) and all(_clean(cells[index]).casefold() == NOT_ATTEMPTED for index in assignments)
        row = _report_row(
            line_label % {"line": start},
            {column: _clean(cells[index]) for column, index in at.items()},
            untried,
            problems,
        )
        if row is None:
            continue
        if row.username in seen:
            problems.append(
                Problem(row.where, USERNAME, _("appears again (first on line %(line)d)") % {"line": seen[row.username]})
            )
            continue
        seen[row.username] = start
        rows.append(row)
    if problems:
        raise BackfillError(problems)
    return rows


def _header(text) -> tuple[list[str], str]:
    """The header's cells and the delimiter: the first that shows every required column."""
    wanted = {column.casefold() for column in REQUIRED_COLUMNS}
    first = None  # the LMS's delimiter's reading, for the problems when none fits
    for delimiter in DELIMITERS:
        try:
            header = [_clean(cell) for cell in next(_reader(text, delimiter), [])]
        except csv.Error as exc:
            header = exc
        first = header if first is None else first
        if isinstance(header, list) and wanted <= {name.casefold() for name in header}:
            return header, delimiter
    if isinstance(first, csv.Error):
        raise BackfillError([Problem(_line(1), "", str(first))])
    return first, DELIMITERS[0]


def _reader(text, delimiter):
    # strict: a quoted cell left open at the end of the file is an error, not a cell (a file cut short).
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def _assignment_columns(header, grade_at) -> list[int]:
    """The per-subsection columns (between Grade and the trailing ones, averages left out): a
    learner with "Not Attempted" in every one of them attempted nothing graded."""
    found = []
    for index in range(grade_at + 1, len(header)):
        name = header[index].casefold()
        if name in TRAILING_COLUMNS or name.startswith("experiment group ("):
            break
        if not name.endswith("(avg)"):
            found.append(index)
    return found


def _clean(cell: str) -> str:
    # Format characters are invisible in a spreadsheet and never part of a username, an id or a number.
    return remove_invisible(cell).strip()


def _grade(text: str) -> float:
    """The grade in a cell as the LMS writes it (0.85) or a spreadsheet shows it (0,85 or 85%);
    NaN when it is none of these."""
    percentage = _PERCENTAGE.fullmatch(text)
    if percentage:
        return float(percentage[1].replace(",", ".")) / 100
    if _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(",", "."))
    if _NUMBER.fullmatch(text):
        return float(text)
    return math.nan


def _report_row(where, cells, untried, problems) -> GradeRow | None:
    found = len(problems)
    if not cells[USERNAME]:
        problems.append(Problem(where, USERNAME, _("is empty")))
    if not (cells[STUDENT_ID].isascii() and cells[STUDENT_ID].isdigit()):
        problems.append(Problem(where, STUDENT_ID, _("is not a user id")))
    percent = None
    not_attempted = cells[GRADE].casefold() == NOT_ATTEMPTED
    if not not_attempted:
        percent = _grade(cells[GRADE])
        if not _fraction(percent):
            problems.append(
                Problem(
                    where,
                    GRADE,
                    _("%(value)r is not a number from 0 to 1 (or Not Attempted)") % {"value": cells[GRADE]},
                )
            )
    eligible = cells[CERTIFICATE_ELIGIBLE].upper()
    if eligible not in ("Y", "N"):
        problems.append(Problem(where, CERTIFICATE_ELIGIBLE, _("must be Y or N")))
    if ENROLLMENT_STATUS in cells and cells[ENROLLMENT_STATUS].casefold() not in ENROLLMENT_STATUSES:
        problems.append(Problem(where, ENROLLMENT_STATUS, _("must be enrolled or unenrolled")))
    if len(problems) > found:
        return None
    passed = (eligible == "Y") if cells[ENROLLMENT_TRACK].casefold() in CERTIFYING_TRACKS else None
    # The LMS writes a course grade of 0 for a learner who attempted nothing; the subsections say so.
    not_attempted = not_attempted or (untried and percent == 0)
    return GradeRow(
        where,
        cells[USERNAME],
        None if not_attempted else percent,
        passed,
        email=cells[EMAIL],
        not_attempted=not_attempted,
    )


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
        raise BackfillError(
            [
                Problem(
                    _("file"),
                    "",
                    _(
                        'the file is not UTF-8 text; save it again as "CSV UTF-8" (it may be in another encoding, '
                        "such as Windows-1258)"
                    ),
                )
            ]
        ) from None
