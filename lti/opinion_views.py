"""Colleague opinions behind a launch: a teacher's opinion (phiếu lấy ý kiến đồng nghiệp) on a colleague of
the same subject group, and the group head's view of the opinions on each teacher of the group.

Every page lives under /temis/lti/workspace/<launch id>/ and is built with lti.workspace_views.workspace_page,
which checks the launch and the per-launch form token on POST (see lti.workspace_views).
"""

from django import forms
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from temis_plugin import api
from temis_plugin.api import ConcurrentEdit, InvalidInput, InvalidTransition, is_vietnamese

from .workspace_views import LEVEL_LABELS, RATING_LABELS, STATE_LABELS, message_page, page_context, workspace_page

# ---------------------------------------------------------------------------------------------
# Colleague opinion


class OpinionForm(forms.Form):
    strengths = forms.CharField(
        label=gettext_lazy("Strengths"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    improvements = forms.CharField(
        label=gettext_lazy("Areas to improve"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(framework.criteria)
        for criterion in self.criteria:
            self.fields[f"level_{criterion.number}"] = forms.ChoiceField(
                choices=[(code, _(label)) for code, label in LEVEL_LABELS.items()],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a level for this criterion.")},
            )


@workspace_page(("GET", "POST"))
def opinion(request, record, evaluation_id):
    """A colleague's opinion (phiếu lấy ý kiến đồng nghiệp) on a mentee of the same subject group."""
    evaluation = api.get_evaluation(record.user, evaluation_id)
    framework = api.get_framework(evaluation.framework_code)
    own = api.own_opinion(record.user, evaluation.id)
    can_add = "add_opinion" in evaluation.allowed_actions
    status, notice, conflict = 200, "", False
    if request.method == "POST" and not can_add:
        return message_page(request, record, _("Opinions cannot be given on this evaluation now."), 403)
    if request.method == "POST":
        form = OpinionForm(request.POST, framework=framework)
        if form.is_valid():
            data = form.cleaned_data
            levels = {c.number: data[f"level_{c.number}"] for c in form.criteria}
            try:
                own = api.add_colleague_opinion(
                    record.user,
                    evaluation.id,
                    levels,
                    strengths=data["strengths"],
                    improvements=data["improvements"],
                    expected_version=data["expected_version"],
                )
            except ConcurrentEdit:
                own = api.own_opinion(record.user, evaluation.id)
                form, status, conflict = OpinionForm(initial=_opinion_initial(own), framework=framework), 409, True
            except InvalidInput as exc:
                form.add_error(None, str(exc))
            except InvalidTransition:  # finalized meanwhile
                return message_page(request, record, _("Opinions cannot be given on this evaluation now."), 409)
            else:
                notice = _("Your opinion was saved.")
                form = OpinionForm(initial=_opinion_initial(own), framework=framework)
        if form.errors:
            status = 400
    else:
        form = OpinionForm(initial=_opinion_initial(own), framework=framework)
    api.mark_errors(form)
    return render(
        request,
        "lti/opinion.html",
        page_context(
            request,
            record,
            evaluation=evaluation,
            form=form,
            can_add=can_add,
            own=own,
            notice=notice,
            conflict=conflict,
            criteria=_criteria_rows(form, framework),
            state_label=_(STATE_LABELS.get(evaluation.state, evaluation.state)),
            own_rating_label=_(RATING_LABELS[own.rating]) if own else "",
            action=reverse("temis_lti:opinion", args=[record.pk, evaluation.id]),
        ),
        status=status,
    )


def _opinion_initial(own) -> dict:
    if own is None:
        return {"expected_version": None}
    return {
        "strengths": own.strengths,
        "improvements": own.improvements,
        "expected_version": own.version,
        **{f"level_{n}": code for n, code in own.levels.items()},
    }


def _criteria_rows(form, framework):
    vietnamese = is_vietnamese()
    rows = []
    for criterion in framework.criteria:
        descriptors = criterion.descriptors_vi if vietnamese else (criterion.descriptors_en or criterion.descriptors_vi)
        field = form[f"level_{criterion.number}"]
        for w in field:
            described = [f"{w.id_for_label}-descriptor"] if descriptors.get(w.data["value"]) else []
            if w.data["attrs"].get("aria-describedby"):
                described.append(w.data["attrs"]["aria-describedby"])
            if described:
                w.data["attrs"]["aria-describedby"] = " ".join(described)
        rows.append(
            {
                "number": criterion.number,
                "field": field,
                "name": (
                    (criterion.name_vi if vietnamese else criterion.name_en)
                    or criterion.name_vi
                    or _("Criterion %(number)s") % {"number": criterion.number}
                ),
                "choices": [
                    {
                        "widget": w,
                        "descriptor": descriptors.get(w.data["value"], ""),
                        "descriptor_id": f"{w.id_for_label}-descriptor",
                    }
                    for w in field
                ],
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The head of the subject group


@workspace_page()
def subject_group(request, record):
    """The teachers of the subject group the launching user heads, with the colleague opinions on each."""
    rows = []
    for teacher in api.subject_group_opinions(record.user):
        summary = teacher.summary
        rows.append(
            {
                "teacher": teacher,
                "state_label": _(STATE_LABELS[teacher.evaluation_state]) if teacher.evaluation_state else "",
                "self_rating_label": _(RATING_LABELS[teacher.self_rating]) if teacher.self_rating else "",
                "ratings": ", ".join(f"{_(RATING_LABELS[r])}: {n}" for r, n in summary.per_rating.items())
                if summary
                else "",
                "per_criterion": [
                    {
                        "number": number,
                        "levels": ", ".join(f"{_(LEVEL_LABELS[code])}: {count}" for code, count in levels.items()),
                    }
                    for number, levels in summary.per_criterion.items()
                ]
                if summary
                else [],
            }
        )
    return render(request, "lti/subject_group.html", page_context(request, record, rows=rows))


# Included by lti/urls.py under workspace/<uuid:launch_id>/.
urlpatterns = [
    path("opinions/<int:evaluation_id>/", opinion, name="opinion"),
    path("subject-group/", subject_group, name="subject_group"),
]
