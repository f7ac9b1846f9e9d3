"""URLs of the standalone site: the plugin's URLs come from the plugin framework, as in the LMS."""
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from edx_django_utils.plugins import get_plugin_url_patterns

urlpatterns = [
    path("", RedirectView.as_view(url="/temis/", permanent=False)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    *get_plugin_url_patterns("lms.djangoapp"),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
