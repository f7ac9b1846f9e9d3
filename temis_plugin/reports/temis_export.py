"""Exports to TEMIS: per-educator results laid out by a template file, checked row by row.

A template (``fixtures/temis_templates/*.toml``, plus folders named in TEMIS_EXPORT_TEMPLATE_DIRS)
lists the columns: header, field and format. A province that needs another layout writes a template,
not code. Every row is validated while it is written (identifiers present, levels and ratings in
range, the rating agreeing with the levels); an export with any problem is not published, and the
problems are listed instead.
"""

import functools
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .. import standards
from ..errors import InvalidInput, NotFound
from ..i18n import localized
from ..labels import LEVEL_LABELS, RATING_LABELS
from ..models import ModuleResult
from ..standards import LEVEL_BY_PACKED_CHAR
from .queries import cycle_window, educator_result_rows, evaluations, final_at, in_scope
from .scope import Scope
from .tables import Column, ColumnKind, Report, Stamp, Table

EXTRA_DIRS_ENV = "TEMIS_EXPORT_TEMPLATE_DIRS"
MAX_PROBLEMS_LISTED = 1000

EVALUATION_FIELDS = {
    "row_number",
    "national_id",
    "full_name",
    "school_code",
    "school_name",
    "school_level",
    "subject",
    "position",
    "criterion_level",
    "final_rating",
    "self_rating",
    "finalized_on",
    "cycle_code",
}
MODULE_FIELDS = {
    "row_number",
    "national_id",
    "full_name",
    "school_code",
    "school_name",
    "module_code",
    "module_name",
    "hours",
    "percent",
    "result",
    "passed_on",
    "cycle_code",
}
Format = Literal["text", "level_vi", "level_code", "rating_vi", "rating_code", "position_vi", "passed_vi"]
MODULE_FORMATS = ("text", "passed_vi")  # a module result has no level, rating or position
# TEMIS is Vietnamese: these short codes are what its forms print (CĐ, Đ, K, T).
LEVEL_CODES_VI = {"CD": "CĐ", "D": "Đ", "K": "K", "T": "T"}
# A module result's pass status, three values: passed, not passed, unknown (no source told it).
PASSED_VI = {True: "Đạt", False: "Chưa đạt", None: "Chưa xác định"}
POSITIONS_VI = {"teacher": "Giáo viên", "vice_principal": "Phó hiệu trưởng", "principal": "Hiệu trưởng"}


class TemplateColumn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    header: str
    field: str
    format: Format = "text"
    required: bool = False
    each_criterion: bool = False


class ExportTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    name_vi: str
    name_en: str
    source: Literal["evaluations", "module_results"]
    framework: str = ""
    status: Literal["C", "P", "U"] = "U"
    sheet: str
    title: str = ""
    columns: tuple[TemplateColumn, ...]

    @model_validator(mode="after")
    def _consistent(self):
        known = EVALUATION_FIELDS if self.source == "evaluations" else MODULE_FIELDS
        unknown = sorted({column.field for column in self.columns} - known)
        if unknown:
            raise ValueError(
                f"unknown fields for {self.source}: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        if self.source == "module_results" and any(c.format not in MODULE_FORMATS for c in self.columns):
            raise ValueError(f"module-result columns are formatted as {' or '.join(MODULE_FORMATS)}")
        if self.source == "evaluations" and not self.framework:
            raise ValueError("an evaluations template names its framework")
        if any(c.each_criterion != (c.field == "criterion_level") for c in self.columns):
            raise ValueError("criterion_level columns, and only they, repeat for each criterion (each_criterion)")
        if len(self.sheet) > 31 or any(ch in self.sheet for ch in "[]:*?/\\"):
            raise ValueError("the sheet name must be at most 31 characters, without []:*?/\\")
        return self

    def name(self) -> str:
        return localized(self.name_vi, self.name_en)


class TemplateFileError(ValueError):
    pass


def _template_dirs() -> list[Path]:
    packaged = Path(str(resources.files("temis_plugin.fixtures") / "temis_templates"))
    return [packaged, *(Path(p) for p in os.environ.get(EXTRA_DIRS_ENV, "").split(os.pathsep) if p)]


def load_template_file(path: Path) -> ExportTemplate:
    try:
        with open(path, "rb") as handle:
            return ExportTemplate.model_validate(tomllib.load(handle))
    except tomllib.TOMLDecodeError as exc:
        raise TemplateFileError(f"{path.name}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        raise TemplateFileError(f"{path.name}: {exc}") from exc


@functools.cache
def all_templates() -> dict[str, ExportTemplate]:
    found: dict[str, tuple[ExportTemplate, Path]] = {}
    for folder in _template_dirs():
        for path in sorted(folder.glob("*.toml")):
            template = load_template_file(path)
            if template.code in found:
                raise TemplateFileError(
                    f"template {template.code} is defined in {found[template.code][1].name} and {path.name}"
                )
            found[template.code] = (template, path)
    return {code: template for code, (template, _path) in found.items()}


def get_template(code: str) -> ExportTemplate:
    try:
        return all_templates()[code]
    except KeyError:
        raise NotFound(f"no TEMIS export template {code!r} (known: {', '.join(sorted(all_templates()))})") from None


class _Problems:
    """Problems found while writing; the first MAX_PROBLEMS_LISTED are kept, the rest counted."""

    def __init__(self, report: Report):
        self.report, self.count = report, 0

    def add(self, row_number: int, message: str):
        self.count += 1
        if self.count <= MAX_PROBLEMS_LISTED:
            self.report.problems.append(_("Row %(row)s: %(problem)s") % {"row": row_number, "problem": message})

    def close(self):
        if self.count > MAX_PROBLEMS_LISTED:
            self.report.problems.append(
                _("… and %(count)s more problems") % {"count": self.count - MAX_PROBLEMS_LISTED}
            )


def build_temis_export(template_code: str, scope: Scope, cycle, *, cut_off=None) -> Report:
    """The TEMIS export of ``template_code`` as a report with one streamed, self-validating table."""
    template = get_template(template_code)
    cut_off = cut_off or timezone.now()
    framework = standards.get_framework(template.framework) if template.framework else None
    stamp = Stamp(
        report=f"temis:{template.code}",
        title=template.name(),
        cycle_code=cycle.code,
        cycle_name=cycle.name,
        scope_code=scope.code,
        scope_name=scope.label(),
        frameworks=((framework.code, framework.revision, framework.legal_basis.citation()),) if framework else (),
        cut_off=cut_off,
        generated_at=timezone.now(),
    )
    report = Report(f"temis:{template.code}", stamp)
    problems = _Problems(report)
    columns = _expanded_columns(template, framework)
    note = ""
    if template.source == "evaluations":
        rows, count = _evaluation_rows(template, framework, columns, scope, cycle, cut_off, problems)
    else:
        rows, count, unknown = _module_rows(template, columns, scope, cycle, cut_off, problems)
        if unknown:
            note = _(
                "%(unknown)s of %(count)s results have an unknown pass status (%(label)s): audit or honor "
                "learners in a grade report of a course without a pass mark."
            ) % {"unknown": unknown, "count": count, "label": PASSED_VI[None]}
    report.tables.append(
        Table(
            template.sheet,
            template.title or template.name(),
            [Column(f"col{index}", header) for index, (header, _column, _n) in enumerate(columns)],
            rows,
            row_count=count,
            note=note,
        )
    )
    return report


def _expanded_columns(template, framework) -> list[tuple[str, TemplateColumn, int | None]]:
    expanded = []
    for column in template.columns:
        if column.each_criterion:
            expanded += [(column.header.format(n=n), column, n) for n in framework.criterion_numbers]
        else:
            expanded.append((column.header, column, None))
    return expanded


class _Cells:
    """Formats the cells of one export: labels looked up once (TEMIS is Vietnamese), ratings checked
    once per distinct level sheet. Per-cell gettext and a rating per row cost more than the rest of a
    national export together."""

    RATING_CACHE = 200_000  # distinct level sheets remembered

    def __init__(self, framework=None):
        with translation.override("vi"):
            self.level_text = {char: _(LEVEL_LABELS[level.value]) for char, level in LEVEL_BY_PACKED_CHAR.items()}
            self.rating_text = {code: _(label) for code, label in RATING_LABELS.items()}
        self.level_code = {char: LEVEL_CODES_VI[level.value] for char, level in LEVEL_BY_PACKED_CHAR.items()}
        self.framework = framework
        self.criterion_count = len(framework.criterion_numbers) if framework else 0
        self.expected_ratings: dict[str, str | None] = {}

    def check_levels(self, packed: str, rating: str, number: int, problems: "_Problems"):
        expected = self.expected_ratings.get(packed, False)
        if expected is False:
            expected = self._expected_rating(packed)
            if len(self.expected_ratings) < self.RATING_CACHE:
                self.expected_ratings[packed] = expected
        if expected is None:
            problems.add(number, _("the final levels are incomplete or out of range"))
        elif rating != expected:
            problems.add(
                number,
                _("the final rating %(rating)s does not follow from the levels (expected %(expected)s)")
                % {"rating": rating or "-", "expected": expected},
            )

    def _expected_rating(self, packed: str) -> str | None:
        if len(packed) != self.criterion_count or any(c not in LEVEL_BY_PACKED_CHAR for c in packed):
            return None
        levels = {n: LEVEL_BY_PACKED_CHAR[char] for n, char in enumerate(packed, start=1)}
        return standards.evaluate_valid(self.framework, levels).result.value

    def module_value(self, column: TemplateColumn, values: dict, number: int, problems: "_Problems"):
        """One cell of a module-result row given as ``{field: value}`` (evaluation rows use :func:`_cell_getter`)."""
        value = values.get(column.field)
        if column.format == "passed_vi":
            value = PASSED_VI[value]
        if column.required and (value is None or value == ""):
            problems.add(number, _("%(header)s is missing") % {"header": column.header})
        return value


# Where each template field comes from in a row of educator_result_rows.
_EVALUATION_SOURCES = {
    "national_id": "educator__national_id",
    "full_name": "educator__full_name",
    "school_code": "school_code",
    "school_name": "school_name",
    "school_level": "school_level",
    "subject": "educator__subject",
    "position": "educator__position",
    "final_rating": "final_rating",
    "self_rating": "self_rating",
}


def _evaluation_rows(template, framework, columns, scope, cycle, cut_off, problems):
    queryset = final_at(evaluations(scope, cycle, framework.code), cut_off)
    cells = _Cells(framework)
    # One small function per column, chosen once: a national export formats tens of millions of cells.
    getters = [_cell_getter(cells, column, criterion, cycle) for _header, column, criterion in columns]
    required = [(index, header) for index, (header, column, _n) in enumerate(columns) if column.required]

    def rows():
        for number, row in enumerate(educator_result_rows(scope, cycle, framework, cut_off, only_final=True), start=1):
            row["row_number"] = number
            cells.check_levels(row["final_levels"], row["final_rating"], number, problems)
            values = [get(row) for get in getters]
            for index, header in required:
                if values[index] is None or values[index] == "":
                    problems.add(number, _("%(header)s is missing") % {"header": header})
            yield values
        problems.close()

    return rows, queryset.count()


def _cell_getter(cells: "_Cells", column: TemplateColumn, criterion: int | None, cycle):
    if column.field == "criterion_level":
        texts, position = (cells.level_code if column.format == "level_code" else cells.level_text), criterion - 1
        return lambda row: texts.get(row["final_levels"][position : position + 1], "")
    if column.field == "row_number":
        return lambda row: row["row_number"]
    if column.field == "cycle_code":
        return lambda row: cycle.code
    if column.field == "finalized_on":
        # The zone is looked up once: timezone.localtime() per row was a fifth of the export's time.
        zone = timezone.get_current_timezone()
        return lambda row: row["finalized_at"].astimezone(zone).date() if row["finalized_at"] else None
    source = _EVALUATION_SOURCES[column.field]
    if column.format == "rating_vi":
        return lambda row: cells.rating_text.get(row[source], row[source] or "")
    if column.format == "position_vi":
        return lambda row: POSITIONS_VI.get(row[source], row[source] or "")
    return lambda row: row[source] if row[source] is not None else ""


def _module_rows(template, columns, scope, cycle, cut_off, problems):
    start, end = cycle_window(cycle, cut_off)
    queryset = in_scope(
        ModuleResult.objects.filter(last_event_at__gte=start, last_event_at__lte=end),
        scope,
        school_field="educator__school",
    )
    fields = (
        "pk",
        "percent",
        "passed",
        "passed_on",
        "educator__national_id",
        "educator__full_name",
        "educator__school__code",
        "educator__school__name",
        "module__code",
        "module__name_vi",
        "module__hours",
    )

    cells = _Cells()

    def rows():
        number, last_pk = 0, 0
        while True:
            # Keyset pages by primary key: bounded memory on every database backend.
            page = list(queryset.filter(pk__gt=last_pk).order_by("pk").values(*fields)[:5000])
            if not page:
                break
            last_pk = page[-1]["pk"]
            for row in page:
                number += 1
                percent = row["percent"]
                if percent is not None and not 0 <= percent <= 1:
                    problems.add(number, _("the grade %(value)s is out of range") % {"value": percent})
                # Passed by the cut-off, not (yet) passed, or unknown: never "not passed" for unknown.
                passed = (
                    None
                    if row["passed"] is None
                    else bool(row["passed"] and row["passed_on"] and row["passed_on"] <= end.date())
                )
                values = {
                    "row_number": number,
                    "national_id": row["educator__national_id"] or "",
                    "full_name": row["educator__full_name"],
                    "school_code": row["educator__school__code"],
                    "school_name": row["educator__school__name"],
                    "module_code": row["module__code"],
                    "module_name": row["module__name_vi"],
                    "hours": row["module__hours"],
                    "percent": round(float(percent) * 100, 1) if percent is not None else None,
                    "result": passed,
                    "passed_on": row["passed_on"] if passed else None,
                    "cycle_code": cycle.code,
                }
                yield [cells.module_value(column, values, number, problems) for _header, column, _n in columns]
        problems.close()

    return rows, queryset.count(), queryset.filter(passed__isnull=True).count()


def template_choices() -> list[tuple[str, str]]:
    return [(code, template.name()) for code, template in sorted(all_templates().items())]


def check_template_code(code: str) -> str:
    if code not in all_templates():
        raise InvalidInput(f"unknown TEMIS export template {code!r}", field="template")
    return code


__all__ = [
    "ColumnKind",
    "ExportTemplate",
    "TemplateFileError",
    "all_templates",
    "build_temis_export",
    "get_template",
    "load_template_file",
    "template_choices",
]
