"""Grade reports from the real world, property-based: files shaped like the LMS's instructor grade
report (tests/grade_reports.py), then handled the way people and spreadsheets handle them.

Every example is a model of a report (who, which grade, which track), a database state (earlier
results, the course's pass mark) and what happened to the file on its way: saved again by a
spreadsheet (byte-order mark, semicolons, "0,85", "85%", invisible characters, quoting, blank lines,
columns added), broken (a bad cell, a row cut short, a missing column, a duplicate learner), cut off,
or re-encoded (Windows-1258, Latin-1, stray bytes). For each, on SQLite and MariaDB alike:

- the command never ends in a traceback: it imports, or refuses with its problems listed;
- a refused file leaves the database exactly as it was;
- the verdict is the one a model of the rules predicts from the file and the database state alone
  (so both databases give the same one): refused for a broken file; for a file only saved again,
  the same counts and stored results as the LMS's own file;
- a file imported once and imported again changes nothing.

Hypothesis runs derandomized: each database sees the same examples. Each run also writes its
verdicts, one line per file (its digest, refused or the counts), to
test-artifacts/grade-report-verdicts-<database>.txt, so the two runs can be compared line by line.
"""

import datetime
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, PersistentCourseGradeData
from openedx_events.learning.signals import PERSISTENT_GRADE_SUMMARY_CHANGED

from temis_plugin.grades_backfill import BackfillError, parse_grade_report
from temis_plugin.models import CourseModule, EducatorProfile, ModuleResult, TrainingModule
from tests.grade_reports import Layout, Learner, encode_cp1258, learner_cells, report_file_name, to_text

COURSE = "course-v1:SoGD-Thu+GVPT05+2026"
REPORT_AT = datetime.datetime(2026, 11, 20, 1, 30, tzinfo=datetime.UTC)
EARLIER = REPORT_AT - datetime.timedelta(days=1)
NAME = report_file_name(COURSE, REPORT_AT)
# The model's own statement of the rule, from edx-platform's CourseMode.VERIFIED_MODES.
CERTIFYING = frozenset(
    {"verified", "professional", "masters", "executive-education", "paid-executive-education", "paid-bootcamp"}
)
TRACKS = sorted(CERTIFYING) + ["audit", "honor", "no-id-professional", "unpaid-executive-education", "credit"]
EDUCATORS = [f"gv{n:04d}" for n in range(1, 9)]
RETIRED = "gv0009"
LEARNERS = ["hv.tudo1", "hv.tudo2"]  # Open edX accounts without an educator profile
SHARED_EMAIL = "chung@example.invalid"  # hv.tudo2's and gv0008's
UNKNOWN = ["khach.01", "nguoi.la", "GV0001", "gv0001.cu", "Gv0002"]
LAYOUTS = [
    Layout(),
    Layout(assignment_types=(("Homework", 3), ("Exam", 1)), cohorts=False, teams=True),
    Layout(assignment_types=(("Bài kiểm tra", 1),), cohorts=True, experiments=("Nhóm A/B",)),
]
INVISIBLE = ["\u200b", "\ufeff", "\u00a0", " ", "\u200e", "\u2060"]
GARBAGE = {
    "Grade": ["abc", "1.5", "-0.1", "nan", "inf", "", "85", "0.8.5", "Đạt", "1/2", "0,8,5"],
    "Student ID": ["", "4.0", "abc", "٤", "-4"],
    "Certificate Eligible": ["Yes", "", "1", "Có"],
    "Enrollment Status": ["active", "", "enrol"],
    "Username": [""],
}
REQUIRED = ["Student ID", "Email", "Username", "Grade", "Enrollment Track", "Certificate Eligible"]


def email_of(username):
    return SHARED_EMAIL if username in ("gv0008", "hv.tudo2") else f"{username}@example.invalid"


@dataclass(frozen=True)
class Account:
    email: str
    educator: bool


ACCOUNTS = {
    **{u: Account(email_of(u), True) for u in EDUCATORS},
    RETIRED: Account(email_of(RETIRED), False),
    **{u: Account(email_of(u), False) for u in LEARNERS},
}


# -- The examples --------------------------------------------------------------------------------------------

grades = st.integers(0, 100).map(lambda n: n / 100)


@st.composite
def learners(draw, layout):
    username = draw(st.sampled_from(EDUCATORS + LEARNERS + [RETIRED] + UNKNOWN))
    email = draw(st.sampled_from([email_of(username), "", *sorted({a.email for a in ACCOUNTS.values()})]))
    email = draw(st.sampled_from([email, email.upper(), email.title()]))
    subsections = tuple(
        draw(st.lists(st.one_of(st.none(), grades), min_size=layout.subsection_count, max_size=layout.subsection_count))
    )
    grade = draw(st.one_of(grades, st.just(0.0), st.none()))
    return Learner(
        user_id=draw(st.integers(2, 9999)),
        username=username,
        email=email,
        grade=grade,
        subsections=subsections,
        track=draw(st.sampled_from(TRACKS)),
        eligible=draw(st.sampled_from("YN")),
        status=draw(st.sampled_from(["enrolled", "unenrolled"])),
        cohort=draw(st.sampled_from(["Default Group", "Trường TH Xã Mẫu 1", "Tổ Toán, Tin"])),
    )


@dataclass(frozen=True)
class Saving:
    """How the file was saved: what a spreadsheet changes without changing what the file says."""

    bom: bool = False
    delimiter: str = ","
    line_end: str = "\r\n"
    quote_all: bool = False
    grade_style: str = "lms"  # lms (0.85), comma (0,85), percent (85.00%)
    invisible: str = ""  # put around the cells read
    blank_lines: bool = False
    notes_column: bool = False  # a column a person added at the end


savings = st.builds(
    Saving,
    bom=st.booleans(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    line_end=st.sampled_from(["\r\n", "\n"]),
    quote_all=st.booleans(),
    grade_style=st.sampled_from(["lms", "comma", "percent"]),
    invisible=st.sampled_from([""] + INVISIBLE),
    blank_lines=st.booleans(),
    notes_column=st.booleans(),
)

breakages = st.one_of(
    st.tuples(st.just("cell"), st.sampled_from(sorted(GARBAGE))).flatmap(
        lambda kind: st.tuples(st.just(kind[0]), st.just(kind[1]), st.sampled_from(GARBAGE[kind[1]]))
    ),
    st.tuples(st.just("cut_row"), st.integers(1, 3)),
    st.tuples(st.just("extra_cell")),
    st.tuples(st.just("duplicate")),
    st.tuples(st.just("missing_column"), st.sampled_from(REQUIRED)),
    st.tuples(st.just("header_again")),
)
damages = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0, exclude_max=True)),
    st.tuples(
        st.just("stray_bytes"),
        st.floats(0.0, 1.0),
        st.binary(min_size=1, max_size=3).map(lambda b: bytes(128 + byte % 128 for byte in b)),
    ),
    st.tuples(st.just("cp1258")),
    st.tuples(st.just("latin1")),
)
wild = st.one_of(
    st.tuples(st.just("stray_quote"), st.integers(0, 40)),
    st.tuples(st.just("any_text"), st.integers(0, 40), st.text(max_size=12)),
)


@st.composite
def examples(draw):
    layout = draw(st.sampled_from(LAYOUTS))
    rows = draw(st.lists(learners(layout), min_size=1, max_size=12, unique_by=lambda learner: learner.username))
    earlier = draw(st.dictionaries(st.sampled_from(EDUCATORS), st.tuples(grades, st.booleans()), max_size=4))
    return {
        "layout": layout,
        "rows": rows,
        "earlier": earlier,
        "pass_mark": draw(st.sampled_from([None, Decimal("0.5"), Decimal("0.7"), Decimal("0.93")])),
        "match_email": draw(st.booleans()),
        "saving": draw(savings),
        "change": draw(
            st.one_of(
                st.none(),
                st.tuples(st.just("breaks"), breakages),
                st.tuples(st.just("damages"), damages),
                st.tuples(st.just("wild"), wild),
            )
        ),
    }


# -- The file ------------------------------------------------------------------------------------------------


def _grade_text(value: str, style: str) -> str:
    if style == "lms" or value == "Not Attempted":
        return value
    if style == "comma":
        return value.replace(".", ",")
    return f"{Decimal(value) * 100}%"


def file_rows(example) -> list[list[str]]:
    """The report's rows (header first) as the LMS writes them, then as saved and changed."""
    layout, saving = example["layout"], example["saving"]
    header = layout.header()
    rows = [learner_cells(learner, layout) for learner in example["rows"]]
    grade_at = header.index("Grade")
    for cells in rows:
        cells[grade_at] = _grade_text(cells[grade_at], saving.grade_style)
    if saving.invisible:
        read = [header.index(name) for name in ("Student ID", "Username", "Grade", "Enrollment Track")]
        header = [saving.invisible + name for name in header[:1]] + header[1:]
        for cells in rows:
            for index in read:
                cells[index] = saving.invisible + cells[index] + saving.invisible
    if saving.notes_column:
        header = header + ["Ghi chú"]
        rows = [cells + [f"ghi chú {number}, có dấu phẩy"] for number, cells in enumerate(rows)]
    change = example["change"]
    if change and change[0] == "breaks":
        header, rows = _break(change[1], header, rows)
    elif change and change[0] == "wild":
        rows = _meddle(change[1], rows)
    return [header, *rows]


def _break(breakage, header, rows):
    kind, *args = breakage
    rows = [list(cells) for cells in rows]
    target = rows[0]
    if kind == "cell":
        column, value = args
        target[[_plain(name) for name in header].index(column)] = value
    elif kind == "cut_row":
        del target[-args[0] :]
    elif kind == "extra_cell":
        target.append("thừa")
    elif kind == "duplicate":
        rows.append(list(target))
    elif kind == "missing_column":
        index = [_plain(name) for name in header].index(args[0])
        header = header[:index] + header[index + 1 :]
        rows = [cells[:index] + cells[index + 1 :] for cells in rows]
    elif kind == "header_again":
        rows.append(list(header))
    return header, rows


def _meddle(change, rows):
    kind, position, *args = change
    rows = [list(cells) for cells in rows]
    cells = rows[position % len(rows)]
    column = position % len(cells)
    if kind == "stray_quote":
        cells[column] = cells[column][:1] + '"' + cells[column][1:]
    else:
        cells[column] = args[0]
    return rows


def _plain(name):
    return name.strip("".join(INVISIBLE))


@dataclass(frozen=True)
class Serialized:
    data: bytes
    header_end: int  # where the header's line ends, its line end included
    boundaries: list[int]  # the offsets at which the file may end without cutting a line
    row_ends: list[int]  # where each row's cells end, in the order of file_rows


def serialize(example) -> Serialized:
    saving = example["saving"]
    data = bytearray(b"\xef\xbb\xbf" if saving.bom else b"")
    boundaries, row_ends, header_end = [], [], 0
    for number, cells in enumerate(file_rows(example)):
        lines = [to_text([cells], delimiter=saving.delimiter, line_end=saving.line_end, quote_all=saving.quote_all)]
        if saving.blank_lines and number % 3 == 1:
            lines.append(saving.line_end)
        for index, line in enumerate(lines):
            encoded = line.encode("utf-8")
            content = len(data) + len(encoded) - len(saving.line_end)
            if index == 0 and number:
                row_ends.append(content)
            boundaries += [content + extra for extra in range(len(saving.line_end) + 1)]
            data += encoded
        header_end = header_end or len(data)
    return Serialized(bytes(data), header_end, boundaries, row_ends)


def damage(example, data: bytes) -> bytes:
    kind, *args = example["change"][1]
    if kind == "truncate":
        return data[: int(len(data) * args[0])]
    if kind == "stray_bytes":
        at = int(len(data) * args[0])
        return data[:at] + args[1] + data[at:]
    text = data.decode("utf-8-sig")
    return encode_cp1258(text) if kind == "cp1258" else text.encode("latin-1", errors="replace")


# -- What the rules say about the file -----------------------------------------------------------------------


def _email_key(email):
    return email.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def predict(example, rows=None):
    """The verdict on a file whose learners are ``rows`` (the example's unless given), from the rules
    alone: counts, pass statuses, usernames listed, and every educator's result afterwards."""
    counts, passing, listed = Counter(), Counter(), []
    results = {username: (Decimal(str(percent)), passed) for username, (percent, passed) in example["earlier"].items()}
    claimed = set()
    for learner in example["rows"] if rows is None else rows:
        if learner.not_attempted:
            counts["not_attempted"] += 1
            continue
        account = learner.username if learner.username in ACCOUNTS else None
        if account is None and example["match_email"] and learner.email:
            owners = [name for name, a in ACCOUNTS.items() if _email_key(a.email) == _email_key(learner.email)]
            account = owners[0] if len(owners) == 1 else None
        status = (
            "unknown_user"
            if account is None
            else "not_educator"
            if not ACCOUNTS[account].educator
            else "same_account"
            if account in claimed
            else None
        )
        if status:
            counts[status] += 1
            listed.append(learner.username)
            continue
        claimed.add(account)
        percent = Decimal(str(learner.grade))
        mark = example["pass_mark"]
        passed = learner.eligible == "Y" if learner.track in CERTIFYING else None if mark is None else percent >= mark
        if account in results:
            before = results[account]
            after = (percent, before[1] if passed is None else passed)
            counts["updated" if after != before else "unchanged"] += 1
        else:
            after = (percent, passed)
            counts["created"] += 1
        results[account] = after
        passing["unknown" if passed is None else "passed" if passed else "not_passed"] += 1
    return {"counts": +counts, "passing": +passing, "listed": listed, "results": results}


def expectation(example, serialized: Serialized, data: bytes):
    """("accepted", prediction), ("refused", None), or None where only the invariants are checked."""
    change = example["change"]
    if change is None:
        return "accepted", predict(example)
    kind, detail = change
    if kind == "breaks":
        return "refused", None
    if kind == "wild":
        return None
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "refused", None
    original = serialized.data.removeprefix(b"\xef\xbb\xbf")
    if detail[0] in ("cp1258", "latin1"):
        return ("accepted", predict(example)) if data == original else None
    if detail[0] != "truncate" or example["saving"].notes_column:
        return None  # a cut in the last cell of a column added by hand cannot be seen
    cut = len(data)
    if cut <= serialized.header_end:
        return None  # the header cut: refused, or a report of no one
    clean = max(end for end in serialized.boundaries if end <= cut)
    tail = data[clean:cut].decode("utf-8")
    if tail.strip(example["saving"].delimiter + "".join(INVISIBLE) + "\r\n"):
        return "refused", None  # a row cut short
    kept = [learner for learner, end in zip(example["rows"], serialized.row_ends) if end <= cut]
    return "accepted", predict(example, kept)


# -- Running it ------------------------------------------------------------------------------------------------


@pytest.fixture
def world(db, school_tree, settings):
    settings.LANGUAGE_CODE = "en"
    module = TrainingModule.objects.create(code="GVPT-05", name_vi="Mô đun 5", audience="teacher", hours=40)
    CourseModule.objects.create(course_key=COURSE, module=module)
    users = {}
    for username, account in ACCOUNTS.items():
        users[username] = get_user_model().objects.create_user(username, account.email, "pw")
    for number, username in enumerate(EDUCATORS + [RETIRED]):
        EducatorProfile.objects.create(
            user=users[username],
            national_id=f"TH{number:08d}",
            full_name=f"Giáo viên {number}",
            school=school_tree["S1"],
            position="teacher",
            school_level="TH",
            retired_at=REPORT_AT if username == RETIRED else None,
        )
    return users


class _Undo(Exception):
    pass


@pytest.fixture(scope="module")
def verdict_log():
    folder = Path(__file__).resolve().parents[2] / "test-artifacts"
    folder.mkdir(exist_ok=True)
    with open(folder / f"grade-report-verdicts-{connection.vendor}.txt", "w", encoding="utf-8") as log:
        yield log


def stored():
    return sorted(
        ModuleResult.objects.values_list(
            "educator__user__username",
            "percent",
            "passed",
            "passed_on",
            "last_event_at",
            "grade_event_at",
            "passing_event_at",
            "modified",
        )
    )


def run(path, match_email):
    out, err = io.StringIO(), io.StringIO()
    args = ["--csv", str(path), "--no-progress"] + (["--match-email"] if match_email else [])
    try:
        with translation.override("en"):
            call_command("temis_backfill_grades", *args, stdout=out, stderr=err)
        refused = None
    except CommandError as exc:  # anything else is a traceback, and fails the test
        refused = str(exc)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return refused, out.getvalue(), err.getvalue()


def counted(out) -> Counter:
    labels = {
        "created": "created",
        "updated": "updated",
        "unchanged": "unchanged",
        "not attempted": "not_attempted",
        "unknown user": "unknown_user",
        "user without an educator profile": "not_educator",
        "same account as an earlier row": "same_account",
    }
    found = Counter()
    for line in out.splitlines():
        label, _sep, number = line.rpartition(": ")
        if label in labels and number.isdigit():
            found[labels[label]] = int(number)
    return +found


def check(example, users, tmp_path, log):
    CourseModule.objects.filter(course_key=COURSE).update(pass_mark=example["pass_mark"])
    for username, (percent, passed) in example["earlier"].items():  # the LMS's events, a day before the report
        PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(
            send_robust=False,
            time=EARLIER,
            grade=PersistentCourseGradeData(
                user_id=users[username].pk,
                course=CourseData(course_key=CourseKey.from_string(COURSE)),
                course_edited_timestamp=EARLIER,
                course_version="v1",
                grading_policy_hash="h",
                percent_grade=percent,
                letter_grade="",
                passed_timestamp=EARLIER if passed else None,
            ),
        )
    serialized = serialize(example)
    data = serialized.data
    if example["change"] and example["change"][0] == "damages":
        data = damage(example, data)
    expected = expectation(example, serialized, data)
    path = tmp_path / NAME
    path.write_bytes(data)
    before = stored()
    refused, out, err = run(path, example["match_email"])
    event(f"{'refused' if refused else 'imported'}, {'predicted' if expected else 'invariants only'}")
    log.write(f"{hashlib.sha256(data).hexdigest()[:16]} {'refused' if refused else sorted(counted(out).items())}\n")
    if refused:
        assert stored() == before, "a refused file wrote something"
        assert err.strip(), "a refusal lists its problems"
    if expected is not None:
        verdict, prediction = expected
        assert (verdict == "refused") == bool(refused), (verdict, refused, err)
        if verdict == "accepted":
            assert counted(out) == prediction["counts"]
            passing = prediction["passing"]
            assert (
                f"pass status: passed {passing['passed']}, not passed {passing['not_passed']}, "
                f"unknown {passing['unknown']}\n"
            ) in out
            for username in prediction["listed"]:
                assert f"\t{username}\t" in out
            results = {name: (percent, passed) for name, percent, passed, *_rest in stored()}
            assert results == prediction["results"]
    if not refused:
        after = stored()
        again, out, _err = run(path, example["match_email"])
        assert not again and "created: 0\n" in out and "updated: 0\n" in out
        assert stored() == after, "importing the same file again changed something"


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(example=examples())
def test_grade_reports_from_the_real_world(world, tmp_path, verdict_log, example):
    try:
        with transaction.atomic():  # every example starts from the same database
            check(example, world, tmp_path, verdict_log)
            raise _Undo
    except _Undo:
        pass


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(example=examples())
def test_the_verdict_on_a_file_needs_no_database(db, django_assert_num_queries, example):
    data = serialize(example).data
    if example["change"] and example["change"][0] == "damages":
        data = damage(example, data)
    verdicts = []
    for _attempt in range(2):
        with django_assert_num_queries(0):
            try:
                verdicts.append(("rows", [replace(row) for row in parse_grade_report(data)]))
            except BackfillError as exc:
                verdicts.append(("problems", [(p.where, p.column, p.message) for p in exc.problems]))
    assert verdicts[0] == verdicts[1]
