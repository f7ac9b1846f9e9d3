"""What the TEMIS blocks share: JSON handlers and their errors, open/close dates, resources."""

import functools
import json

from django.template import Context, Engine, Template
from django.template.backends.django import get_installed_libraries
from django.utils import timezone
from django.utils.translation import gettext as _
from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.utils.resources import ResourceLoader

from temis_plugin.api import InvalidTransition, StandardsError, TemisError


class CompiledTemplateLoader(ResourceLoader):
    """ResourceLoader that compiles each block template once per process.

    ResourceLoader.render_django_template builds a template engine (scanning every installed app's
    template tags) and parses the template on every render: at an end-of-year peak that was most
    of the page's CPU. The template and its libraries do not change while the process runs, and a
    compiled Django template renders many contexts safely, so both are kept.
    (tests/benchmarks/bench_xblock.py compares the two.)
    """

    @functools.cached_property
    def _engine(self):
        libraries = {**get_installed_libraries(), "i18n": "xblock.utils.templatetags.i18n"}
        return Engine(libraries=libraries)

    @functools.cache  # noqa: B019 (one loader per module, alive as long as the process)
    def _compiled(self, template_path):
        return Template(self.load_unicode(template_path), engine=self._engine)

    def render_django_template(self, template_path, context=None, i18n_service=None):
        context = {**(context or {}), "_i18n_service": i18n_service}
        return self._compiled(template_path).render(Context(context))


loader = CompiledTemplateLoader(__name__)


def json_handler(handler):
    """XBlock.json_handler for a JSON object, with the plugin API's errors as JSON errors (translated_errors).

    XBlock's own wrapper hands any JSON value on (a list, a number) and answers a body nested too deep
    for the parser with a server error: here both get a 400 that says what is wrong.
    """
    answering = translated_errors(handler)

    @XBlock.handler
    @functools.wraps(handler)
    def wrapper(self, request, suffix=""):
        if request.method != "POST":
            return JsonHandlerError(405, "Method must be POST").get_response(allow=["POST"])
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return json_error(400, _("The request is not valid JSON."))
        if not isinstance(data, dict):
            return json_error(400, _("The request must be a JSON object."))
        try:
            result = answering(self, data, suffix)
        except JsonHandlerError as exc:
            return exc.get_response()
        return result if isinstance(result, Response) else json_response(result)

    return wrapper


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
    return Response(json.dumps(payload, default=str), status=status, content_type="application/json", charset="utf-8")


def json_error(status, message):
    return json_response({"error": message}, status=status)


def window_state(opens_at, closes_at) -> str:
    """ "open", "not_yet" or "closed" for the author's open and close dates."""
    now = timezone.now()
    if opens_at and now < opens_at:
        return "not_yet"
    if closes_at and now > closes_at:
        return "closed"
    return "open"
