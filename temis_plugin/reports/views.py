"""The reports dashboard: choose a report, read it with its charts, and follow the files computed for it.

The pages are thin: what a user may see, the numbers and the files all come from
:mod:`temis_plugin.api`. Only the first rows of a per-educator list are shown on a page; the whole
list is a download.
"""

import datetime
import itertools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import FileResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .. import api, standards
from ..data import CycleData, ScopeData
from ..errors import InvalidInput, NotAllowed, NotFound
from ..i18n import localized
from ..pages import signed_in_page
from .charts import draw_bar_chart
from .tables import ColumnKind
from .writers import FORMATS, stamp_lines

# Rows of a per-educator list shown on the page; the file has them all.
PREVIEW_ROWS = 200
FINISHED = ("done", "invalid", "failed")
STATUS_LABELS = {
    "queued": gettext_lazy("Queued"),
    "running": gettext_lazy("Running"),
    "done": gettext_lazy("Done"),
    "invalid": gettext_lazy("Not valid"),
    "failed": gettext_lazy("Failed"),
}
FORMAT_LABELS = {"xlsx": "Excel (.xlsx)", "csv": "CSV (.csv)", "json": "JSON (.json)"}
NUMERIC = (ColumnKind.INTEGER, ColumnKind.PERCENT, ColumnKind.DECIMAL)


class NoCycle(NotFound):
    """No evaluation cycle exists yet: nothing to report on."""


def report_page(methods=("GET",)):
    """A signed-in page; the API's refusals become 404 (not found, or not visible), 403 and 400 pages."""
    return signed_in_page(
        methods,
        [
            (NoCycle, lambda request, error: _message(request, _("No evaluation cycle is set up yet."))),
            (
                NotAllowed,
                lambda request, error: _message(
                    request,
                    _(
                        "Reports are for heads of school and for the education officers of communes, provinces and "
                        "the ministry. Your account has no such role."
                    ),
                    status=403,
                ),
            ),
            (
                InvalidInput,
                lambda request, error: _message(
                    request,
                    _("The request could not be understood (%(field)s). Choose the report again from the reports page.")
                    % {"field": error.field or "?"},
                    status=400,
                ),
            ),
        ],
    )


def _message(request, message, status=200):
    return render(request, "temis_plugin/reports_message.html", {"message": message}, status=status)


# ---------------------------------------------------------------------------------------------
# What the user chose: cycle, scope, framework and cut-off, from a query string or a form


@dataclass
class Selection:
    cycle_code: str
    scope: ScopeData
    framework: str  # "" for both standards
    cut_off: datetime.datetime | None  # None: now
    problems: list[str]
    roots: list[ScopeData]  # the user's widest scopes
    cycles: list[CycleData]

    def query(self, **extra) -> str:
        params = {
            "cycle": self.cycle_code,
            "scope": self.scope.code,
            "framework": self.framework,
            "cut_off": _local_input(self.cut_off) if self.cut_off else "",
        }
        params.update(extra)
        return urlencode({key: value for key, value in params.items() if value})


def _selection(user, params) -> Selection:
    """The choices in ``params``, checked; unknown values fall back to the defaults with a problem noted."""
    roots = api.report_scopes(user)
    if not roots:
        raise NotAllowed("no report scope")
    problems = []
    cycles = api.list_cycles()
    cycle_code = params.get("cycle") or ""
    if cycle_code not in {cycle.code for cycle in cycles}:
        if cycle_code:
            problems.append(_("There is no such cycle; the current one is shown."))
        cycle_code = _current_cycle_code(cycles)
    scope = api.resolve_report_scope(user, params.get("scope") or roots[0].code)
    framework = params.get("framework") or ""
    if framework and framework not in standards.all_frameworks():
        problems.append(_("There is no such standard; both are shown."))
        framework = ""
    try:
        cut_off = _parse_cut_off(params.get("cut_off"))
    except InvalidInput:
        problems.append(_("The cut-off must be on or after 1 January 2000; the data as of now is shown."))
        cut_off = None
    except ValueError:
        problems.append(_("The cut-off is not a date and time; the data as of now is shown."))
        cut_off = None
    return Selection(cycle_code, scope, framework, cut_off, problems, roots, cycles)


def _current_cycle_code(cycles) -> str:
    try:
        return api.current_cycle().code
    except NotFound:
        if not cycles:
            raise NoCycle() from None
        return cycles[0].code  # the latest


def _parse_cut_off(text):
    text = (text or "").strip()
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return api.checked_cut_off(moment)


def _local_input(moment) -> str:
    """The value of a datetime-local field, in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _framework_choices(with_principals=True) -> list[tuple[str, str]]:
    frameworks = sorted(standards.all_frameworks().values(), key=lambda f: (f.kind != "teacher", f.code))
    if not with_principals:  # principals' results are reported to the units above the school
        return [
            (f.code, f"{localized(f.name_vi, f.name_en)} ({f.legal_basis.document})")
            for f in frameworks
            if f.kind == "teacher"
        ]
    return [("", _("Both standards (teachers and principals)"))] + [
        (f.code, f"{localized(f.name_vi, f.name_en)} ({f.legal_basis.document})") for f in frameworks
    ]


# ---------------------------------------------------------------------------------------------
# The dashboard


@report_page()
def dashboard(request):
    """Choose the cycle, scope, standard and cut-off; open a report; make a TEMIS export; see my files."""
    selection = _selection(request.user, request.GET)
    scopes = list(selection.roots)
    if selection.scope.code not in {scope.code for scope in scopes}:
        scopes.append(selection.scope)
    return render(
        request,
        "temis_plugin/reports_dashboard.html",
        {
            "selection": selection,
            "cycles": selection.cycles,
            "scopes": scopes,
            "sub_scope_links": [
                (scope, f"?{selection.query(scope=scope.code)}")
                for scope in api.report_sub_scopes(request.user, selection.scope.code)
            ],
            "frameworks": _framework_choices(api.reads_principals(request.user, selection.scope.code)),
            "cut_off_input": _local_input(selection.cut_off) if selection.cut_off else "",
            "kinds": [
                (code, title, f"{reverse('temis:report', args=[code])}?{selection.query()}")
                for code, title in api.report_kinds()
            ],
            "templates": api.temis_export_templates(request.user, selection.scope.code),
            "formats": [(f, FORMAT_LABELS[f]) for f in FORMATS],
            "runs": [_run_context(run) for run in api.list_report_runs(request.user)],
            "cut_off_value": selection.cut_off.isoformat() if selection.cut_off else "",
        },
    )


# ---------------------------------------------------------------------------------------------
# One report as a page


@report_page()
def report(request, kind):
    selection = _selection(request.user, request.GET)
    result = api.get_report(
        request.user,
        kind,
        cycle_code=selection.cycle_code,
        scope_code=selection.scope.code,
        framework_code=selection.framework or None,
        cut_off=selection.cut_off,
    )
    tables = [_table_context(table, index) for index, table in enumerate(result.tables, start=1)]
    return render(
        request,
        "temis_plugin/reports_report.html",
        {
            "kind": kind,
            "report": result,
            "stamp": stamp_lines(result),
            "tables": tables,
            "selection": selection,
            "dashboard_url": f"{reverse('temis:reports')}?{selection.query()}",
            "sub_scope_links": [
                (scope, f"?{selection.query(scope=scope.code)}")
                for scope in api.report_sub_scopes(request.user, selection.scope.code)
            ],
            # The file is computed for the moment this page was, so the download matches what is shown.
            "cut_off_value": result.stamp.cut_off.isoformat(),
            "formats": [(f, FORMAT_LABELS[f]) for f in FORMATS],
        },
    )


def _table_context(table, index) -> dict:
    columns = table.columns
    header = _row_header_index(table)
    # Numbers line up on the right; codes and identifiers are not broken across lines.
    css = [
        "num" if column.kind in NUMERIC else "nowrap" if column.key.endswith(("code", "national_id")) else ""
        for column in columns
    ]
    if table.streamed:
        # Only the first rows of a per-educator list: a province's list is a file, not a page.
        rows = list(itertools.islice(table.iter_rows(), PREVIEW_ROWS + 1))
        more = len(rows) > PREVIEW_ROWS
        rows = rows[:PREVIEW_ROWS]
    else:
        rows, more = list(table.rows), False
    total = table.row_count if table.row_count is not None else (None if more else len(rows))
    return {
        "id": f"table-{index}",
        "title": table.title,
        "note": table.note,
        "columns": [{"label": column.label, "numeric": column.kind in NUMERIC} for column in columns],
        "rows": [
            [
                {"text": _cell_text(value, column.kind), "css": css[position], "header": position == header}
                for position, (value, column) in enumerate(zip(row, columns))
            ]
            for row in rows
        ],
        "shown": len(rows),
        "total": total,
        "truncated": more or (total is not None and total > len(rows)),
        "chart": _chart(table, rows, index) if table.chart and rows else None,
    }


def _row_header_index(table) -> int | None:
    """The column that names each row: the chart's category, else the first text column."""
    keys = [column.key for column in table.columns]
    if table.chart and table.chart.category_column in keys:
        return keys.index(table.chart.category_column)
    return next((i for i, column in enumerate(table.columns) if column.kind == ColumnKind.TEXT), None)


def _cell_text(value, kind) -> str:
    if value is None or value == "":
        return "—" if kind in NUMERIC else ""
    if kind == ColumnKind.PERCENT:
        return number_format(value, 1)
    if kind == ColumnKind.INTEGER:
        return number_format(value, 0, force_grouping=True)
    if kind == ColumnKind.DECIMAL:
        return number_format(value, force_grouping=True)
    if kind == ColumnKind.DATE:
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _chart(table, rows, index):
    hint, columns = table.chart, {column.key: (i, column) for i, column in enumerate(table.columns)}
    if hint.category_column not in columns or any(key not in columns for key in hint.value_columns):
        return None
    series = [columns[key] for key in hint.value_columns]
    if not any(row[i] for row in rows for i, _column in series):
        return None  # nothing but zeros: the table says so more plainly than empty bars
    kinds = {column.kind for _i, column in series}
    category_at = columns[hint.category_column][0]
    labels = [str(row[category_at]) for row in rows]
    if len(set(labels)) < len(labels):
        # The same category in several groups (an item per module): name the group too.
        group_at = next(
            (i for i, c in enumerate(table.columns) if c.kind == ColumnKind.TEXT and i != category_at), None
        )
        if group_at is not None:
            labels = [f"{row[group_at]} · {label}" for row, label in zip(rows, labels)]
    percent = kinds == {ColumnKind.PERCENT}

    def value_text(value):
        return number_format(value, 1) if percent else number_format(value, force_grouping=True)

    def tick_text(value):
        return number_format(value, 0 if float(value).is_integer() else 1, force_grouping=True)

    drawing = draw_bar_chart(
        hint.title,
        labels,
        [_series_label(column) for _i, column in series],
        [[row[i] for i, _column in series] for row in rows],
        stacked=hint.stacked,
        format_value=value_text,
        format_tick=tick_text,
        integers=kinds == {ColumnKind.INTEGER},
        percent=percent,
    )
    return {"drawing": drawing, "id": f"chart-{index}", "category": columns[hint.category_column][1].label}


def _series_label(column) -> str:
    # "Good (%)" in the table; the chart's title already says the bars are percentages.
    return column.label.removesuffix(" (%)") if column.kind == ColumnKind.PERCENT else column.label


# ---------------------------------------------------------------------------------------------
# Report files: start one, follow it, download it, try again


@report_page(("POST",))
def start_run(request):
    params = request.POST
    kind = params.get("kind") or ""
    template = (params.get("template") or "") if kind == api.TEMIS_EXPORT else ""
    try:
        cut_off = _parse_cut_off(params.get("cut_off"))
    except ValueError:
        raise InvalidInput("bad cut-off", field="cut_off") from None
    run = api.request_report_file(
        request.user,
        kind,
        params.get("format") or "",
        cycle_code=params.get("cycle") or None,
        scope_code=params.get("scope") or None,
        framework_code=params.get("framework") or "",
        template_code=template,
        cut_off=cut_off,
        language=get_language() or "vi",
    )
    return HttpResponseRedirect(reverse("temis:report_run", args=[run.id]), status=303)


@report_page()
def run_page(request, run_id):
    run = api.get_report_run(request.user, run_id)
    return render(
        request,
        "temis_plugin/reports_run.html",
        {
            "run": _run_context(run),
            "problems": run.problems,
            "finished": run.status in FINISHED,
            "status_url": reverse("temis:report_run_status", args=[run.id]),
        },
    )


@report_page()
def run_status(request, run_id):
    run = api.get_report_run(request.user, run_id)
    return JsonResponse(
        {
            "id": run.id,
            "status": run.status,
            "status_label": str(STATUS_LABELS[run.status]),
            "progress": run.progress,
            "rows_written": run.rows_written,
            "finished": run.status in FINISHED,
            "file_url": reverse("temis:report_run_file", args=[run.id]) if run.status == "done" else "",
        }
    )


@report_page()
def run_file(request, run_id):
    try:
        file, name, content_type = api.open_report_file(request.user, run_id)
    except NotAllowed:  # not ready (yet): its page says why
        return HttpResponseRedirect(reverse("temis:report_run", args=[run_id]))
    return FileResponse(file, as_attachment=True, filename=name, content_type=content_type)


@report_page(("POST",))
def retry_run(request, run_id):
    try:
        api.retry_report_run(request.user, run_id, language=get_language() or "vi")
    except NotAllowed:  # already done (a second click): its page has the file
        pass
    return HttpResponseRedirect(reverse("temis:report_run", args=[run_id]), status=303)


def _run_context(run) -> dict:
    if run.kind == api.TEMIS_EXPORT:
        title = dict(api.temis_export_templates()).get(run.template_code, run.template_code)
    else:
        title = dict(api.report_kinds()).get(run.kind, run.kind)
    return {
        "id": run.id,
        "title": title,
        "is_export": run.kind == api.TEMIS_EXPORT,
        "format": run.file_format,
        "format_label": FORMAT_LABELS.get(run.file_format, run.file_format),
        "cycle": run.cycle_code,
        "scope": run.scope.name,
        "framework": run.framework_code,
        "cut_off": run.cut_off,
        "created": run.created,
        "finished": run.finished,
        "status": run.status,
        "status_label": STATUS_LABELS.get(run.status, run.status),
        "progress": run.progress,
        "rows": run.rows_written,
        "size": run.file_size,
        "url": reverse("temis:report_run", args=[run.id]),
        "file_url": reverse("temis:report_run_file", args=[run.id]) if run.status == "done" else "",
        "retry_url": reverse("temis:report_run_retry", args=[run.id]) if run.status in ("failed", "invalid") else "",
    }
