"""The reports dashboard: choose a report, read it with its charts, and follow the files computed for it.

The pages are thin: what a user may see, the numbers and the files all come from
:mod:`temis_plugin.api`. Only the first rows of a per-educator list are shown on a page; the whole
list is a download. What the user chose is read by :mod:`.page_selection`; the tables and charts of a
report are laid out for the page by :mod:`.page_tables`.
"""

from django.http import FileResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .. import api
from ..errors import InvalidInput, NotAllowed
from ..pages import signed_in_page
from .page_selection import NoCycle, framework_choices, local_input, parse_cut_off, read_selection
from .page_tables import table_context
from .writers import FORMATS, stamp_lines

FINISHED = ("done", "invalid", "failed")
STATUS_LABELS = {
    "queued": gettext_lazy("Queued"),
    "running": gettext_lazy("Running"),
    "done": gettext_lazy("Done"),
    "invalid": gettext_lazy("Not valid"),
    "failed": gettext_lazy("Failed"),
}
FORMAT_LABELS = {"xlsx": "Excel (.xlsx)", "csv": "CSV (.csv)", "json": "JSON (.json)"}


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
# The dashboard


@report_page()
def dashboard(request):
    """Choose the cycle, scope, standard and cut-off; open a report; make a TEMIS export; see my files."""
    selection = read_selection(request.user, request.GET)
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
            "frameworks": framework_choices(api.reads_principals(request.user, selection.scope.code)),
            "cut_off_input": local_input(selection.cut_off) if selection.cut_off else "",
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
    selection = read_selection(request.user, request.GET)
    result = api.get_report(
        request.user,
        kind,
        cycle_code=selection.cycle_code,
        scope_code=selection.scope.code,
        framework_code=selection.framework or None,
        cut_off=selection.cut_off,
    )
    tables = [table_context(table, index) for index, table in enumerate(result.tables, start=1)]
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


# ---------------------------------------------------------------------------------------------
# Report files: start one, follow it, download it, try again


@report_page(("POST",))
def start_run(request):
    params = request.POST
    kind = params.get("kind") or ""
    template = (params.get("template") or "") if kind == api.TEMIS_EXPORT else ""
    try:
        cut_off = parse_cut_off(params.get("cut_off"))
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
