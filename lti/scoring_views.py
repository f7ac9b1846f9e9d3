"""The workspace page where a mentor scores a mentee's practice task (sent to the LMS through AGS)."""

from decimal import Decimal, InvalidOperation

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from temis_plugin import api

from . import roster, scoring
from .models import Launch, ScoreSubmission
from .workspace_views import page_context, workspace_page


@workspace_page(("GET", "POST"))
def scores(request, record):
    mentees = api.list_mentees(record.user)
    context = {
        "mentees": mentees,
        "notice": "",
        "error": "",
        "values": {"maximum": "10"},
        "recent": ScoreSubmission.objects.filter(scorer=record.user, platform=record.platform).order_by("-created")[
            :20
        ],
    }
    status = 200
    try:
        scoring.line_item_url(record)
    except scoring.ScoringError as exc:
        context["unavailable"] = str(exc)
    if request.method == "POST" and request.POST.get("action") == "sync_roster":
        try:
            count = roster.sync_roster(record)
            context["notice"] = _("The course roster was read: %(count)s members.") % {"count": count}
        except roster.RosterError as exc:
            context["error"], status = str(exc), 502
    elif request.method == "POST" and "unavailable" not in context:
        context["values"] = request.POST
        try:
            try:
                user = api.mentee_user(record.user, int(request.POST.get("mentee", "")))
            except (ValueError, api.NotFound):
                raise scoring.ScoringError(_("Choose one of the colleagues you support.")) from None
            given, maximum = _number(request.POST.get("score")), _number(request.POST.get("maximum"))
            submission = scoring.record_score(record, user, given, maximum, request.POST.get("comment", "")[:2000])
            scoring.send(submission)
            context["notice"] = _("The score was sent to the course's gradebook.")
            context["values"] = {"maximum": request.POST.get("maximum", "10")}
        except scoring.ScoringError as exc:
            context["error"], status = str(exc), exc.status
    enrolled = roster.enrolled_subs(record)
    known = dict(
        Launch.objects.filter(platform=record.platform, context_id=record.context_id, user__isnull=False).values_list(
            "user_id", "sub"
        )
    )
    context["enrolment"] = (
        [(m, known.get(api.mentee_user(record.user, m.educator.id).pk) in enrolled) for m in mentees]
        if enrolled
        else []
    )
    context["roster_available"] = bool(roster.memberships_url(record))
    return render(request, "lti/scores.html", page_context(request, record, **context), status=status)


def _number(value):
    try:
        return Decimal(str(value).replace(",", "."))
    except (InvalidOperation, TypeError):
        raise scoring.ScoringError(_("Scores are numbers, such as 8 or 8.5.")) from None


urlpatterns = [path("scores/", scores, name="scores")]
