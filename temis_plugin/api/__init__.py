"""The plugin's Python API: the one door through which xblocks/ and lti/ read and change records.

Every function takes the acting Django user (or, for the LMS's events, a user id), checks what that
user may do, and returns plain data (:mod:`temis_plugin.data`), never model instances. The modules
behind this door follow the regulation's steps (self-assessment, evidence, colleague opinions, final
rating) and the other services (mentoring, training, reports); import from ``temis_plugin.api`` only.
The door also passes on what screens outside temis_plugin need beside the calls: the errors, the
labels of levels, ratings and states, the frameworks, the survey's scale.
"""

# Errors, the labels screens show, and what else screens and services outside temis_plugin use
from ..data import BackfillOutcome, BulkFailure, BulkOutcome, LearnerResult, RatingListData, RatingRowData, SchoolChoice
from ..errors import (
    ConcurrentEdit,
    InvalidInput,
    InvalidTransition,
    NoEducatorProfile,
    NotAllowed,
    NotFound,
    StandardsError,
    TemisError,
)
from ..i18n import is_vietnamese
from ..labels import LEVEL_LABELS, RATING_LABELS, STATE_LABELS

# Not a record's door: the one way a page marks a form's errors, for the LTI tool's pages too.
from ..pages import mark_errors
from ..retries import with_retries
from ..standards import get_framework
from ..survey import SCALE_MAX, SCALE_MIN, SURVEY_ITEM_LABELS, SURVEY_ITEMS

# Cycles, people and the frameworks in force
from .cycles import current_cycle, list_cycles
from .evidence import add_evidence, link_evidence, list_evidence, open_evidence_file
from .final_rating import finalize_evaluation, reopen_evaluation, save_final_levels
from .frameworks import framework_for, teacher_framework

# Mentoring
from .mentees import list_mentees, list_mentor_groups, mentee_overview
from .module_results import (
    backfill_course_results,
    backfill_module_result,
    record_course_passing_status,
    record_persistent_grade,
)
from .opinions import (
    add_colleague_opinion,
    heads_subject_group,
    list_opinions,
    own_opinion,
    subject_group_opinions,
    summarize_opinions,
)
from .people import educator_reference, get_educator, mentee_user, user_for_educator_reference
from .rating_list import (
    BULK_MAX,
    BULK_REASONS,
    accept_self_levels_as_final,
    finalize_evaluations,
    get_evaluation_to_rate,
    list_evaluations_to_rate,
    rates_evaluations,
)

# Reports
from .reports import (
    EARLIEST_CUT_OFF,
    TEMIS_EXPORT,
    checked_cut_off,
    get_report,
    get_report_run,
    get_temis_export,
    list_report_runs,
    open_report_file,
    reads_principals,
    report_kinds,
    report_scopes,
    report_sub_scopes,
    request_report_file,
    resolve_report_scope,
    retry_report_run,
    temis_export_templates,
)

# The evaluation, step by step
from .self_assessment import (
    audit_trail,
    get_evaluation,
    get_or_create_evaluation,
    save_self_assessment,
    self_assessment_report_rows,
    submit_self_assessment,
)
from .support_log import (
    export_support_activities,
    get_support_activity,
    list_support_activities,
    log_support_activity,
    support_activity_history,
    update_support_activity,
)

# Training modules
from .training import (
    get_survey_response,
    list_module_results,
    list_training_modules,
    module_for_course,
    save_survey_response,
)

__all__ = [
    # Errors, labels and what else screens and services outside temis_plugin use
    "ConcurrentEdit",
    "InvalidInput",
    "InvalidTransition",
    "NoEducatorProfile",
    "NotAllowed",
    "NotFound",
    "StandardsError",
    "TemisError",
    "LEVEL_LABELS",
    "RATING_LABELS",
    "STATE_LABELS",
    "is_vietnamese",
    "SCALE_MAX",
    "SCALE_MIN",
    "SURVEY_ITEM_LABELS",
    "SURVEY_ITEMS",
    "get_framework",
    "with_retries",
    # Cycles, people and the frameworks in force
    "current_cycle",
    "list_cycles",
    "framework_for",
    "teacher_framework",
    "educator_reference",
    "get_educator",
    "mentee_user",
    "user_for_educator_reference",
    # Self-assessment
    "audit_trail",
    "get_evaluation",
    "get_or_create_evaluation",
    "save_self_assessment",
    "self_assessment_report_rows",
    "submit_self_assessment",
    # Evidence
    "add_evidence",
    "link_evidence",
    "list_evidence",
    "open_evidence_file",
    # Colleague opinions
    "add_colleague_opinion",
    "heads_subject_group",
    "list_opinions",
    "own_opinion",
    "subject_group_opinions",
    "summarize_opinions",
    # Final rating
    "finalize_evaluation",
    "reopen_evaluation",
    "save_final_levels",
    # The head's list and its bulk actions
    "BULK_MAX",
    "BULK_REASONS",
    "BulkFailure",
    "BulkOutcome",
    "RatingListData",
    "RatingRowData",
    "SchoolChoice",
    "accept_self_levels_as_final",
    "finalize_evaluations",
    "get_evaluation_to_rate",
    "list_evaluations_to_rate",
    "rates_evaluations",
    # Mentoring: mentees and the support log
    "list_mentees",
    "list_mentor_groups",
    "mentee_overview",
    "export_support_activities",
    "get_support_activity",
    "list_support_activities",
    "log_support_activity",
    "support_activity_history",
    "update_support_activity",
    # Training modules, their results from the LMS
    "get_survey_response",
    "list_module_results",
    "list_training_modules",
    "module_for_course",
    "save_survey_response",
    "BackfillOutcome",
    "LearnerResult",
    "backfill_course_results",
    "backfill_module_result",
    "record_course_passing_status",
    "record_persistent_grade",
    # Reports
    "EARLIEST_CUT_OFF",
    "TEMIS_EXPORT",
    "checked_cut_off",
    "get_report",
    "get_report_run",
    "get_temis_export",
    "list_report_runs",
    "open_report_file",
    "reads_principals",
    "report_kinds",
    "report_scopes",
    "report_sub_scopes",
    "request_report_file",
    "resolve_report_scope",
    "retry_report_run",
    "temis_export_templates",
    # Pages
    "mark_errors",
]
