"""Django admin for every record. Ratings are shown, never typed: the engine computes them."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import models
from .roster import runs as roster_runs
from .standards import unpack_levels
from .survey import SURVEY_ITEM_LABELS


class WorkflowRecord:
    """Records only the workflow writes (the XBlocks, the mentor tool, the head's page, the LMS's events):
    shown read only, never added, changed or deleted here, whatever the user's permissions. A record made
    or edited in the admin would skip the workflow's checks, versions and audit trail."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster file (.xlsx or .csv)"))
    table = forms.ChoiceField(
        label=_("Table in a .csv file"),
        required=False,
        choices=[
            ("", _("Recognise from the columns")),
            ("units", _("Units")),
            ("educators", _("Educators")),
            ("mentor_groups", _("Mentor groups")),
        ],
    )


@admin.register(models.OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "school_levels", "is_legacy"]
    list_filter = ["kind", "is_legacy"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path"]
    change_list_template = "admin/temis_plugin/orgunit_change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="temis_plugin_roster_import"),
            path(
                "import/<uuid:run_id>/",
                self.admin_site.admin_view(self.import_status_view),
                name="temis_plugin_roster_import_status",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a roster; the import runs as a Celery task and its page shows progress and outcome."""
        if not request.user.has_perm("temis_plugin.add_educatorprofile"):
            return redirect("admin:index")
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = roster_runs.start_import(
                request.user,
                form.cleaned_data["file"],
                form.cleaned_data["table"],
                language=translation.get_language() or "vi",
            )
            return redirect("admin:temis_plugin_roster_import_status", run_id=run.pk)
        recent = models.RosterImport.objects.filter(requested_by=request.user)[:10]
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "recent": recent,
            "title": _("Import roster"),
            "opts": self.model._meta,
        }
        return render(request, "admin/temis_plugin/roster_import.html", context)

    def import_status_view(self, request, run_id):
        run = roster_runs.get_import(request.user, run_id)
        if run is None or not request.user.has_perm("temis_plugin.add_educatorprofile"):
            raise Http404(_("No such roster import."))
        percent, rows = roster_runs.progress_of(run)
        context = {
            **self.admin_site.each_context(request),
            "run": run,
            "percent": percent,
            "rows": rows,
            "title": _("Roster import: %(name)s") % {"name": run.file_name},
            "opts": self.model._meta,
        }
        return render(request, "admin/temis_plugin/roster_import_status.html", context)


@admin.register(models.Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "starts_on", "ends_on", "self_assessment_closes_on", "is_current"]

    def save_model(self, request, obj, form, change):
        # Saving a cycle as current switches from the previous one (Cycle.save): say so, by name.
        previous = models.Cycle.objects.filter(is_current=True).exclude(pk=obj.pk).first() if obj.is_current else None
        super().save_model(request, obj, form, change)
        if previous is not None:
            messages.info(
                request,
                _("%(cycle)s is now the current cycle, in place of %(previous)s.")
                % {"cycle": obj.name, "previous": previous.name},
            )


@admin.register(models.TrainingModule)
class TrainingModuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "audience", "hours", "status"]
    list_filter = ["audience"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(models.EducatorProfile)
class EducatorProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "national_id", "school", "position", "school_level", "is_core_teacher"]
    list_filter = ["position", "school_level", "is_core_teacher"]
    search_fields = ["full_name", "national_id", "school__code", "school__name"]
    raw_id_fields = ["user", "school", "subject_group"]
    readonly_fields = ["retired_at"]


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "created"]
    list_filter = ["role"]
    raw_id_fields = ["user", "unit", "granted_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


class MembershipInline(admin.TabularInline):
    model = models.MentorGroupMembership
    raw_id_fields = ["mentee"]
    extra = 0


@admin.register(models.MentorGroup)
class MentorGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "cycle", "mentor"]
    list_filter = ["cycle"]
    search_fields = ["code", "name", "mentor__full_name"]
    raw_id_fields = ["mentor"]
    inlines = [MembershipInline]


def _levels_display(packed):
    levels = unpack_levels(packed)
    return " ".join(f"{n}:{level.value}" for n, level in sorted(levels.items())) or "—"


class EvidenceLinkInline(WorkflowRecord, admin.TabularInline):
    model = models.EvidenceLink
    fields = ["evidence", "criterion"]
    extra = 0


class OpinionInline(WorkflowRecord, admin.TabularInline):
    model = models.ColleagueOpinion
    fk_name = "evaluation"
    fields = ["colleague", "levels", "rating", "strengths", "improvements"]
    extra = 0


class TrainingNeedInline(WorkflowRecord, admin.TabularInline):
    model = models.TrainingNeed
    fields = ["criterion", "module"]
    extra = 0


class AuditInline(WorkflowRecord, admin.TabularInline):
    model = models.AuditEntry
    fields = ["at", "actor", "action", "target", "before", "after", "reason"]
    readonly_fields = ["at"]  # set when the entry is written: a form may name it only as read only
    extra = 0


@admin.register(models.Evaluation)
class EvaluationAdmin(WorkflowRecord, admin.ModelAdmin):
    """Evaluations change through the workflow (XBlock, mentor tool, head's page)."""

    list_display = ["educator", "cycle", "framework_code", "state", "self_rating", "final_rating"]
    list_filter = ["cycle", "framework_code", "state", "final_rating"]
    search_fields = ["educator__full_name", "educator__national_id"]
    readonly_fields = [
        "educator",
        "cycle",
        "framework_code",
        "framework_revision",
        "legal_basis",
        "state",
        "version",
        "self_levels_display",
        "self_rating",
        "strengths",
        "improvements",
        "plan_goals",
        "plan_content",
        "plan_timeline",
        "plan_conditions",
        "final_levels_display",
        "final_rating",
        "final_comment",
        "finalized_by",
        "submitted_at",
        "finalized_at",
    ]
    exclude = ["self_levels", "final_levels"]
    inlines = [EvidenceLinkInline, OpinionInline, TrainingNeedInline, AuditInline]

    @admin.display(description=_("self-assessed levels"))
    def self_levels_display(self, obj):
        return _levels_display(obj.self_levels)

    @admin.display(description=_("final levels"))
    def final_levels_display(self, obj):
        return _levels_display(obj.final_levels)


@admin.register(models.Evidence)
class EvidenceAdmin(WorkflowRecord, admin.ModelAdmin):
    """Educators add and remove their evidence in the self-assessment, where files are checked; retirement
    deletes them. The stored file is not linked: it is served only through the permission-checked route."""

    list_display = ["name", "owner", "content_type", "size", "created"]
    search_fields = ["name", "owner__full_name"]
    fields = ["owner", "name", "description", "original_filename", "content_type", "size", "url", "created"]
    readonly_fields = fields


@admin.register(models.ColleagueOpinion)
class ColleagueOpinionAdmin(WorkflowRecord, admin.ModelAdmin):
    """Colleagues give their opinions in the mentor workspace, where the evaluation's state is checked."""

    list_display = ["evaluation", "colleague", "rating", "modified"]
    fields = [
        "evaluation",
        "colleague",
        "levels_display",
        "rating",
        "strengths",
        "improvements",
        "version",
        "created",
        "modified",
    ]
    readonly_fields = fields

    @admin.display(description=_("levels"))
    def levels_display(self, obj):
        return _levels_display(obj.levels)


@admin.register(models.TrainingNeed)
class TrainingNeedAdmin(WorkflowRecord, admin.ModelAdmin):
    list_display = ["evaluation", "criterion", "module"]


@admin.register(models.AuditEntry)
class AuditEntryAdmin(WorkflowRecord, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target", "evaluation"]
    list_filter = ["action"]
    readonly_fields = ["evaluation", "actor", "at", "action", "target", "before", "after", "reason"]


# ---------------------------------------------------------------------------------------------
# Training modules: which course delivers which module, results from the LMS, satisfaction survey


class CourseModuleForm(forms.ModelForm):
    class Meta:
        model = models.CourseModule
        fields = ["course_key", "module", "pass_mark"]
        widgets = {"course_key": forms.TextInput(attrs={"size": 60, "placeholder": "course-v1:Org+Code+Run"})}


@admin.register(models.CourseModule)
class CourseModuleAdmin(admin.ModelAdmin):
    form = CourseModuleForm
    list_display = ["course_key", "module", "pass_mark", "module_hours", "module_legal_basis", "created"]
    list_select_related = ["module"]
    list_filter = ["module__audience"]
    search_fields = ["course_key", "module__code", "module__name_vi"]

    @admin.display(description=_("hours"))
    def module_hours(self, obj):
        return obj.module.hours

    @admin.display(description=_("legal basis"))
    def module_legal_basis(self, obj):
        return obj.module.legal_basis


@admin.register(models.ModuleResult)
class ModuleResultAdmin(WorkflowRecord, admin.ModelAdmin):
    list_display = ["educator", "module", "course_key", "percent", "passed", "passed_on", "last_event_at"]
    list_select_related = ["educator", "module"]
    list_filter = ["passed", "module"]
    search_fields = ["educator__full_name", "educator__national_id", "course_key", "module__code"]
    readonly_fields = [
        "educator",
        "module",
        "course_key",
        "percent",
        "passed",
        "passed_on",
        "last_event_at",
        "grade_event_at",
        "passing_event_at",
        "modified",
    ]


@admin.register(models.SurveyResponse)
class SurveyResponseAdmin(WorkflowRecord, admin.ModelAdmin):
    list_display = ["educator", "module", "answers_display", "modified"]
    list_select_related = ["educator", "module"]
    list_filter = ["module"]
    search_fields = ["educator__full_name", "module__code"]
    fields = ["educator", "module", "answers_display", "comment", "created", "modified"]
    readonly_fields = fields

    @admin.display(description=_("answers"))
    def answers_display(self, obj):
        return "; ".join(f"{_(label)}: {obj.answers.get(item, '—')}" for item, label in SURVEY_ITEM_LABELS.items())


class SupportAttendanceInline(WorkflowRecord, admin.TabularInline):
    model = models.SupportAttendance
    extra = 0


@admin.register(models.SupportActivity)
class SupportActivityAdmin(WorkflowRecord, admin.ModelAdmin):
    """Read only: core teachers log and edit activities in the mentor workspace, with version and history."""

    list_display = ["date", "group", "mentor", "form", "duration_minutes", "version"]
    list_filter = ["form", "group__cycle"]
    search_fields = ["group__code", "mentor__full_name", "topic"]
    inlines = [SupportAttendanceInline]
    date_hierarchy = "date"
