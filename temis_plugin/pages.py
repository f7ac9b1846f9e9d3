"""What every page of the plugin does with the API's refusals and with a form's errors.

The LTI tool's pages mark their forms' errors the same way, through ``temis_plugin.api.mark_errors``.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.utils.translation import gettext as _

from .errors import NotFound, TemisError


def signed_in_page(methods=("GET",), answers=()):
    """A signed-in page taking ``methods``. ``answers`` lists ``(error class, function(request, error))``
    pairs, tried in order, that turn the API's refusals into the page explaining them; any other
    NotFound is a 404, the same for what does not exist and what the user may not see."""

    def decorate(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return HttpResponseNotAllowed(
                    methods,
                    _("This page does not take a %(method)s request.") % {"method": request.method},
                    content_type="text/plain; charset=utf-8",
                )
            try:
                return view(request, *args, **kwargs)
            except TemisError as error:
                for kind, answer in answers:
                    if isinstance(error, kind):
                        return answer(request, error)
                if isinstance(error, NotFound):
                    raise Http404("not found") from None
                raise

        return wrapper

    return decorate


def mark_errors(form):
    """Tie each error to its field for assistive technology: aria-invalid and aria-describedby."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"{form[name].auto_id}-error"}
            )
