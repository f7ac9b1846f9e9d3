"""Django models of temis_plugin. Other packages use temis_plugin.api, never these directly."""

from .evaluation import (
    AuditEntry,
    ColleagueOpinion,
    Evaluation,
    Evidence,
    EvidenceLink,
    TrainingNeed,
    evidence_upload_to,
)
from .mentoring import SupportActivity, SupportAttendance, SupportForm
from .organisation import Cycle, OrgUnit, TrainingModule
from .people import EducatorProfile, MentorGroup, MentorGroupMembership, RoleAssignment
from .reports import ReportRun
from .roster import RosterImport
from .training import CourseModule, ModuleResult, SurveyResponse

__all__ = [
    "AuditEntry",
    "ColleagueOpinion",
    "CourseModule",
    "Cycle",
    "EducatorProfile",
    "Evaluation",
    "Evidence",
    "EvidenceLink",
    "MentorGroup",
    "MentorGroupMembership",
    "ModuleResult",
    "OrgUnit",
    "ReportRun",
    "RoleAssignment",
    "RosterImport",
    "SupportActivity",
    "SupportAttendance",
    "SupportForm",
    "SurveyResponse",
    "TrainingModule",
    "TrainingNeed",
    "evidence_upload_to",
]
