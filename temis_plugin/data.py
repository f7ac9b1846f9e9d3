"""Plain data the API returns: no model instances leave temis_plugin."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True)


class CycleData(_Data):
    code: str
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    self_assessment_closes_on: datetime.date | None


class EducatorData(_Data):
    id: int
    full_name: str
    school_code: str
    school_name: str
    subject_group_code: str | None
    position: str
    subject: str
    school_level: str
    is_core_teacher: bool


class EvidenceData(_Data):
    id: int
    name: str
    description: str
    kind: str  # "file" or "link"
    url: str  # the link, or the permission-checked route that serves the file
    original_filename: str
    content_type: str
    size: int


class LearningPlan(_Data):
    goals: str = ""
    content: str = ""
    timeline: str = ""
    conditions: str = ""


class TrainingNeedData(_Data):
    criterion: int | None = None
    module_code: str | None = None


class EvaluationData(_Data):
    id: int
    educator: EducatorData
    cycle_code: str
    framework_code: str
    framework_revision: int
    legal_basis: str
    state: str
    version: int
    self_levels: dict[int, str]
    self_rating: str | None
    strengths: str
    improvements: str
    plan: LearningPlan
    training_needs: list[TrainingNeedData]
    evidence: dict[int, list[EvidenceData]]  # criterion number -> evidence backing it
    final_levels: dict[int, str]
    final_rating: str | None
    final_comment: str
    submitted_at: datetime.datetime | None
    finalized_at: datetime.datetime | None
    allowed_actions: list[str]  # what the requesting user may do now


class OpinionData(_Data):
    id: int
    evaluation_id: int
    colleague: EducatorData
    levels: dict[int, str]
    rating: str
    strengths: str
    improvements: str
    version: int


class OpinionSummary(_Data):
    """Colleague opinions counted per criterion and level, and per overall rating."""

    evaluation_id: int
    count: int
    per_criterion: dict[int, dict[str, int]]
    per_rating: dict[str, int]


class MenteeData(_Data):
    educator: EducatorData
    group_code: str
    evaluation_id: int | None
    evaluation_state: str | None
    self_rating: str | None
    final_rating: str | None


class AuditEntryData(_Data):
    at: datetime.datetime
    actor: str | None
    action: str
    target: str
    before: object | None
    after: object | None
    reason: str


# ---------------------------------------------------------------------------------------------
# The head's list: the evaluations a head of school (or a superior) rates, and actions on many


class RatingRowData(_Data):
    """One evaluation in the list of a head (of a school) or of a superior (for principals)."""

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


class SchoolChoice(_Data):
    code: str
    name: str


class RatingListData(_Data):
    cycle: CycleData
    rows: list[RatingRowData]
    total: int  # rows matching the filters, on every page
    page: int
    page_size: int
    schools: list[SchoolChoice] | None  # the schools the user rates in, or None when too many to list


class BulkFailure(_Data):
    """An evaluation a bulk action left unchanged, and why (``reason`` is a code the screens translate)."""

    evaluation_id: int
    educator_name: str | None  # None when the user may not see the evaluation
    reason: str
    state: str | None = None


class BulkOutcome(_Data):
    succeeded: list[int]
    failures: list[BulkFailure]


# ---------------------------------------------------------------------------------------------
# Training modules: courses, results from the LMS's grade events, satisfaction survey


class TrainingModuleData(_Data):
    code: str
    name_vi: str
    name_en: str
    audience: str  # "teacher" or "principal"
    hours: int | None
    legal_basis: str
    criteria: list[int]


class ModuleResultData(_Data):
    module: TrainingModuleData
    course_key: str
    percent: float | None  # 0..1, from the newest grade event
    passed: bool | None  # the current passing status; None when no source has told it
    passed_on: datetime.date | None  # the first day the educator passed, kept if a regrade takes the pass away
    last_event_at: datetime.datetime


class SurveyResponseData(_Data):
    module_code: str
    answers: dict[str, int]
    comment: str
    created: datetime.datetime
    modified: datetime.datetime


# What a backfill did with one learner's result (BackfillOutcome.status).
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
UNKNOWN_USER, NOT_EDUCATOR, UNMAPPED_COURSE = "unknown_user", "not_educator", "unmapped_course"
SAME_ACCOUNT = "same_account"  # a second row for an account already matched in the same snapshot


@dataclass(frozen=True)
class LearnerResult:
    """A learner's course result as a backfill source (grade report, Grades API) gives it.

    The learner is ``user_id`` when known, else the account named ``username`` (exactly), else, when
    the backfill is asked to, the one account with ``email``. ``percent`` is the course grade from 0
    to 1, or None; ``passed`` is the passing status, or None when the source cannot tell.
    """

    username: str
    email: str = ""
    percent: float | Decimal | None = None
    passed: bool | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class BackfillOutcome:
    """``status`` is one of CREATED, UPDATED, UNCHANGED, UNKNOWN_USER, NOT_EDUCATOR, SAME_ACCOUNT,
    UNMAPPED_COURSE. ``passed`` is the pass status taken (the source's, or the course's pass mark's);
    ``same_as`` is the position of the earlier learner matched to the same account."""

    status: str
    result: ModuleResultData | None = None
    passed: bool | None = None
    matched_by_email: bool = False
    same_as: int | None = None

    RECORDED: ClassVar[tuple[str, ...]] = (CREATED, UPDATED, UNCHANGED)  # the row is the educator's result
    UNMATCHED: ClassVar[tuple[str, ...]] = (UNKNOWN_USER, NOT_EDUCATOR, SAME_ACCOUNT)  # no educator's result


# ---------------------------------------------------------------------------------------------
# Mentoring: mentor groups, support activities, the mentor's overview, opinions per teacher


class MentorGroupData(_Data):
    code: str
    name: str
    cycle_code: str
    mentees: list[EducatorData]


class SupportActivityData(_Data):
    id: int
    group_code: str
    cycle_code: str
    mentor_id: int
    date: datetime.date
    duration_minutes: int
    form: str  # "in_person", "online" or "subject_group_meeting"
    topic: str
    criteria: list[int]
    mentees: list[EducatorData]
    notes: str
    next_steps: str
    version: int
    created: datetime.datetime
    modified: datetime.datetime


class MenteeOverviewData(_Data):
    """One mentee as the core teacher sees them: progress, self-assessment, activity and alerts."""

    educator: EducatorData
    group_code: str
    evaluation_id: int | None
    evaluation_state: str | None
    self_levels: dict[int, str]
    self_rating: str | None
    submitted_at: datetime.datetime | None
    module_results: list[ModuleResultData]
    last_activity: datetime.date | None  # newest of: evaluation change, module result event, support attended
    inactive: bool  # no activity for ``inactive_days`` (counted from the cycle's start when there is none)
    self_assessment_due: bool  # not submitted, and the self-assessment closes within ``due_days`` (or has closed)
    self_assessment_closes_on: datetime.date | None
    same_subject_group: bool  # the mentor may give a colleague opinion


class TeacherOpinionsData(_Data):
    """A teacher of a subject group with the colleague opinions on their evaluation, for the group's head."""

    educator: EducatorData
    evaluation_id: int | None
    evaluation_state: str | None
    self_rating: str | None
    summary: OpinionSummary | None


class ScopeData(_Data):
    code: str  # "" for the whole country
    name: str
    kind: str


class ReportRunData(_Data):
    id: str
    kind: str
    template_code: str
    file_format: str
    cycle_code: str
    scope: ScopeData
    framework_code: str
    cut_off: datetime.datetime
    status: str  # queued, running, done, invalid, failed
    progress: int  # percent
    rows_written: int
    file_size: int
    sha256: str
    problems: list[str]
    created: datetime.datetime
    finished: datetime.datetime | None
