"""Exports to TEMIS: per-educator results laid out by a template file, checked row by row.

The template (:mod:`temis_plugin.reports.temis_templates`) says which columns, in which order and
format. Every row is validated while it is written (identifiers present, levels and ratings in
range, the rating agreeing with the levels); an export with any problem is not published, and the
problems are listed instead.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import standards
from ..labels import LEVEL_LABELS, RATING_LABELS
from ..models import ModuleResult
from ..standards import LEVEL_BY_PACKED_CHAR
from .queries import cycle_window, educator_result_rows, evaluations, final_at, in_scope
from .scope import Scope
from .tables import Column, Report, Stamp, Table
from .temis_templates import TemplateColumn, get_template

MAX_PROBLEMS_LISTED = 1000

# TEMIS is Vietnamese: these short codes are what its forms print (CĐ, Đ, K, T).
LEVEL_CODES_VI = {"CD": "CĐ", "D": "Đ", "K": "K", "T": "T"}
# A module result's pass status, three values: passed, not passed, unknown (no source told it).
PASSED_VI = {True: "Đạt", False: "Chưa đạt", None: "Chưa xác định"}
POSITIONS_VI = {"teacher": "Giáo viên", "vice_principal": "Phó hiệu trưởng", "principal": "Hiệu trưởng"}


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
