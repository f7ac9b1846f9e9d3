"""URLs of the plugin, mounted under /temis/ by the plugin framework."""
from django.urls import path

from . import views
from .final_rating import evaluation as final_evaluation
from .final_rating import listing as final_listing

app_name = "temis"

urlpatterns = [
    path("", views.home, name="home"),
    path("final/", final_listing.rating_list, name="final_rating"),
    path("final/<int:evaluation_id>/", final_evaluation.rating_detail, name="final_rating_detail"),
    path("final/<int:evaluation_id>/evidence/<int:evidence_id>/", final_evaluation.evidence_file,
         name="final_rating_evidence"),
]
