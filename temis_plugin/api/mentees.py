"""A core teacher's mentees (giáo viên cốt cán): their groups in the cycle, their evaluations' status, and
the overview of each mentee's progress with its alerts."""

import datetime
import zoneinfo

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from .. import standards
from ..data import MenteeData, MenteeOverviewData, MentorGroupData
from ..errors import InvalidInput
from ..models import Evaluation, MentorGroup, MentorGroupMembership, ModuleResult, SupportAttendance
from ..roles import Position
from ..workflow import EvaluationState
from ._shared import cycle_row, educator_data, educator_of
from ._training_records import module_result_data

_NOT_SUBMITTED = (None, EvaluationState.DRAFT)


def list_mentor_groups(user, cycle_code: str | None = None) -> list[MentorGroupData]:
    """The acting core teacher's groups in the cycle (the current one by default), with their mentees."""
    mentor = educator_of(user)
    if mentor is None:
        return []
    cycle = cycle_row(cycle_code)
    groups = MentorGroup.objects.filter(mentor=mentor, cycle=cycle).select_related("cycle").order_by("code")
    members: dict[int, list] = {}
    for m in (
        MentorGroupMembership.objects.filter(group__in=groups)
        .select_related("mentee__school", "mentee__subject_group")
        .order_by("mentee__full_name", "mentee_id")
    ):
        members.setdefault(m.group_id, []).append(educator_data(m.mentee))
    return [
        MentorGroupData(code=g.code, name=g.name, cycle_code=g.cycle.code, mentees=members.get(g.pk, []))
        for g in groups
    ]


def list_mentees(user, cycle_code: str | None = None) -> list[MenteeData]:
    """The colleagues the acting core teacher supports in the cycle, with their evaluation status."""
    mentor = educator_of(user)
    if mentor is None:
        return []
    cycle = cycle_row(cycle_code)
    memberships = (
        MentorGroupMembership.objects.filter(group__mentor=mentor, group__cycle=cycle)
        .select_related("group", "mentee__school", "mentee__subject_group")
        .order_by("group__code", "mentee__full_name")
    )
    evaluations = {
        e.educator_id: e
        for e in Evaluation.objects.filter(cycle=cycle, educator__in=[m.mentee_id for m in memberships])
    }
    result = []
    for membership in memberships:
        evaluation = evaluations.get(membership.mentee_id)
        result.append(
            MenteeData(
                educator=educator_data(membership.mentee),
                group_code=membership.group.code,
                evaluation_id=evaluation.pk if evaluation else None,
                evaluation_state=evaluation.state if evaluation else None,
                self_rating=(evaluation.self_rating or None) if evaluation else None,
                final_rating=(evaluation.final_rating or None) if evaluation else None,
            )
        )
    return result


def mentee_overview(
    user,
    cycle_code: str | None = None,
    inactive_days: int = 14,
    due_days: int = 14,
    *,
    today: datetime.date | None = None,
) -> list[MenteeOverviewData]:
    """Per mentee of the acting core teacher: module results, self-assessment, last activity, alerts.

    ``inactive``: no activity for ``inactive_days`` days, counted from the cycle's start when there
    is none. ``self_assessment_due``: not submitted while the self-assessment closes (or the cycle
    ends, when no closing day is set) within ``due_days`` days, or has closed already.
    ``today`` defaults to the date in ``TEMIS_TIME_ZONE``.
    """
    for name, value in (("inactive_days", inactive_days), ("due_days", due_days)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput(f"{name} must be a whole number of days", field=name)
    mentor = educator_of(user)
    if mentor is None:
        return []
    cycle = cycle_row(cycle_code)
    today = today or _local_date(timezone.now())
    memberships = list(
        MentorGroupMembership.objects.filter(group__mentor=mentor, group__cycle=cycle)
        .select_related("group", "mentee__school", "mentee__subject_group")
        .order_by("group__code", "mentee__full_name", "mentee_id")
    )
    ids = {m.mentee_id for m in memberships}
    evaluations = {}
    for evaluation in Evaluation.objects.filter(cycle=cycle, educator__in=ids).order_by("modified", "id"):
        evaluations[evaluation.educator_id] = evaluation  # the newest one wins
    results: dict[int, list] = {}
    for result in (
        ModuleResult.objects.filter(educator__in=ids).select_related("module").order_by("module__code", "course_key")
    ):
        results.setdefault(result.educator_id, []).append(result)
    attended = dict(
        SupportAttendance.objects.filter(mentee__in=ids, activity__group__cycle=cycle)
        .values("mentee")
        .annotate(last=Max("activity__date"))
        .values_list("mentee", "last")
    )
    closes_on = cycle.self_assessment_closes_on or cycle.ends_on
    overview = []
    for membership in memberships:
        mentee = membership.mentee
        evaluation = evaluations.get(mentee.pk)
        dates = [_local_date(r.last_event_at) for r in results.get(mentee.pk, [])]
        if evaluation:
            dates.append(_local_date(evaluation.modified))
        if mentee.pk in attended:
            dates.append(attended[mentee.pk])
        last = max(dates) if dates else None
        state = evaluation.state if evaluation else None
        overview.append(
            MenteeOverviewData(
                educator=educator_data(mentee),
                group_code=membership.group.code,
                evaluation_id=evaluation.pk if evaluation else None,
                evaluation_state=state,
                self_levels={n: lv.value for n, lv in standards.unpack_levels(evaluation.self_levels).items()}
                if evaluation
                else {},
                self_rating=(evaluation.self_rating or None) if evaluation else None,
                submitted_at=evaluation.submitted_at if evaluation else None,
                module_results=[module_result_data(r) for r in results.get(mentee.pk, [])],
                last_activity=last,
                inactive=(today - (last or cycle.starts_on)).days >= inactive_days,
                self_assessment_due=state in _NOT_SUBMITTED and (closes_on - today).days <= due_days,
                self_assessment_closes_on=closes_on,
                same_subject_group=bool(mentor.subject_group_id)
                and mentor.subject_group_id == mentee.subject_group_id
                and mentee.position == Position.TEACHER,
            )
        )
    return overview


def _local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TEMIS_TIME_ZONE)).date()
