"""Views of the REST API: check the input, call :mod:`temis_plugin.api`, answer with its data or a streamed report."""

import functools

from django.conf import settings
from django.http import FileResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler, set_rollback

from .. import api, standards
from ..compat import jwt_authentication_class
from ..errors import NotFound, TemisError
from ..i18n import localized
from ..reports.writers import CONTENT_TYPES
from . import streams
from .schema import TemisAutoSchema, document
from .serializers import (
    FILE_FORMATS,
    NOW_FORMATS,
    CatalogueSerializer,
    ErrorSerializer,
    ExportProblemsSerializer,
    ExportQuerySerializer,
    ReportQuerySerializer,
    ReportSerializer,
    RunNotReadySerializer,
    RunRequestSerializer,
    RunSerializer,
    report_kind_codes,
    template_codes,
)


@functools.cache
def authentication_classes() -> tuple:
    """Session cookies everywhere; inside the LMS also its JWTs (mobile apps, MFEs, other services)."""
    jwt = jwt_authentication_class()
    return (*((jwt,) if jwt else ()), SessionAuthentication)


def handle_exception(exc, context):
    """The plugin's errors keep their status; invalid input lists its messages per parameter."""
    if isinstance(exc, TemisError):
        set_rollback()
        body = {"detail": str(exc)}
        if getattr(exc, "field", None):
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    if isinstance(exc, ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        errors = {
            str(key): [str(message) for message in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
        return Response(
            {"detail": _("The request is not valid."), "errors": errors}, status=status.HTTP_400_BAD_REQUEST
        )
    return exception_handler(exc, context)


class _FormatIsAParameter(DefaultContentNegotiation):
    """Answers are JSON or a report body the view builds: ``format`` selects the report's format, not a renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class TemisApiView(APIView):
    """Settings the API relies on, stated here rather than taken from the platform's REST_FRAMEWORK."""

    schema = TemisAutoSchema()
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    content_negotiation_class = _FormatIsAParameter
    versioning_class = None  # the version is in the path

    def get_authenticators(self):
        return [authentication() for authentication in authentication_classes()]

    def get_exception_handler(self):
        return handle_exception


def _error(description):
    return OpenApiResponse(ErrorSerializer, description=description)


AUTH_ERRORS = {
    401: _error("Not signed in (with a JWT authentication header present or expected)."),
    403: _error("Not signed in (session), a missing CSRF token on POST, or no right to reports (teachers)."),
}
SCOPE_ERRORS = {
    400: _error("Invalid parameters; errors lists the messages per parameter."),
    **AUTH_ERRORS,
    404: _error("Unknown report, template or cycle, or a unit that does not exist or is outside your scopes."),
}
STAMP_HEADERS = [
    OpenApiParameter(
        "Content-Disposition",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="File name: report, table, cycle, unit code and cut-off; no personal data.",
    ),
    OpenApiParameter(
        "Temis-Report",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="The report kind (temis:<template> for exports).",
    ),
    OpenApiParameter(
        "Temis-Cycle", str, OpenApiParameter.HEADER, response=[200], required=True, description="The cycle code."
    ),
    OpenApiParameter(
        "Temis-Scope",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="The unit code (empty for the whole country), UTF-8 percent-encoded.",
    ),
    OpenApiParameter(
        "Temis-Scope-Name",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="The unit's name, UTF-8 percent-encoded.",
    ),
    OpenApiParameter(
        "Temis-Frameworks",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="code;revision=<data revision> of each framework, comma-separated.",
    ),
    OpenApiParameter(
        "Temis-Legal-Basis",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="The legal basis of each framework, in the same order, UTF-8 percent-encoded.",
    ),
    OpenApiParameter(
        "Temis-Cut-Off",
        OpenApiTypes.DATETIME,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="Data cut-off: what was final at this moment is counted.",
    ),
    OpenApiParameter(
        "Temis-Generated-At",
        OpenApiTypes.DATETIME,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="When the report was computed.",
    ),
]


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _scope_code(user, code: str | None) -> str | None:
    """The unit code to report on; with none, the user's one unit (several: they must choose)."""
    if not code and len(api.report_scopes(user)) > 1:
        raise ValidationError({"scope": [_("You report on several units: name one of them.")]})
    return code or None


def _run_context(request) -> dict:
    return {"request": request, "namespace": request.resolver_match.namespace}


def _framework_name(framework) -> str:
    return localized(framework.name_vi, framework.name_en)


class ReportCatalogueView(TemisApiView):
    @document(
        operation_id="reports_catalogue",
        tags=["reports"],
        summary="What you can report on: report kinds, TEMIS templates, your scopes, frameworks, formats.",
        responses={200: CatalogueSerializer, **AUTH_ERRORS},
    )
    def get(self, request):
        data = {
            "kinds": [{"code": code, "title": title} for code, title in api.report_kinds()],
            "temis_templates": [{"code": code, "name": name} for code, name in api.temis_export_templates()],
            "scopes": [scope.model_dump() for scope in api.report_scopes(request.user)],
            "frameworks": [
                {"code": f.code, "name": _framework_name(f), "legal_basis": f.legal_basis.citation()}
                for _code, f in sorted(standards.all_frameworks().items())
            ],
            "formats": {"now": list(NOW_FORMATS), "file": list(FILE_FORMATS)},
        }
        return Response(CatalogueSerializer(data).data)


def _report_body(report, file_format: str, table_key: str | None):
    tables = report.tables
    if table_key:
        try:
            tables = [report.table(table_key)]
        except KeyError:
            raise ValidationError(
                {
                    "table": [
                        _("This report has no table %(key)s; its tables are: %(keys)s.")
                        % {"key": table_key, "keys": ", ".join(table.key for table in report.tables) or "-"}
                    ]
                }
            ) from None
    if file_format == "json":
        return streams.json_response(report, tables)
    if table_key:
        return streams.csv_table_response(report, tables[0])
    return streams.csv_report_response(report)


REPORT_BODIES = {
    (200, "application/json"): OpenApiResponse(
        ReportSerializer,
        description="The stamp, problems and tables; or, as CSV (UTF-8 with a byte-order mark), a table or the report.",
    ),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
}


class ReportView(TemisApiView):
    path_enums = {"kind": (report_kind_codes, "The report.")}

    @document(
        operation_id="reports_compute",
        tags=["reports"],
        summary="Compute a report now, as JSON or CSV.",
        description="Counts what was final at the cut-off within the scope. Per-educator tables are streamed. "
        "For large scopes, ask for a file instead (report-runs).",
        parameters=[ReportQuerySerializer, *STAMP_HEADERS],
        responses={**REPORT_BODIES, **SCOPE_ERRORS},
    )
    def get(self, request, kind):
        if kind not in report_kind_codes():
            raise NotFound(_("There is no report %(kind)s.") % {"kind": kind})
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        report = api.get_report(
            request.user,
            kind,
            cycle_code=params.get("cycle") or None,
            scope_code=_scope_code(request.user, params.get("scope")),
            framework_code=params.get("framework"),
            cut_off=params.get("cut_off"),
        )
        return _report_body(report, params["format"], params.get("table"))


class TemisExportView(TemisApiView):
    path_enums = {"template": (template_codes, "The TEMIS export template.")}

    @document(
        operation_id="temis_exports_compute",
        tags=["temis-exports"],
        summary="A TEMIS export now, as JSON or CSV, only if every row is valid.",
        description="Every row is checked first (identifiers present, levels and ratings in range, the rating "
        "following from the levels). If any check fails, the answer is 422 with the list of "
        "problems and no rows: an export is never sent with a known fault. CSV is the export's "
        "table alone (header and rows), ready for entry into TEMIS; its stamp is in the headers.",
        parameters=[ExportQuerySerializer, *STAMP_HEADERS],
        responses={
            **REPORT_BODIES,
            **SCOPE_ERRORS,
            422: OpenApiResponse(
                ExportProblemsSerializer, description="The export has problems; fix the records, then ask again."
            ),
        },
    )
    def get(self, request, template):
        if template not in template_codes():
            raise NotFound(_("There is no TEMIS export template %(code)s.") % {"code": template})
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        report = api.get_temis_export(
            request.user,
            template,
            cycle_code=params.get("cycle") or None,
            scope_code=_scope_code(request.user, params.get("scope")),
            cut_off=params.get("cut_off"),
        )
        streams.validate_rows(report)
        if report.problems:
            return Response(
                {
                    "detail": _("The export has problems: fix the records, then ask again."),
                    "problems": report.problems,
                    "stamp": report.stamp.as_dict(),
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        if params["format"] == "json":
            return streams.json_response(report, report.tables)
        return streams.csv_table_response(report, report.tables[0])


RUN_ID = OpenApiParameter("run_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The report run.")
RUN_NOT_FOUND = {404: _error("No such run, or not yours.")}


class ReportRunsView(TemisApiView):
    @document(
        operation_id="report_runs_list",
        tags=["report-runs"],
        summary="Your most recent report runs (20).",
        responses={200: RunSerializer(many=True), **AUTH_ERRORS},
    )
    def get(self, request):
        runs = api.list_report_runs(request.user)
        return Response(RunSerializer(runs, many=True, context=_run_context(request)).data)

    @document(
        operation_id="report_runs_create",
        tags=["report-runs"],
        summary="Ask for a report file (xlsx, csv or json), computed in the background.",
        description="Follow the run at its Location; once its status is done, download the file. A TEMIS "
        "export with problems ends as invalid, with the problems listed and no file.",
        request=RunRequestSerializer,
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[202],
                required=True,
                description="The run.",
            )
        ],
        responses={202: RunSerializer, **SCOPE_ERRORS},
    )
    def post(self, request):
        form = RunRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        params = form.validated_data
        run = api.request_report_file(
            request.user,
            params["kind"],
            params["format"],
            cycle_code=params.get("cycle") or None,
            scope_code=_scope_code(request.user, params.get("scope")),
            framework_code=params.get("framework", ""),
            template_code=params.get("template", ""),
            cut_off=params.get("cut_off"),
            language=_language(),
        )
        context = _run_context(request)
        location = reverse(f"{context['namespace']}:report-run", kwargs={"run_id": run.id})
        return Response(
            RunSerializer(run, context=context).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(location)},
        )


class ReportRunView(TemisApiView):
    @document(
        operation_id="report_runs_retrieve",
        tags=["report-runs"],
        summary="One of your report runs.",
        parameters=[RUN_ID],
        responses={200: RunSerializer, **AUTH_ERRORS, **RUN_NOT_FOUND},
    )
    def get(self, request, run_id):
        run = api.get_report_run(request.user, run_id)
        return Response(RunSerializer(run, context=_run_context(request)).data)


class ReportRunFileView(TemisApiView):
    @document(
        operation_id="report_runs_file",
        tags=["report-runs"],
        summary="The file of a finished run.",
        parameters=[
            RUN_ID,
            OpenApiParameter(
                "Content-Disposition",
                str,
                OpenApiParameter.HEADER,
                response=[200],
                required=True,
                description="attachment, with a file name of codes only: report, cycle, unit, cut-off.",
            ),
        ],
        responses={
            (200, CONTENT_TYPES["xlsx"].split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
            (200, "application/json"): ReportSerializer,
            **AUTH_ERRORS,
            **RUN_NOT_FOUND,
            409: OpenApiResponse(RunNotReadySerializer, description="Not ready: queued, running, invalid or failed."),
        },
    )
    def get(self, request, run_id):
        run = api.get_report_run(request.user, run_id)
        if run.status != "done":
            return Response(
                {"detail": _("The file is not ready."), "status": run.status, "problems": run.problems},
                status=status.HTTP_409_CONFLICT,
            )
        handle, name, content_type = api.open_report_file(request.user, run_id)
        response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        return response


class ReportRunRetryView(TemisApiView):
    @document(
        operation_id="report_runs_retry",
        tags=["report-runs"],
        summary="Compute a run again (failed or stuck).",
        request=None,
        parameters=[RUN_ID],
        responses={
            202: RunSerializer,
            **AUTH_ERRORS,
            **RUN_NOT_FOUND,
            409: _error("The file is ready: there is nothing to retry."),
        },
    )
    def post(self, request, run_id):
        run = api.get_report_run(request.user, run_id)
        if run.status == "done":
            return Response(
                {"detail": _("The file is ready: there is nothing to retry.")}, status=status.HTTP_409_CONFLICT
            )
        run = api.retry_report_run(request.user, run_id, language=_language())
        return Response(RunSerializer(run, context=_run_context(request)).data, status=status.HTTP_202_ACCEPTED)
