"""URLs of the REST API, included by the plugin's URLs under api/v1/ (so /temis/api/v1/ in the LMS)."""

from django.urls import path

from . import views
from .schema import SCHEMA_ROUTE, SchemaView

app_name = "api"

api_patterns = [
    path("reports/", views.ReportCatalogueView.as_view(), name="reports"),
    path("reports/<str:kind>/", views.ReportView.as_view(), name="report"),
    path("temis-exports/<str:template>/", views.TemisExportView.as_view(), name="temis-export"),
    path("report-runs/", views.ReportRunsView.as_view(), name="report-runs"),
    path("report-runs/<str:run_id>/", views.ReportRunView.as_view(), name="report-run"),
    path("report-runs/<str:run_id>/file/", views.ReportRunFileView.as_view(), name="report-run-file"),
    path("report-runs/<str:run_id>/retry/", views.ReportRunRetryView.as_view(), name="report-run-retry"),
    path(SCHEMA_ROUTE, SchemaView.as_view(), name="schema"),
]
urlpatterns = api_patterns
