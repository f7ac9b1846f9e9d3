"""The plugin's Python API: the one door through which xblocks/ and lti/ read and change records.

Every function takes the acting Django user (or, for the LMS's events, a user id), checks what that
user may do, and returns plain data (:mod:`temis_plugin.data`), never model instances. The modules
behind this door are split by purpose; import from ``temis_plugin.api`` only.
"""
from ..errors import ConcurrentEdit, InvalidInput, NotAllowed, NotFound, TemisError
from ..workflow import InvalidTransition
from .evaluations import (BULK_MAX, BULK_REASONS, BulkFailure, BulkOutcome, RatingListData, RatingRowData,
                          SchoolChoice, accept_self_levels_as_final, add_colleague_opinion, add_evidence, audit_trail,
                          current_cycle, finalize_evaluation, finalize_evaluations, framework_for, get_educator,
                          get_evaluation, get_evaluation_to_rate, get_or_create_evaluation, link_evidence,
                          list_cycles, list_evaluations_to_rate, list_evidence, list_mentees, list_opinions,
                          open_evidence_file, own_opinion, rates_evaluations, reopen_evaluation, save_final_levels,
                          save_self_assessment, self_assessment_report_rows, submit_self_assessment,
                          summarize_opinions)
from .mentoring import (export_support_activities, get_support_activity, heads_subject_group, list_mentor_groups,
                        list_support_activities, log_support_activity, mentee_overview, subject_group_opinions,
                        support_activity_history, teacher_framework, update_support_activity)
from .people import educator_reference, mentee_user, user_for_educator_reference
from .reports import (EARLIEST_CUT_OFF, TEMIS_EXPORT, checked_cut_off, get_report, get_report_run, get_temis_export,
                      list_report_runs, open_report_file, reads_principals, report_kinds, report_scopes,
                      report_sub_scopes, request_report_file, resolve_report_scope, retry_report_run,
                      temis_export_templates)
from .training import (BackfillOutcome, LearnerResult, backfill_course_results, backfill_module_result,
                       get_survey_response, list_module_results, list_training_modules, module_for_course,
                       record_course_passing_status, record_persistent_grade, save_survey_response)
# Not a record's door: the one way a page marks a form's errors, for the LTI tool's pages too.
from ..pages import mark_errors

__all__ = [
    "ConcurrentEdit", "InvalidInput", "InvalidTransition", "NotAllowed", "NotFound", "TemisError",
    "add_colleague_opinion", "educator_reference", "mentee_user", "user_for_educator_reference", "add_evidence", "audit_trail", "current_cycle", "finalize_evaluation", "framework_for",
    "get_educator", "get_evaluation", "get_or_create_evaluation", "get_survey_response", "link_evidence",
    "list_evidence", "list_mentees", "list_module_results", "list_opinions", "list_training_modules",
    "module_for_course", "record_course_passing_status", "record_persistent_grade", "reopen_evaluation",
    "save_final_levels", "save_self_assessment", "save_survey_response", "self_assessment_report_rows",
    "submit_self_assessment", "summarize_opinions",
    # Training-module results backfilled from the LMS
    "BackfillOutcome", "LearnerResult", "backfill_course_results", "backfill_module_result",
    # The head's list and its bulk actions
    "BULK_MAX", "BULK_REASONS", "BulkFailure", "BulkOutcome", "RatingListData", "RatingRowData", "SchoolChoice",
    "accept_self_levels_as_final", "finalize_evaluations", "get_evaluation_to_rate", "list_cycles",
    "list_evaluations_to_rate", "open_evidence_file", "rates_evaluations",
    # Reports
    "EARLIEST_CUT_OFF", "TEMIS_EXPORT", "checked_cut_off", "get_report", "get_report_run", "get_temis_export", "list_report_runs", "open_report_file",
    "reads_principals", "report_kinds", "report_scopes", "report_sub_scopes", "request_report_file", "resolve_report_scope",
    "retry_report_run", "temis_export_templates",
    # Mentoring
    "export_support_activities", "get_support_activity", "heads_subject_group", "list_mentor_groups",
    "list_support_activities", "log_support_activity", "mentee_overview", "own_opinion", "subject_group_opinions",
    "support_activity_history", "teacher_framework", "update_support_activity",
    # Pages
    "mark_errors",
]
