"""The head's list: the evaluations a head of school (or a superior officer) gives the final rating for,
and the actions taken on many of them at once (accept the self levels, finalize)."""

from django.db import transaction
from django.db.models import Count, Q

from .. import standards
from ..data import BulkFailure, BulkOutcome, EducatorData, EvaluationData, RatingListData, RatingRowData, SchoolChoice
from ..errors import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from ..models import Evaluation, OrgUnit, RoleAssignment
from ..permissions import Relation, relations
from ..roles import SUPERIOR_ROLES, Position, Role, UnitKind
from ..standards import pack_levels, unpack_levels
from ..workflow import Action, EvaluationState, InvalidTransition
from ._evaluation_records import commit, evaluation_data, evaluation_row, require_action, set_field
from ._shared import cycle_data, cycle_row, educator_of
from .final_rating import finalize_locked

# Reasons a bulk action gives for an evaluation it left unchanged.
BULK_REASONS = (
    "not_found",
    "not_allowed",
    "own_evaluation",
    "wrong_state",
    "changed",
    "has_final_levels",
    "self_levels_incomplete",
    "final_levels_incomplete",
    "invalid",
)
# One request changes at most this many evaluations, each in its own transaction.
BULK_MAX = 500
# The school filter lists the schools when there are at most this many; beyond, a school code is typed.
SCHOOL_CHOICES_MAX = 300
PAGE_SIZE_MAX = BULK_MAX


class _Refused(Exception):
    def __init__(self, reason):
        self.reason = reason


def rates_evaluations(user) -> bool:
    """Whether ``user`` gives final ratings: a principal, a school administrator or a superior officer."""
    return bool(_rating_scopes(user))


def list_evaluations_to_rate(
    user,
    cycle_code: str | None = None,
    school_code: str | None = None,
    state: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> RatingListData:
    """The evaluations ``user`` gives the final rating for, in a cycle (the current one by default).

    A principal (or a school administrator) gets the teachers of their school; a superior officer
    the principals and vice-principals of the schools under their unit. The same rule as
    :func:`~temis_plugin.permissions.relations` gives ``Relation.HEAD``, as one query: the rows with
    their colleague-opinion counts come from a single SELECT, whatever the page size.
    """
    scopes = _rating_scopes(user)
    if not scopes:
        raise NotAllowed("only a head of school or a superior officer gives final ratings")
    cycle = cycle_row(cycle_code or None)
    if state and state not in {s.value for s in EvaluationState}:
        raise InvalidInput(f"unknown state {state!r}", field="state")
    try:
        page, page_size = max(1, int(page)), min(max(1, int(page_size)), PAGE_SIZE_MAX)
    except (TypeError, ValueError):
        raise InvalidInput("page and page_size are numbers") from None
    scope = Q()
    for q in (s[0] for s in scopes):
        scope |= q
    evaluations = Evaluation.objects.filter(scope, cycle=cycle).exclude(educator__user=user)
    if school_code:
        evaluations = evaluations.filter(_rated_at("code", school_code))
    if state:
        evaluations = evaluations.filter(state=state)
    total = evaluations.count()
    page = min(page, max(1, -(-total // page_size)))  # past the last page: the last one
    ratings = [r.value for r in standards.OverallRating]
    values = (
        evaluations.order_by("educator__school__name", "educator__school_id", "educator__full_name", "pk")
        .values(
            "pk",
            "version",
            "framework_code",
            "state",
            "self_rating",
            "final_levels",
            "final_rating",
            "educator_id",
            "educator__full_name",
            "educator__position",
            "educator__subject",
            "educator__school_level",
            "educator__is_core_teacher",
            "educator__school__code",
            "educator__school__name",
            "educator__subject_group__code",
            "educator__subject_group__name",
        )
        .annotate(
            opinion_count=Count("opinions"),
            **{f"rated_{r}": Count("opinions", filter=Q(opinions__rating=r)) for r in ratings},
        )
    )[(page - 1) * page_size : page * page_size]
    rows = [_rating_row(v, ratings) for v in values]
    return RatingListData(
        cycle=cycle_data(cycle), rows=rows, total=total, page=page, page_size=page_size, schools=_schools_rated(scopes)
    )


def get_evaluation_to_rate(user, evaluation_id: int) -> EvaluationData:
    """An evaluation ``user`` gives the final rating for; anyone else is refused (NotFound or NotAllowed)."""
    evaluation = evaluation_row(evaluation_id)
    found = relations(user, evaluation)
    if not found:
        raise NotFound(f"no evaluation {evaluation_id}")
    if Relation.HEAD not in found:
        raise NotAllowed("only the head of school, or the superior for a principal, gives the final rating")
    if Relation.OWNER in found:
        raise NotAllowed("nobody gives the final rating for their own evaluation")
    return evaluation_data(evaluation, found)


# ---------------------------------------------------------------------------------------------
# Actions on many evaluations


def accept_self_levels_as_final(user, evaluation_ids, expected_versions=None) -> BulkOutcome:
    """For each evaluation without final levels yet, save the self-assessed levels as the final levels.

    Each evaluation is changed in its own transaction; one that cannot be changed is reported in
    ``failures`` with its reason, the others go ahead. ``expected_versions`` maps an id to the
    version the user saw (a changed evaluation is then refused); ids without a version are taken as
    they are now.
    """

    def apply(evaluation):
        framework = standards.get_framework(evaluation.framework_code)
        if unpack_levels(evaluation.final_levels):
            raise _Refused("has_final_levels")
        levels = unpack_levels(evaluation.self_levels)
        if set(levels) != set(framework.criterion_numbers):
            raise _Refused("self_levels_incomplete")
        before, after = {}, {}
        set_field(evaluation, "final_levels", pack_levels(len(framework.criterion_numbers), levels), before, after)
        after["from"] = "self_levels"
        commit(evaluation, user, Action.EDIT_FINAL, "final_levels", before, after)

    return _bulk(user, evaluation_ids, expected_versions, Action.EDIT_FINAL, apply)


def finalize_evaluations(user, evaluation_ids, expected_versions=None) -> BulkOutcome:
    """Finalize each evaluation whose final levels are complete; see :func:`accept_self_levels_as_final`."""

    def apply(evaluation):
        framework = standards.get_framework(evaluation.framework_code)
        if set(unpack_levels(evaluation.final_levels)) != set(framework.criterion_numbers):
            raise _Refused("final_levels_incomplete")
        finalize_locked(evaluation, user)

    return _bulk(user, evaluation_ids, expected_versions, Action.FINALIZE, apply)


def _bulk(user, evaluation_ids, expected_versions, action: Action, apply) -> BulkOutcome:
    ids = list(dict.fromkeys(_evaluation_ids(evaluation_ids)))
    if len(ids) > BULK_MAX:
        raise InvalidInput(f"a bulk action changes at most {BULK_MAX} evaluations at once")
    try:
        versions = {int(k): int(v) for k, v in (expected_versions or {}).items() if v is not None}
    except (TypeError, ValueError):
        raise InvalidInput("expected versions are numbers") from None
    succeeded, failures = [], []
    for pk in ids:
        evaluation = None
        try:
            with transaction.atomic():
                evaluation = evaluation_row(pk, lock=True)
                found = require_action(user, evaluation, action)
                if Relation.OWNER in found:
                    raise _Refused("own_evaluation")
                expected = versions.get(pk)
                if expected is not None and expected != evaluation.version:
                    raise ConcurrentEdit(evaluation.version)
                apply(evaluation)
        except NotFound:
            failures.append(BulkFailure(evaluation_id=pk, educator_name=None, reason="not_found"))
            continue
        except (NotAllowed, InvalidTransition, ConcurrentEdit, InvalidInput, _Refused) as exc:
            reason = (
                exc.reason
                if isinstance(exc, _Refused)
                else {NotAllowed: "not_allowed", InvalidTransition: "wrong_state", ConcurrentEdit: "changed"}.get(
                    type(exc), "invalid"
                )
            )
            failures.append(
                BulkFailure(
                    evaluation_id=pk, educator_name=evaluation.educator.full_name, reason=reason, state=evaluation.state
                )
            )
            continue
        succeeded.append(pk)
    return BulkOutcome(succeeded=succeeded, failures=failures)


def _evaluation_ids(values) -> list[int]:
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        raise InvalidInput("evaluation ids are numbers") from None


# ---------------------------------------------------------------------------------------------
# Who rates what


def _rated_at(lookup: str, value) -> Q:
    """Evaluations whose rating school matches ``school__<lookup>``: the educator's school while the
    evaluation is open (it moves with them), the school that rated it once finalized (the move policy,
    docs/admin-guide.md "Moves between schools"; permissions.rating_school is the same rule)."""
    finalized = Q(state=EvaluationState.FINALIZED)
    return (~finalized & Q(**{f"educator__school__{lookup}": value})) | (finalized & Q(**{f"school__{lookup}": value}))


def _rating_scopes(user) -> list[tuple[Q, Q]]:
    """What ``user`` rates, as (evaluations, schools) filters: the HEAD rule of ``relations``."""
    if user is None or not user.is_authenticated:
        return []
    scopes = []
    actor = educator_of(user)
    teachers = Q(educator__position=Position.TEACHER)
    if actor is not None and actor.position == Position.PRINCIPAL:
        scopes.append((_rated_at("id", actor.school_id) & teachers, Q(pk=actor.school_id)))
    for assignment in RoleAssignment.objects.filter(user=user).select_related("unit"):
        path = assignment.unit.path
        if assignment.role == Role.SCHOOL_ADMIN:
            scopes.append((_rated_at("path__startswith", path) & teachers, Q(path__startswith=path)))
        elif assignment.role in SUPERIOR_ROLES:
            below = ~Q(pk=assignment.unit_id)
            scopes.append(
                (
                    _rated_at("path__startswith", path) & ~_rated_at("id", assignment.unit_id) & ~teachers,
                    Q(path__startswith=path) & below,
                )
            )
    return scopes


def _schools_rated(scopes) -> list[SchoolChoice] | None:
    condition = Q()
    for q in (s[1] for s in scopes):
        condition |= q
    schools = list(
        OrgUnit.objects.filter(condition, kind=UnitKind.SCHOOL)
        .order_by("name", "code")
        .values_list("code", "name")[: SCHOOL_CHOICES_MAX + 1]
    )
    if len(schools) > SCHOOL_CHOICES_MAX:
        return None
    return [SchoolChoice(code=code, name=name) for code, name in schools]


def _rating_row(values, ratings) -> RatingRowData:
    framework = standards.get_framework(values["framework_code"])
    final = unpack_levels(values["final_levels"])
    complete = set(final) == set(framework.criterion_numbers)
    return RatingRowData(
        evaluation_id=values["pk"],
        version=values["version"],
        educator=EducatorData(
            id=values["educator_id"],
            full_name=values["educator__full_name"],
            school_code=values["educator__school__code"],
            school_name=values["educator__school__name"],
            subject_group_code=values["educator__subject_group__code"],
            position=values["educator__position"],
            subject=values["educator__subject"],
            school_level=values["educator__school_level"],
            is_core_teacher=values["educator__is_core_teacher"],
        ),
        subject_group_name=values["educator__subject_group__name"],
        framework_code=values["framework_code"],
        state=values["state"],
        self_rating=values["self_rating"] or None,
        opinion_count=values["opinion_count"],
        opinion_ratings={r: values[f"rated_{r}"] for r in ratings if values[f"rated_{r}"]},
        final_levels_count=len(final),
        criterion_count=len(framework.criterion_numbers),
        final_rating=values["final_rating"] or None,
        final_preview=(
            standards.evaluate(framework, final).result.value
            if complete and values["state"] != EvaluationState.FINALIZED
            else None
        ),
    )
