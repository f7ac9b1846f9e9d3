"""URLs of the standalone site: the plugin's URLs come from the plugin framework, as in the LMS."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from edx_django_utils.plugins import get_plugin_url_patterns

from . import views


def workbench_patterns():
    """The workbench's pages, without its second mount of the admin site."""
    from workbench import urls
    return [p for p in urls.urlpatterns if not str(p.pattern).startswith("^admin/")]


urlpatterns = [
    path("", views.index, name="standalone-index"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    # Only our apps' URLs: other installed plugins (lti-consumer-xblock) need the platform's settings.
    *[p for p in get_plugin_url_patterns("lms.djangoapp") if getattr(p, "namespace", None) in ("temis", "temis_lti")],
    *([path("workbench/", include(workbench_patterns()))] if "workbench" in settings.INSTALLED_APPS else []),
    # No media route: evidence and report files are personal data, served only by checked views.
]
