"""The tool's URLs, under /temis/lti/."""
from django.urls import path

from . import views, workspace

app_name = "temis_lti"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("workspace/<uuid:launch_id>/", workspace.home, name="workspace"),
]
