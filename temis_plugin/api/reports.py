"""Reports and TEMIS exports: what a user may see, computed now or as a file in the background."""

import datetime

from django.db import transaction
from django.utils import timezone

from ..data import ReportRunData, ScopeData
from ..errors import InvalidInput, NotAllowed, NotFound
from ..models import ReportRun
from ..reports import runs
from ..reports.registry import REPORT_KINDS, build_report
from ..reports.scope import Scope, resolve_scope, sub_scopes, visible_roots
from ..reports.scope import reads_principals as scope_reads_principals
from ..reports.tables import Report
from ..reports.temis_export import build_temis_export
from ..reports.temis_templates import check_template_code, template_choices
from ..reports.writers import CONTENT_TYPES
from ._shared import cycle_row

TEMIS_EXPORT = runs.TEMIS_EXPORT
# No TEMIS record predates this; an earlier cut-off is a typing mistake (and out of some databases' range).
EARLIEST_CUT_OFF = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def checked_cut_off(cut_off: datetime.datetime | None) -> datetime.datetime | None:
    """A data cut-off as reports count it (None: now). A moment still to come counts as now, so a stamp
    never promises later data; one before EARLIEST_CUT_OFF is refused."""
    if cut_off is None:
        return None
    if cut_off < EARLIEST_CUT_OFF:
        raise InvalidInput("the cut-off must be on or after 1 January 2000", field="cut_off")
    return min(cut_off, timezone.now())


def report_kinds() -> list[tuple[str, str]]:
    """(code, translated title) of every report."""
    return [(code, str(kind.title)) for code, kind in REPORT_KINDS.items()]


def temis_export_templates(user=None, scope_code: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every TEMIS export template; with a user and scope, those the user may export there."""
    if user is None:
        return template_choices()
    scope = resolve_scope(user, scope_code)
    choices = []
    for code, name in template_choices():
        try:
            runs.counted_frameworks(user, scope, TEMIS_EXPORT, template_code=code)
        except InvalidInput:
            continue
        choices.append((code, name))
    return choices


def reads_principals(user, scope_code: str | None) -> bool:
    """Whether the user's reports on the scope count principals' results (TT14), or the teachers' only."""
    return scope_reads_principals(user, resolve_scope(user, scope_code))


def report_scopes(user) -> list[ScopeData]:
    """The widest scopes the user may report on; empty for users who see no report."""
    return [_scope_data(scope) for scope in visible_roots(user)]


def report_sub_scopes(user, scope_code: str | None) -> list[ScopeData]:
    return [_scope_data(scope) for scope in sub_scopes(user, resolve_scope(user, scope_code))]


def resolve_report_scope(user, scope_code: str | None) -> ScopeData:
    return _scope_data(resolve_scope(user, scope_code))


def get_report(
    user,
    kind: str,
    *,
    cycle_code: str | None = None,
    scope_code: str | None = None,
    framework_code: str | None = None,
    cut_off=None,
) -> Report:
    """Compute report ``kind`` now (per-educator tables stream when iterated)."""
    if kind not in REPORT_KINDS:
        raise NotFound(f"no report {kind!r}")
    cut_off = checked_cut_off(cut_off)
    _framework_codes(framework_code)
    scope = resolve_scope(user, scope_code)
    cycle = cycle_row(cycle_code)
    codes = runs.counted_frameworks(user, scope, kind, framework_code or "")
    return build_report(kind, scope, cycle, framework_codes=codes, cut_off=cut_off)


def get_temis_export(
    user, template_code: str, *, cycle_code: str | None = None, scope_code: str | None = None, cut_off=None
) -> Report:
    cut_off = checked_cut_off(cut_off)
    scope = resolve_scope(user, scope_code)
    runs.counted_frameworks(user, scope, TEMIS_EXPORT, template_code=check_template_code(template_code))
    return build_temis_export(template_code, scope, cycle_row(cycle_code), cut_off=cut_off)


def request_report_file(
    user,
    kind: str,
    file_format: str,
    *,
    cycle_code=None,
    scope_code=None,
    framework_code: str = "",
    template_code: str = "",
    cut_off=None,
    language: str = "vi",
) -> ReportRunData:
    """Start computing a report file in the background; follow it with :func:`get_report_run`."""
    _framework_codes(framework_code)
    cut_off = checked_cut_off(cut_off)
    scope = resolve_scope(user, scope_code)
    if kind == TEMIS_EXPORT or kind in REPORT_KINDS:  # else create_run says the kind is unknown
        runs.counted_frameworks(user, scope, kind, framework_code or "", template_code)
    run = runs.create_run(
        user,
        kind,
        file_format,
        cycle=cycle_row(cycle_code),
        scope=scope,
        framework_code=framework_code or "",
        template_code=template_code,
        cut_off=cut_off,
    )
    transaction.on_commit(lambda: runs.enqueue(run.pk, language))
    return _run_data(ReportRun.objects.select_related("cycle", "scope").get(pk=run.pk))


def get_report_run(user, run_id) -> ReportRunData:
    return _run_data(runs.get_run(user, run_id))


def list_report_runs(user, limit: int = 20) -> list[ReportRunData]:
    if user is None or not user.is_authenticated:
        return []
    queryset = ReportRun.objects.filter(requested_by=user).select_related("cycle", "scope")[:limit]
    return [_run_data(run) for run in queryset]


def retry_report_run(user, run_id, language: str = "vi") -> ReportRunData:
    return _run_data(runs.retry_run(user, run_id, language=language))


def open_report_file(user, run_id):
    """(open binary file, download name, content type) of a finished run."""
    run = runs.get_run(user, run_id)
    if run.status != ReportRun.Status.DONE or not run.file:
        raise NotAllowed("the report is not ready")
    name = (
        f"{run.template_code or run.kind}-{run.cycle.code}-{(run.scope.code if run.scope_id else 'VN')}"
        f"-{timezone.localtime(run.cut_off):%Y%m%d-%H%M}.{run.file_format}"
    )
    return run.file.open("rb"), name, CONTENT_TYPES[run.file_format]


def _framework_codes(framework_code):
    if not framework_code:
        return None
    from .. import standards

    try:
        standards.get_framework(framework_code)
    except standards.UnknownFramework as exc:
        raise InvalidInput(str(exc), field="framework") from None
    return [framework_code]


def _scope_data(scope: Scope) -> ScopeData:
    return ScopeData(code=scope.code, name=scope.label(), kind=str(scope.kind))


def _run_data(run: ReportRun) -> ReportRunData:
    scope = runs.run_scope(run)
    return ReportRunData(
        id=str(run.pk),
        kind=run.kind,
        template_code=run.template_code,
        file_format=run.file_format,
        cycle_code=run.cycle.code,
        scope=_scope_data(scope),
        framework_code=run.framework_code,
        cut_off=run.cut_off,
        status=run.status,
        progress=run.progress,
        rows_written=run.rows_written,
        file_size=run.file_size,
        sha256=run.sha256,
        problems=list(run.problems or []),
        created=run.created,
        finished=run.finished,
    )
