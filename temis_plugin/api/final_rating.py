"""The final rating (đánh giá, xếp loại) by the head of school, or by the superior for a principal: the
final levels saved as a draft, the finalization, and the audited reopening of a finalized evaluation."""

from django.db import transaction
from django.utils import timezone

from .. import standards
from ..data import EvaluationData
from ..errors import InvalidInput
from ..standards import pack_levels, unpack_levels
from ..workflow import Action
from ._evaluation_records import checked_sheet, commit, evaluation_data, lock_for_write, set_field
from ._shared import checked_text


def save_final_levels(
    user, evaluation_id: int, expected_version: int, levels, comment: str | None = None
) -> EvaluationData:
    with transaction.atomic():
        evaluation, found = lock_for_write(evaluation_id, expected_version, user, Action.EDIT_FINAL)
        framework = standards.get_framework(evaluation.framework_code)
        before, after = {}, {}
        merged = unpack_levels(evaluation.final_levels) | checked_sheet(standards.partial_levels, framework, levels)
        set_field(evaluation, "final_levels", pack_levels(len(framework.criterion_numbers), merged), before, after)
        if comment is not None:
            set_field(evaluation, "final_comment", checked_text(comment, "comment"), before, after)
        commit(evaluation, user, Action.EDIT_FINAL, "final_levels", before, after)
    return evaluation_data(evaluation, found)


def finalize_evaluation(
    user, evaluation_id: int, expected_version: int, *, levels=None, comment: str | None = None
) -> EvaluationData:
    """Set the final levels (all of them, given here or saved before) and close the evaluation."""
    with transaction.atomic():
        evaluation, found = lock_for_write(evaluation_id, expected_version, user, Action.FINALIZE)
        finalize_locked(evaluation, user, levels, comment)
    return evaluation_data(evaluation, found)


def finalize_locked(evaluation, user, levels=None, comment=None):
    """Finalize an evaluation locked and checked for Action.FINALIZE, inside the caller's transaction
    (one finalization, or one of a bulk action's)."""
    framework = standards.get_framework(evaluation.framework_code)
    merged = unpack_levels(evaluation.final_levels)
    if levels is not None:
        merged |= checked_sheet(standards.partial_levels, framework, levels)
    checked = checked_sheet(standards.complete_levels, framework, merged)
    before = {"final_levels": evaluation.final_levels, "final_rating": evaluation.final_rating}
    evaluation.final_levels = pack_levels(len(framework.criterion_numbers), checked)
    evaluation.final_rating = standards.evaluate(framework, checked).result
    if comment is not None:
        evaluation.final_comment = checked_text(comment, "comment")
    evaluation.finalized_at = timezone.now()
    evaluation.finalized_by = user
    # The school that rates the educator is the one the cycle's reports count them for.
    evaluation.school_id = evaluation.educator.school_id
    evaluation.school_level = evaluation.educator.school_level
    commit(
        evaluation,
        user,
        Action.FINALIZE,
        "state",
        before,
        {"final_levels": evaluation.final_levels, "final_rating": evaluation.final_rating},
    )


def reopen_evaluation(
    user, evaluation_id: int, expected_version: int, reason: str, *, to_draft: bool = False
) -> EvaluationData:
    """Reopen a finalized evaluation, for the head (default) or back to the educator (``to_draft``)."""
    reason = checked_text(reason, "reason").strip()
    if not reason:
        raise InvalidInput("reopening needs a reason")
    action = Action.RETURN_TO_DRAFT if to_draft else Action.REOPEN
    with transaction.atomic():
        evaluation, found = lock_for_write(evaluation_id, expected_version, user, action)
        before = {"final_rating": evaluation.final_rating, "finalized_at": _iso(evaluation.finalized_at)}
        evaluation.final_rating = ""
        evaluation.finalized_at = None
        evaluation.finalized_by = None
        if to_draft:
            evaluation.submitted_at = None
        commit(evaluation, user, action, "state", before, {"final_rating": ""}, reason)
    return evaluation_data(evaluation, found)


def _iso(value):
    return value.isoformat() if value else None
