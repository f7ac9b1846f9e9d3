"""The tool's URLs, under /temis/lti/."""

from django.urls import include, path

from . import opinion_views, scoring_views, support_log_views, views, workspace_views

app_name = "temis_lti"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("deep-link/<uuid:launch_id>/", views.deep_link_response, name="deep_link_response"),
    path("workspace/<uuid:launch_id>/", workspace_views.home, name="workspace"),
    path("workspace/<uuid:launch_id>/", include(support_log_views.urlpatterns)),
    path("workspace/<uuid:launch_id>/", include(opinion_views.urlpatterns)),
    path("workspace/<uuid:launch_id>/", include(scoring_views.urlpatterns)),
]
