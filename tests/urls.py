"""The standalone site's URLs plus Open edX's LTI platform endpoints (lti-consumer-xblock)."""

from django.urls import include, path

from temis_plugin.standalone.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("api/", include("lti_consumer.plugin.urls", namespace="lti_consumer"))]
