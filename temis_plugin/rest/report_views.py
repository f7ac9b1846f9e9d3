"""Reports computed now, as JSON or CSV: what one can report on, a report, a TEMIS export."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .. import api, standards
from ..errors import NotFound
from ..i18n import localized
from . import streams
from .base import AUTH_ERRORS, SCOPE_ERRORS, TemisApiView, requested_scope_code
from .schema import document
from .serializers import (
    FILE_FORMATS,
    NOW_FORMATS,
    CatalogueSerializer,
    ExportProblemsSerializer,
    ExportQuerySerializer,
    ReportQuerySerializer,
    ReportSerializer,
    report_kind_codes,
    template_codes,
)

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
            scope_code=requested_scope_code(request.user, params.get("scope")),
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
            scope_code=requested_scope_code(request.user, params.get("scope")),
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
