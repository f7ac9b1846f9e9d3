"""What the final-rating pages share: signed-in pages that turn the API's refusals into 404 and 403."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from ..errors import NotAllowed
from ..pages import signed_in_page


def head_page(methods=("GET",)):
    """A signed-in page; the API's refusals become 404 (not found, or not visible) and 403 pages."""
    return signed_in_page(methods, [(NotAllowed, _not_a_head)])


def _not_a_head(request, error):
    return render(
        request,
        "temis_plugin/final_message.html",
        {"message": _("This page is for heads of school, and for the officers who rate principals.")},
        status=403,
    )
