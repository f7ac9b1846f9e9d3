"""Colleague opinions (ý kiến đồng nghiệp) on a submitted self-assessment: each colleague's complete level
sheet and comments, their summary, and the head of a subject group's view of the group's teachers.

Opinions are rows of their own, with their own versions: writing one does not bump the evaluation's.
"""

from collections import Counter

from django.db import transaction

from .. import standards
from ..data import OpinionData, OpinionSummary, TeacherOpinionsData
from ..errors import ConcurrentEdit, NotAllowed, NotFound
from ..models import ColleagueOpinion, EducatorProfile, Evaluation, RoleAssignment
from ..permissions import Relation, relations
from ..roles import Position, Role
from ..standards import pack_levels, unpack_levels
from ..workflow import Action, next_state
from ._evaluation_records import audit, checked_sheet, evaluation_row, opinion_data, require_action
from ._shared import checked_text, cycle_row, educator_data, educator_of
from .frameworks import teacher_framework


def add_colleague_opinion(
    user,
    evaluation_id: int,
    levels,
    *,
    strengths: str = "",
    improvements: str = "",
    expected_version: int | None = None,
) -> OpinionData:
    """Record (or revise) the acting colleague's opinion; a complete level sheet is required.

    ``expected_version`` is the version of the colleague's own opinion being revised (None for a new one).
    """
    with transaction.atomic():
        evaluation = evaluation_row(evaluation_id, lock=True)
        require_action(user, evaluation, Action.ADD_OPINION)
        framework = standards.get_framework(evaluation.framework_code)
        checked = checked_sheet(standards.complete_levels, framework, levels)
        colleague = educator_of(user)
        opinion = (
            ColleagueOpinion.objects.select_for_update().filter(evaluation=evaluation, colleague=colleague).first()
        )
        current = opinion.version if opinion else None
        if expected_version != current:
            raise ConcurrentEdit(current or 0)
        before = _opinion_snapshot(opinion) if opinion else None
        opinion = opinion or ColleagueOpinion(evaluation=evaluation, colleague=colleague, version=0)
        opinion.levels = pack_levels(len(framework.criterion_numbers), checked)
        opinion.rating = standards.evaluate(framework, checked).result
        opinion.strengths = checked_text(strengths, "strengths")
        opinion.improvements = checked_text(improvements, "improvements")
        opinion.version += 1
        opinion.save()
        # Opinions do not bump the evaluation's version: they are separate rows, and the head
        # editing final levels meanwhile must not get a spurious conflict.
        state = next_state(evaluation.state, Action.ADD_OPINION)
        if state != evaluation.state:
            Evaluation.objects.filter(pk=evaluation.pk).update(state=state)
        audit(evaluation, user, "add_opinion", f"opinion:{opinion.pk}", before, _opinion_snapshot(opinion))
    return opinion_data(opinion)


def list_opinions(user, evaluation_id: int) -> list[OpinionData]:
    evaluation = evaluation_row(evaluation_id)
    found = relations(user, evaluation)
    if not found & {Relation.HEAD, Relation.OVERSIGHT, Relation.OWNER, Relation.GROUP_HEAD}:
        raise NotFound(f"no evaluation {evaluation_id}")
    opinions = evaluation.opinions.select_related("colleague__school", "colleague__subject_group")
    return [opinion_data(o) for o in opinions]


def own_opinion(user, evaluation_id: int) -> OpinionData | None:
    """The acting colleague's own opinion on an evaluation (to revise it), or None when there is none yet."""
    evaluation = evaluation_row(evaluation_id)
    if not relations(user, evaluation):
        raise NotFound(f"no evaluation {evaluation_id}")
    colleague = educator_of(user)
    opinion = (
        evaluation.opinions.select_related("colleague__school", "colleague__subject_group")
        .filter(colleague=colleague)
        .first()
        if colleague
        else None
    )
    return opinion_data(opinion) if opinion else None


def summarize_opinions(user, evaluation_id: int) -> OpinionSummary:
    evaluation = evaluation_row(evaluation_id)
    if not relations(user, evaluation) & {
        Relation.HEAD,
        Relation.OVERSIGHT,
        Relation.OWNER,
        Relation.MENTOR,
        Relation.GROUP_HEAD,
    }:
        raise NotFound(f"no evaluation {evaluation_id}")
    per_criterion: dict[int, Counter] = {}
    per_rating: Counter = Counter()
    opinions = list(evaluation.opinions.values_list("levels", "rating"))
    for packed, rating in opinions:
        per_rating[rating] += 1
        for number, level in unpack_levels(packed).items():
            per_criterion.setdefault(number, Counter())[level.value] += 1
    return OpinionSummary(
        evaluation_id=evaluation.pk,
        count=len(opinions),
        per_criterion={n: dict(c) for n, c in sorted(per_criterion.items())},
        per_rating=dict(per_rating),
    )


# ---------------------------------------------------------------------------------------------
# The head of a subject group (tổ trưởng chuyên môn): colleague opinions per teacher


def heads_subject_group(user) -> bool:
    """Whether the user holds the head-of-subject-group role on some subject group."""
    return bool(
        user
        and user.is_authenticated
        and RoleAssignment.objects.filter(user=user, role=Role.SUBJECT_GROUP_HEAD).exists()
    )


def subject_group_opinions(user, cycle_code: str | None = None) -> list[TeacherOpinionsData]:
    """The teachers of the subject groups the user heads, each with the summary of colleague opinions."""
    if not heads_subject_group(user):
        raise NotAllowed("only the head of a subject group sees its colleague opinions")
    cycle = cycle_row(cycle_code)
    framework = teacher_framework()
    groups = RoleAssignment.objects.filter(user=user, role=Role.SUBJECT_GROUP_HEAD).values_list("unit", flat=True)
    teachers = (
        EducatorProfile.objects.filter(subject_group__in=groups, position=Position.TEACHER, retired_at__isnull=True)
        .exclude(user=user)
        .select_related("school", "subject_group")
        .order_by("full_name", "id")
    )
    evaluations = {
        e.educator_id: e
        for e in Evaluation.objects.filter(cycle=cycle, framework_code=framework.code, educator__in=teachers)
    }
    found = []
    for teacher in teachers:
        evaluation = evaluations.get(teacher.pk)
        found.append(
            TeacherOpinionsData(
                educator=educator_data(teacher),
                evaluation_id=evaluation.pk if evaluation else None,
                evaluation_state=evaluation.state if evaluation else None,
                self_rating=(evaluation.self_rating or None) if evaluation else None,
                summary=summarize_opinions(user, evaluation.pk) if evaluation else None,
            )
        )
    return found


def _opinion_snapshot(opinion):
    return {
        "levels": opinion.levels,
        "rating": opinion.rating,
        "strengths": opinion.strengths,
        "improvements": opinion.improvements,
    }
