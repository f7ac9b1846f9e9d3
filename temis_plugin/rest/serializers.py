"""What the REST API accepts and returns: input checks, and the response shapes its schema describes."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers

from .. import api, standards
from ..models import ReportRun
from ..reports.tables import ColumnKind
from ..reports.writers import FORMATS

# Computed now: the response itself. Files (report runs) also come as .xlsx.
NOW_FORMATS = ("json", "csv")
FILE_FORMATS = FORMATS
CYCLE_CODE_MAX = 16
UNIT_CODE_MAX = 64


def report_kind_codes() -> list[str]:
    return [code for code, _title in api.report_kinds()]


def template_codes() -> list[str]:
    return [code for code, _name in api.temis_export_templates()]


def framework_codes() -> list[str]:
    return sorted(standards.all_frameworks())


class CutOffField(serializers.DateTimeField):
    """The data cut-off; a moment still to come counts as now, so a stamp never promises later data."""

    default_error_messages = {"too_early": _("The cut-off must be on or after 1 January 2000.")}

    def to_internal_value(self, value):
        try:
            return api.checked_cut_off(super().to_internal_value(value))
        except api.InvalidInput:
            self.fail("too_early")


def _cycle_field():
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=CYCLE_CODE_MAX,
        help_text=_("Cycle code, e.g. 2026-2027. Empty or absent: the current cycle."),
    )


def _scope_field():
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=UNIT_CODE_MAX,
        help_text=_(
            "Code of the unit to report on (a province, commune or school, and everything below it). "
            "Empty or absent: your unit, when you report on one only."
        ),
    )


def _moment(**kwargs):
    # ISO 8601 whatever the platform's REST_FRAMEWORK DATETIME_FORMAT says.
    return serializers.DateTimeField(format=ISO_8601, **kwargs)


def _cut_off_field():
    return CutOffField(
        required=False,
        input_formats=[ISO_8601],
        format=ISO_8601,
        help_text=_(
            "Count only what was final at this moment (ISO 8601; without an offset, the server's time zone). "
            "Absent: now. A moment still to come counts as now."
        ),
    )


class _LazyChoices:
    """Choice fields whose choices are read when the serializer is built, not when the module is imported."""

    lazy_choices: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in self.lazy_choices.items():
            self.fields[name].choices = choices()


# ---------------------------------------------------------------------------------------------
# Input


class ReportQuerySerializer(_LazyChoices, serializers.Serializer):
    lazy_choices = {"framework": framework_codes}

    cycle = _cycle_field()
    scope = _scope_field()
    framework = serializers.ChoiceField(
        choices=[],
        required=False,
        help_text=_("Only this framework (TT20-2018 teachers, TT14-2018 principals). Absent: every framework."),
    )
    cut_off = _cut_off_field()
    format = serializers.ChoiceField(
        choices=NOW_FORMATS,
        default="json",
        help_text=_(
            "json: the whole report. csv: with table, that table alone (header and rows; the stamp is in the "
            "Temis-* response headers); without table, the whole report as the downloadable CSV file."
        ),
    )
    table = serializers.CharField(
        required=False, max_length=128, help_text=_("Key of one table of the report (see the keys in the JSON answer).")
    )


class ExportQuerySerializer(serializers.Serializer):
    cycle = _cycle_field()
    scope = _scope_field()
    cut_off = _cut_off_field()
    format = serializers.ChoiceField(
        choices=NOW_FORMATS,
        default="json",
        help_text=_(
            "json: stamp and the export's one table. csv: the export's table (header and rows; the stamp is in "
            "the Temis-* response headers)."
        ),
    )


class RunRequestSerializer(_LazyChoices, serializers.Serializer):
    lazy_choices = {
        "kind": lambda: [*report_kind_codes(), api.TEMIS_EXPORT],
        "framework": framework_codes,
        "template": template_codes,
    }

    kind = serializers.ChoiceField(
        choices=[], help_text=_("The report, or temis_export for a TEMIS export (then name the template).")
    )
    format = serializers.ChoiceField(choices=FILE_FORMATS, help_text=_("The file format."))
    cycle = _cycle_field()
    scope = _scope_field()
    framework = serializers.ChoiceField(
        choices=[],
        required=False,
        help_text=_("Only this framework; not for TEMIS exports, whose template names theirs."),
    )
    template = serializers.ChoiceField(
        choices=[], required=False, help_text=_("The TEMIS export template; only with kind temis_export.")
    )
    cut_off = _cut_off_field()

    def validate(self, attrs):
        exporting = attrs["kind"] == api.TEMIS_EXPORT
        if exporting and not attrs.get("template"):
            raise serializers.ValidationError({"template": [_("Name the TEMIS export template.")]})
        if not exporting and attrs.get("template"):
            raise serializers.ValidationError({"template": [_("A template is only for kind temis_export.")]})
        if exporting and attrs.get("framework"):
            raise serializers.ValidationError({"framework": [_("A TEMIS export template names its framework.")]})
        return attrs


# ---------------------------------------------------------------------------------------------
# Output


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong."))
    field = serializers.CharField(required=False, help_text=_("The parameter at fault, when there is one."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Messages per parameter, for invalid input."),
    )


class ScopeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Unit code; empty for the whole country."))
    name = serializers.CharField()
    kind = serializers.CharField(help_text=_("ministry, province, district, commune or school."))


class ReportKindSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()


class _CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class TemplateSerializer(_CodeNameSerializer):
    pass  # a TEMIS export template, under its own name in the schema


class FrameworkSerializer(_CodeNameSerializer):
    legal_basis = serializers.CharField()


class FormatsSerializer(serializers.Serializer):
    now = serializers.ListField(child=serializers.CharField(), help_text=_("Formats of reports computed now."))
    file = serializers.ListField(child=serializers.CharField(), help_text=_("Formats of report files (runs)."))


class CatalogueSerializer(serializers.Serializer):
    kinds = ReportKindSerializer(many=True)
    temis_templates = TemplateSerializer(many=True)
    scopes = ScopeSerializer(many=True, help_text=_("Your widest scopes; empty if you see no report."))
    frameworks = FrameworkSerializer(many=True)
    formats = FormatsSerializer()


class StampFrameworkSerializer(serializers.Serializer):
    code = serializers.CharField()
    revision = serializers.IntegerField()
    legal_basis = serializers.CharField()


class StampSerializer(serializers.Serializer):
    report = serializers.CharField()
    title = serializers.CharField()
    cycle = _CodeNameSerializer()
    scope = _CodeNameSerializer()
    frameworks = StampFrameworkSerializer(many=True)
    cut_off = _moment()
    generated_at = _moment()


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text=_(
            "Stable name of the column. Counts and shares per level are <level>_n and <level>_pct with the level "
            "codes T, K, D and CD; per overall rating, <rating>_n and <rating>_pct with TOT, KHA, DAT and CHUA_DAT. "
            "C_n and C_pct, the earlier names of the CD columns, are deprecated and no longer sent."
        )
    )
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=[kind.value for kind in ColumnKind])


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text=_(
            "One array per row, values in the order of the columns: text, numbers (shares are "
            "percentages with one decimal), dates as ISO 8601, null where there is no value."
        ),
    )


class ReportSerializer(serializers.Serializer):
    stamp = StampSerializer()
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Validation findings; a TEMIS export with any is refused (422) rather than sent."),
    )
    tables = TableSerializer(many=True)


class ExportProblemsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())
    stamp = StampSerializer()


class RunSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    template = serializers.CharField(source="template_code", allow_blank=True)
    format = serializers.CharField(source="file_format")
    cycle = serializers.CharField(source="cycle_code")
    scope = ScopeSerializer()
    framework = serializers.CharField(source="framework_code", allow_blank=True)
    cut_off = _moment()
    status = serializers.ChoiceField(
        choices=ReportRun.Status.values,
        help_text=_(
            "queued, running, done (the file is ready), invalid (a TEMIS export with problems, listed; no file) "
            "or failed (retry it)."
        ),
    )
    progress = serializers.IntegerField(help_text=_("Percent."))
    rows_written = serializers.IntegerField()
    file_size = serializers.IntegerField()
    sha256 = serializers.CharField(allow_blank=True)
    problems = serializers.ListField(child=serializers.CharField())
    created = _moment()
    finished = _moment(allow_null=True)
    file_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True, help_text=_("Where to download the file, once done.")))
    def get_file_url(self, run) -> str | None:
        request = self.context.get("request")
        if run.status != ReportRun.Status.DONE or request is None:
            return None
        namespace = self.context["namespace"]
        return request.build_absolute_uri(reverse(f"{namespace}:report-run-file", kwargs={"run_id": run.id}))


class RunNotReadySerializer(serializers.Serializer):
    detail = serializers.CharField()
    status = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())
