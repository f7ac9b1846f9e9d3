"""The mentor's support log (nhật ký hỗ trợ) behind a launch: the activities of the current cycle, logging
and editing one (with its history), and the export as .csv or .xlsx.

Every page lives under /temis/lti/workspace/<launch id>/ and is built with lti.workspace_views.workspace_page,
which checks the launch and the per-launch form token on POST (see lti.workspace_views).
"""

from django import forms
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from temis_plugin import api
from temis_plugin.api import ConcurrentEdit, InvalidInput, is_vietnamese

from .workspace_views import message_page, page_context, workspace_page

FORM_LABELS = {
    "in_person": gettext_lazy("In person"),
    "online": gettext_lazy("Online"),
    "subject_group_meeting": gettext_lazy("Subject-group meeting"),
}
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ActivityForm(forms.Form):
    group = forms.ChoiceField(label=gettext_lazy("Mentor group"))
    date = forms.DateField(
        label=gettext_lazy("Date"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"),
        min_value=1,
        max_value=1440,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    form = forms.ChoiceField(label=gettext_lazy("Form"), choices=list(FORM_LABELS.items()), widget=forms.RadioSelect)
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=255)
    criteria = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Criteria worked on"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    mentee_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Mentees present"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    next_steps = forms.CharField(
        label=gettext_lazy("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, groups, framework, fixed_group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.code, f"{g.name or g.code}") for g in groups]
        if fixed_group:
            self.fields["group"].choices = [(fixed_group, fixed_group)]
            self.fields["group"].disabled = True
            self.fields["group"].initial = fixed_group
        vietnamese = is_vietnamese()
        self.fields["criteria"].choices = [
            (c.number, f"{c.number}. {(c.name_vi if vietnamese else c.name_en) or c.name_vi}")
            for c in framework.criteria
        ]
        self.fields["mentee_ids"].choices = [(m.id, f"{m.full_name} ({g.code})") for g in groups for m in g.mentees]


def _apply_api_error(form, exc: InvalidInput):
    field = {"group_code": "group"}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, str(exc))


@workspace_page()
def activities(request, record):
    """The support log of the current cycle, with links to edit, log and export."""
    items = api.list_support_activities(record.user)
    rows = [
        {
            "activity": a,
            "form_label": FORM_LABELS.get(a.form, a.form),
            "edit_url": reverse("temis_lti:activity_edit", args=[record.pk, a.id]),
        }
        for a in items
    ]
    notice = NOTICES.get(request.GET.get("notice", ""))
    return render(
        request,
        "lti/activities.html",
        page_context(
            request,
            record,
            rows=rows,
            total_minutes=sum(a.duration_minutes for a in items),
            notice=_(notice) if notice else "",
            export_csv_url=reverse("temis_lti:activity_export", args=[record.pk, "csv"]),
            export_xlsx_url=reverse("temis_lti:activity_export", args=[record.pk, "xlsx"]),
        ),
    )


@workspace_page(("GET", "POST"))
def activity_new(request, record):
    groups = api.list_mentor_groups(record.user)
    if not groups:
        return message_page(request, record, _("You have no mentor group in this cycle."), 403)
    framework = api.teacher_framework()
    if request.method == "POST":
        form = ActivityForm(request.POST, groups=groups, framework=framework)
        if form.is_valid():
            data = form.cleaned_data
            try:
                api.log_support_activity(
                    record.user,
                    data["group"],
                    date=data["date"],
                    duration_minutes=data["duration_minutes"],
                    form=data["form"],
                    topic=data["topic"],
                    criteria=data["criteria"],
                    mentee_ids=data["mentee_ids"],
                    notes=data["notes"],
                    next_steps=data["next_steps"],
                )
            except InvalidInput as exc:
                _apply_api_error(form, exc)
            else:
                return _redirect_to_log(record, "logged")
    else:
        form = ActivityForm(groups=groups, framework=framework, initial={"group": groups[0].code, "form": "in_person"})
    return _activity_page(request, record, form, status=200 if not form.errors else 400)


@workspace_page(("GET", "POST"))
def activity_edit(request, record, activity_id):
    activity = api.get_support_activity(record.user, activity_id)
    groups = api.list_mentor_groups(record.user, activity.cycle_code)
    framework = api.teacher_framework()
    kwargs = {"groups": groups, "framework": framework, "fixed_group": activity.group_code}
    status, conflict = 200, False
    if request.method == "POST":
        form = ActivityForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                api.update_support_activity(
                    record.user,
                    activity.id,
                    data["version"],
                    date=data["date"],
                    duration_minutes=data["duration_minutes"],
                    form=data["form"],
                    topic=data["topic"],
                    criteria=data["criteria"],
                    mentee_ids=data["mentee_ids"],
                    notes=data["notes"],
                    next_steps=data["next_steps"],
                )
            except ConcurrentEdit:
                # Show what is saved now, with its version: applying the change again is then deliberate.
                activity = api.get_support_activity(record.user, activity.id)
                form, status, conflict = ActivityForm(initial=_initial(activity), **kwargs), 409, True
            except InvalidInput as exc:
                _apply_api_error(form, exc)
            else:
                return _redirect_to_log(record, "saved")
        if form.errors:
            status = 400
    else:
        form = ActivityForm(initial=_initial(activity), **kwargs)
    history = [
        {"entry": e, "changed": _changed_fields(e)} for e in api.support_activity_history(record.user, activity.id)
    ]
    return _activity_page(request, record, form, status=status, activity=activity, conflict=conflict, history=history)


def _initial(activity) -> dict:
    return {
        "group": activity.group_code,
        "date": activity.date,
        "duration_minutes": activity.duration_minutes,
        "form": activity.form,
        "topic": activity.topic,
        "criteria": activity.criteria,
        "mentee_ids": [m.id for m in activity.mentees],
        "notes": activity.notes,
        "next_steps": activity.next_steps,
        "version": activity.version,
    }


FIELD_LABELS = {
    "date": gettext_lazy("Date"),
    "duration_minutes": gettext_lazy("Duration (minutes)"),
    "form": gettext_lazy("Form"),
    "topic": gettext_lazy("Topic"),
    "criteria": gettext_lazy("Criteria worked on"),
    "mentee_ids": gettext_lazy("Mentees present"),
    "notes": gettext_lazy("Notes"),
    "next_steps": gettext_lazy("Next steps"),
}


def _changed_fields(entry) -> str:
    if entry.action == "log_support_activity":
        return _("Logged")
    changed = entry.after or {}
    return ", ".join(str(label) for name, label in FIELD_LABELS.items() if name in changed)


def _activity_page(request, record, form, status=200, **extra):
    api.mark_errors(form)
    action = (
        reverse("temis_lti:activity_edit", args=[record.pk, extra["activity"].id])
        if extra.get("activity")
        else reverse("temis_lti:activity_new", args=[record.pk])
    )
    return render(
        request,
        "lti/activity_form.html",
        page_context(request, record, form=form, action=action, **extra),
        status=status,
    )


NOTICES = {"logged": gettext_noop("The activity was logged."), "saved": gettext_noop("The activity was saved.")}


def _redirect_to_log(record, notice):
    # Post/redirect/get; the notice travels as a code in the query string, since there is no session.
    return HttpResponseRedirect(f"{reverse('temis_lti:activities', args=[record.pk])}?notice={notice}", status=303)


@workspace_page()
def activity_export(request, record, fmt):
    if fmt not in EXPORT_TYPES:
        raise Http404("no such export format")
    content = api.export_support_activities(record.user, fmt)
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="support-activities.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


# Included by lti/urls.py under workspace/<uuid:launch_id>/.
urlpatterns = [
    path("activities/", activities, name="activities"),
    path("activities/new/", activity_new, name="activity_new"),
    path("activities/<int:activity_id>/", activity_edit, name="activity_edit"),
    path("activities/export.<str:fmt>", activity_export, name="activity_export"),
]
