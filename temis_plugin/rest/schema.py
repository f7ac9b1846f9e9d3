"""The OpenAPI 3 schema of the REST API (drf-spectacular), independent of the platform's REST settings."""

import re

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

SCHEMA_ROUTE = "schema/"


class TemisAutoSchema(AutoSchema):
    """drf-spectacular's inspector, adding path parameters whose allowed values are read when the schema is built.

    A view lists them in ``path_enums`` as ``{name: (function giving the values, description)}``: report
    kinds and TEMIS templates are data (templates may come from operators' folders), not import-time constants.
    """

    def get_override_parameters(self):
        enums = getattr(self.view, "path_enums", {})
        return [
            OpenApiParameter(name, str, OpenApiParameter.PATH, enum=values(), description=description)
            for name, (values, description) in enums.items()
        ] + super().get_override_parameters()


def document(**kwargs):
    """``extend_schema`` for a view method, built on :class:`TemisAutoSchema`.

    Without a schema class on the method, drf-spectacular bases it on the platform's DEFAULT_SCHEMA_CLASS,
    which may be DRF's own inspector; the method's documentation would then be lost.
    """

    def decorate(method):
        method.kwargs = {"schema": TemisAutoSchema}
        return extend_schema(**kwargs)(method)

    return decorate


class JwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the LMS's JWT authentication appears in the schema, when edx-drf-extensions is installed."""

    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    name = "jwtAuth"
    optional = True

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("An Open edX access token: JWT <token>.")),
        }


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of this API: JSON by default, YAML with ``Accept: application/vnd.oai.openapi``."""

    schema = TemisAutoSchema()
    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]
    # Public, like the platform's own API docs: it names endpoints and codes, never data.
    authentication_classes = []
    permission_classes = [AllowAny]

    @document(exclude=True)
    def get(self, request, *args, **kwargs):
        from .urls import api_patterns  # pylint: disable=import-outside-toplevel

        # Only this API, at the path it is mounted on (the LMS and the standalone site mount it alike).
        mount = request.path.removesuffix(SCHEMA_ROUTE)
        self.patterns = [path(mount.lstrip("/"), include(api_patterns))]
        self.custom_settings = {
            "TITLE": "TEMIS reports API",
            "DESCRIPTION": str(
                _(
                    "Reports and TEMIS exports of teacher and principal evaluations, for heads of school and "
                    'education officers, within the units they may see. Errors come as {"detail": ...}; a scope '
                    "or report run you may not see is not found (404)."
                )
            ),
            "VERSION": "1",
            "SCHEMA_PATH_PREFIX": re.escape(mount.rstrip("/")),
            "COMPONENT_SPLIT_REQUEST": True,
        }
        return super().get(request, *args, **kwargs)
