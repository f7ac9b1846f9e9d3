"""The educator's self-assessment (tự đánh giá), the first step of the evaluation: the evaluation of the
cycle, levels for each criterion, the reflection and learning plan, training needs, the submission, and
the evaluation's audit trail."""

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from .. import standards
from ..data import AuditEntryData, EvaluationData, LearningPlan, TrainingNeedData
from ..errors import InvalidInput, NotAllowed, NotFound
from ..models import Evaluation, TrainingModule, TrainingNeed
from ..permissions import Relation, relations
from ..standards import pack_levels, unpack_levels
from ..workflow import Action
from ._evaluation_records import (
    PLAN_FIELDS,
    audit,
    checked_sheet,
    commit,
    evaluation_data,
    evaluation_row,
    lock_for_write,
    set_field,
)
from ._shared import checked_text, cycle_row, own_educator
from .frameworks import framework_for


def get_or_create_evaluation(user, cycle_code: str | None = None, framework_code: str | None = None) -> EvaluationData:
    """The acting educator's own evaluation for the cycle (the current one by default).

    ``framework_code`` names the framework a course expects (a teachers' block offered to a
    principal is refused); by default the framework in force for the educator's position.
    """
    educator = own_educator(user)
    cycle = cycle_row(cycle_code)
    framework = framework_for(educator)
    if framework_code and framework_code != framework.code:
        try:
            wanted = standards.get_framework(framework_code)
        except standards.UnknownFramework as exc:
            raise InvalidInput(str(exc)) from None
        if wanted.kind != educator.framework_kind:
            raise NotAllowed(f"{wanted.code} is the standard for {wanted.kind}s")
        framework = wanted
    evaluation, created = Evaluation.objects.get_or_create(
        educator=educator,
        cycle=cycle,
        framework_code=framework.code,
        defaults={
            "framework_revision": framework.revision,
            "legal_basis": framework.legal_basis.citation(),
            "school_id": educator.school_id,
            "school_level": educator.school_level,
        },
    )
    if created:
        audit(evaluation, user, "create", after={"framework": framework.code})
    return evaluation_data(evaluation, relations(user, evaluation))


def get_evaluation(user, evaluation_id: int) -> EvaluationData:
    evaluation = evaluation_row(evaluation_id)
    found = relations(user, evaluation)
    if not found:
        # Same answer as a missing id, so ids cannot be probed.
        raise NotFound(f"no evaluation {evaluation_id}")
    return evaluation_data(evaluation, found)


def self_assessment_report_rows(evaluation_ids) -> dict[int, dict]:
    """Per evaluation: state, framework, ratings and self levels, for the platform's report tasks.

    No permission check: callers are platform report tasks that course staff started, which already
    restrict who may download the report.
    """
    rows = {}
    for evaluation in Evaluation.objects.filter(pk__in=list(evaluation_ids)):
        row = {
            "framework": evaluation.framework_code,
            "legal_basis": evaluation.legal_basis,
            "state": evaluation.state,
            "self_rating": evaluation.self_rating,
            "final_rating": evaluation.final_rating,
        }
        for number, level in unpack_levels(evaluation.self_levels).items():
            row[f"criterion {number}"] = level.value
        rows[evaluation.pk] = row
    return rows


def audit_trail(user, evaluation_id: int) -> list[AuditEntryData]:
    evaluation = evaluation_row(evaluation_id)
    if not relations(user, evaluation) & {Relation.HEAD, Relation.OVERSIGHT, Relation.OWNER}:
        raise NotFound(f"no evaluation {evaluation_id}")
    return [
        AuditEntryData(
            at=e.at,
            actor=e.actor.get_username() if e.actor else None,
            action=e.action,
            target=e.target,
            before=e.before,
            after=e.after,
            reason=e.reason,
        )
        for e in evaluation.audit_entries.select_related("actor").order_by("at", "id")
    ]


def save_self_assessment(
    user,
    evaluation_id: int,
    expected_version: int,
    *,
    levels=None,
    strengths=None,
    improvements=None,
    plan=None,
    training_needs=None,
) -> EvaluationData:
    """Save any part of a draft self-assessment; ``levels`` may give only some criteria."""
    with transaction.atomic():
        evaluation, found = lock_for_write(evaluation_id, expected_version, user, Action.EDIT_SELF)
        framework = standards.get_framework(evaluation.framework_code)
        before, after = {}, {}
        if levels is not None:
            merged = unpack_levels(evaluation.self_levels) | checked_sheet(standards.partial_levels, framework, levels)
            set_field(evaluation, "self_levels", pack_levels(len(framework.criterion_numbers), merged), before, after)
            set_field(evaluation, "self_rating", standards.rating_if_complete(framework, merged), before, after)
        for name, value in (("strengths", strengths), ("improvements", improvements)):
            if value is not None:
                set_field(evaluation, name, checked_text(value, name), before, after)
        if plan is not None:
            plan = _parsed(LearningPlan, plan, "plan")
            for key, field in PLAN_FIELDS.items():
                set_field(evaluation, field, checked_text(getattr(plan, key), f"plan.{key}"), before, after)
        if training_needs is not None:
            _replace_training_needs(evaluation, framework, training_needs, before, after)
        commit(evaluation, user, Action.EDIT_SELF, "self_assessment", before, after)
    return evaluation_data(evaluation, found)


def submit_self_assessment(user, evaluation_id: int, expected_version: int) -> EvaluationData:
    with transaction.atomic():
        evaluation, found = lock_for_write(evaluation_id, expected_version, user, Action.SUBMIT)
        framework = standards.get_framework(evaluation.framework_code)
        levels = unpack_levels(evaluation.self_levels)
        missing = [n for n in framework.criterion_numbers if n not in levels]
        if missing:
            raise InvalidInput(f"choose a level for every criterion before submitting (missing: {missing})")
        evaluation.self_rating = standards.evaluate(framework, levels).result
        evaluation.submitted_at = timezone.now()
        commit(evaluation, user, Action.SUBMIT, "state", after={"self_rating": evaluation.self_rating})
    return evaluation_data(evaluation, found)


def _replace_training_needs(evaluation, framework, needs, before, after):
    if not isinstance(needs, list):
        raise InvalidInput("training needs must be a list")
    parsed = [_parsed(TrainingNeedData, n, "training need") for n in needs]
    codes = {n.module_code for n in parsed if n.module_code}
    modules = {m.code: m for m in TrainingModule.objects.filter(code__in=codes)}
    unknown = sorted(codes - set(modules))
    if unknown:
        raise InvalidInput(f"unknown training modules {unknown}")
    checked_sheet(standards.known_criteria, framework, [n.criterion for n in parsed if n.criterion is not None])
    if any(n.criterion is None and n.module_code is None for n in parsed):
        raise InvalidInput("a training need names a criterion, a module, or both")
    old = [
        TrainingNeedData(criterion=t.criterion, module_code=t.module.code if t.module else None).model_dump()
        for t in evaluation.training_needs.select_related("module")
    ]
    new = [n.model_dump() for n in parsed]
    if old != new:
        evaluation.training_needs.all().delete()
        TrainingNeed.objects.bulk_create(
            [
                TrainingNeed(
                    evaluation=evaluation,
                    criterion=n.criterion,
                    module=modules.get(n.module_code) if n.module_code else None,
                )
                for n in parsed
            ]
        )
        before["training_needs"], after["training_needs"] = old, new


def _parsed(model, value, what):
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidInput(f"invalid {what}: {problems}") from None
