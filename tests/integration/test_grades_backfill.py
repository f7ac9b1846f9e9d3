"""Backfilling module results from the LMS's grade report CSV and Grades API, beside the events.

The API path runs against a small LMS on 127.0.0.1 that serves the two endpoints the backfill uses
(the OAuth2 token endpoint and the course grades list) the way the LMS does.
"""

import csv
import datetime
import io
import json
import secrets
import threading
from collections import Counter
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CourseData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED, PERSISTENT_GRADE_SUMMARY_CHANGED

from temis_plugin import api
from temis_plugin.grades_backfill import (
    BackfillError,
    GradesApiClient,
    GradesApiError,
    backfill_from_api,
    backfill_report,
    course_for_report,
    parse_grade_report,
    read_report_name,
)
from temis_plugin.models import CourseModule, EducatorProfile, ModuleResult, TrainingModule
from tests.grade_reports import encode_cp1258

COURSE = "course-v1:SoGD-Mau+GVPT09+2026"
REPORT_NAME = "SoGD-Mau_GVPT09_2026_grade_report_2026-11-20-0130.csv"
REPORT_AT = datetime.datetime(2026, 11, 20, 1, 30, tzinfo=datetime.UTC)
SAMPLE = Path(__file__).parent.parent.parent / "fixtures" / "grades" / REPORT_NAME
CLIENT_ID, CLIENT_SECRET = "temis-backfill", "s3cret-never-shown"
# The real report's layout: per-assignment columns, then cohort, experiment group and team, then enrollment.
HEADER = [
    "Student ID",
    "Email",
    "Username",
    "Grade",
    "Bài tập 01: Học liệu số",
    "Bài tập 02: Bài giảng",
    "Bài tập (Avg)",
    "Bài kiểm tra cuối mô đun",
    "Cohort Name",
    "Experiment Group (Nhóm A/B)",
    "Team Name",
    "Enrollment Track",
    "Verification Status",
    "Certificate Eligible",
    "Certificate Delivered",
    "Certificate Type",
    "Enrollment Status",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def module(db):
    module = TrainingModule.objects.create(code="GVPT-09", name_vi="Mô đun 9", audience="teacher", hours=40)
    CourseModule.objects.create(course_key=COURSE, module=module)
    return module


@pytest.fixture
def teachers(school_tree, make_user):
    """Educators named as the demo data names its teachers."""
    found = {}
    for number in (3, 4, 5, 6, 7, 8, 9, 10, 25, 26):
        username = f"gv{number:04d}"
        found[username] = EducatorProfile.objects.create(
            user=make_user(username),
            national_id=f"DEMO{number:08d}",
            full_name=f"Giáo viên {number}",
            school=school_tree["S1"],
            position="teacher",
            school_level="TH",
        )
    return found


def result(username, course=COURSE):
    return ModuleResult.objects.get(educator__user__username=username, course_key=course)


def write_report(folder, rows, name=REPORT_NAME, header=HEADER):
    """A grade report file; each row gives (username, grade, track, eligible) or a full list of cells."""
    lines = [header]
    for number, row in enumerate(rows, start=100):
        if isinstance(row, tuple):
            username, grade, track, eligible = row
            row = [
                str(number),
                f"{username}@example.invalid",
                username,
                grade,
                "0.9",
                "Not Attempted",
                "0.45",
                "Not Attempted",
                "Default Group",
                "",
                "",
                track,
                "N/A",
                eligible,
                eligible,
                "N/A",
                "enrolled",
            ]
        lines.append(row)
    path = Path(folder) / name
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(lines)
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("temis_backfill_grades", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def grade_event(user, percent, passed_at, time):
    PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(
        send_robust=False,
        time=time,
        grade=PersistentCourseGradeData(
            user_id=user.pk,
            course=CourseData(course_key=CourseKey.from_string(COURSE)),
            course_edited_timestamp=time,
            course_version="v1",
            grading_policy_hash="hash",
            percent_grade=percent,
            letter_grade="",
            passed_timestamp=passed_at,
        ),
    )


def passing_event(user, is_passing, time):
    COURSE_PASSING_STATUS_UPDATED.send_event(
        send_robust=False,
        time=time,
        course_passing_status=(
            CoursePassingStatusData(
                is_passing=is_passing,
                course=CourseData(course_key=CourseKey.from_string(COURSE)),
                user=UserData(
                    id=user.pk, is_active=True, pii=UserPersonalData(username=user.username, email=user.email, name="")
                ),
            )
        ),
    )


# -- The grade report ----------------------------------------------------------------------------------------


def test_sample_report_without_a_pass_mark_leaves_audit_and_honor_passes_unknown(module, teachers):
    out, _err = run("--csv", str(SAMPLE))
    assert "created: 9\n" in out and "not attempted: 1\n" in out and "unknown user: 1\n" in out
    assert "pass status: passed 2, not passed 1, unknown 6" in out and "set the pass mark" in out
    verified = result("gv0005")
    assert verified.percent == Decimal("0.81") and verified.passed is True
    assert verified.passed_on == datetime.date(2026, 11, 20) and verified.grade_event_at == REPORT_AT
    assert result("gv0006").passed is False and result("gv0006").passing_event_at == REPORT_AT  # verified, N
    for username in ("gv0003", "gv0007", "gv0026"):  # honor Y, audit N, honor Y (allowlisted): no pass told
        stored = result(username)
        assert stored.passed is None and stored.passing_event_at is None and stored.passed_on is None
    assert result("gv0007").percent == Decimal("0.88")  # the grade is kept
    # Grade 0 with every subsection Not Attempted: attempted nothing, no result recorded.
    assert not ModuleResult.objects.filter(educator=teachers["gv0008"]).exists()
    assert ModuleResult.objects.count() == 9


def test_sample_report_with_a_pass_mark_reads_audit_and_honor_passes_from_the_grade(module, teachers):
    CourseModule.objects.filter(course_key=COURSE).update(pass_mark=Decimal("0.7"))
    out, _err = run("--csv", str(SAMPLE))
    assert "pass status: passed 6, not passed 3, unknown 0" in out and "set the pass mark" not in out
    passes = {r.educator.user.username: r.passed for r in ModuleResult.objects.select_related("educator__user")}
    assert passes == {
        "gv0003": True,
        "gv0004": False,
        "gv0005": True,
        "gv0006": False,
        "gv0007": True,
        "gv0009": True,
        "gv0010": False,
        "gv0025": True,
        "gv0026": True,
    }  # 0.7 itself passes
    assert result("gv0007").passed_on == datetime.date(2026, 11, 20)
    assert result("gv0007").passing_event_at == REPORT_AT


def test_a_verified_learner_with_a_high_grade_but_n_is_not_passed_whatever_the_mark(module, teachers, tmp_path):
    # In a certifying track "Certificate Eligible" is the LMS's own verdict; the pass mark is not asked.
    CourseModule.objects.filter(course_key=COURSE).update(pass_mark=Decimal("0.5"))
    backfill_report(
        write_report(
            tmp_path,
            [
                ("gv0003", "0.9", "verified", "N"),
                ("gv0004", "0.2", "masters", "Y"),
                ("gv0005", "0.9", "no-id-professional", "N"),
            ],
        )
    )
    assert result("gv0003").passed is False and result("gv0004").passed is True
    assert result("gv0005").passed is True  # no-id-professional is not a certifying track: the mark decides


def test_setting_the_pass_mark_later_and_running_again_settles_the_unknown(module, teachers):
    run("--csv", str(SAMPLE))
    CourseModule.objects.filter(course_key=COURSE).update(pass_mark=Decimal("0.7"))
    out, _err = run("--csv", str(SAMPLE))
    assert "created: 0\n" in out and "updated: 6\n" in out and "unchanged: 3\n" in out
    assert result("gv0003").passed is True and result("gv0004").passed is False


def test_running_the_same_report_again_changes_nothing(module, teachers):
    CourseModule.objects.filter(course_key=COURSE).update(pass_mark=Decimal("0.7"))
    run("--csv", str(SAMPLE))
    before = {r.pk: (r.modified, r.percent, r.passed, r.passed_on, r.last_event_at) for r in ModuleResult.objects.all()}
    out, _err = run("--csv", str(SAMPLE))
    assert "created: 0\n" in out and "updated: 0\n" in out and "unchanged: 9\n" in out
    assert "not attempted: 1\n" in out
    assert {
        r.pk: (r.modified, r.percent, r.passed, r.passed_on, r.last_event_at) for r in ModuleResult.objects.all()
    } == before


def test_report_columns_are_found_by_name_whatever_comes_between(module, teachers, tmp_path):
    header = [
        "Student ID",
        "Email",
        "Username",
        "Grade",
        "Homework",
        "Enrollment Track",
        "Verification Status",
        "Certificate Eligible",
        "Certificate Delivered",
        "Certificate Type",
        "Enrollment Status",
    ]
    path = write_report(
        tmp_path,
        [
            [
                "4",
                "gv0003@example.invalid",
                "gv0003",
                "0.5",
                "Not Attempted",
                "verified",
                "ID Verified",
                "N",
                "N",
                "N/A",
                "enrolled",
            ]
        ],
        header=header,
    )
    backfill_report(path)
    assert result("gv0003").percent == Decimal("0.5") and result("gv0003").passing_event_at == REPORT_AT


@pytest.mark.parametrize("track, eligible", [("honor", "Y"), ("verified", "Y"), ("verified", "N")])
def test_not_attempted_is_counted_as_such_and_records_nothing(module, teachers, tmp_path, track, eligible):
    path = write_report(tmp_path, [("gv0003", "Not Attempted", track, eligible), ("gv0004", "0.5", "honor", "N")])
    out, _err = run("--csv", str(path))
    assert "not attempted: 1\n" in out and "unchanged: 0\n" in out and "created: 1\n" in out
    assert list(ModuleResult.objects.values_list("educator__user__username", flat=True)) == ["gv0004"]


def test_not_attempted_leaves_an_existing_result_alone(module, teachers, tmp_path):
    user = teachers["gv0003"].user
    grade_event(user, 0.6, None, REPORT_AT - datetime.timedelta(days=1))
    before = result("gv0003")
    summary = backfill_report(write_report(tmp_path, [("gv0003", "Not Attempted", "verified", "N")]))
    assert summary.counts == {"not_attempted": 1}
    assert result("gv0003").modified == before.modified and result("gv0003").percent == Decimal("0.6")


def test_unmatched_rows_are_listed_with_their_identifiers_not_logged(module, teachers, make_user, tmp_path, caplog):
    make_user("hocvien.tudo")  # an Open edX learner who is not an educator
    path = write_report(
        tmp_path,
        [
            ("gv0003", "0.9", "honor", "Y"),
            ("khong.co", "0.5", "honor", "N"),
            ("hocvien.tudo", "0.7", "verified", "Y"),
            ("gv0004", "0.2", "verified", "N"),
        ],
    )
    with caplog.at_level("DEBUG"):
        out, _err = run("--csv", str(path))
    assert "created: 2\n" in out and "unknown user: 1\n" in out and "user without an educator profile: 1\n" in out
    assert "  line 3\tkhong.co\tkhong.co@example.invalid\tunknown user\n" in out
    assert "  line 4\thocvien.tudo\thocvien.tudo@example.invalid\tuser without an educator profile\n" in out
    assert ModuleResult.objects.count() == 2
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "khong.co" not in logged and "hocvien" not in logged and "example.invalid" not in logged


def test_unmatched_usernames_may_fall_back_to_email(module, teachers, make_user, tmp_path):
    rows = [("gv0003.cu", "0.9", "verified", "Y"), ("ai.do", "0.5", "verified", "N")]
    path = write_report(tmp_path, [(u, g, t, e) for u, g, t, e in rows])
    # The report's emails are "<username>@example.invalid": give gv0004's account the first row's email.
    teachers["gv0004"].user.__class__.objects.filter(username="gv0004").update(email="GV0003.CU@example.invalid")
    out, _err = run("--csv", str(path))
    assert "unknown user: 2\n" in out and not ModuleResult.objects.exists()
    out, _err = run("--csv", str(path), "--match-email")
    assert "created: 1\n" in out and "matched by email: 1\n" in out and "unknown user: 1\n" in out
    assert "\tai.do\tai.do@example.invalid\tunknown user" in out
    assert result("gv0004").passed is True


def test_an_email_shared_by_two_accounts_matches_neither(module, teachers, tmp_path):
    User = teachers["gv0004"].user.__class__
    User.objects.filter(username__in=["gv0004", "gv0005"]).update(email="chung@example.invalid")
    path = write_report(
        tmp_path,
        [
            [
                "100",
                "chung@example.invalid",
                "ai.do",
                "0.9",
                "0.9",
                "0.9",
                "0.9",
                "0.9",
                "",
                "",
                "",
                "verified",
                "N/A",
                "Y",
                "Y",
                "verified",
                "enrolled",
            ]
        ],
    )
    summary = backfill_report(path, match_email=True)
    assert summary.counts == {"unknown_user": 1} and not ModuleResult.objects.exists()


def test_a_row_matched_by_email_to_an_account_already_in_the_file_is_listed(module, teachers, tmp_path):
    User = teachers["gv0004"].user.__class__
    User.objects.filter(username="gv0004").update(email="gv0004.cu@example.invalid")
    path = write_report(tmp_path, [("gv0004", "0.9", "verified", "Y"), ("gv0004.cu", "0.1", "verified", "N")])
    out, _err = run("--csv", str(path), "--match-email")
    assert "same account as an earlier row: 1\n" in out and "\tgv0004.cu\t" in out and "same account as line 2" in out
    assert result("gv0004").passed is True and result("gv0004").percent == Decimal("0.9")


def test_usernames_match_exactly_on_every_database(module, teachers, tmp_path):
    # MariaDB's collation finds "GV0003" and "gv0003" equal; a username is matched exactly everywhere.
    path = write_report(tmp_path, [("GV0003", "0.9", "verified", "Y"), ("gv0004\u200b", "0.9", "verified", "Y")])
    summary = backfill_report(path)
    assert summary.counts == {"unknown_user": 1, "created": 1}  # the invisible space is not part of the name
    assert [u.username for u in summary.unmatched] == ["GV0003"]


def test_retired_educators_are_not_written(module, teachers, tmp_path):
    from temis_plugin.retirement import retire_user

    retire_user(teachers["gv0003"].user)
    summary = backfill_report(write_report(tmp_path, [("gv0003", "0.9", "honor", "Y")]))
    assert summary.counts == {"not_educator": 1} and not ModuleResult.objects.exists()


def test_an_unmapped_course_is_refused_with_an_error_and_writes_nothing(module, teachers, tmp_path):
    path = write_report(
        tmp_path,
        [("gv0003", "0.9", "honor", "Y"), ("gv0004", "0.2", "honor", "N")],
        name="SoGD-Mau_GVPT10_2026_grade_report_2026-11-20-0130.csv",
    )
    with pytest.raises(CommandError, match="1 problem"):
        run("--csv", str(path))
    with pytest.raises(BackfillError) as refused:
        backfill_report(path)
    assert "course-v1:SoGD-Mau+GVPT10+2026 is not mapped to a training module" in str(refused.value.problems[0])
    assert not ModuleResult.objects.exists()


def test_a_report_time_in_the_future_is_refused(module, teachers, tmp_path):
    path = write_report(tmp_path, [("gv0003", "0.9", "honor", "Y")], name="diem.csv")
    later = (timezone.now() + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    with pytest.raises(CommandError, match="1 problem"):
        run("--csv", str(path), "--course", COURSE, "--at", later)
    future_name = write_report(
        tmp_path, [("gv0003", "0.9", "honor", "Y")], name="SoGD-Mau_GVPT09_2026_grade_report_2099-01-01-0000.csv"
    )
    with pytest.raises(BackfillError) as refused:
        backfill_report(future_name)
    assert [(p.where, p.column) for p in refused.value.problems] == [("file name", "")]
    assert "in the future" in refused.value.problems[0].message
    assert not ModuleResult.objects.exists()


def test_malformed_report_lists_every_line_and_imports_nothing(module, teachers, tmp_path):
    good = ("gv0003", "0.9", "honor", "Y")
    path = write_report(
        tmp_path,
        [
            good,
            ("gv0004", "chín mươi", "honor", "Y"),  # line 3
            ("gv0005", "1.5", "honor", "Y"),  # line 4
            ("gv0006", "0.5", "honor", "maybe"),  # line 5
            ["7", "gv0007@example.invalid", "gv0007", "0.5"],  # line 6: cut short
            ("gv0003", "0.9", "honor", "Y"),  # line 7: again
            ("", "0.5", "honor", "N"),  # line 8
            ("gv0008", "nan", "honor", "N"),  # line 9
        ],
    )
    with pytest.raises(CommandError, match="7 problem"):
        run("--csv", str(path))
    with pytest.raises(BackfillError) as refused:
        backfill_report(path)
    where = [(p.where, p.column) for p in refused.value.problems]
    assert where == [
        ("line 3", "Grade"),
        ("line 4", "Grade"),
        ("line 5", "Certificate Eligible"),
        ("line 6", ""),
        ("line 7", "Username"),
        ("line 8", "Username"),
        ("line 9", "Grade"),
    ]
    assert "first on line 2" in str(refused.value.problems[4])
    assert not ModuleResult.objects.exists()


def test_missing_columns_are_named(module, teachers, tmp_path):
    header = [c for c in HEADER if c not in ("Grade", "Certificate Eligible")]
    path = write_report(tmp_path, [], header=header)
    with pytest.raises(BackfillError) as refused:
        backfill_report(path)
    assert [(p.where, p.column) for p in refused.value.problems] == [
        ("line 1", "Grade"),
        ("line 1", "Certificate Eligible"),
    ]


@pytest.mark.parametrize("content, message", [(b"", "empty"), ("Student ID,Username\n".encode("utf-16"), "UTF-8")])
def test_unreadable_files_are_refused(content, message):
    with pytest.raises(BackfillError, match="1 problem") as refused:
        parse_grade_report(content)
    assert message in str(refused.value.problems[0])


def test_a_report_saved_again_by_a_spreadsheet_is_read(module, teachers, tmp_path):
    path = write_report(tmp_path, [("gv0003", "0.9", "verified", "Y")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert [(r.username, r.percent, r.passed) for r in parse_grade_report(path)] == [("gv0003", 0.9, True)]


@pytest.mark.parametrize("grade", ["0.85", "0,85", "85%", "85 %", "85,0%", " 0.85 ", "\u200b0.85", "8.5e-1"])
def test_spreadsheet_numbers_are_read(grade):
    text = (
        ";".join(HEADER)
        + "\n"
        + ";".join(
            ["4", "a@example.invalid", "gv0003", grade] + ["0.9"] * 7 + ["honor", "N/A", "N", "N", "N/A", "enrolled"]
        )
        + "\n"
    )
    [row] = parse_grade_report(text.encode())
    assert row.percent == pytest.approx(0.85) and row.passed is None and not row.not_attempted


@pytest.mark.parametrize("grade", ["85", "1,5", "0.85.1", "nan", "inf", "-0.1", "", "0x1", "1_0", "٠٫٨"])
def test_other_grades_are_refused(grade):
    text = (
        ",".join(HEADER)
        + "\n"
        + ",".join(
            ["4", "a@example.invalid", "gv0003", f'"{grade}"']
            + ["0.9"] * 7
            + ["honor", "N/A", "N", "N", "N/A", "enrolled"]
        )
        + "\n"
    )
    with pytest.raises(BackfillError) as refused:
        parse_grade_report(text.encode())
    assert [(p.where, p.column) for p in refused.value.problems] == [("line 2", "Grade")]


def test_a_file_cut_short_in_its_last_cell_is_refused():
    text = (
        ",".join(HEADER)
        + "\n"
        + ",".join(
            ["4", "a@example.invalid", "gv0003", "0.5"] + ["0.9"] * 7 + ["honor", "N/A", "N", "N", "N/A", "enrol"]
        )
    )
    with pytest.raises(BackfillError) as refused:
        parse_grade_report(text.encode())
    assert [(p.where, p.column) for p in refused.value.problems] == [("line 2", "Enrollment Status")]


def test_a_file_cut_inside_a_quoted_cell_is_refused():
    # A spreadsheet that quotes every cell: a file cut before the last closing quote is not a whole row.
    row = ["4", "a@example.invalid", "gv0003", "0.5"] + ["0.9"] * 7 + ["honor", "N/A", "N", "N", "N/A", "enrolled"]
    text = ",".join(f'"{cell}"' for cell in HEADER) + "\r\n" + ",".join(f'"{cell}"' for cell in row)
    assert len(parse_grade_report((text + "\r\n").encode())) == 1
    with pytest.raises(BackfillError) as refused:
        parse_grade_report(text[:-1].encode())
    assert [p.where for p in refused.value.problems] == ["line 2"]


def test_a_file_in_windows_1258_is_refused_with_what_to_do():
    text = ",".join(HEADER) + "\n"
    with pytest.raises(BackfillError) as refused:
        parse_grade_report(encode_cp1258(text))
    assert "CSV UTF-8" in str(refused.value.problems[0])


def test_course_and_time_come_from_the_standard_file_name():
    name = read_report_name(f"/downloads/{REPORT_NAME[:-4]} (1).csv")
    assert name.prefix == "SoGD-Mau_GVPT09_2026" and name.generated_at == REPORT_AT
    assert course_for_report(REPORT_NAME) == COURSE
    assert course_for_report(REPORT_NAME, " course-v1:SoGD-Mau+GVPT09+2026 ") == COURSE
    assert course_for_report("grades.csv", COURSE) == COURSE
    with pytest.raises(BackfillError, match="1 problem") as refused:
        course_for_report(REPORT_NAME, "course-v1:SoGD-Mau+GVPT10+2026")
    assert "another course" in str(refused.value.problems[0])
    # Underscores inside a part make the name ambiguous: no guess.
    for unclear in ("So_GD_GVPT09_2026_grade_report_2026-11-20-0130.csv", "grades.csv"):
        with pytest.raises(BackfillError) as refused:
            course_for_report(unclear)
        assert "--course" in str(refused.value.problems[0])
    assert (
        course_for_report("So_GD_GVPT09_2026_grade_report_2026-11-20-0130.csv", "course-v1:So_GD+GVPT09+2026")
        == "course-v1:So_GD+GVPT09+2026"
    )


def test_a_report_without_its_standard_name_needs_course_and_time(module, teachers, tmp_path):
    path = write_report(tmp_path, [("gv0003", "0.9", "honor", "Y")], name="diem.csv")
    with pytest.raises(CommandError, match="1 problem"):
        run("--csv", str(path))
    with pytest.raises(CommandError, match="1 problem"):
        run("--csv", str(path), "--course", COURSE)
    with pytest.raises(CommandError, match="--at"):
        run("--csv", str(path), "--course", COURSE, "--at", "yesterday")
    run("--csv", str(path), "--course", COURSE, "--at", "2026-11-20T08:30")
    assert result("gv0003").grade_event_at == datetime.datetime(2026, 11, 20, 8, 30, tzinfo=datetime.UTC)


def test_an_older_report_does_not_overwrite_a_newer_event(module, teachers, tmp_path):
    user = teachers["gv0003"].user
    newer = REPORT_AT + datetime.timedelta(hours=2)
    grade_event(user, 0.4, None, newer)
    passing_event(user, False, newer)
    out, _err = run("--csv", str(write_report(tmp_path, [("gv0003", "0.9", "verified", "Y")])))
    stored = result("gv0003")
    assert "unchanged: 0" in out and "updated: 1" in out  # only the first pass is learnt from the report
    assert stored.percent == Decimal("0.4") and stored.passed is False and stored.last_event_at == newer
    assert stored.passed_on == datetime.date(2026, 11, 20)


def test_a_newer_report_corrects_older_events_and_late_events_stay_out(module, teachers, tmp_path):
    user = teachers["gv0003"].user
    older = REPORT_AT - datetime.timedelta(days=3)
    grade_event(user, 0.4, None, older)
    passing_event(user, False, older)
    run("--csv", str(write_report(tmp_path, [("gv0003", "0.9", "verified", "Y")])))
    stored = result("gv0003")
    assert stored.percent == Decimal("0.9") and stored.passed is True and stored.last_event_at == REPORT_AT
    # An event sent before the report was made, delivered after the backfill, changes nothing.
    grade_event(user, 0.5, None, REPORT_AT - datetime.timedelta(hours=1))
    passing_event(user, False, REPORT_AT - datetime.timedelta(hours=1))
    assert result("gv0003").percent == Decimal("0.9") and result("gv0003").passed is True
    # A newer one does.
    passing_event(user, False, REPORT_AT + datetime.timedelta(hours=1))
    assert result("gv0003").passed is False and result("gv0003").passed_on == datetime.date(2026, 11, 20)


def test_a_report_confirming_what_events_said_leaves_the_row_alone(module, teachers, tmp_path):
    user = teachers["gv0003"].user
    older = REPORT_AT - datetime.timedelta(days=3)
    grade_event(user, 0.9, older, older)
    passing_event(user, True, older)
    before = result("gv0003")
    out, _err = run("--csv", str(write_report(tmp_path, [("gv0003", "0.9", "verified", "Y")])))
    assert "unchanged: 1" in out
    after = result("gv0003")
    assert (after.modified, after.grade_event_at, after.passed_on) == (before.modified, older, older.date())


def test_progress_bar_is_drawn_on_request(module, teachers):
    _out, err = run("--csv", str(SAMPLE), "--progress")
    assert "\r[" in err and "] 11/11" in err and err.endswith("\n")
    _out, err = run("--csv", str(SAMPLE), "--no-progress")
    assert err == ""


def test_the_api_function_takes_a_user_id_or_a_username(module, teachers):
    user = teachers["gv0003"].user
    first = api.backfill_module_result(user.pk, COURSE, 0.8, None, REPORT_AT)
    assert first.status == "created" and first.result.percent == 0.8
    assert api.backfill_module_result("gv0003", COURSE, 0.8, None, REPORT_AT).status == "unchanged"
    assert api.backfill_module_result("nobody", COURSE, 0.8, None, REPORT_AT).status == "unknown_user"
    assert api.backfill_module_result("gv0004", COURSE, None, None, REPORT_AT).status == "unchanged"
    assert not ModuleResult.objects.filter(educator=teachers["gv0004"]).exists()  # nothing known, no row
    for bad in (
        lambda: api.backfill_module_result(True, COURSE, 0.8, None, REPORT_AT),
        lambda: api.backfill_module_result("gv0003", COURSE, 2, None, REPORT_AT),
        lambda: api.backfill_module_result("gv0003", COURSE, 0.8, "Y", REPORT_AT),
    ):
        with pytest.raises(api.InvalidInput):
            bad()


# -- The Grades API -------------------------------------------------------------------------------------------


class StandInLms:
    """The LMS's OAuth2 token endpoint and Grades API v1 course list, on 127.0.0.1."""

    def __init__(self, grades, lifetime=3600):
        self.grades = grades  # course key -> [{username, email, course_id, passed, percent, letter_grade}]
        self.lifetime = lifetime
        self.tokens = {}  # token -> expiry (server clock)
        self.token_requests = 0
        self.grade_requests = []  # paths asked for, in order
        self.fail_next = []  # statuses to answer the next grade requests with, once each
        self.next_base = None  # where the next-page links point, when not at this server
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path != "/oauth2/access_token":
                    return self.answer(404, {"detail": "Not found."})
                lms.token_requests += 1
                if form.get("grant_type") != "client_credentials" or form.get("token_type") != "jwt":
                    return self.answer(400, {"error": "unsupported_grant_type"})
                if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                    return self.answer(401, {"error": "invalid_client"})
                token = secrets.token_urlsafe(16)
                lms.tokens[token] = timezone.now() + datetime.timedelta(seconds=lms.lifetime)
                return self.answer(
                    200, {"access_token": token, "expires_in": lms.lifetime, "token_type": "JWT", "scope": "read write"}
                )

            def do_GET(self):  # noqa: N802
                url = urlsplit(self.path)
                lms.grade_requests.append(self.path)
                scheme, _, token = self.headers.get("Authorization", "").partition(" ")
                if scheme != "JWT" or lms.tokens.get(token, timezone.now()) <= timezone.now():
                    return self.answer(401, {"detail": "Error decoding token."})
                if lms.fail_next:
                    return self.answer(lms.fail_next.pop(0), {"detail": "busy"})
                prefix = "/api/grades/v1/courses/"
                course = url.path[len(prefix) :].rstrip("/") if url.path.startswith(prefix) else None
                if course not in lms.grades:
                    return self.answer(404, {"detail": "Not found."})
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                size, start = int(query.get("page_size", 10)), int(query.get("cursor", 0))
                everyone = lms.grades[course]
                following = None
                if start + size < len(everyone):
                    base = lms.next_base or f"http://127.0.0.1:{self.server.server_port}"
                    following = f"{base}{url.path}?" + urlencode({"cursor": start + size, "page_size": size})
                return self.answer(
                    200, {"next": following, "previous": None, "results": everyone[start : start + size]}
                )

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def expire_tokens(self):
        for token in self.tokens:
            self.tokens[token] = timezone.now() - datetime.timedelta(seconds=1)


def api_result(username, percent, passed, course=COURSE):
    return {
        "username": username,
        "email": f"{username}@example.invalid",
        "course_id": course,
        "passed": passed,
        "percent": percent,
        "letter_grade": "Pass" if passed else None,
    }


@pytest.fixture
def lms():
    grades = {
        COURSE: [
            api_result(f"gv{n:04d}", round(0.5 + n / 100, 2), n % 2 == 1) for n in (3, 4, 5, 6, 7, 8, 9, 10, 25, 26)
        ]
        + [api_result("hocvien.tudo", 0.3, False)]
    }
    stand_in = StandInLms(grades)
    stand_in.thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


def client(lms, **kwargs):
    kwargs.setdefault("sleep", lambda _delay: None)
    return GradesApiClient(lms.url, CLIENT_ID, CLIENT_SECRET, **kwargs)


def test_api_pages_are_followed_and_every_result_recorded(module, teachers, lms, settings):
    settings.TEMIS_GRADES_API_CLIENT_ID, settings.TEMIS_GRADES_API_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    out, err = run("--api", "--lms-url", lms.url + "/", "--course", COURSE, "--page-size", "4", "--progress")
    assert "created: 10" in out and "unknown user: 1" in out
    assert len(lms.grade_requests) == 3 and lms.token_requests == 1
    assert lms.grade_requests[0] == "/api/grades/v1/courses/course-v1:SoGD-Mau+GVPT09+2026/?page_size=4"
    assert "results read (3 pages)" in err and "] 11/11" in err
    assert CLIENT_SECRET not in out + err
    assert "pass status: passed 5, not passed 5, unknown 0" in out  # the API tells the pass in every track
    assert "\thocvien.tudo\thocvien.tudo@example.invalid\tunknown user" in out
    stored = result("gv0003")
    assert stored.percent == Decimal("0.53") and stored.passed is True
    assert abs(stored.grade_event_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert result("gv0004").passed is False and result("gv0004").passing_event_at == stored.grade_event_at


def test_api_backfill_run_again_changes_nothing(module, teachers, lms):
    backfill_from_api(client(lms), [COURSE])
    before = {r.pk: (r.modified, r.last_event_at, r.grade_event_at) for r in ModuleResult.objects.all()}
    summary = backfill_from_api(client(lms), [COURSE])
    assert summary.counts == {"unchanged": 10, "unknown_user": 1}
    assert {r.pk: (r.modified, r.last_event_at, r.grade_event_at) for r in ModuleResult.objects.all()} == before


def test_api_snapshot_keeps_events_newer_than_itself(module, teachers, lms):
    user = teachers["gv0003"].user
    later = timezone.now() + datetime.timedelta(minutes=5)  # an event the LMS sent after the API was read
    grade_event(user, 0.2, None, later)
    passing_event(user, False, later)
    backfill_from_api(client(lms), [COURSE])
    stored = result("gv0003")
    assert stored.percent == Decimal("0.2") and stored.passed is False


def test_a_503_is_tried_again_with_back_off(module, teachers, lms):
    lms.fail_next = [503, 502]
    delays = []
    summary = backfill_from_api(client(lms, sleep=delays.append), [COURSE])
    assert summary.counts["created"] == 10 and delays == [0.5, 1.0]


def test_the_lms_staying_down_fails_after_the_last_attempt(module, teachers, lms):
    lms.fail_next = [503] * 4
    with pytest.raises(GradesApiError, match="503"):
        backfill_from_api(client(lms), [COURSE])
    assert not ModuleResult.objects.exists()


def test_an_expired_token_is_renewed_once_on_401(module, teachers, lms):
    api_client = client(lms)
    pages = api_client.course_grade_pages(COURSE, page_size=4)
    next(pages)
    lms.expire_tokens()  # the LMS stops taking the token before its stated lifetime
    assert len(list(pages)) == 2
    assert lms.token_requests == 2
    assert sum(1 for _ in lms.grade_requests) == 4  # page 2 asked twice: refused, then with the new token


def test_a_token_is_renewed_before_it_expires(module, teachers, lms):
    now = [1000.0]
    api_client = client(lms, clock=lambda: now[0])
    pages = api_client.course_grade_pages(COURSE, page_size=4)
    next(pages)
    now[0] += 3600 - 10  # within the margin before the token's expiry
    assert len(list(pages)) == 2
    assert lms.token_requests == 2 and len(lms.grade_requests) == 3  # no 401 on the way


def test_a_token_refused_twice_is_an_error(module, teachers, lms):
    lms.lifetime = 0  # the stand-in issues tokens already expired
    with pytest.raises(GradesApiError, match="401"):
        backfill_from_api(client(lms), [COURSE])
    assert lms.token_requests == 2 and not ModuleResult.objects.exists()


def test_wrong_client_credentials_are_refused_without_showing_the_secret(module, teachers, lms, settings):
    settings.TEMIS_GRADES_API_CLIENT_ID, settings.TEMIS_GRADES_API_CLIENT_SECRET = CLIENT_ID, "wrong-secret"
    with pytest.raises(CommandError) as refused:
        run("--api", "--lms-url", lms.url, "--course", COURSE)
    assert "credentials (401)" in str(refused.value) and "wrong-secret" not in str(refused.value)
    assert "wrong-secret" not in repr(GradesApiClient(lms.url, CLIENT_ID, "wrong-secret"))
    with pytest.raises(CommandError, match="client id and a client secret"):
        settings.TEMIS_GRADES_API_CLIENT_SECRET = ""
        run("--api", "--lms-url", lms.url, "--course", COURSE)


def test_a_malformed_result_on_a_later_page_writes_nothing(module, teachers, lms):
    lms.grades[COURSE][9] = {**lms.grades[COURSE][9], "percent": "0.7"}
    lms.grades[COURSE][10] = {**lms.grades[COURSE][10], "passed": None}
    with pytest.raises(BackfillError) as refused:
        backfill_from_api(client(lms), [COURSE], page_size=4)
    assert [(p.where, p.column) for p in refused.value.problems] == [
        ("page 3, result 2", "percent"),
        ("page 3, result 3", "passed"),
    ]
    assert not ModuleResult.objects.exists()


def test_several_courses_in_one_run(module, teachers, lms):
    other = "course-v1:SoGD-Mau+GVPT09+2027"
    CourseModule.objects.create(course_key=other, module=module)
    lms.grades[other] = [api_result("gv0003", 0.95, True, course=other)]
    out, _err = run(
        "--api",
        "--lms-url",
        lms.url,
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--course",
        COURSE,
        "--course",
        other,
    )
    assert "created: 11" in out and "unknown user: 1" in out
    assert [r.course_key for r in api.list_module_results(teachers["gv0003"].user)] == [COURSE, other]


def test_an_unmapped_course_among_several_is_an_error_before_anything_is_read(module, teachers, lms):
    with pytest.raises(CommandError, match="1 problem"):
        run(
            "--api",
            "--lms-url",
            lms.url,
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--course",
            COURSE,
            "--course",
            "course-v1:Khac+X+2026",
        )
    assert lms.grade_requests == [] and not ModuleResult.objects.exists()


def test_a_failure_on_a_later_course_writes_nothing_for_the_earlier_ones(module, teachers, lms, monkeypatch):
    # The courses are written in one transaction: a database error on the second undoes the first.
    other = "course-v1:SoGD-Mau+GVPT09+2027"
    CourseModule.objects.create(course_key=other, module=module)
    lms.grades[other] = [api_result("gv0003", 0.95, True, course=other)]
    real = api.backfill_course_results

    def failing_on(course_key, *args, **kwargs):
        outcomes = real(course_key, *args, **kwargs)
        if course_key == other:
            raise RuntimeError("the database went away")
        return outcomes

    monkeypatch.setattr(api, "backfill_course_results", failing_on)
    with pytest.raises(RuntimeError):
        backfill_from_api(client(lms), [COURSE, other])
    assert not ModuleResult.objects.exists()


def test_a_course_the_lms_does_not_know_is_an_error(module, teachers, lms):
    lms.grades.clear()
    with pytest.raises(GradesApiError, match="404"):
        backfill_from_api(client(lms), [COURSE])


def test_next_links_to_another_site_are_not_followed(module, teachers, lms):
    lms.next_base = "http://elsewhere.invalid"
    with pytest.raises(GradesApiError, match="another site"):
        backfill_from_api(client(lms), [COURSE], page_size=4)
    assert len(lms.grade_requests) == 1 and not ModuleResult.objects.exists()


def test_the_lms_out_of_reach_is_tried_again_then_reported(module, teachers):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    delays = []
    with pytest.raises(GradesApiError, match="could not be reached"):
        backfill_from_api(
            GradesApiClient(f"http://127.0.0.1:{port}", CLIENT_ID, CLIENT_SECRET, sleep=delays.append), [COURSE]
        )
    assert delays == [0.5, 1.0, 2.0]


def test_command_options_are_checked(module):
    for args, message in [
        (("--api", "--course", COURSE), "--lms-url"),
        (("--api", "--lms-url", "http://lms"), "--course"),
        (("--csv", "x.csv", "--course", COURSE, "--course", COURSE), "once"),
        (("--csv", "x.csv", "--lms-url", "http://lms"), "--api"),
        (("--csv", "nowhere/" + REPORT_NAME), "no such file"),
    ]:
        with pytest.raises(CommandError, match=message):
            run(*args)


# -- Pass status in reports and the TEMIS export, on every path ---------------------------------------------


def _module_report(school):
    from temis_plugin.models import Cycle
    from temis_plugin.reports.registry import build_report
    from temis_plugin.reports.scope import scope_of
    from temis_plugin.reports.temis_export import build_temis_export

    cycle = Cycle.objects.get()
    cut_off = REPORT_AT + datetime.timedelta(days=1)
    (row,) = build_report("module_results", scope_of(school), cycle, cut_off=cut_off).table("modules").rows
    export = build_temis_export("BDTX-ket-qua-mo-dun", scope_of(school), cycle, cut_off=cut_off)
    results = Counter(cells[8] for cells in export.tables[0].iter_rows())
    return dict(zip(("educators", "passed", "not_passed", "unknown", "pass_rate"), row[3:8])), results, export


def test_honor_learners_with_passing_grades_are_not_exported_as_not_passed(module, school_tree, cycle, tmp_path):
    # The field report: 39 honor learners with passing grades went to TEMIS as "Chưa đạt" and the
    # module report said 0% passed.
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"hv{n:03d}", email=f"hv{n:03d}@example.invalid") for n in range(39)]
    )
    users = get_user_model().objects.filter(username__startswith="hv").order_by("username")
    EducatorProfile.objects.bulk_create(
        [
            EducatorProfile(
                user=user,
                national_id=f"HV{n:08d}",
                full_name=f"Học viên {n}",
                school=school_tree["S1"],
                position="teacher",
                school_level="TH",
            )
            for n, user in enumerate(users)
        ]
    )
    path = write_report(tmp_path, [(f"hv{n:03d}", str(0.7 + n / 200), "honor", "N") for n in range(39)])
    backfill_report(path)
    counts, results, export = _module_report(school_tree["S1"])
    assert counts == {"educators": 39, "passed": 0, "not_passed": 0, "unknown": 39, "pass_rate": None}
    assert results == {"Chưa xác định": 39} and "39 of 39 results have an unknown pass status" in export.tables[0].note
    CourseModule.objects.filter(course_key=COURSE).update(pass_mark=Decimal("0.7"))
    backfill_report(path)
    counts, results, export = _module_report(school_tree["S1"])
    assert counts == {"educators": 39, "passed": 39, "not_passed": 0, "unknown": 0, "pass_rate": 100}
    assert results == {"Đạt": 39} and export.tables[0].note == "" and not export.problems


def test_reports_count_unknown_apart_on_every_path(module, teachers, school_tree, cycle, tmp_path, lms):
    # Events: gv0003 passed, gv0004 not passed. Grades API: gv0005 passed, gv0006 not (honor learners,
    # the API tells). Grade report: gv0007 (honor) unknown, gv0008 (verified, N) not passed.
    grade_event(teachers["gv0003"].user, 0.9, REPORT_AT, REPORT_AT)
    passing_event(teachers["gv0003"].user, True, REPORT_AT)
    grade_event(teachers["gv0004"].user, 0.2, None, REPORT_AT)
    passing_event(teachers["gv0004"].user, False, REPORT_AT)
    lms.grades[COURSE] = [api_result("gv0005", 0.8, True), api_result("gv0006", 0.3, False)]
    backfill_from_api(client(lms), [COURSE])
    ModuleResult.objects.filter(educator__user__username__in=["gv0005", "gv0006"]).update(
        last_event_at=REPORT_AT, grade_event_at=REPORT_AT, passing_event_at=REPORT_AT
    )  # inside the cut-off
    ModuleResult.objects.filter(educator__user__username="gv0005").update(passed_on=REPORT_AT.date())
    backfill_report(write_report(tmp_path, [("gv0007", "0.95", "honor", "Y"), ("gv0008", "0.6", "verified", "N")]))
    counts, results, _export = _module_report(school_tree["S1"])
    assert counts == {"educators": 6, "passed": 2, "not_passed": 3, "unknown": 1, "pass_rate": 40}
    assert results == {"Đạt": 2, "Chưa đạt": 3, "Chưa xác định": 1}
