"""What the modules on an evaluation's steps share: loading an evaluation with the checks every write
starts with, applying a workflow action with its audit entry, and the records as plain data.

Writes to an evaluation name the ``expected_version`` they started from; a stale version raises
:class:`~temis_plugin.errors.ConcurrentEdit` instead of overwriting.
"""

from django.urls import reverse
from django.utils import timezone

from .. import standards
from ..data import EvaluationData, EvidenceData, LearningPlan, OpinionData, TrainingNeedData
from ..errors import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from ..models import AuditEntry, ColleagueOpinion, Evaluation, Evidence
from ..permissions import Relation, permitted_actions, relations
from ..standards import unpack_levels
from ..workflow import Action, EvaluationState, allowed_actions, next_state
from ._shared import educator_data, positive_int

PLAN_FIELDS = {
    "goals": "plan_goals",
    "content": "plan_content",
    "timeline": "plan_timeline",
    "conditions": "plan_conditions",
}


def evaluation_row(evaluation_id, lock=False) -> Evaluation:
    pk = positive_int(evaluation_id)
    if pk is None:
        raise NotFound(f"no evaluation {str(evaluation_id)[:40]!r}")
    try:
        if lock:
            # Lock the evaluation row alone: a lock taken through the joins below would also lock the
            # school's row and queue every teacher of the school behind each other.
            Evaluation.objects.select_for_update().filter(pk=pk).values_list("pk").get()
        return Evaluation.objects.select_related("educator__school", "educator__subject_group", "cycle").get(pk=pk)
    except Evaluation.DoesNotExist:
        raise NotFound(f"no evaluation {evaluation_id}") from None


def require_action(user, evaluation: Evaluation, action: Action) -> set[Relation]:
    """Check that ``user`` may take ``action`` now; returns the user's relations to the evaluation."""
    found = relations(user, evaluation)
    if action not in permitted_actions(found):
        if not found:
            raise NotFound(f"no evaluation {evaluation.pk}")
        raise NotAllowed(f"you may not {action.value} this evaluation")
    next_state(evaluation.state, action)  # raises InvalidTransition when the state forbids it
    return found


def lock_for_write(evaluation_id, expected_version, user, action: Action) -> tuple[Evaluation, set[Relation]]:
    """Lock the row, check permission, state and version: the start of every evaluation write."""
    evaluation = evaluation_row(evaluation_id, lock=True)
    found = require_action(user, evaluation, action)
    if action in (Action.EDIT_SELF, Action.SUBMIT):
        closes_on = evaluation.cycle.self_assessment_closes_on
        if closes_on and timezone.localdate() > closes_on:
            raise NotAllowed(f"self-assessment for {evaluation.cycle.name} closed on {closes_on.isoformat()}")
    expected = positive_int(expected_version)
    if expected is None:
        raise InvalidInput("expected_version must be the version number the change started from")
    if expected != evaluation.version:
        raise ConcurrentEdit(evaluation.version)
    return evaluation, found


def set_field(evaluation, field, value, before, after):
    """Change one field, noting the old and new values for the audit entry when they differ."""
    old = getattr(evaluation, field)
    if old != value:
        before[field], after[field] = old, value
        setattr(evaluation, field, value)


def commit(evaluation, user, action: Action, target, before=None, after=None, reason=""):
    """Apply ``action``'s state change, bump the version, save and audit, in the caller's transaction."""
    before, after = dict(before or {}), dict(after or {})
    old_state = evaluation.state
    evaluation.state = next_state(old_state, action)
    if evaluation.state != old_state:
        before["state"], after["state"] = old_state, evaluation.state
    evaluation.version += 1
    evaluation.save()
    audit(evaluation, user, action.value, target, before, after, reason)


def audit(evaluation, user, action, target="", before=None, after=None, reason=""):
    AuditEntry.objects.create(
        evaluation=evaluation,
        actor=user if getattr(user, "pk", None) else None,
        action=action,
        target=target,
        before=before,
        after=after,
        reason=reason,
    )


def checked_sheet(check, framework, value):
    """``check(framework, value)``, one of the standards engine's sheet checks, its refusal raised as
    InvalidInput with the engine's message."""
    try:
        return check(framework, value)
    except standards.InvalidLevels as exc:
        raise InvalidInput(str(exc), field=getattr(exc, "field", None)) from None


# ---------------------------------------------------------------------------------------------
# Records as plain data


def evidence_data(evidence: Evidence) -> EvidenceData:
    return EvidenceData(
        id=evidence.pk,
        name=evidence.name,
        description=evidence.description,
        # A file is served only through the permission-checked route, never by its storage URL.
        kind="file" if evidence.file else "link",
        url=reverse("temis:evidence_file", args=[evidence.pk]) if evidence.file else evidence.url,
        original_filename=evidence.original_filename,
        content_type=evidence.content_type,
        size=evidence.size,
    )


def opinion_data(opinion: ColleagueOpinion) -> OpinionData:
    return OpinionData(
        id=opinion.pk,
        evaluation_id=opinion.evaluation_id,
        colleague=educator_data(opinion.colleague),
        levels={n: lv.value for n, lv in unpack_levels(opinion.levels).items()},
        rating=opinion.rating,
        strengths=opinion.strengths,
        improvements=opinion.improvements,
        version=opinion.version,
    )


def evaluation_data(evaluation: Evaluation, found: set[Relation]) -> EvaluationData:
    evidence: dict[int, list[EvidenceData]] = {}
    for link in evaluation.evidence_links.select_related("evidence").order_by("criterion", "evidence_id"):
        evidence.setdefault(link.criterion, []).append(evidence_data(link.evidence))
    permitted = permitted_actions(found)
    # The head's levels and comment are a draft until finalized: the head, and oversight, see them;
    # the educator, colleagues and mentors see them once the rating is final (as the block's page does).
    final_shown = evaluation.state == EvaluationState.FINALIZED or bool(found & {Relation.HEAD, Relation.OVERSIGHT})
    return EvaluationData(
        id=evaluation.pk,
        educator=educator_data(evaluation.educator),
        cycle_code=evaluation.cycle.code,
        framework_code=evaluation.framework_code,
        framework_revision=evaluation.framework_revision,
        legal_basis=evaluation.legal_basis,
        state=evaluation.state,
        version=evaluation.version,
        self_levels={n: lv.value for n, lv in unpack_levels(evaluation.self_levels).items()},
        self_rating=evaluation.self_rating or None,
        strengths=evaluation.strengths,
        improvements=evaluation.improvements,
        plan=LearningPlan(**{key: getattr(evaluation, field) for key, field in PLAN_FIELDS.items()}),
        training_needs=[
            TrainingNeedData(criterion=t.criterion, module_code=t.module.code if t.module else None)
            for t in evaluation.training_needs.select_related("module").order_by("id")
        ],
        evidence=evidence,
        final_levels={n: lv.value for n, lv in unpack_levels(evaluation.final_levels).items()} if final_shown else {},
        final_rating=(evaluation.final_rating or None) if final_shown else None,
        final_comment=evaluation.final_comment if final_shown else "",
        submitted_at=evaluation.submitted_at,
        finalized_at=evaluation.finalized_at,
        allowed_actions=[a.value for a in allowed_actions(EvaluationState(evaluation.state)) if a in permitted],
    )
