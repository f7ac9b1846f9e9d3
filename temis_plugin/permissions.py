"""Who may do what to an evaluation, from the user's relation to the educator evaluated."""

from enum import StrEnum

from .models import EducatorProfile, Evaluation, MentorGroupMembership, RoleAssignment
from .roles import SUPERIOR_ROLES, Position, Role
from .workflow import Action, EvaluationState


class Relation(StrEnum):
    OWNER = "owner"  # the educator evaluated
    COLLEAGUE = "colleague"  # same subject group (teachers) or same school (about a principal)
    MENTOR = "mentor"  # core teacher supporting the educator this cycle
    HEAD = "head"  # gives the final rating: head of school, or the superior for principals
    OVERSIGHT = "oversight"  # role on the school (teachers') or a unit above it (principals'): reads
    GROUP_HEAD = "group_head"  # head of the teacher's subject group (tổ trưởng): reads the colleague opinions


ACTIONS_BY_RELATION: dict[Relation, frozenset[Action]] = {
    Relation.OWNER: frozenset({Action.EDIT_SELF, Action.SUBMIT}),
    Relation.COLLEAGUE: frozenset({Action.ADD_OPINION}),
    Relation.MENTOR: frozenset(),
    Relation.HEAD: frozenset({Action.EDIT_FINAL, Action.FINALIZE, Action.REOPEN, Action.RETURN_TO_DRAFT}),
    Relation.OVERSIGHT: frozenset(),
    Relation.GROUP_HEAD: frozenset(),
}


def rating_school(evaluation: Evaluation):
    """The school an evaluation belongs to: the educator's school while it is open (it moves with
    them, and the new school's head rates it), the school that rated it once finalized (it stays in
    that school's reports). See docs/admin-guide.md, "Moves between schools"."""
    if evaluation.state == EvaluationState.FINALIZED and evaluation.school_id:
        return evaluation.school
    return evaluation.educator.school


def relations(user, evaluation: Evaluation) -> set[Relation]:
    """Every relation ``user`` has to the educator of ``evaluation`` (empty: no access at all)."""
    if user is None or not user.is_authenticated:
        return set()
    educator = evaluation.educator
    school = rating_school(evaluation)
    found = set()
    if educator.user_id == user.pk:
        found.add(Relation.OWNER)
    actor = EducatorProfile.objects.filter(user=user, retired_at__isnull=True).first()
    is_principal_evaluation = educator.position != Position.TEACHER
    if actor is not None and actor.pk != educator.pk:
        if is_principal_evaluation:
            if actor.school_id == school.pk and actor.position == Position.TEACHER:
                found.add(Relation.COLLEAGUE)
        elif actor.subject_group_id and actor.subject_group_id == educator.subject_group_id:
            found.add(Relation.COLLEAGUE)
        if not is_principal_evaluation and actor.position == Position.PRINCIPAL and actor.school_id == school.pk:
            found.add(Relation.HEAD)
        if MentorGroupMembership.objects.filter(
            mentee=educator, group__mentor=actor, group__cycle_id=evaluation.cycle_id
        ).exists():
            found.add(Relation.MENTOR)
    for assignment in RoleAssignment.objects.filter(user=user).select_related("unit"):
        unit = assignment.unit
        if assignment.role == Role.SUBJECT_GROUP_HEAD:
            if not is_principal_evaluation and educator.subject_group_id == unit.pk:
                found.add(Relation.GROUP_HEAD)
            continue
        if not unit.contains(school):
            continue
        if is_principal_evaluation:
            # A principal's evaluation is read and rated above the school (TT14 Điều 10): a role on the
            # school itself (a school administrator) works for the principal and reads none of it.
            if unit.pk != school.pk:
                found.add(Relation.OVERSIGHT)
                if assignment.role in SUPERIOR_ROLES:
                    found.add(Relation.HEAD)
            continue
        found.add(Relation.OVERSIGHT)
        if assignment.role == Role.SCHOOL_ADMIN and educator.user_id != user.pk:
            # A school administrator who also teaches there does not rate their own evaluation.
            found.add(Relation.HEAD)
    if user.is_superuser:
        found.add(Relation.OVERSIGHT)
    return found


def permitted_actions(found: set[Relation]) -> frozenset[Action]:
    """The actions a set of relations (from :func:`relations`) allows."""
    granted = frozenset()
    for relation in found:
        granted |= ACTIONS_BY_RELATION[relation]
    return granted
