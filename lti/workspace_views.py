"""The mentor workspace, reached through a launch: pages under /temis/lti/workspace/<launch id>/.

The workspace opens in a cross-site iframe of the LMS, where the browser may block our cookies: no
session and no CSRF cookie can be relied on. The launch's random id in the URL stands in for the
session, and the pages are exempt from Django's cookie-based CSRF check. In its place every form
carries a per-launch form token (:func:`form_token`): an HMAC of the launch id under SECRET_KEY,
checked on every POST. A page of another site cannot read it, so it cannot forge a POST; it cannot
be computed from the launch id (which travels in URLs) without the secret, and it dies with the
launch. The pages send no Referer, so the launch id does not leak through links either.

Other pages: the support log in lti.support_log_views, colleague opinions and the subject-group head's view in
lti.opinion_views, scores in lti.scoring_views.
"""

import functools
from urllib.parse import parse_qs, urlparse

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from temis_plugin import api
from temis_plugin.api import LEVEL_LABELS, RATING_LABELS, STATE_LABELS, NotAllowed, NotFound

from . import throttle
from .claims import TARGET_LINK_URI_CLAIM
from .models import Launch
from .protocol import mentor_scope

# The overview's alerts: no activity for this many days; self-assessment closing within this many days.
INACTIVE_DAYS = 14
DUE_DAYS = 14


def _launched_view(record) -> str:
    target = (record.claims or {}).get(TARGET_LINK_URI_CLAIM) or ""
    return (parse_qs(urlparse(target).query).get("view") or [""])[0]


def launch_or_404(launch_id) -> Launch:
    """The live launch behind a workspace URL; its random id stands in for a session cookie."""
    record = Launch.objects.filter(pk=launch_id, expires__gt=timezone.now()).select_related("user").first()
    if record is None:
        raise Http404("launch not found or expired")
    return record


def form_token(record) -> str:
    """The per-launch form token: stands in for Django's CSRF cookie, which a cross-site iframe may not get."""
    return salted_hmac("temis_lti.workspace.form", str(record.pk), algorithm="sha256").hexdigest()


def has_form_token(request, record) -> bool:
    """Whether the POST carries this launch's form token."""
    return constant_time_compare(request.POST.get("form_token", ""), form_token(record))


def workspace_page(methods=("GET",)):
    """A workspace view: the live launch with a known educator, the form token on POST, API errors as pages."""

    def decorate(view):
        @functools.wraps(view)
        @xframe_options_exempt
        @csrf_exempt  # cookie-less: the form token below replaces the CSRF cookie (see the module's docstring)
        @require_http_methods(list(methods))
        @throttle.limited("workspace")
        def wrapper(request, launch_id, **kwargs):
            record = launch_or_404(launch_id)
            if request.method == "POST" and not has_form_token(request, record):
                return message_page(
                    request,
                    record,
                    _(
                        "This form has expired or did not come from this workspace. "
                        "Open the workspace again and repeat your change."
                    ),
                    403,
                )
            if record.user is None:
                return message_page(
                    request, record, _("This launch does not identify an educator of this deployment."), 403
                )
            try:
                return view(request, record, **kwargs)
            except NotFound:
                raise Http404("not found") from None
            except NotAllowed as exc:
                return message_page(request, record, str(exc), 403)

        return wrapper

    return decorate


def page_context(request, record, **extra) -> dict:
    """What every workspace template needs: the launch, its URLs and the form token."""
    base = reverse("temis_lti:workspace", args=[record.pk])
    context = {
        "launch": record,
        "form_token": form_token(record),
        "home_url": base,
        "activities_url": reverse("temis_lti:activities", args=[record.pk]),
        "new_activity_url": reverse("temis_lti:activity_new", args=[record.pk]),
        "is_group_head": api.heads_subject_group(record.user) if record.user else False,
        "subject_group_url": reverse("temis_lti:subject_group", args=[record.pk]),
        "scores_url": reverse("temis_lti:scores", args=[record.pk]),
    }
    context.update(extra)
    return context


def message_page(request, record, message, status):
    return render(request, "lti/message.html", page_context(request, record, message=message), status=status)


@xframe_options_exempt
@require_GET
@throttle.limited("workspace")
def home(request, launch_id):
    """The workspace of an earlier launch, e.g. reopened in a new window."""
    return render_home(request, launch_or_404(launch_id))


def _platform_scoped(record):
    """Learners a platform says this mentor may follow (membership#Mentor + role_scope_mentor), by name
    where the tool has seen their own launch, else counted as not yet seen."""
    subs = mentor_scope(record.claims or {})
    if not subs:
        return None
    seen = Launch.objects.filter(platform=record.platform, sub__in=subs, user__isnull=False).select_related("user")
    names = set()
    for launch in seen:
        educator = api.get_educator(launch.user)
        if educator:
            names.add(educator.full_name)
    return {"names": sorted(names), "unseen": len(set(subs) - {launch.sub for launch in seen})}


def render_home(request, record):
    """The mentor workspace: the groups and mentees of the launching core teacher, with alerts.

    A launch (the platform's POST) of a link placed for the support log (``?view=support_log`` in its
    target link URI) goes on to the log; reopening the workspace later shows this overview.
    """
    user = record.user
    if request.method == "POST" and user is not None and _launched_view(record) == "support_log":
        return HttpResponseRedirect(reverse("temis_lti:activities", args=[record.pk]), status=303)
    mentees = []
    if user is not None:
        for item in api.mentee_overview(user, inactive_days=INACTIVE_DAYS, due_days=DUE_DAYS):
            mentees.append(
                {
                    "item": item,
                    "state_label": _(STATE_LABELS[item.evaluation_state]) if item.evaluation_state else "",
                    "self_rating_label": _(RATING_LABELS[item.self_rating]) if item.self_rating else "",
                    "levels": ", ".join(f"{n}: {_(LEVEL_LABELS[code])}" for n, code in item.self_levels.items()),
                    "opinion_url": reverse("temis_lti:opinion", args=[record.pk, item.evaluation_id])
                    if item.same_subject_group and item.evaluation_state in ("submitted", "opinions")
                    else "",
                }
            )
    context = page_context(
        request,
        record,
        user_known=user is not None,
        mentees=mentees,
        alerts=sum(1 for m in mentees if m["item"].inactive or m["item"].self_assessment_due),
        educator=api.get_educator(user) if user else None,
        inactive_days=INACTIVE_DAYS,
        due_days=DUE_DAYS,
        scoped=_platform_scoped(record),
        new_window_url=request.build_absolute_uri(reverse("temis_lti:workspace", args=[record.id])),
    )
    return render(request, "lti/workspace.html", context)
