"""What every view of the REST API shares: authentication, error answers, content negotiation, the unit asked for."""

import functools

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler, set_rollback

from .. import api
from ..compat import jwt_authentication_class
from ..errors import TemisError
from .schema import TemisAutoSchema
from .serializers import ErrorSerializer


@functools.cache
def authentication_classes() -> tuple:
    """Session cookies everywhere; inside the LMS also its JWTs (mobile apps, MFEs, other services)."""
    jwt = jwt_authentication_class()
    return (*((jwt,) if jwt else ()), SessionAuthentication)


def handle_exception(exc, context):
    """The plugin's errors keep their status; invalid input lists its messages per parameter."""
    if isinstance(exc, TemisError):
        set_rollback()
        body = {"detail": str(exc)}
        if getattr(exc, "field", None):
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    if isinstance(exc, ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        errors = {
            str(key): [str(message) for message in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
        return Response(
            {"detail": _("The request is not valid."), "errors": errors}, status=status.HTTP_400_BAD_REQUEST
        )
    return exception_handler(exc, context)


class _FormatIsAParameter(DefaultContentNegotiation):
    """Answers are JSON or a report body the view builds: ``format`` selects the report's format, not a renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class TemisApiView(APIView):
    """Settings the API relies on, stated here rather than taken from the platform's REST_FRAMEWORK."""

    schema = TemisAutoSchema()
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    content_negotiation_class = _FormatIsAParameter
    versioning_class = None  # the version is in the path

    def get_authenticators(self):
        return [authentication() for authentication in authentication_classes()]

    def get_exception_handler(self):
        return handle_exception


def error_response(description):
    """An error answer in the schema: ``detail``, and for invalid input the messages per parameter."""
    return OpenApiResponse(ErrorSerializer, description=description)


AUTH_ERRORS = {
    401: error_response("Not signed in (with a JWT authentication header present or expected)."),
    403: error_response("Not signed in (session), a missing CSRF token on POST, or no right to reports (teachers)."),
}
SCOPE_ERRORS = {
    400: error_response("Invalid parameters; errors lists the messages per parameter."),
    **AUTH_ERRORS,
    404: error_response("Unknown report, template or cycle, or a unit that does not exist or is outside your scopes."),
}


def requested_scope_code(user, code: str | None) -> str | None:
    """The unit code to report on; with none, the user's one unit (several: they must choose)."""
    if not code and len(api.report_scopes(user)) > 1:
        raise ValidationError({"scope": [_("You report on several units: name one of them.")]})
    return code or None
