"""What the TEMIS blocks share: error mapping for handlers, open/close dates, resources."""
import functools
import json

from django.utils import timezone
from webob import Response
from xblock.exceptions import JsonHandlerError
from xblock.utils.resources import ResourceLoader

from temis_plugin.errors import TemisError
from temis_plugin.standards import StandardsError
from temis_plugin.workflow import InvalidTransition

loader = ResourceLoader(__name__)


def translated_errors(handler):
    """Turn the plugin API's errors into JSON errors with the right 4xx status and a clear message.

    ConcurrentEdit (409) and InvalidTransition (409) tell the page to reload; the others are input errors.
    """
    @functools.wraps(handler)
    def wrapper(self, *args, **kwargs):
        try:
            return handler(self, *args, **kwargs)
        except InvalidTransition as exc:  # e.g. submitting twice
            raise JsonHandlerError(409, str(exc)) from None
        except (TemisError, StandardsError) as exc:
            raise JsonHandlerError(getattr(exc, "status_code", 400), str(exc)) from None
    return wrapper


def json_response(payload, status=200):
    return Response(json.dumps(payload, default=str), status=status, content_type="application/json",
                    charset="utf-8")


def json_error(status, message):
    return json_response({"error": message}, status=status)


def window_state(opens_at, closes_at) -> str:
    """"open", "not_yet" or "closed" for the author's open and close dates."""
    now = timezone.now()
    if opens_at and now < opens_at:
        return "not_yet"
    if closes_at and now > closes_at:
        return "closed"
    return "open"
