"""The mentor workspace, reached through a launch: pages under /temis/lti/workspace/<launch id>/."""
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from temis_plugin import api

from .models import Launch


def launch_or_404(launch_id) -> Launch:
    """The live launch behind a workspace URL; its random id stands in for a session cookie."""
    record = Launch.objects.filter(pk=launch_id, expires__gt=timezone.now()).select_related("user").first()
    if record is None:
        raise Http404("launch not found or expired")
    return record


@xframe_options_exempt
@require_GET
def home(request, launch_id):
    """The workspace of an earlier launch, e.g. reopened in a new window."""
    return render_home(request, launch_or_404(launch_id))


def render_home(request, record):
    """The mentor workspace: the groups and mentees of the launching core teacher."""
    user = record.user
    context = {
        "launch": record, "user_known": user is not None,
        "mentees": api.list_mentees(user) if user else [],
        "educator": api.get_educator(user) if user else None,
        "new_window_url": request.build_absolute_uri(reverse("temis_lti:workspace", args=[record.id])),
    }
    return render(request, "lti/workspace.html", context)
