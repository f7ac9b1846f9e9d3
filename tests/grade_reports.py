"""Instructor grade reports shaped like the LMS's own, for the tests and the benchmark.

The columns and cells follow ``CourseGradeReport`` (edx-platform,
lms/djangoapps/instructor_task/tasks_helper/grades.py): Student ID, Email, Username, Grade; per
assignment type "<Type> <n>: <subsection>" for each subsection and "<Type> (Avg)" when the type has
several, or "<Type>" alone when it has one; then Cohort Name, Experiment Group (<partition>) and
Team Name when the course has them; then Enrollment Track, Verification Status, Certificate
Eligible, Certificate Delivered, Certificate Type, Enrollment Status. Grades are Python floats as
``csv.writer`` writes them, or "Not Attempted"; rows end in CRLF (the csv module's excel dialect).
"""

import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass, field

LEADING = ["Student ID", "Email", "Username", "Grade"]
TRAILING = [
    "Enrollment Track",
    "Verification Status",
    "Certificate Eligible",
    "Certificate Delivered",
    "Certificate Type",
    "Enrollment Status",
]


@dataclass(frozen=True)
class Layout:
    """The course's graded assignment types (name, number of subsections) and optional columns."""

    assignment_types: tuple[tuple[str, int], ...] = (("Bài tập", 2), ("Bài kiểm tra cuối mô đun", 1))
    cohorts: bool = True
    experiments: tuple[str, ...] = ()
    teams: bool = False

    @property
    def subsection_count(self) -> int:
        return sum(count for _name, count in self.assignment_types)

    def header(self) -> list[str]:
        columns = list(LEADING)
        number = 0
        for name, count in self.assignment_types:
            if count > 1:
                for index in range(1, count + 1):
                    number += 1
                    columns.append(f"{name} {index}: Phần {number}")
                columns.append(f"{name} (Avg)")
            else:
                number += 1
                columns.append(name)
        columns += (["Cohort Name"] if self.cohorts else []) + [f"Experiment Group ({e})" for e in self.experiments]
        columns += (["Team Name"] if self.teams else []) + TRAILING
        return columns


@dataclass(frozen=True)
class Learner:
    """One row: ``grade`` None writes "Not Attempted" in the Grade cell (the LMS writes a number,
    a spreadsheet may not); ``subsections`` None entries are "Not Attempted"."""

    user_id: int
    username: str
    email: str
    grade: float | None
    subsections: tuple[float | None, ...]
    track: str = "honor"
    eligible: str = "N"
    status: str = "enrolled"
    cohort: str = "Default Group"
    extra: dict = field(default_factory=dict)

    @property
    def not_attempted(self) -> bool:
        return self.grade is None or (self.grade == 0 and all(s is None for s in self.subsections))


def _cell(value) -> str:
    return "Not Attempted" if value is None else str(float(value))


def learner_cells(learner: Learner, layout: Layout) -> list[str]:
    cells = [str(learner.user_id), learner.email, learner.username, _cell(learner.grade)]
    subsections = iter(learner.subsections)
    for _name, count in layout.assignment_types:
        scores = [next(subsections, None) for _n in range(count)]
        cells += [_cell(score) for score in scores]
        if count > 1:  # the average: a number even when nothing was attempted
            cells.append(str(sum(s or 0.0 for s in scores) / count))
    cells += ([learner.cohort] if layout.cohorts else []) + ["" for _e in layout.experiments]
    cells += [""] if layout.teams else []
    delivered = learner.eligible == "Y" and learner.track != "audit"
    cells += [
        learner.track,
        "ID Verified" if learner.track in ("verified", "professional") else "N/A",
        learner.eligible,
        "Y" if delivered else "N",
        learner.track if delivered else "N/A",
        learner.status,
    ]
    return cells


def report_rows(layout: Layout, learners) -> list[list[str]]:
    return [layout.header(), *(learner_cells(learner, layout) for learner in learners)]


def to_text(rows, *, delimiter=",", line_end="\r\n", quote_all=False) -> str:
    out = io.StringIO(newline="")
    csv.writer(
        out, delimiter=delimiter, lineterminator=line_end, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    ).writerows(rows)
    return out.getvalue()


def to_bytes(rows, *, bom=False, **options) -> bytes:
    """The file as the LMS stores it (UTF-8, no byte-order mark), or as a spreadsheet saves it."""
    return (b"\xef\xbb\xbf" if bom else b"") + to_text(rows, **options).encode("utf-8")


def encode_cp1258(text: str) -> bytes:
    """``text`` in Windows-1258, as Vietnamese Windows saves it: a vowel with its shape mark
    precomposed (â, ơ, ư ...), the tone as a combining mark."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        for index, mark in enumerate(marks):
            shaped = unicodedata.normalize("NFC", base + mark)
            rest = marks[:index] + marks[index + 1 :]
            try:
                out += shaped.encode("cp1258") + "".join(rest).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += b"?"
    return bytes(out)


def report_file_name(course_key: str, at: datetime.datetime) -> str:
    """The name the LMS gives a course's grade report made at ``at`` (UTC)."""
    org, course, run = course_key.split(":", 1)[1].split("+")
    return f"{org}_{course}_{run}_grade_report_{at:%Y-%m-%d-%H%M}.csv"
