"""URLs of the REST API, included by the plugin's URLs under api/v1/ (so /temis/api/v1/ in the LMS)."""

from django.urls import path

from . import report_run_views, report_views
from .schema import SCHEMA_ROUTE, SchemaView

app_name = "api"

api_patterns = [
    path("reports/", report_views.ReportCatalogueView.as_view(), name="reports"),
    path("reports/<str:kind>/", report_views.ReportView.as_view(), name="report"),
    path("temis-exports/<str:template>/", report_views.TemisExportView.as_view(), name="temis-export"),
    path("report-runs/", report_run_views.ReportRunsView.as_view(), name="report-runs"),
    path("report-runs/<str:run_id>/", report_run_views.ReportRunView.as_view(), name="report-run"),
    path("report-runs/<str:run_id>/file/", report_run_views.ReportRunFileView.as_view(), name="report-run-file"),
    path("report-runs/<str:run_id>/retry/", report_run_views.ReportRunRetryView.as_view(), name="report-run-retry"),
    path(SCHEMA_ROUTE, SchemaView.as_view(), name="schema"),
]
urlpatterns = api_patterns
