"""Training-module results from real openedx-events: replays, duplicates and late events change nothing."""

import datetime
import logging
import threading
from decimal import Decimal

import pytest
from django.db import connection
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
from temis_plugin.admin import CourseModuleForm
from temis_plugin.errors import InvalidInput
from temis_plugin.models import CourseModule, ModuleResult, TrainingModule
from temis_plugin.retirement import retire_user

COURSE = "course-v1:SoGD+BDTX-GV01+2026"
UTC = datetime.UTC
T0 = datetime.datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def at(days=0, hours=0):
    return T0 + datetime.timedelta(days=days, hours=hours)


@pytest.fixture
def module(db):
    module = TrainingModule.objects.create(
        code="GVPT-01",
        name_vi="Mô đun 1",
        name_en="Module 1",
        audience="teacher",
        hours=40,
        legal_basis="Thông tư 17/2019/TT-BGDĐT",
        criteria=[3, 4],
    )
    CourseModule.objects.create(course_key=COURSE, module=module)
    return module


def _course(course_key):
    return CourseData(course_key=CourseKey.from_string(course_key), display_name="Mô đun")


def passing(user, is_passing, time, course=COURSE):
    """Send COURSE_PASSING_STATUS_UPDATED as the LMS does; a receiver error fails the test."""
    COURSE_PASSING_STATUS_UPDATED.send_event(
        send_robust=False,
        time=time,
        course_passing_status=CoursePassingStatusData(
            is_passing=is_passing,
            course=_course(course),
            user=UserData(
                id=user.pk,
                is_active=True,
                pii=UserPersonalData(username=user.username, email=user.email, name="Người học"),
            ),
        ),
    )


def grade(user, percent, passed_at, time, course=COURSE):
    """Send PERSISTENT_GRADE_SUMMARY_CHANGED as the LMS does; a receiver error fails the test."""
    PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(
        send_robust=False,
        time=time,
        grade=PersistentCourseGradeData(
            user_id=user.pk,
            course=_course(course),
            course_edited_timestamp=T0,
            course_version="v1",
            grading_policy_hash="hash",
            percent_grade=percent,
            letter_grade="Pass" if passed_at else "",
            passed_timestamp=passed_at,
        ),
    )


def result():
    return ModuleResult.objects.get()


def test_receivers_are_connected_by_app_loading():
    # No connect() here: TemisPluginConfig.ready() imported temis_plugin.signals.
    for signal, uid in (
        (COURSE_PASSING_STATUS_UPDATED, "temis_plugin.course_passing_status"),
        (PERSISTENT_GRADE_SUMMARY_CHANGED, "temis_plugin.persistent_grade"),
    ):
        assert [key for (key, _sender), *_rest in signal.receivers if key == uid], signal.event_type


def test_a_pass_is_recorded(module, people):
    user = people["t1"].user
    grade(user, 0.85, at(), at())
    passing(user, True, at(hours=1))
    [found] = api.list_module_results(user)
    assert found.module.code == "GVPT-01" and found.module.hours == 40
    assert found.module.legal_basis == "Thông tư 17/2019/TT-BGDĐT"
    assert found.course_key == COURSE and found.percent == 0.85 and found.passed is True
    assert found.passed_on == datetime.date(2026, 10, 1) and found.last_event_at == at(hours=1)
    assert api.list_module_results(people["t2"].user) == []


def test_duplicate_event_changes_nothing(module, people):
    user = people["t1"].user
    grade(user, 0.8, None, at())
    modified = result().modified
    grade(user, 0.8, None, at())
    grade(user, 0.3, None, at())  # same time, other content: a replay of an event already applied
    passing(user, False, at())
    passing(user, False, at())
    stored = result()
    assert stored.percent == Decimal("0.8") and stored.grade_event_at == at()
    assert stored.passed is False and stored.passing_event_at == at()
    assert ModuleResult.objects.count() == 1
    grade(user, 0.8, None, at())
    assert result().modified == stored.modified and stored.modified >= modified


def test_older_event_after_newer_does_not_overwrite(module, people):
    user = people["t1"].user
    grade(user, 0.9, at(days=-5), at(days=2))
    passing(user, False, at(days=2))
    grade(user, 0.4, None, at(days=1))
    passing(user, True, at(days=1))
    stored = result()
    assert stored.percent == Decimal("0.9") and stored.passed is False
    assert stored.grade_event_at == at(days=2) and stored.passing_event_at == at(days=2)
    assert stored.last_event_at == at(days=2)
    # The late events do not undo anything; the first pass stays the earliest one known.
    assert stored.passed_on == datetime.date(2026, 9, 26)


def test_unmapped_course_is_ignored_quietly_without_personal_data_in_logs(module, people, caplog):
    user = people["t1"].user
    with caplog.at_level(logging.DEBUG, logger="temis_plugin"):
        passing(user, True, at(), course="course-v1:Other+X+2026")
        grade(user, 1.0, at(), at(), course="course-v1:Other+X+2026")
    assert not ModuleResult.objects.exists()
    assert "course-v1:Other+X+2026" in caplog.text
    assert user.username not in caplog.text and user.email not in caplog.text and "Người" not in caplog.text


def test_user_without_educator_profile_is_ignored(module, make_user, caplog):
    learner = make_user("learner")
    with caplog.at_level(logging.DEBUG, logger="temis_plugin"):
        passing(learner, True, at())
        grade(learner, 1.0, at(), at())
    assert not ModuleResult.objects.exists()
    assert str(learner.pk) in caplog.text and "learner" not in caplog.text


@pytest.mark.parametrize("grade_first", [True, False])
def test_grade_and_passing_status_in_either_order(module, people, grade_first):
    user = people["t1"].user
    events = [lambda: grade(user, 0.75, at(), at()), lambda: passing(user, True, at(hours=1))]
    for send in events if grade_first else reversed(events):
        send()
    stored = result()
    assert stored.percent == Decimal("0.75") and stored.passed is True
    assert stored.passed_on == datetime.date(2026, 10, 1) and stored.last_event_at == at(hours=1)


@pytest.mark.parametrize("grade_first", [True, False])
def test_passing_status_owns_passed_whatever_the_order(module, people, grade_first):
    # The grade keeps the first pass time forever; a later regrade that fails the learner says so
    # through the passing status, which wins over the grade's timestamp in either order.
    user = people["t1"].user
    events = [lambda: grade(user, 0.4, at(days=-3), at(days=2)), lambda: passing(user, False, at(days=1))]
    for send in events if grade_first else reversed(events):
        send()
    stored = result()
    assert stored.passed is False and stored.percent == Decimal("0.4")
    assert stored.passed_on == datetime.date(2026, 9, 28)


def test_grade_alone_marks_a_pass_until_a_passing_status_arrives(module, people):
    user = people["t1"].user
    grade(user, 0.7, at(), at())
    assert result().passed is True and result().passed_on == datetime.date(2026, 10, 1)
    grade(user, 0.4, None, at(days=1))
    assert result().passed is False


def test_passed_on_keeps_the_first_pass_date(module, people):
    user = people["t1"].user
    passing(user, True, at())
    passing(user, False, at(days=3))
    passing(user, True, at(days=9))
    grade(user, 0.9, at(days=9), at(days=9))
    stored = result()
    assert stored.passed is True and stored.passed_on == datetime.date(2026, 10, 1)


def test_pass_date_is_counted_in_vietnam_time(module, people):
    passing(people["t1"].user, True, datetime.datetime(2026, 10, 1, 18, 30, tzinfo=UTC))  # 01:30 on 2 October
    assert result().passed_on == datetime.date(2026, 10, 2)


def test_results_are_per_course_run_of_a_module(module, people):
    CourseModule.objects.create(course_key="course-v1:SoGD+BDTX-GV01+2027", module=module)
    user = people["t1"].user
    passing(user, True, at())
    grade(user, 0.5, None, at(), course="course-v1:SoGD+BDTX-GV01+2027")
    assert [(r.course_key, r.passed) for r in api.list_module_results(user)] == [
        (COURSE, True),
        ("course-v1:SoGD+BDTX-GV01+2027", False),
    ]


def test_results_are_kept_when_an_educator_retires_and_later_events_are_ignored(module, people):
    user = people["t1"].user
    passing(user, True, at())
    retire_user(user)
    passing(user, False, at(days=1))
    stored = result()
    assert stored.passed is True and stored.educator.full_name == "" and stored.educator.retired_at is not None


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda u: api.record_persistent_grade(u.pk, COURSE, 1.5, None, T0), "0 to 1"),
        (lambda u: api.record_persistent_grade(u.pk, COURSE, float("nan"), None, T0), "0 to 1"),
        (lambda u: api.record_persistent_grade(u.pk, COURSE, 1e300, None, T0), "0 to 1"),
        (lambda u: api.record_persistent_grade(u.pk, COURSE, True, None, T0), "0 to 1"),
        (lambda u: api.record_persistent_grade(u.pk, "not a course", 0.5, None, T0), "course key"),
        (lambda u: api.record_course_passing_status(u.pk, COURSE, "yes", T0), "true or false"),
        (lambda u: api.record_course_passing_status(u.pk, COURSE, True, "2026-10-01"), "date and time"),
    ],
)
def test_api_refuses_malformed_event_values(module, people, call, message):
    with pytest.raises(InvalidInput, match=message):
        call(people["t1"].user)
    assert not ModuleResult.objects.exists()


def test_naive_times_are_utc(module, people):
    user = people["t1"].user
    api.record_course_passing_status(user.pk, CourseKey.from_string(COURSE), True, datetime.datetime(2026, 10, 1, 20))
    assert result().passing_event_at == datetime.datetime(2026, 10, 1, 20, tzinfo=UTC)
    assert result().passed_on == datetime.date(2026, 10, 2)


def test_module_lookups(module):
    TrainingModule.objects.create(code="CBQL-01", name_vi="Mô đun QL 1", audience="principal")
    found = api.module_for_course(COURSE)
    assert found.code == "GVPT-01" and found.criteria == [3, 4] and found.name_en == "Module 1"
    assert api.module_for_course(CourseKey.from_string(COURSE)) == found
    assert api.module_for_course("course-v1:Other+X+2026") is None
    with pytest.raises(InvalidInput):
        api.module_for_course("not a course key")
    assert [m.code for m in api.list_training_modules()] == ["CBQL-01", "GVPT-01"]
    assert [m.code for m in api.list_training_modules("principal")] == ["CBQL-01"]
    with pytest.raises(InvalidInput):
        api.list_training_modules("parent")


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_keep_the_newest(module, people):
    user, workers = people["t1"].user, 6
    barrier, errors = threading.Barrier(workers), []

    def deliver(n):
        try:
            barrier.wait()
            grade(user, n / 10, None, at(hours=n))
            passing(user, n % 2 == 0, at(hours=n))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(1, workers + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = result()
    assert stored.percent == Decimal(workers) / 10 and stored.passed is (workers % 2 == 0)
    assert stored.last_event_at == at(hours=workers) and stored.passed_on == at(hours=2).date()


def test_row_inserted_by_another_delivery_is_read_again(module, people, monkeypatch):
    # Another delivery inserts the row between our read and our insert: the insert fails on the
    # unique constraint and the whole read-apply-write runs once more.
    inserts, original = [], ModuleResult.save

    def racing_save(self, *args, **kwargs):
        if self.pk is None and not inserts:
            inserts.append(self.course_key)
            ModuleResult.objects.bulk_create(
                [ModuleResult(educator=self.educator, module=self.module, course_key=self.course_key, last_event_at=T0)]
            )
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ModuleResult, "save", racing_save)
    passing(people["t1"].user, True, at(hours=1))
    assert inserts == [COURSE] and result().passed is True and result().passing_event_at == at(hours=1)


def test_course_mapping_form_checks_and_normalises_the_key(module):
    other = TrainingModule.objects.create(code="GVPT-02", name_vi="Mô đun 2", audience="teacher")
    form = CourseModuleForm(data={"course_key": "not a key", "module": other.pk})
    assert not form.is_valid() and "course_key" in form.errors
    form = CourseModuleForm(data={"course_key": COURSE, "module": other.pk})
    assert not form.is_valid() and "course_key" in form.errors  # one module per course
    form = CourseModuleForm(data={"course_key": "  course-v1:SoGD+BDTX-GV02+2026 ", "module": other.pk})
    assert form.is_valid(), form.errors
    assert form.save().course_key == "course-v1:SoGD+BDTX-GV02+2026"


def test_admin_pages(module, people, client, make_user):
    passing(people["t1"].user, True, at())
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    for model in ("coursemodule", "moduleresult", "surveyresponse"):
        assert client.get(f"/admin/temis_plugin/{model}/").status_code == 200, model
    mapping = CourseModule.objects.get()
    assert client.get(f"/admin/temis_plugin/coursemodule/{mapping.pk}/change/").status_code == 200
    assert client.get("/admin/temis_plugin/coursemodule/add/").status_code == 200
    page = client.get(f"/admin/temis_plugin/moduleresult/{result().pk}/change/")
    assert page.status_code == 200 and COURSE in page.content.decode()
    assert client.get("/admin/temis_plugin/moduleresult/add/").status_code == 403
    assert client.post(f"/admin/temis_plugin/moduleresult/{result().pk}/delete/").status_code == 403


def test_the_pass_mark_is_a_grade_from_0_to_1(module):
    other = TrainingModule.objects.create(code="GVPT-02", name_vi="Mô đun 2", audience="teacher")
    key = "course-v1:SoGD+BDTX-GV02+2026"
    for mark in ("1.5", "-0.1", "50"):
        form = CourseModuleForm(data={"course_key": key, "module": other.pk, "pass_mark": mark})
        assert not form.is_valid() and "pass_mark" in form.errors, mark
    form = CourseModuleForm(data={"course_key": key, "module": other.pk, "pass_mark": "0.5"})
    assert form.is_valid(), form.errors
    assert form.save().pass_mark == Decimal("0.5")
    form = CourseModuleForm(data={"course_key": "course-v1:SoGD+BDTX-GV03+2026", "module": other.pk})
    assert form.is_valid() and form.save().pass_mark is None  # optional


# -- Pass status: three values; the events always tell it ---------------------------------------------------


def test_events_tell_the_pass_exactly_whatever_the_pass_mark(module, people):
    CourseModule.objects.update(pass_mark=Decimal("0.5"))
    user = people["t1"].user
    grade(user, 0.9, None, at())  # the LMS's own grade summary: not passed (its cut-off, not our mark)
    assert result().passed is False
    passing(user, True, at(hours=1))
    assert result().passed is True
    grade(people["t2"].user, 0.2, at(), at())  # passed_timestamp set: passed, though under the mark
    assert ModuleResult.objects.get(educator=people["t2"]).passed is True
    assert not ModuleResult.objects.filter(passed__isnull=True).exists()


def test_an_unknown_pass_becomes_known_when_the_lms_tells_it(module, people):
    user = people["t1"].user
    outcome = api.backfill_module_result("t1", COURSE, 0.9, None, at())  # a report's honor learner, no mark
    assert outcome.status == "created" and outcome.passed is None and outcome.result.passed is None
    assert [r.passed for r in api.list_module_results(user)] == [None]
    passing(user, False, at(hours=1))
    assert result().passed is False and result().passed_on is None
    passing(user, True, at(hours=2))
    assert result().passed is True and result().passed_on == at().date()


def test_a_grade_event_says_not_passed_where_the_pass_was_unknown(module, people):
    api.backfill_module_result("t1", COURSE, 0.9, None, at())
    grade(people["t1"].user, 0.6, None, at(hours=1))
    assert result().passed is False and result().percent == Decimal("0.6")


def test_the_upgrade_turns_untold_not_passed_into_unknown(module, people):
    # Migration 0007: a "not passed" stored without a passing-status event was never told.
    from importlib import import_module

    from django.apps import apps

    untold = ModuleResult.objects.create(
        educator=people["t1"],
        module=module,
        course_key=COURSE,
        percent="0.9",
        passed=False,
        last_event_at=at(),
        grade_event_at=at(),
    )
    told = ModuleResult.objects.create(
        educator=people["t2"],
        module=module,
        course_key=COURSE,
        percent="0.3",
        passed=False,
        last_event_at=at(),
        passing_event_at=at(),
    )
    passed = ModuleResult.objects.create(
        educator=people["t3"],
        module=module,
        course_key=COURSE,
        percent="0.9",
        passed=True,
        passed_on=at().date(),
        last_event_at=at(),
    )
    migration = import_module("temis_plugin.migrations.0007_pass_status_and_pass_mark")
    migration.unknown_where_never_stated(apps, None)
    values = dict(ModuleResult.objects.values_list("pk", "passed"))
    assert values == {untold.pk: None, told.pk: False, passed.pk: True}
    migration.not_passed_where_unknown(apps, None)
    assert ModuleResult.objects.get(pk=untold.pk).passed is False


def test_the_home_page_shows_an_unknown_pass_as_unknown(module, people, client):
    api.backfill_module_result("t1", COURSE, 0.9, None, at())
    client.force_login(people["t1"].user)
    page = client.get("/temis/").content.decode()  # in Vietnamese, the site's language
    assert "GVPT-01" in page and "Chưa xác định" in page and "Chưa đạt" not in page
