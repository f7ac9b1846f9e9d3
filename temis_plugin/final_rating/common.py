"""What the final-rating pages share: signed-in pages that turn the API's refusals into 404 and 403."""
import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..errors import NotAllowed, NotFound


def head_page(methods=("GET",)):
    """A signed-in page; the API's refusals become 404 (not found, or not visible) and 403 pages."""
    def decorate(view):
        @functools.wraps(view)
        @login_required
        @require_http_methods(list(methods))
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404("not found") from None
            except NotAllowed:
                return render(request, "temis_plugin/final_message.html", {
                    "message": _("This page is for heads of school, and for the officers who rate principals.")},
                    status=403)
        return wrapper
    return decorate




def mark_errors(form):
    """Tie each error to its field for assistive technology."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update({"aria-invalid": "true",
                                                   "aria-describedby": f"{form[name].auto_id}-error"})
