"""Retirement of an educator's personal data when their Open edX account is retired.

What identifies the person or was written by them goes; levels and ratings stay, attached to an
anonymous profile, so school, commune and province statistics do not change. Training-module results
stay as they are, and satisfaction survey ratings stay without their free-text comments. A retired
core teacher's support activities stay (date, duration, form, criteria, who attended: the hours of
support still add up) without their topic, notes and next steps, and their edit history loses the
values. A retired mentee's attendance stays, attached to the anonymous profile.
"""

import logging

from django.db import transaction
from django.utils import timezone

from .models import (
    AuditEntry,
    ColleagueOpinion,
    EducatorProfile,
    Evaluation,
    ReportRun,
    RoleAssignment,
    SupportActivity,
    SurveyResponse,
)

log = logging.getLogger(__name__)

_EVALUATION_TEXT = (
    "strengths",
    "improvements",
    "plan_goals",
    "plan_content",
    "plan_timeline",
    "plan_conditions",
    "final_comment",
)


def retire_user(user) -> bool:
    """Retire the educator data of ``user``; True if there was an educator profile to retire."""
    with transaction.atomic():
        RoleAssignment.objects.filter(user=user).delete()
        # Report files expire on their own (TEMIS_REPORT_RETENTION_DAYS); the request loses its requester.
        ReportRun.objects.filter(requested_by=user).update(requested_by=None)
        educator = EducatorProfile.objects.select_for_update().filter(user=user).first()
        if educator is None:
            return False
        evaluations = Evaluation.objects.filter(educator=educator)
        evaluations.update(**{field: "" for field in _EVALUATION_TEXT})
        AuditEntry.objects.filter(evaluation__in=evaluations).update(before=None, after=None, reason="")
        ColleagueOpinion.objects.filter(colleague=educator).update(strengths="", improvements="")
        SurveyResponse.objects.filter(educator=educator).update(comment="")
        activities = SupportActivity.objects.filter(mentor=educator)
        AuditEntry.objects.filter(
            evaluation__isnull=True,
            target__in=[f"support_activity:{pk}" for pk in activities.values_list("pk", flat=True)],
        ).update(before=None, after=None)
        activities.update(topic="", notes="", next_steps="")
        for evidence in educator.evidence.all():
            if evidence.file:
                evidence.file.delete(save=False)
        educator.evidence.all().delete()
        EducatorProfile.objects.filter(pk=educator.pk).update(
            user=None,
            national_id=None,
            full_name="",
            subject="",
            level_start_date=None,
            position_since=None,
            retired_at=timezone.now(),
        )
    # The profile id only: no name or identifier in logs.
    log.info("Retired TEMIS educator profile %s", educator.pk)
    return True
