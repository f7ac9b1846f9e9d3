"""URLs of the standalone site: the plugin's URLs come from the plugin framework, as in the LMS.

Only what the demo needs is mounted: no media route (evidence and report files are personal data,
served only by the plugin's checked views), and of the xblock-sdk workbench only the blocks' pages
and handlers, for the signed-in user (temis_plugin.standalone.workbench).
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from edx_django_utils.plugins import get_plugin_url_patterns

from . import views

urlpatterns = [
    path("", views.index, name="standalone-index"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Signing in and out; no password reset, which would need the site to send e-mail.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Only our apps' URLs: other installed plugins (lti-consumer-xblock) need the platform's settings.
    *[p for p in get_plugin_url_patterns("lms.djangoapp") if getattr(p, "namespace", None) in ("temis", "temis_lti")],
    *(
        [path("workbench/", include("temis_plugin.standalone.workbench"))]
        if "workbench" in settings.INSTALLED_APPS
        else []
    ),
]
