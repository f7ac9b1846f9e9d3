"""Mentoring through the plugin API: support activities, their history and export, the mentor's overview."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from temis_plugin import api
from temis_plugin.errors import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from temis_plugin.models import (
    AuditEntry,
    CourseModule,
    Evaluation,
    MentorGroup,
    ModuleResult,
    RoleAssignment,
    SupportActivity,
    TrainingModule,
)
from temis_plugin.retirement import retire_user

DAY = datetime.date(2026, 10, 5)


@pytest.fixture
def groups(cycle, people):
    """t2 mentors t1 (same subject group) and t3 (another one); the teacher of S2 mentors nobody of theirs."""
    g1 = MentorGroup.objects.create(cycle=cycle, code="G1", mentor=people["t2"])
    g1.memberships.create(mentee=people["t1"])
    g1.memberships.create(mentee=people["t3"])
    g2 = MentorGroup.objects.create(cycle=cycle, code="G2", mentor=people["other"])
    return {"G1": g1, "G2": g2}


def log(people, **overrides):
    values = {
        "date": DAY,
        "duration_minutes": 45,
        "form": "in_person",
        "topic": "Dạy học phân hoá",
        "criteria": [3, "4"],
        "mentee_ids": [people["t1"].pk, people["t3"].pk],
        "notes": "Dự giờ tiết 2",
        "next_steps": "Thử phiếu học tập",
    }
    values.update(overrides)
    group = values.pop("group", "G1")
    user = values.pop("user", people["t2"].user)
    return api.log_support_activity(user, group, **values)


def test_mentor_logs_an_activity_and_reads_it_back(groups, people):
    activity = log(people)
    assert activity.criteria == [3, 4] and activity.version == 1 and activity.group_code == "G1"
    assert [m.id for m in activity.mentees] == sorted([people["t1"].pk, people["t3"].pk], key=lambda pk: f"Người t{pk}")
    assert {m.full_name for m in activity.mentees} == {"Người t1", "Người t3"}
    listed = api.list_support_activities(people["t2"].user)
    assert [a.id for a in listed] == [activity.id]
    assert api.list_support_activities(people["other"].user) == []


@pytest.mark.parametrize("actor", ["t1", "t3", "other", "principal"])
def test_only_the_groups_mentor_logs_reads_and_edits(groups, people, actor):
    activity = log(people)
    user = people[actor].user
    with pytest.raises(NotFound):
        log(people, user=user)
    with pytest.raises(NotFound):
        api.get_support_activity(user, activity.id)
    with pytest.raises(NotFound):
        api.update_support_activity(user, activity.id, 1, notes="x")
    with pytest.raises(NotFound):
        api.support_activity_history(user, activity.id)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"criteria": [16]}, "criteria"),  # TT20 has 15 criteria
        ({"criteria": ["một"]}, "criteria"),
        ({"criteria": "3"}, "criteria"),
        ({"mentee_ids": []}, "mentee_ids"),
        ({"form": "by_pigeon"}, "form"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"duration_minutes": "45"}, "duration_minutes"),
        ({"topic": "   "}, "topic"),
        ({"topic": "x" * 256}, "topic"),
        ({"date": datetime.date(2027, 6, 1)}, "date"),  # after the cycle
        ({"date": "5/10/2026"}, "date"),
        ({"notes": 5}, "notes"),
    ],
)
def test_invalid_input_names_the_field(groups, people, overrides, field):
    with pytest.raises(InvalidInput) as error:
        log(people, **overrides)
    assert error.value.field == field
    assert SupportActivity.objects.count() == 0


def test_mentees_must_be_members_of_the_group(groups, people):
    with pytest.raises(InvalidInput, match="not members") as error:
        log(people, mentee_ids=[people["t1"].pk, people["t2"].pk])
    assert error.value.field == "mentee_ids"


def test_edits_are_versioned_and_audited(groups, people):
    mentor = people["t2"].user
    activity = log(people)
    edited = api.update_support_activity(
        mentor, activity.id, activity.version, notes="Dự giờ tiết 3", mentee_ids=[people["t1"].pk], duration_minutes=60
    )
    assert (
        edited.version == 2 and edited.notes == "Dự giờ tiết 3" and [m.id for m in edited.mentees] == [people["t1"].pk]
    )
    with pytest.raises(ConcurrentEdit) as conflict:
        api.update_support_activity(mentor, activity.id, activity.version, notes="stale")
    assert conflict.value.current_version == 2 and "support activity" in str(conflict.value)
    unchanged = api.update_support_activity(mentor, activity.id, 2, notes="Dự giờ tiết 3")
    assert unchanged.version == 2  # nothing changed: no new version, no history entry
    with pytest.raises(InvalidInput, match="cannot be changed"):
        api.update_support_activity(mentor, activity.id, 2, mentor_id=people["t3"].pk)
    with pytest.raises(InvalidInput):
        api.update_support_activity(mentor, activity.id, 2, criteria=[0])
    history = api.support_activity_history(mentor, activity.id)
    assert [h.action for h in history] == ["log_support_activity", "edit_support_activity"]
    assert history[0].before is None and history[0].after["notes"] == "Dự giờ tiết 2"
    assert history[1].actor == "t2"
    assert history[1].before == {
        "duration_minutes": 45,
        "notes": "Dự giờ tiết 2",
        "mentee_ids": sorted([people["t1"].pk, people["t3"].pk]),
    }
    assert history[1].after == {"duration_minutes": 60, "notes": "Dự giờ tiết 3", "mentee_ids": [people["t1"].pk]}
    # The history is the evaluation audit trail's table, with no evaluation.
    assert AuditEntry.objects.filter(evaluation__isnull=True, target=f"support_activity:{activity.id}").count() == 2


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_export_csv_and_xlsx_read_back(groups, people, english):
    log(people, topic='=HYPERLINK("http://x")', form="subject_group_meeting")
    log(people, date=DAY + datetime.timedelta(days=7), mentee_ids=[people["t1"].pk], notes="Ghi chú, có dấu phẩy")
    mentor = people["t2"].user

    raw = api.export_support_activities(mentor, "csv")
    assert raw.startswith("\ufeff".encode())  # a BOM, so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Date", "Group", "Duration (minutes)"] and len(rows) == 3
    assert rows[1][0] == "2026-10-12" and rows[1][7] == "Ghi chú, có dấu phẩy" and rows[1][6] == "Người t1"
    assert rows[2][3] == "Subject-group meeting" and rows[2][4].startswith("'=")  # never a formula
    assert rows[2][5] == "3, 4"

    book = load_workbook(io.BytesIO(api.export_support_activities(mentor, "xlsx")))
    sheet = book.active
    assert sheet.freeze_panes == "A2" and all(cell.font.bold for cell in sheet[1])
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Date" and len(values) == 3
    assert values[1][0].date() == datetime.date(2026, 10, 12) and values[1][2] == 45
    assert values[2][4] == '\'=HYPERLINK("http://x")' and sheet.cell(3, 5).data_type == "s"
    with pytest.raises(InvalidInput):
        api.export_support_activities(mentor, "pdf")
    assert api.export_support_activities(people["other"].user, "csv").decode("utf-8-sig").count("\n") == 1


def test_export_headers_follow_the_language(groups, people):
    from django.utils import translation

    log(people)
    with translation.override("vi"):
        rows = list(
            csv.reader(io.StringIO(api.export_support_activities(people["t2"].user, "csv").decode("utf-8-sig")))
        )
    assert rows[0][0] == "Ngày" and rows[1][3] == "Trực tiếp"


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)


def test_overview_dates_and_alerts(groups, people, cycle):
    cycle.self_assessment_closes_on = datetime.date(2026, 12, 15)
    cycle.save()
    mentor = people["t2"].user
    t1_eval = api.get_or_create_evaluation(people["t1"].user)
    Evaluation.objects.filter(pk=t1_eval.id).update(modified=_at(datetime.date(2026, 11, 1)))
    module = TrainingModule.objects.create(code="GVPT-01", name_vi="Mô đun 1", audience="teacher")
    CourseModule.objects.create(course_key="course-v1:SoGD+M01+2026", module=module)
    ModuleResult.objects.create(
        educator=people["t1"],
        module=module,
        course_key="course-v1:SoGD+M01+2026",
        percent=Decimal("0.8"),
        passed=True,
        last_event_at=_at(datetime.date(2026, 11, 10)),
    )
    log(people, date=datetime.date(2026, 11, 12), mentee_ids=[people["t3"].pk])

    overview = {
        o.educator.full_name: o
        for o in api.mentee_overview(mentor, inactive_days=14, due_days=30, today=datetime.date(2026, 11, 22))
    }
    t1, t3 = overview["Người t1"], overview["Người t3"]
    assert t1.last_activity == datetime.date(2026, 11, 10)  # the module result is newer than the evaluation
    assert t1.module_results[0].module.code == "GVPT-01" and t1.module_results[0].passed
    assert t1.evaluation_state == "draft" and t1.self_assessment_due  # closes in 23 days, not submitted
    assert not t1.inactive and t1.same_subject_group and not t3.same_subject_group
    assert t3.last_activity == datetime.date(2026, 11, 12) and t3.evaluation_id is None
    assert not t3.inactive and t3.self_assessment_due

    later = {
        o.educator.full_name: o
        for o in api.mentee_overview(mentor, inactive_days=15, due_days=7, today=datetime.date(2026, 11, 26))
    }
    assert later["Người t1"].inactive and not later["Người t3"].inactive  # 16 and 14 days without activity
    assert not later["Người t1"].self_assessment_due  # 19 days left, 7 asked

    # Submitting clears the alert; the submission is also activity.
    evaluation = api.save_self_assessment(
        people["t1"].user, t1_eval.id, t1_eval.version, levels={n: "K" for n in range(1, 16)}
    )
    api.submit_self_assessment(people["t1"].user, evaluation.id, evaluation.version)
    t1_now = next(o for o in api.mentee_overview(mentor, due_days=30) if o.educator.full_name == "Người t1")
    assert not t1_now.self_assessment_due and t1_now.self_levels[1] == "K" and t1_now.submitted_at
    assert api.mentee_overview(people["t1"].user) == []  # t1 mentors nobody
    with pytest.raises(InvalidInput):
        api.mentee_overview(mentor, inactive_days=-1)


def test_without_activity_inactivity_counts_from_the_cycle_start(groups, people, cycle):
    mentor = people["t2"].user
    early = api.mentee_overview(mentor, today=cycle.starts_on + datetime.timedelta(days=13))
    assert not any(o.inactive for o in early)
    late = api.mentee_overview(mentor, today=cycle.starts_on + datetime.timedelta(days=14))
    assert all(o.inactive and o.last_activity is None for o in late)


def test_subject_group_head_sees_opinions_per_teacher(groups, people, school_tree):
    t1 = people["t1"].user
    evaluation = api.save_self_assessment(
        t1, api.get_or_create_evaluation(t1).id, 1, levels={n: "K" for n in range(1, 16)}
    )
    api.submit_self_assessment(t1, evaluation.id, evaluation.version)
    api.add_colleague_opinion(people["t2"].user, evaluation.id, {n: "T" for n in range(1, 16)})
    head = people["t2"].user
    with pytest.raises(NotAllowed):
        api.subject_group_opinions(head)
    assert not api.heads_subject_group(head)
    RoleAssignment.objects.create(user=head, role="subject_group_head", unit=school_tree["S1-TOAN"])
    rows = api.subject_group_opinions(head)
    assert [r.educator.full_name for r in rows] == ["Người t1"]  # the group's teachers but the head
    assert rows[0].summary.count == 1 and rows[0].summary.per_rating == {"TOT": 1}
    assert [o.rating for o in api.list_opinions(head, evaluation.id)] == ["TOT"]
    # The role on another subject group gives nothing on this one.
    other = people["t3"].user
    RoleAssignment.objects.create(user=other, role="subject_group_head", unit=school_tree["S1-VAN"])
    assert api.subject_group_opinions(other) == []
    with pytest.raises(NotFound):
        api.summarize_opinions(people["other"].user, evaluation.id)


def test_own_opinion_for_revision(groups, people):
    t1 = people["t1"].user
    evaluation = api.save_self_assessment(
        t1, api.get_or_create_evaluation(t1).id, 1, levels={n: "K" for n in range(1, 16)}
    )
    api.submit_self_assessment(t1, evaluation.id, evaluation.version)
    assert api.own_opinion(people["t2"].user, evaluation.id) is None
    api.add_colleague_opinion(people["t2"].user, evaluation.id, {n: "D" for n in range(1, 16)}, strengths="Chăm")
    assert api.own_opinion(people["t2"].user, evaluation.id).strengths == "Chăm"
    with pytest.raises(NotFound):
        api.own_opinion(people["other"].user, evaluation.id)


def test_retiring_the_mentor_blanks_text_and_keeps_hours(groups, people):
    activity = log(people)
    api.update_support_activity(people["t2"].user, activity.id, 1, notes="Riêng tư")
    retire_user(people["t2"].user)
    row = SupportActivity.objects.get()
    assert (row.topic, row.notes, row.next_steps) == ("", "", "")
    assert row.duration_minutes == 45 and row.criteria == [3, 4] and row.mentees.count() == 2
    entries = AuditEntry.objects.filter(target=f"support_activity:{activity.id}")
    assert entries.count() == 2 and all(e.before is None and e.after is None for e in entries)


def test_retiring_a_mentee_keeps_the_attendance(groups, people):
    log(people)
    retire_user(people["t3"].user)
    row = SupportActivity.objects.get()
    assert row.notes and row.mentees.count() == 2


def test_admin_shows_activities_read_only(groups, people, client, make_user):
    activity = log(people)
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    assert client.get("/admin/temis_plugin/supportactivity/").status_code == 200
    page = client.get(f"/admin/temis_plugin/supportactivity/{activity.id}/change/")
    assert page.status_code == 200 and "Dạy học phân hoá" in page.content.decode()
    assert 'type="submit"' not in page.content.decode().split('id="supportactivity_form"')[-1]
