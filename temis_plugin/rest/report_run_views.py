"""Report runs: report files (xlsx, csv, json) computed in the background, followed, downloaded and retried."""

from django.conf import settings
from django.http import FileResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes
from rest_framework import status
from rest_framework.response import Response

from .. import api
from ..reports.writers import CONTENT_TYPES
from .base import AUTH_ERRORS, SCOPE_ERRORS, TemisApiView, error_response, requested_scope_code
from .schema import document
from .serializers import ReportSerializer, RunNotReadySerializer, RunRequestSerializer, RunSerializer


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _run_context(request) -> dict:
    return {"request": request, "namespace": request.resolver_match.namespace}


RUN_ID = OpenApiParameter("run_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The report run.")
RUN_NOT_FOUND = {404: error_response("No such run, or not yours.")}


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
            scope_code=requested_scope_code(request.user, params.get("scope")),
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
            409: error_response("The file is ready: there is nothing to retry."),
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
