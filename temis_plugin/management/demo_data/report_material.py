"""What the demo's reports count besides evaluations: years of service, programme surveys, support activities."""

import datetime as dt

from django.utils import timezone

from ... import api
from ...models import EducatorProfile, MentorGroup, ModuleResult


def add_report_material(rng, cycle):
    """What the reports count besides evaluations: years of service, surveys, support activities."""
    for educator in EducatorProfile.objects.all():
        since = cycle.starts_on - dt.timedelta(days=rng.randint(365, 20 * 365))
        educator.level_start_date = since
        if educator.position != "teacher":
            educator.position_since = since + dt.timedelta(days=rng.randint(0, 3 * 365))
        educator.save(update_fields=["level_start_date", "position_since"])
    # Two out of three teachers with a module result answer the programme survey.
    results = ModuleResult.objects.select_related("educator__user", "module").order_by("pk")
    for index, result in enumerate(results):
        if index % 3 != 2:
            api.save_survey_response(
                result.educator.user,
                result.module.code,
                {item: rng.choice((3, 4, 4, 5, 5)) for item in ("content", "materials", "support", "usefulness")},
            )
    # Each core teacher logs three support activities with some of their mentees.
    for group in MentorGroup.objects.filter(cycle=cycle).select_related("mentor__user"):
        mentees = list(group.mentees.values_list("pk", flat=True))
        for week in range(3):
            api.log_support_activity(
                group.mentor.user,
                group.code,
                date=min(timezone.localdate(), cycle.starts_on) + dt.timedelta(days=7 * week + 10),
                duration_minutes=rng.choice((45, 60, 90)),
                form=rng.choice(("in_person", "online", "subject_group_meeting")),
                topic="Dạy học phát triển năng lực",
                criteria=[rng.randint(3, 7)],
                mentee_ids=rng.sample(mentees, min(len(mentees), rng.randint(2, 5))),
            )
