"""URLs of the plugin, mounted under /temis/ by the plugin framework."""

from django.urls import include, path

from . import views
from .final_rating import evaluation_views, listing_views
from .reports import views as report_views

app_name = "temis"

urlpatterns = [
    path("", views.home, name="home"),
    path("api/v1/", include("temis_plugin.rest.urls")),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
    path("final/", listing_views.rating_list, name="final_rating"),
    path("final/<int:evaluation_id>/", evaluation_views.rating_detail, name="final_rating_detail"),
    path("reports/", report_views.dashboard, name="reports"),
    path("reports/runs/", report_views.start_run, name="report_run_start"),
    path("reports/runs/<uuid:run_id>/", report_views.run_page, name="report_run"),
    path("reports/runs/<uuid:run_id>/status/", report_views.run_status, name="report_run_status"),
    path("reports/runs/<uuid:run_id>/file/", report_views.run_file, name="report_run_file"),
    path("reports/runs/<uuid:run_id>/retry/", report_views.retry_run, name="report_run_retry"),
    path("reports/<slug:kind>/", report_views.report, name="report"),
]
