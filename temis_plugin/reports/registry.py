"""The report kinds, and :func:`build_report`, the one way to compute a report of any kind.

Each kind is a module of :mod:`temis_plugin.reports.kinds` whose ``build`` fills the report's tables from
(scope, cycle, frameworks, cut-off); a new kind is a module and a line here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy

from .. import standards
from .kinds import aggregate, core_eligibility, mentoring, module_results, satisfaction, school_summary, training_needs
from .scope import Scope
from .tables import Report, Stamp


@dataclass(frozen=True)
class ReportKind:
    code: str
    title: str  # lazy translation
    per_educator: bool  # a list of named educators (streamed; large at province or national scope)
    build: Callable = field(repr=False)  # (report, scope, cycle, frameworks, cut_off): appends the tables
    uses_frameworks: bool = True


REPORT_KINDS = {
    kind.code: kind
    for kind in [
        ReportKind("aggregate", gettext_lazy("Results by rating, criterion and level"), False, aggregate.build),
        ReportKind(
            "school_summary", gettext_lazy("Summary of evaluation results per educator"), True, school_summary.build
        ),
        ReportKind("training_needs", gettext_lazy("Training needs"), False, training_needs.build),
        ReportKind(
            "module_results",
            gettext_lazy("Training-module results"),
            False,
            module_results.build,
            uses_frameworks=False,
        ),
        ReportKind("mentoring", gettext_lazy("Core-teacher mentoring"), False, mentoring.build, uses_frameworks=False),
        ReportKind(
            "satisfaction", gettext_lazy("Programme satisfaction"), False, satisfaction.build, uses_frameworks=False
        ),
        ReportKind("core_eligibility", gettext_lazy("Core-teacher eligibility"), True, core_eligibility.build),
    ]
}


def build_report(kind: str, scope: Scope, cycle, *, framework_codes=None, cut_off=None) -> Report:
    """Compute report ``kind`` for ``scope`` and ``cycle``, counting what was final at ``cut_off``."""
    spec = REPORT_KINDS[kind]
    cut_off = cut_off or timezone.now()
    frameworks = _frameworks(framework_codes) if spec.uses_frameworks else []
    stamp = Stamp(
        report=kind,
        title=str(spec.title),
        cycle_code=cycle.code,
        cycle_name=cycle.name,
        scope_code=scope.code,
        scope_name=scope.label(),
        frameworks=tuple((f.code, f.revision, f.legal_basis.citation()) for f in frameworks),
        cut_off=cut_off,
        generated_at=timezone.now(),
    )
    report = Report(kind, stamp)
    spec.build(report, scope, cycle, frameworks, cut_off)
    return report


def _frameworks(codes) -> list[standards.Framework]:
    """The frameworks named, else every installed one: teachers' first, then by code."""
    if codes:
        return [standards.get_framework(code) for code in codes]
    return sorted(standards.all_frameworks().values(), key=lambda f: (f.kind != "teacher", f.code))
