"""The demo's training results: course grades of a training module, arriving as the LMS's events."""

import datetime as dt

from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CourseData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED, PERSISTENT_GRADE_SUMMARY_CHANGED

from ...models import CourseModule, EducatorProfile, TrainingModule

# A course of the province's training programme, mapped to module 9 (ICT).
DEMO_COURSE = "course-v1:SoGD-Mau+GVPT09+2026"


def send_course_grades(rng):
    """Send the events the LMS sends when learners' course grades change, for a third of the teachers."""
    CourseModule.objects.get_or_create(
        course_key=DEMO_COURSE, defaults={"module": TrainingModule.objects.get(code="GVPT-09")}
    )
    course = CourseData(course_key=CourseKey.from_string(DEMO_COURSE), display_name="Mô đun 9")
    now = timezone.now()
    passed = 0
    teachers = EducatorProfile.objects.filter(position="teacher").select_related("user").order_by("national_id")
    for index, educator in enumerate(teachers):
        if index % 3:
            continue
        user, percent = educator.user, round(rng.uniform(0.55, 0.98), 2)
        when = now - dt.timedelta(days=rng.randint(1, 60))
        PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(
            send_robust=False,
            time=when,
            grade=PersistentCourseGradeData(
                user_id=user.pk,
                course=course,
                course_edited_timestamp=when,
                course_version="demo",
                grading_policy_hash="demo",
                percent_grade=percent,
                letter_grade="Pass" if percent >= 0.7 else "",
                passed_timestamp=when if percent >= 0.7 else None,
            ),
        )
        COURSE_PASSING_STATUS_UPDATED.send_event(
            send_robust=False,
            time=when,
            course_passing_status=(
                CoursePassingStatusData(
                    is_passing=percent >= 0.7,
                    course=course,
                    user=UserData(
                        id=user.pk,
                        is_active=True,
                        pii=UserPersonalData(username=user.username, email=user.email, name=educator.full_name),
                    ),
                )
            ),
        )
        passed += percent >= 0.7
    return passed
