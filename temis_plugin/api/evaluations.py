"""Evaluations: the self-assessment, evidence, colleague opinions, the final rating and its reopening,
and the head's list of evaluations to rate with its bulk actions.

Writes to an evaluation name the ``expected_version`` they started from; a stale version raises
:class:`~temis_plugin.errors.ConcurrentEdit` instead of overwriting.
"""
import mimetypes
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, ValidationError

from .. import standards
from ..data import (AuditEntryData, CycleData, EducatorData, EvaluationData, EvidenceData, LearningPlan,
                   MenteeData, OpinionData, OpinionSummary, TrainingNeedData)
from ..errors import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from ..models import (AuditEntry, ColleagueOpinion, Cycle, EducatorProfile, Evaluation, Evidence, EvidenceLink,
                     MentorGroupMembership, OrgUnit, RoleAssignment, TrainingModule, TrainingNeed)
from ..permissions import Relation, permitted_actions, relations
from ..roles import SUPERIOR_ROLES, Position, Role, UnitKind
from ..standards import Level, pack_levels, unpack_levels
from ..uploads import content_matches
from ..workflow import Action, EvaluationState, InvalidTransition, allowed_actions, next_state
from ._shared import (checked_text, current_cycle_row, cycle_data, cycle_row, educator_data, educator_of,
                      positive_int)

PLAN_FIELDS = {"goals": "plan_goals", "content": "plan_content", "timeline": "plan_timeline",
               "conditions": "plan_conditions"}


# ---------------------------------------------------------------------------------------------
# Reading


def current_cycle() -> CycleData:
    cycle = current_cycle_row()
    return cycle_data(cycle)


def get_educator(user) -> EducatorData | None:
    educator = educator_of(user)
    return educator_data(educator) if educator else None


def framework_for(educator: EducatorProfile) -> standards.Framework:
    """The framework in force for the educator's position: the newest one of that kind."""
    candidates = [f for f in standards.all_frameworks().values() if f.kind == educator.framework_kind]
    if not candidates:
        raise NotFound(f"no framework for {educator.framework_kind}s is installed")
    return max(candidates, key=lambda f: f.legal_basis.effective)


def get_or_create_evaluation(user, cycle_code: str | None = None,
                             framework_code: str | None = None) -> EvaluationData:
    """The acting educator's own evaluation for the cycle (the current one by default).

    ``framework_code`` names the framework a course expects (a teachers' block offered to a
    principal is refused); by default the framework in force for the educator's position.
    """
    educator = educator_of(user)
    if educator is None:
        raise NotFound("this account has no educator profile")
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
        educator=educator, cycle=cycle, framework_code=framework.code,
        defaults={"framework_revision": framework.revision, "legal_basis": framework.legal_basis.citation(),
                  "school_id": educator.school_id, "school_level": educator.school_level},
    )
    if created:
        _audit(evaluation, user, "create", after={"framework": framework.code})
    return _evaluation_data(evaluation, relations(user, evaluation))


def get_evaluation(user, evaluation_id: int) -> EvaluationData:
    evaluation = _evaluation(evaluation_id)
    found = relations(user, evaluation)
    if not found:
        # Same answer as a missing id, so ids cannot be probed.
        raise NotFound(f"no evaluation {evaluation_id}")
    return _evaluation_data(evaluation, found)


def list_evidence(user) -> list[EvidenceData]:
    educator = educator_of(user)
    if educator is None:
        return []
    return [_evidence_data(e) for e in educator.evidence.order_by("-created", "-id")]


def list_opinions(user, evaluation_id: int) -> list[OpinionData]:
    evaluation = _evaluation(evaluation_id)
    found = relations(user, evaluation)
    if not found & {Relation.HEAD, Relation.OVERSIGHT, Relation.OWNER, Relation.GROUP_HEAD}:
        raise NotFound(f"no evaluation {evaluation_id}")
    return [_opinion_data(o) for o in evaluation.opinions.select_related("colleague__school", "colleague__subject_group")]


def own_opinion(user, evaluation_id: int) -> OpinionData | None:
    """The acting colleague's own opinion on an evaluation (to revise it), or None when there is none yet."""
    evaluation = _evaluation(evaluation_id)
    if not relations(user, evaluation):
        raise NotFound(f"no evaluation {evaluation_id}")
    colleague = educator_of(user)
    opinion = evaluation.opinions.select_related("colleague__school", "colleague__subject_group").filter(
        colleague=colleague).first() if colleague else None
    return _opinion_data(opinion) if opinion else None


def summarize_opinions(user, evaluation_id: int) -> OpinionSummary:
    evaluation = _evaluation(evaluation_id)
    if not relations(user, evaluation) & {Relation.HEAD, Relation.OVERSIGHT, Relation.OWNER, Relation.MENTOR,
                                          Relation.GROUP_HEAD}:
        raise NotFound(f"no evaluation {evaluation_id}")
    per_criterion: dict[int, Counter] = {}
    per_rating: Counter = Counter()
    opinions = list(evaluation.opinions.values_list("levels", "rating"))
    for packed, rating in opinions:
        per_rating[rating] += 1
        for number, level in unpack_levels(packed).items():
            per_criterion.setdefault(number, Counter())[level.value] += 1
    return OpinionSummary(
        evaluation_id=evaluation.pk, count=len(opinions),
        per_criterion={n: dict(c) for n, c in sorted(per_criterion.items())}, per_rating=dict(per_rating),
    )


def list_mentees(user, cycle_code: str | None = None) -> list[MenteeData]:
    """The colleagues the acting core teacher supports in the cycle, with their evaluation status."""
    mentor = educator_of(user)
    if mentor is None:
        return []
    cycle = cycle_row(cycle_code)
    memberships = (MentorGroupMembership.objects
                   .filter(group__mentor=mentor, group__cycle=cycle)
                   .select_related("group", "mentee__school", "mentee__subject_group")
                   .order_by("group__code", "mentee__full_name"))
    evaluations = {e.educator_id: e for e in Evaluation.objects.filter(
        cycle=cycle, educator__in=[m.mentee_id for m in memberships])}
    result = []
    for membership in memberships:
        evaluation = evaluations.get(membership.mentee_id)
        result.append(MenteeData(
            educator=educator_data(membership.mentee), group_code=membership.group.code,
            evaluation_id=evaluation.pk if evaluation else None,
            evaluation_state=evaluation.state if evaluation else None,
            self_rating=(evaluation.self_rating or None) if evaluation else None,
            final_rating=(evaluation.final_rating or None) if evaluation else None,
        ))
    return result


def self_assessment_report_rows(evaluation_ids) -> dict[int, dict]:
    """Per evaluation: state, framework, ratings and self levels, for the platform's report tasks.

    No permission check: callers are platform report tasks that course staff started, which already
    restrict who may download the report.
    """
    rows = {}
    for evaluation in Evaluation.objects.filter(pk__in=list(evaluation_ids)):
        row = {"framework": evaluation.framework_code, "legal_basis": evaluation.legal_basis,
               "state": evaluation.state, "self_rating": evaluation.self_rating,
               "final_rating": evaluation.final_rating}
        for number, level in unpack_levels(evaluation.self_levels).items():
            row[f"criterion {number}"] = level.value
        rows[evaluation.pk] = row
    return rows


def audit_trail(user, evaluation_id: int) -> list[AuditEntryData]:
    evaluation = _evaluation(evaluation_id)
    if not relations(user, evaluation) & {Relation.HEAD, Relation.OVERSIGHT, Relation.OWNER}:
        raise NotFound(f"no evaluation {evaluation_id}")
    return [
        AuditEntryData(at=e.at, actor=e.actor.get_username() if e.actor else None, action=e.action,
                       target=e.target, before=e.before, after=e.after, reason=e.reason)
        for e in evaluation.audit_entries.select_related("actor").order_by("at", "id")
    ]


# ---------------------------------------------------------------------------------------------
# The educator's self-assessment


def save_self_assessment(user, evaluation_id: int, expected_version: int, *, levels=None, strengths=None,
                         improvements=None, plan=None, training_needs=None) -> EvaluationData:
    """Save any part of a draft self-assessment; ``levels`` may give only some criteria."""
    with transaction.atomic():
        evaluation, found = _lock(evaluation_id, expected_version, user, Action.EDIT_SELF)
        framework = standards.get_framework(evaluation.framework_code)
        before, after = {}, {}
        if levels is not None:
            merged = unpack_levels(evaluation.self_levels) | _partial_levels(framework, levels)
            _set(evaluation, "self_levels", pack_levels(len(framework.criterion_numbers), merged), before, after)
            _set(evaluation, "self_rating", _rating_if_complete(framework, merged), before, after)
        for name, value in (("strengths", strengths), ("improvements", improvements)):
            if value is not None:
                _set(evaluation, name, checked_text(value, name), before, after)
        if plan is not None:
            plan = _parsed(LearningPlan, plan, "plan")
            for key, field in PLAN_FIELDS.items():
                _set(evaluation, field, checked_text(getattr(plan, key), f"plan.{key}"), before, after)
        if training_needs is not None:
            _replace_training_needs(evaluation, framework, training_needs, before, after)
        _commit(evaluation, user, Action.EDIT_SELF, "self_assessment", before, after)
    return _evaluation_data(evaluation, found)


def add_evidence(user, name: str, *, description: str = "", file=None, url: str = "") -> EvidenceData:
    """Store an evidence item (a file through Django's storage, or a link) for the acting educator."""
    educator = educator_of(user)
    if educator is None:
        raise NotFound("this account has no educator profile")
    name = checked_text(name, "name").strip()
    if not name:
        raise InvalidInput("evidence needs a name")
    if bool(file) == bool(url):
        raise InvalidInput("evidence is either a file or a link, not both or neither")
    evidence = Evidence(owner=educator, name=name[:255], description=checked_text(description, "description"))
    if url:
        evidence.url = _validated_url(url)
    else:
        _check_upload(file)
        evidence.original_filename = _safe_filename(file.name)
        evidence.content_type = getattr(file, "content_type", "") or mimetypes.guess_type(file.name)[0] or ""
        evidence.size = file.size
        evidence.file.save(file.name, file, save=False)
    try:
        evidence.save()
    except Exception:
        if evidence.file:
            evidence.file.delete(save=False)  # no orphaned file when the row could not be written
        raise
    return _evidence_data(evidence)


def link_evidence(user, evaluation_id: int, expected_version: int, evidence_id: int,
                  criteria: list[int]) -> EvaluationData:
    """Make one evidence item back the given criteria (replacing the criteria it backed before)."""
    with transaction.atomic():
        evaluation, found = _lock(evaluation_id, expected_version, user, Action.EDIT_SELF)
        framework = standards.get_framework(evaluation.framework_code)
        pk = positive_int(evidence_id)
        evidence = Evidence.objects.filter(pk=pk, owner=evaluation.educator).first() if pk else None
        if evidence is None:
            raise NotFound(f"no evidence {str(evidence_id)[:40]}")  # also for another educator's evidence
        wanted = sorted(set(_criteria(framework, criteria)))
        links = EvidenceLink.objects.filter(evaluation=evaluation, evidence=evidence)
        before = sorted(links.values_list("criterion", flat=True))
        links.exclude(criterion__in=wanted).delete()
        EvidenceLink.objects.bulk_create(
            [EvidenceLink(evaluation=evaluation, evidence=evidence, criterion=n) for n in wanted if n not in before])
        _commit(evaluation, user, Action.EDIT_SELF, f"evidence:{evidence.pk}", {"criteria": before},
                {"criteria": wanted})
    return _evaluation_data(evaluation, found)


def submit_self_assessment(user, evaluation_id: int, expected_version: int) -> EvaluationData:
    with transaction.atomic():
        evaluation, found = _lock(evaluation_id, expected_version, user, Action.SUBMIT)
        framework = standards.get_framework(evaluation.framework_code)
        levels = unpack_levels(evaluation.self_levels)
        missing = [n for n in framework.criterion_numbers if n not in levels]
        if missing:
            raise InvalidInput(f"choose a level for every criterion before submitting (missing: {missing})")
        evaluation.self_rating = standards.evaluate(framework, levels).result
        evaluation.submitted_at = timezone.now()
        _commit(evaluation, user, Action.SUBMIT, "state", after={"self_rating": evaluation.self_rating})
    return _evaluation_data(evaluation, found)


# ---------------------------------------------------------------------------------------------
# Colleague opinions


def add_colleague_opinion(user, evaluation_id: int, levels, *, strengths: str = "", improvements: str = "",
                          expected_version: int | None = None) -> OpinionData:
    """Record (or revise) the acting colleague's opinion; a complete level sheet is required.

    ``expected_version`` is the version of the colleague's own opinion being revised (None for a new one).
    """
    with transaction.atomic():
        evaluation = _evaluation(evaluation_id, lock=True)
        _require(user, evaluation, Action.ADD_OPINION)
        framework = standards.get_framework(evaluation.framework_code)
        checked = _complete_levels(framework, levels)
        colleague = educator_of(user)
        opinion = ColleagueOpinion.objects.select_for_update().filter(evaluation=evaluation,
                                                                      colleague=colleague).first()
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
        _audit(evaluation, user, "add_opinion", f"opinion:{opinion.pk}", before, _opinion_snapshot(opinion))
    return _opinion_data(opinion)


# ---------------------------------------------------------------------------------------------
# The head's (or superior's) final rating


def save_final_levels(user, evaluation_id: int, expected_version: int, levels, comment: str | None = None
                      ) -> EvaluationData:
    with transaction.atomic():
        evaluation, found = _lock(evaluation_id, expected_version, user, Action.EDIT_FINAL)
        framework = standards.get_framework(evaluation.framework_code)
        before, after = {}, {}
        merged = unpack_levels(evaluation.final_levels) | _partial_levels(framework, levels)
        _set(evaluation, "final_levels", pack_levels(len(framework.criterion_numbers), merged), before, after)
        if comment is not None:
            _set(evaluation, "final_comment", checked_text(comment, "comment"), before, after)
        _commit(evaluation, user, Action.EDIT_FINAL, "final_levels", before, after)
    return _evaluation_data(evaluation, found)


def finalize_evaluation(user, evaluation_id: int, expected_version: int, *, levels=None,
                        comment: str | None = None) -> EvaluationData:
    """Set the final levels (all of them, given here or saved before) and close the evaluation."""
    with transaction.atomic():
        evaluation, found = _lock(evaluation_id, expected_version, user, Action.FINALIZE)
        _finalize(evaluation, user, levels, comment)
    return _evaluation_data(evaluation, found)


def _finalize(evaluation, user, levels=None, comment=None):
    """Finalize a locked, checked evaluation (inside the caller's transaction)."""
    framework = standards.get_framework(evaluation.framework_code)
    merged = unpack_levels(evaluation.final_levels)
    if levels is not None:
        merged |= _partial_levels(framework, levels)
    checked = _complete_levels(framework, merged)
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
    _commit(evaluation, user, Action.FINALIZE, "state", before,
            {"final_levels": evaluation.final_levels, "final_rating": evaluation.final_rating})


def reopen_evaluation(user, evaluation_id: int, expected_version: int, reason: str, *,
                      to_draft: bool = False) -> EvaluationData:
    """Reopen a finalized evaluation, for the head (default) or back to the educator (``to_draft``)."""
    reason = checked_text(reason, "reason").strip()
    if not reason:
        raise InvalidInput("reopening needs a reason")
    action = Action.RETURN_TO_DRAFT if to_draft else Action.REOPEN
    with transaction.atomic():
        evaluation, found = _lock(evaluation_id, expected_version, user, action)
        before = {"final_rating": evaluation.final_rating, "finalized_at": _iso(evaluation.finalized_at)}
        evaluation.final_rating = ""
        evaluation.finalized_at = None
        evaluation.finalized_by = None
        if to_draft:
            evaluation.submitted_at = None
        _commit(evaluation, user, action, "state", before, {"final_rating": ""}, reason)
    return _evaluation_data(evaluation, found)


# ---------------------------------------------------------------------------------------------
# The head's list: the evaluations a head of school (or a superior) rates, and actions on many


class RatingRowData(BaseModel):
    """One evaluation in the list of a head (of a school) or of a superior (for principals)."""

    model_config = ConfigDict(frozen=True)

    evaluation_id: int
    version: int
    educator: EducatorData
    subject_group_name: str | None
    framework_code: str
    state: str
    self_rating: str | None
    opinion_count: int
    opinion_ratings: dict[str, int]  # overall rating -> how many colleagues gave it
    final_levels_count: int  # criteria with a final level saved
    criterion_count: int
    final_rating: str | None  # once finalized
    final_preview: str | None  # the rating the saved final levels give, when complete and not finalized


class SchoolChoice(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str


class RatingListData(BaseModel):
    model_config = ConfigDict(frozen=True)

    cycle: CycleData
    rows: list[RatingRowData]
    total: int  # rows matching the filters, on every page
    page: int
    page_size: int
    schools: list[SchoolChoice] | None  # the schools the user rates in, or None when too many to list


class BulkFailure(BaseModel):
    """An evaluation a bulk action left unchanged, and why (``reason`` is a code the screens translate)."""

    model_config = ConfigDict(frozen=True)

    evaluation_id: int
    educator_name: str | None  # None when the user may not see the evaluation
    reason: str
    state: str | None = None


class BulkOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    succeeded: list[int]
    failures: list[BulkFailure]


# Reasons a bulk action gives for an evaluation it left unchanged.
BULK_REASONS = ("not_found", "not_allowed", "own_evaluation", "wrong_state", "changed", "has_final_levels",
                "self_levels_incomplete", "final_levels_incomplete", "invalid")
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


def list_cycles() -> list[CycleData]:
    return [cycle_data(c) for c in Cycle.objects.order_by("-starts_on")]


def list_evaluations_to_rate(user, cycle_code: str | None = None, school_code: str | None = None,
                             state: str | None = None, page: int = 1, page_size: int = 50) -> RatingListData:
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
    values = (evaluations
              .order_by("educator__school__name", "educator__school_id", "educator__full_name", "pk")
              .values("pk", "version", "framework_code", "state", "self_rating", "final_levels", "final_rating",
                      "educator_id", "educator__full_name", "educator__position", "educator__subject",
                      "educator__school_level", "educator__is_core_teacher", "educator__school__code",
                      "educator__school__name", "educator__subject_group__code", "educator__subject_group__name")
              .annotate(opinion_count=Count("opinions"),
                        **{f"rated_{r}": Count("opinions", filter=Q(opinions__rating=r)) for r in ratings})
              )[(page - 1) * page_size:page * page_size]
    rows = [_rating_row(v, ratings) for v in values]
    return RatingListData(cycle=cycle_data(cycle), rows=rows, total=total, page=page, page_size=page_size,
                          schools=_schools_rated(scopes))


def get_evaluation_to_rate(user, evaluation_id: int) -> EvaluationData:
    """An evaluation ``user`` gives the final rating for; anyone else is refused (NotFound or NotAllowed)."""
    evaluation = _evaluation(evaluation_id)
    found = relations(user, evaluation)
    if not found:
        raise NotFound(f"no evaluation {evaluation_id}")
    if Relation.HEAD not in found:
        raise NotAllowed("only the head of school, or the superior for a principal, gives the final rating")
    if Relation.OWNER in found:
        raise NotAllowed("nobody gives the final rating for their own evaluation")
    return _evaluation_data(evaluation, found)


def open_evidence_file(user, evidence_id: int):
    """An evidence file, opened for reading, with its description.

    Its owner may open it, and so may whoever reads the trail of an evaluation it backs (the head,
    oversight roles). Anyone else is told it does not exist, as for an unknown id, so ids cannot be
    probed. Returns ``(EvidenceData, file)``; the caller closes the file.
    """
    pk = positive_int(evidence_id)
    evidence = Evidence.objects.select_related("owner").filter(pk=pk).first() if pk else None
    if evidence is None or not evidence.file or not _may_open_evidence(user, evidence):
        raise NotFound(f"no evidence file {evidence_id}")
    try:
        handle = evidence.file.open("rb")
    except OSError:
        raise NotFound(f"no evidence file {evidence_id}") from None
    return _evidence_data(evidence), handle


def _may_open_evidence(user, evidence: Evidence) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if evidence.owner.user_id == user.pk:
        return True
    backed = Evaluation.objects.filter(evidence_links__evidence=evidence).distinct()
    return any(relations(user, evaluation) & {Relation.HEAD, Relation.OVERSIGHT} for evaluation in backed)


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
        _set(evaluation, "final_levels", pack_levels(len(framework.criterion_numbers), levels), before, after)
        after["from"] = "self_levels"
        _commit(evaluation, user, Action.EDIT_FINAL, "final_levels", before, after)

    return _bulk(user, evaluation_ids, expected_versions, Action.EDIT_FINAL, apply)


def finalize_evaluations(user, evaluation_ids, expected_versions=None) -> BulkOutcome:
    """Finalize each evaluation whose final levels are complete; see :func:`accept_self_levels_as_final`."""
    def apply(evaluation):
        framework = standards.get_framework(evaluation.framework_code)
        if set(unpack_levels(evaluation.final_levels)) != set(framework.criterion_numbers):
            raise _Refused("final_levels_incomplete")
        _finalize(evaluation, user)

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
                evaluation = _evaluation(pk, lock=True)
                found = _require(user, evaluation, action)
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
            reason = exc.reason if isinstance(exc, _Refused) else {
                NotAllowed: "not_allowed", InvalidTransition: "wrong_state", ConcurrentEdit: "changed"}.get(
                type(exc), "invalid")
            failures.append(BulkFailure(evaluation_id=pk, educator_name=evaluation.educator.full_name,
                                        reason=reason, state=evaluation.state))
            continue
        succeeded.append(pk)
    return BulkOutcome(succeeded=succeeded, failures=failures)


def _evaluation_ids(values) -> list[int]:
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        raise InvalidInput("evaluation ids are numbers") from None


def _rated_at(lookup: str, value) -> Q:
    """Evaluations whose rating school matches ``school__<lookup>``: the educator's school while the
    evaluation is open (it moves with them), the school that rated it once finalized (the move policy,
    docs/admin-guide.md "Moves between schools"; permissions.rating_school is the same rule)."""
    finalized = Q(state=EvaluationState.FINALIZED)
    return ((~finalized & Q(**{f"educator__school__{lookup}": value}))
            | (finalized & Q(**{f"school__{lookup}": value})))


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
            scopes.append((_rated_at("path__startswith", path) & ~_rated_at("id", assignment.unit_id)
                           & ~teachers, Q(path__startswith=path) & below))
    return scopes


def _schools_rated(scopes) -> list[SchoolChoice] | None:
    condition = Q()
    for q in (s[1] for s in scopes):
        condition |= q
    schools = list(OrgUnit.objects.filter(condition, kind=UnitKind.SCHOOL).order_by("name", "code")
                   .values_list("code", "name")[:SCHOOL_CHOICES_MAX + 1])
    if len(schools) > SCHOOL_CHOICES_MAX:
        return None
    return [SchoolChoice(code=code, name=name) for code, name in schools]


def _rating_row(values, ratings) -> RatingRowData:
    framework = standards.get_framework(values["framework_code"])
    final = unpack_levels(values["final_levels"])
    complete = set(final) == set(framework.criterion_numbers)
    return RatingRowData(
        evaluation_id=values["pk"], version=values["version"],
        educator=EducatorData(
            id=values["educator_id"], full_name=values["educator__full_name"],
            school_code=values["educator__school__code"], school_name=values["educator__school__name"],
            subject_group_code=values["educator__subject_group__code"], position=values["educator__position"],
            subject=values["educator__subject"], school_level=values["educator__school_level"],
            is_core_teacher=values["educator__is_core_teacher"]),
        subject_group_name=values["educator__subject_group__name"], framework_code=values["framework_code"],
        state=values["state"], self_rating=values["self_rating"] or None, opinion_count=values["opinion_count"],
        opinion_ratings={r: values[f"rated_{r}"] for r in ratings if values[f"rated_{r}"]},
        final_levels_count=len(final), criterion_count=len(framework.criterion_numbers),
        final_rating=values["final_rating"] or None,
        final_preview=(standards.evaluate(framework, final).result.value
                       if complete and values["state"] != EvaluationState.FINALIZED else None),
    )


# ---------------------------------------------------------------------------------------------
# Internals


def _evaluation(evaluation_id, lock=False) -> Evaluation:
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


def _require(user, evaluation: Evaluation, action: Action) -> set[Relation]:
    """Check that ``user`` may take ``action`` now; returns the user's relations to the evaluation."""
    found = relations(user, evaluation)
    if action not in permitted_actions(found):
        if not found:
            raise NotFound(f"no evaluation {evaluation.pk}")
        raise NotAllowed(f"you may not {action.value} this evaluation")
    next_state(evaluation.state, action)  # raises InvalidTransition when the state forbids it
    return found


def _lock(evaluation_id, expected_version, user, action: Action) -> tuple[Evaluation, set[Relation]]:
    """Lock the row, check permission, state and version: the start of every evaluation write."""
    evaluation = _evaluation(evaluation_id, lock=True)
    found = _require(user, evaluation, action)
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


def _set(evaluation, field, value, before, after):
    old = getattr(evaluation, field)
    if old != value:
        before[field], after[field] = old, value
        setattr(evaluation, field, value)


def _commit(evaluation, user, action: Action, target, before=None, after=None, reason=""):
    """Apply ``action``'s state change, bump the version, save and audit, in the caller's transaction."""
    before, after = dict(before or {}), dict(after or {})
    old_state = evaluation.state
    evaluation.state = next_state(old_state, action)
    if evaluation.state != old_state:
        before["state"], after["state"] = old_state, evaluation.state
    evaluation.version += 1
    evaluation.save()
    _audit(evaluation, user, action.value, target, before, after, reason)


def _audit(evaluation, user, action, target="", before=None, after=None, reason=""):
    AuditEntry.objects.create(evaluation=evaluation, actor=user if getattr(user, "pk", None) else None,
                              action=action, target=target, before=before, after=after, reason=reason)


def _partial_levels(framework, levels) -> dict[int, Level]:
    if not hasattr(levels, "items"):
        raise InvalidInput("levels must map criterion numbers to level codes")
    numbers = set(framework.criterion_numbers)
    checked = {}
    for key, code in levels.items():
        number = _criterion_number(key)
        if number not in numbers:
            raise InvalidInput(f"{framework.code} has no criterion {key!r}")
        try:
            checked[number] = Level(code)
        except ValueError:
            raise InvalidInput(f"criterion {number}: unknown level {code!r}") from None
    return checked


def _complete_levels(framework, levels) -> dict[int, Level]:
    try:
        return standards.validate_levels(framework, {_criterion_number(k): v for k, v in levels.items()})
    except standards.InvalidLevels as exc:
        raise InvalidInput(str(exc)) from None
    except AttributeError:
        raise InvalidInput("levels must map criterion numbers to level codes") from None


def _criterion_number(key) -> int:
    # JSON object keys arrive as strings from the XBlock and LTI handlers.
    if isinstance(key, bool) or not isinstance(key, (int, str)):
        raise InvalidInput(f"not a criterion number: {str(key)[:40]!r}")
    try:
        return int(key)
    except ValueError:
        raise InvalidInput(f"not a criterion number: {key[:40]!r}") from None


def _criteria(framework, criteria) -> list[int]:
    if not isinstance(criteria, (list, tuple)):
        raise InvalidInput("criteria must be a list of criterion numbers", field="criteria")
    numbers = [_criterion_number(c) for c in criteria]
    unknown = sorted(set(numbers) - set(framework.criterion_numbers))
    if unknown:
        raise InvalidInput(f"{framework.code} has no criteria {unknown}")
    return numbers


def _rating_if_complete(framework, levels: dict[int, Level]) -> str:
    if len(levels) == len(framework.criterion_numbers):
        return standards.evaluate(framework, levels).result
    return ""


def _replace_training_needs(evaluation, framework, needs, before, after):
    if not isinstance(needs, list):
        raise InvalidInput("training needs must be a list")
    parsed = [_parsed(TrainingNeedData, n, "training need") for n in needs]
    codes = {n.module_code for n in parsed if n.module_code}
    modules = {m.code: m for m in TrainingModule.objects.filter(code__in=codes)}
    unknown = sorted(codes - set(modules))
    if unknown:
        raise InvalidInput(f"unknown training modules {unknown}")
    _criteria(framework, [n.criterion for n in parsed if n.criterion is not None])
    if any(n.criterion is None and n.module_code is None for n in parsed):
        raise InvalidInput("a training need names a criterion, a module, or both")
    old = [TrainingNeedData(criterion=t.criterion, module_code=t.module.code if t.module else None).model_dump()
           for t in evaluation.training_needs.select_related("module")]
    new = [n.model_dump() for n in parsed]
    if old != new:
        evaluation.training_needs.all().delete()
        TrainingNeed.objects.bulk_create([
            TrainingNeed(evaluation=evaluation, criterion=n.criterion,
                         module=modules.get(n.module_code) if n.module_code else None) for n in parsed])
        before["training_needs"], after["training_needs"] = old, new


def _parsed(model, value, what):
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidInput(f"invalid {what}: {problems}") from None


def _validated_url(url) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    url = checked_text(url, "url").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise InvalidInput("the link must be an http(s) address") from None
    return url


def _safe_filename(name: str) -> str:
    # Only the last path component, whatever separators a browser sent.
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255]


def _check_upload(file):
    limit = settings.TEMIS_EVIDENCE_MAX_BYTES
    if file.size > limit:
        raise InvalidInput(f"the file is larger than the limit of {limit // (1024 * 1024)} MB")
    allowed = settings.TEMIS_EVIDENCE_CONTENT_TYPES
    declared = getattr(file, "content_type", None)
    guessed = mimetypes.guess_type(_safe_filename(file.name))[0]
    if guessed not in allowed or (declared and declared != guessed):
        raise InvalidInput("this type of file is not accepted as evidence")
    if not content_matches(guessed, file):
        raise InvalidInput("the file's content does not match its type")


def _iso(value):
    return value.isoformat() if value else None


def _opinion_snapshot(opinion):
    return {"levels": opinion.levels, "rating": opinion.rating, "strengths": opinion.strengths,
            "improvements": opinion.improvements}


def _evidence_data(evidence: Evidence) -> EvidenceData:
    return EvidenceData(
        id=evidence.pk, name=evidence.name, description=evidence.description,
        # A file is served only through the permission-checked route, never by its storage URL.
        kind="file" if evidence.file else "link",
        url=reverse("temis:evidence_file", args=[evidence.pk]) if evidence.file else evidence.url,
        original_filename=evidence.original_filename, content_type=evidence.content_type, size=evidence.size,
    )


def _opinion_data(opinion: ColleagueOpinion) -> OpinionData:
    return OpinionData(
        id=opinion.pk, evaluation_id=opinion.evaluation_id, colleague=educator_data(opinion.colleague),
        levels={n: lv.value for n, lv in unpack_levels(opinion.levels).items()}, rating=opinion.rating,
        strengths=opinion.strengths, improvements=opinion.improvements, version=opinion.version,
    )


def _evaluation_data(evaluation: Evaluation, found: set[Relation]) -> EvaluationData:
    evidence: dict[int, list[EvidenceData]] = {}
    for link in evaluation.evidence_links.select_related("evidence").order_by("criterion", "evidence_id"):
        evidence.setdefault(link.criterion, []).append(_evidence_data(link.evidence))
    permitted = permitted_actions(found)
    # The head's levels and comment are a draft until finalized: the head, and oversight, see them;
    # the educator, colleagues and mentors see them once the rating is final (as the block's page does).
    final_shown = evaluation.state == EvaluationState.FINALIZED or bool(found & {Relation.HEAD, Relation.OVERSIGHT})
    return EvaluationData(
        id=evaluation.pk, educator=educator_data(evaluation.educator), cycle_code=evaluation.cycle.code,
        framework_code=evaluation.framework_code, framework_revision=evaluation.framework_revision,
        legal_basis=evaluation.legal_basis, state=evaluation.state, version=evaluation.version,
        self_levels={n: lv.value for n, lv in unpack_levels(evaluation.self_levels).items()},
        self_rating=evaluation.self_rating or None, strengths=evaluation.strengths,
        improvements=evaluation.improvements,
        plan=LearningPlan(**{key: getattr(evaluation, field) for key, field in PLAN_FIELDS.items()}),
        training_needs=[TrainingNeedData(criterion=t.criterion, module_code=t.module.code if t.module else None)
                        for t in evaluation.training_needs.select_related("module").order_by("id")],
        evidence=evidence,
        final_levels={n: lv.value for n, lv in unpack_levels(evaluation.final_levels).items()} if final_shown else {},
        final_rating=(evaluation.final_rating or None) if final_shown else None,
        final_comment=evaluation.final_comment if final_shown else "",
        submitted_at=evaluation.submitted_at, finalized_at=evaluation.finalized_at,
        allowed_actions=[a.value for a in allowed_actions(EvaluationState(evaluation.state)) if a in permitted],
    )
