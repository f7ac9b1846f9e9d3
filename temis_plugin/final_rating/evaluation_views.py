"""One evaluation as its head sees it: self-assessment, opinions and evidence per criterion, the head's
final levels and comment, finalizing, reopening with a reason, the audit trail; and its evidence files.
"""

from django import forms
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from .. import api, standards
from ..errors import ConcurrentEdit, InvalidInput
from ..i18n import is_vietnamese, localized, translated
from ..labels import LEVEL_LABELS, RATING_LABELS, STATE_LABELS
from ..pages import mark_errors
from ..workflow import InvalidTransition
from .common import head_page

# What the audit trail calls each change.
AUDIT_ACTIONS = {
    "create": gettext_noop("Evaluation created"),
    "edit_self": gettext_noop("Self-assessment edited"),
    "submit": gettext_noop("Self-assessment submitted"),
    "add_opinion": gettext_noop("Colleague opinion given"),
    "edit_final": gettext_noop("Final levels saved"),
    "finalize": gettext_noop("Finalized"),
    "reopen": gettext_noop("Reopened for the head"),
    "return_to_draft": gettext_noop("Returned to the educator"),
}
NOTICES = {
    "saved": gettext_noop("The final levels and the comment were saved."),
    "finalized": gettext_noop("The evaluation was finalized."),
    "reopened": gettext_noop("The evaluation was reopened; you can change the final levels again."),
    "returned": gettext_noop("The evaluation was returned to the educator as a draft."),
}


class FinalLevelsForm(forms.Form):
    """The head's final level per criterion (optional until finalizing), comment and the version read."""

    comment = forms.CharField(
        label=gettext_lazy("Comment of the head"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.numbers = list(framework.criterion_numbers)
        for number in self.numbers:
            self.fields[f"level_{number}"] = forms.ChoiceField(
                choices=[(code, _(text)) for code, text in LEVEL_LABELS.items()],
                required=False,
                widget=forms.RadioSelect,
            )

    def levels(self) -> dict[int, str]:
        return {n: self.cleaned_data[f"level_{n}"] for n in self.numbers if self.cleaned_data.get(f"level_{n}")}


REOPEN_MODES = ("reopen", "draft")


class ReopenForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Reopen"),
        widget=forms.RadioSelect,
        choices=[
            ("reopen", gettext_lazy("Reopen for me, to change the final levels")),
            ("draft", gettext_lazy("Return to the educator as a draft, to revise the self-assessment")),
        ],
        error_messages={"required": gettext_lazy("Choose how to reopen the evaluation.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Give the reason: it goes into the audit trail.")},
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, modes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [c for c in self.fields["mode"].choices if c[0] in modes]
        if len(modes) == 1:
            self.fields["mode"].initial = modes[0]


@head_page(("GET", "POST"))
def rating_detail(request, evaluation_id):
    """One evaluation: the self-assessment, opinions and evidence per criterion, and the head's form."""
    evaluation = api.get_evaluation_to_rate(request.user, evaluation_id)
    framework = standards.get_framework(evaluation.framework_code)
    if request.method == "GET":
        return _detail_page(request, evaluation, framework)
    action = request.POST.get("action")
    if action in ("save", "finalize", "preview"):
        return _post_levels(request, evaluation, framework, action)
    if action == "reopen":
        return _post_reopen(request, evaluation, framework)
    return _detail_page(request, evaluation, framework, status=400, problem=_("Choose an action."))


def _post_levels(request, evaluation, framework, action):
    form = FinalLevelsForm(request.POST, framework=framework)
    if not form.is_valid():
        return _detail_page(request, evaluation, framework, levels_form=form, status=400)
    levels, data = form.levels(), form.cleaned_data
    if action == "preview":
        return _detail_page(request, evaluation, framework, levels_form=form, preview=_preview(framework, levels))
    if action == "finalize":
        for number in form.numbers:
            if number not in levels:
                form.add_error(f"level_{number}", _("Choose the final level for this criterion."))
        if form.errors:
            return _detail_page(request, evaluation, framework, levels_form=form, status=400)
    try:
        if action == "finalize":
            api.finalize_evaluation(
                request.user, evaluation.id, data["expected_version"], levels=levels, comment=data["comment"]
            )
        else:
            api.save_final_levels(
                request.user, evaluation.id, data["expected_version"], levels, comment=data["comment"]
            )
    except (ConcurrentEdit, InvalidTransition):
        # Someone else saved first: keep what the user typed, on top of the version saved now.
        evaluation = api.get_evaluation_to_rate(request.user, evaluation.id)
        kept = request.POST.copy()
        kept["expected_version"] = evaluation.version
        form = FinalLevelsForm(kept, framework=framework)
        form.is_valid()
        return _detail_page(request, evaluation, framework, levels_form=form, status=409, conflict=True)
    except InvalidInput as exc:
        form.add_error(None, str(exc))
        return _detail_page(request, evaluation, framework, levels_form=form, status=400)
    return _redirect(evaluation.id, "finalized" if action == "finalize" else "saved")


def _post_reopen(request, evaluation, framework):
    # Any mode passes the form: the API decides whether the evaluation, as it is now, allows it
    # (a page opened before someone else reopened it gets the conflict message, not a form error).
    form = ReopenForm(request.POST, modes=REOPEN_MODES)
    if not form.is_valid():
        form.fields["mode"].choices = [c for c in form.fields["mode"].choices if c[0] in _reopen_modes(evaluation)]
        return _detail_page(request, evaluation, framework, reopen_form=form, status=400)
    data = form.cleaned_data
    try:
        api.reopen_evaluation(
            request.user, evaluation.id, data["expected_version"], data["reason"], to_draft=data["mode"] == "draft"
        )
    except (ConcurrentEdit, InvalidTransition):
        evaluation = api.get_evaluation_to_rate(request.user, evaluation.id)
        modes = _reopen_modes(evaluation)
        if not modes:  # nothing to reopen any more: show the reason typed, so that it is not lost
            return _detail_page(
                request, evaluation, framework, status=409, conflict=True, unsaved_reason=data["reason"]
            )
        kept = request.POST.copy()
        kept["expected_version"] = evaluation.version
        return _detail_page(
            request, evaluation, framework, reopen_form=ReopenForm(kept, modes=modes), status=409, conflict=True
        )
    except InvalidInput:  # a reason of blanks only
        form.add_error("reason", _("Give the reason: it goes into the audit trail."))
        return _detail_page(request, evaluation, framework, reopen_form=form, status=400)
    return _redirect(evaluation.id, "returned" if data["mode"] == "draft" else "reopened")


def _redirect(evaluation_id, notice):
    url = reverse("temis:final_rating_detail", args=[evaluation_id])
    return HttpResponseRedirect(f"{url}?notice={notice}", status=303)


def _reopen_modes(evaluation) -> list[str]:
    modes = []
    if "reopen" in evaluation.allowed_actions:
        modes.append("reopen")
    if "return_to_draft" in evaluation.allowed_actions:
        modes.append("draft")
    return modes


def _preview(framework, levels) -> dict:
    missing = [n for n in framework.criterion_numbers if n not in levels]
    if missing:
        return {"rating": "", "missing": ", ".join(str(n) for n in missing)}
    return {"rating": translated(RATING_LABELS, standards.evaluate(framework, levels).result.value), "missing": ""}


def _detail_page(
    request,
    evaluation,
    framework,
    *,
    levels_form=None,
    reopen_form=None,
    status=200,
    conflict=False,
    problem="",
    preview=None,
    unsaved_reason="",
):
    user = request.user
    editable = "edit_final" in evaluation.allowed_actions
    if editable and levels_form is None:
        # Each criterion starts from its saved final level, else from the self-assessed one.
        levels = evaluation.self_levels | evaluation.final_levels
        initial = {f"level_{n}": code for n, code in levels.items()}
        levels_form = FinalLevelsForm(
            initial={**initial, "comment": evaluation.final_comment, "expected_version": evaluation.version},
            framework=framework,
        )
        preview = _preview(framework, levels)
    modes = _reopen_modes(evaluation)
    if modes and reopen_form is None:
        reopen_form = ReopenForm(initial={"expected_version": evaluation.version}, modes=modes)
    for form in (levels_form, reopen_form):
        if form is not None:
            mark_errors(form)
    summary = api.summarize_opinions(user, evaluation.id)
    notice = NOTICES.get(request.GET.get("notice", "")) if request.method == "GET" else None
    return render(
        request,
        "temis_plugin/final_detail.html",
        {
            "evaluation": evaluation,
            "framework": framework,
            "editable": editable,
            "name": evaluation.educator.full_name or _("Educator #%(id)s") % {"id": evaluation.educator.id},
            "framework_name": localized(framework.name_vi, framework.name_en),
            "state_label": translated(STATE_LABELS, evaluation.state),
            "self_rating": translated(RATING_LABELS, evaluation.self_rating),
            "final_rating": translated(RATING_LABELS, evaluation.final_rating),
            "summary": summary,
            "opinion_ratings": ", ".join(f"{translated(RATING_LABELS, r)}: {n}" for r, n in summary.per_rating.items()),
            "opinions": api.list_opinions(user, evaluation.id),
            "standards": _standards_context(evaluation, framework, summary, levels_form),
            "levels_form": levels_form if editable else None,
            "reopen_form": reopen_form,
            "unsaved": levels_form if (levels_form is not None and not editable and levels_form.is_bound) else None,
            "unsaved_reason": unsaved_reason,
            "conflict": conflict,
            "problem": problem,
            "preview": preview,
            "notice": _(notice) if notice else "",
            "audit": [
                {"entry": e, "action": translated(AUDIT_ACTIONS, e.action)}
                for e in api.audit_trail(user, evaluation.id)
            ],
            "list_url": reverse("temis:final_rating"),
            "needs": evaluation.training_needs,
        },
        status=status,
    )


def _standards_context(evaluation, framework, summary, form):
    in_vietnamese = is_vietnamese()
    result = []
    for standard in framework.standards:
        criteria = []
        for criterion in standard.criteria:
            number = criterion.number
            descriptors = (
                criterion.descriptors_vi if in_vietnamese else (criterion.descriptors_en or criterion.descriptors_vi)
            )
            field = form[f"level_{number}"] if form is not None else None
            saved_final = evaluation.final_levels.get(number)
            criteria.append(
                {
                    "number": number,
                    "name": (
                        (criterion.name_vi if in_vietnamese else criterion.name_en)
                        or criterion.name_vi
                        or _("Criterion %(number)s") % {"number": number}
                    ),
                    "self_level": translated(LEVEL_LABELS, evaluation.self_levels.get(number)),
                    "final_level": translated(LEVEL_LABELS, saved_final),
                    "opinions": ", ".join(
                        f"{translated(LEVEL_LABELS, code)}: {count}"
                        for code, count in summary.per_criterion.get(number, {}).items()
                    ),
                    "evidence": [_evidence_context(item) for item in evaluation.evidence.get(number, [])],
                    "descriptors": [
                        (translated(LEVEL_LABELS, code), descriptors[code])
                        for code in LEVEL_LABELS
                        if descriptors.get(code)
                    ],
                    "field": field,
                    # After a conflict: the level saved now, when it differs from the one in the form.
                    "saved_now": (
                        translated(LEVEL_LABELS, saved_final)
                        if field is not None and form.is_bound and saved_final and field.value() != saved_final
                        else ""
                    ),
                }
            )
        result.append(
            {
                "number": standard.number,
                "name": standard.name_vi if in_vietnamese else standard.name_en,
                "criteria": criteria,
            }
        )
    return result


def _evidence_context(item) -> dict:
    return {"name": item.name, "url": item.url, "external": item.kind != "file", "description": item.description}
