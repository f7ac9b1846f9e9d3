"""The reports: each one a function of (scope, cycle, frameworks, cut-off) returning a :class:`Report`.

Counting happens in the database (GROUP BY with conditional counts over the packed level sheets), so
a national report reads a few hundred grouped rows, not a million evaluations. Per-educator tables
stream in school batches, keyset by school path, and never hold the whole list in memory.
"""
import datetime
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Avg, BigIntegerField, Case, CharField, Count, F, Func, Q, Sum, Value, When
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import standards
from ..i18n import localized, translated
from ..labels import LEVEL_LABELS, RATING_LABELS, STATE_LABELS
from ..models import (Evaluation, MentorGroup, ModuleResult, OrgUnit, SupportActivity,
                      SurveyResponse, TrainingModule, TrainingNeed)
from ..roles import Position, SchoolLevel
from ..standards import LEVEL_BY_PACKED_CHAR, PACKED_CHARS, Level, OverallRating
from ..survey import SCALE_MAX, SCALE_MIN, SURVEY_ITEMS
from ..workflow import EvaluationState
from .scope import Scope, child_units, scope_of
from .tables import Chart, Column, ColumnKind, Report, Stamp, Table

LEVELS_DESCENDING = (Level.TOT, Level.KHA, Level.DAT, Level.CHUA_DAT)
RATINGS_DESCENDING = (OverallRating.TOT, OverallRating.KHA, OverallRating.DAT, OverallRating.CHUA_DAT)
SCHOOL_LEVELS = tuple(SchoolLevel)
# Schools per query when streaming per-educator rows: bounded memory, few round trips.
SCHOOL_BATCH = 200


@dataclass(frozen=True)
class ReportKind:
    code: str
    title: str  # lazy translation
    per_educator: bool  # a list of named educators (streamed; large at province or national scope)
    uses_frameworks: bool = True


REPORT_KINDS = {kind.code: kind for kind in [
    ReportKind("aggregate", gettext_lazy("Results by rating, criterion and level"), False),
    ReportKind("school_summary", gettext_lazy("Summary of evaluation results per educator"), True),
    ReportKind("training_needs", gettext_lazy("Training needs"), False),
    ReportKind("module_results", gettext_lazy("Training-module results"), False, uses_frameworks=False),
    ReportKind("mentoring", gettext_lazy("Core-teacher mentoring"), False, uses_frameworks=False),
    ReportKind("satisfaction", gettext_lazy("Programme satisfaction"), False, uses_frameworks=False),
    ReportKind("core_eligibility", gettext_lazy("Core-teacher eligibility"), True),
]}


@dataclass(frozen=True)
class CoreSelectionRule:
    """The conditions of Điều 12 that the data can check; the rest are confirmed by the school."""

    years: int
    since_field: str  # EducatorProfile date the years count from
    positions: tuple[str, ...]
    criteria_at_tot: tuple[int, ...]
    citation: str


CORE_SELECTION = {
    # TT20/2018 Điều 12 khoản 1: >= 5 years teaching at the current level; rating at least Khá with the
    # criteria of Điều 5 (criteria 3-7) at Tốt.
    "TT20-2018": CoreSelectionRule(5, "level_start_date", (Position.TEACHER,), (3, 4, 5, 6, 7),
                                   "Thông tư 20/2018/TT-BGDĐT, Điều 12 khoản 1"),
    # TT14/2018 Điều 12: >= 2 years as principal or vice-principal; rating at least Khá.
    "TT14-2018": CoreSelectionRule(2, "position_since", (Position.PRINCIPAL, Position.VICE_PRINCIPAL), (),
                                   "Thông tư 14/2018/TT-BGDĐT, Điều 12"),
}


def build_report(kind: str, scope: Scope, cycle, *, framework_codes=None, cut_off=None) -> Report:
    """Compute report ``kind`` for ``scope`` and ``cycle``, counting what was final at ``cut_off``."""
    spec = REPORT_KINDS[kind]
    cut_off = cut_off or timezone.now()
    frameworks = _frameworks(framework_codes) if spec.uses_frameworks else []
    stamp = Stamp(
        report=kind, title=str(spec.title), cycle_code=cycle.code, cycle_name=cycle.name,
        scope_code=scope.code, scope_name=scope.label(),
        frameworks=tuple((f.code, f.revision, f.legal_basis.citation()) for f in frameworks),
        cut_off=cut_off, generated_at=timezone.now(),
    )
    report = Report(kind, stamp)
    _BUILDERS[kind](report, scope, cycle, frameworks, cut_off)
    return report


def _frameworks(codes) -> list[standards.Framework]:
    installed = standards.all_frameworks()
    if codes:
        return [standards.get_framework(code) for code in codes]
    return sorted(installed.values(), key=lambda f: (f.kind != "teacher", f.code))


# ---------------------------------------------------------------------------------------------
# Query helpers


def _in_scope(queryset, scope: Scope, school_field="school"):
    """Rows of the schools in the scope.

    The schools come from a subquery on the unit path, so the database walks the (school, cycle) index
    school by school. Filtering on the joined unit's path instead made MariaDB scan every evaluation of
    the country for one province.
    """
    if scope.is_nation:
        return queryset
    schools = OrgUnit.objects.filter(kind="school", path__startswith=scope.path).values("pk")
    return queryset.filter(**{f"{school_field}_id__in": schools})


def _child_unit_path(scope: Scope, school_field="school"):
    """SQL for the path of the unit one level below the scope that contains the school.

    Scope "/1/7/" and school "/1/7/42/913/" give "/1/7/42/"; a school scope gives itself.
    """
    path = f"{school_field}__path"
    length = len(scope.path)
    return Substr(path, 1, Value(length) + StrIndex(Substr(path, length + 1), Value("/")))


def _units_by_path(paths) -> dict[str, OrgUnit]:
    return {unit.path: unit for unit in OrgUnit.objects.filter(path__in=list(paths))}


def _evaluations(scope: Scope, cycle, framework_code: str):
    return _in_scope(Evaluation.objects.filter(cycle=cycle, framework_code=framework_code), scope)


def _final_at(queryset, cut_off):
    return queryset.filter(state=EvaluationState.FINALIZED, finalized_at__lte=cut_off)


def _share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _level_label(level) -> str:
    return translated(LEVEL_LABELS, str(level))


def _rating_label(rating) -> str:
    return translated(RATING_LABELS, rating)


def _criterion_label(criterion) -> str:
    name = localized(criterion.name_vi, criterion.name_en)
    return _("Criterion %(number)s") % {"number": criterion.number} + (f". {name}" if name else "")


def _framework_title(framework) -> str:
    name = localized(framework.name_vi, framework.name_en)
    return f"{name} ({framework.legal_basis.document})"


def _count_columns(prefix_labels) -> list[Column]:
    columns = []
    for key, label in prefix_labels:
        columns.append(Column(f"{key}_n", label, ColumnKind.INTEGER))
        columns.append(Column(f"{key}_pct", f"{label} (%)", ColumnKind.PERCENT))
    return columns


def _level_texts() -> dict[str, str]:
    """Packed level character -> label in the active language (looked up once per report, not per cell)."""
    return {char: _level_label(level) for char, level in LEVEL_BY_PACKED_CHAR.items()}


def _level_sheet(packed: str, count: int, texts: dict[str, str]) -> list[str]:
    return [texts.get(char, "") for char in packed.ljust(count, "-")[:count]]


class PackedLevelCounts(Func):
    """Per row, 1 for Tốt, 2**20 for Khá, 2**40 for Đạt (0 for Chưa đạt): summed over a group, the three
    counts sit in separate 20-bit fields of one integer, and Chưa đạt is the rest of the group.

    One simple CASE per criterion reads the level once; the plain form (a conditional count per level)
    evaluates 4 x 15 string comparisons per row and was 3-4 times slower on MariaDB.
    """

    template = "(CASE %(expressions)s WHEN 'T' THEN 1 WHEN 'K' THEN 1048576 WHEN 'D' THEN 1099511627776 ELSE 0 END)"
    output_field = BigIntegerField()
    FIELD = 1 << 20

    @classmethod
    def unpack(cls, packed, group_size: int) -> dict[str, int]:
        if group_size >= cls.FIELD:
            # Never a silently wrong count: a group this large needs another grouping.
            raise ValueError(f"a report group of {group_size:,} evaluations is too large to count in one field")
        packed = int(packed or 0)
        tot, kha, dat = packed % cls.FIELD, (packed >> 20) % cls.FIELD, packed >> 40
        return {"T": tot, "K": kha, "D": dat, "C": group_size - tot - kha - dat}


# ---------------------------------------------------------------------------------------------
# Aggregated results (CV 4530 Biểu mẫu 5; CV 4529 Biểu mẫu 05 for principals)


def _grouped_results(scope: Scope, cycle, framework, cut_off) -> list[dict]:
    """One pass over the scope's evaluations: a row per (child unit, school level, rating at the cut-off)
    with the count and, per criterion, the packed level counts (rating "" = not final at the cut-off).

    For the whole country the pass runs per province on parallel connections: the database spends its
    time evaluating one CASE per criterion and row, and one query uses one core of the server.
    """
    final = Q(state=EvaluationState.FINALIZED, finalized_at__lte=cut_off)
    sums = {f"c{n}": Sum(PackedLevelCounts(Substr("final_levels", n, 1))) for n in framework.criterion_numbers}

    def one_pass(part: Scope, unit_path):
        return list(
            _evaluations(part, cycle, framework.code)
            .annotate(unit_path=unit_path,
                      rating=Case(When(final, then=F("final_rating")), default=Value(""), output_field=CharField()))
            .values("unit_path", "school_level", "rating")
            .annotate(n=Count("pk"), **sums)
            .order_by()
        )

    if not (scope.is_nation or scope.kind == "ministry") or connection.in_atomic_block:
        # Inside a transaction other connections would not see its data: one pass on this connection.
        return one_pass(scope, _child_unit_path(scope))
    children = child_units(scope)
    workers = min(len(children), getattr(settings, "TEMIS_REPORT_PARALLEL_QUERIES", 4))
    if workers < 2:
        return one_pass(scope, _child_unit_path(scope))

    def child_pass(unit):
        try:
            return one_pass(scope_of(unit), Value(unit.path))
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [row for part in pool.map(child_pass, children) for row in part]


def _aggregate(report: Report, scope: Scope, cycle, frameworks, cut_off):
    for framework in frameworks:
        _aggregate_framework(report, scope, cycle, framework, cut_off)


def _aggregate_framework(report, scope, cycle, framework, cut_off):
    numbers = framework.criterion_numbers
    rows = _grouped_results(scope, cycle, framework, cut_off)
    grouped = [row for row in rows if row["rating"]]
    units = _units_by_path({row["unit_path"] for row in rows})
    evaluated = defaultdict(int)
    for row in rows:
        evaluated[row["unit_path"], row["school_level"]] += row["n"]

    rating_counts = defaultdict(lambda: defaultdict(int))  # (unit path | level | "*") -> rating -> n
    level_counts_by = defaultdict(lambda: defaultdict(int))  # (unit path | "*", criterion) -> level char -> n
    for row in grouped:
        for key in (("unit", row["unit_path"]), ("level", row["school_level"]), ("all", "*")):
            rating_counts[key][row["rating"]] += row["n"]
        for n in numbers:
            for char, value in PackedLevelCounts.unpack(row[f"c{n}"], row["n"]).items():
                level_counts_by[row["unit_path"], n][char] += value
                level_counts_by["*", n][char] += value

    rating_columns = _count_columns((r.value, _rating_label(r)) for r in RATINGS_DESCENDING)

    def rating_cells(counts):
        finalized = sum(counts.values())
        cells = [finalized]
        for rating in RATINGS_DESCENDING:
            cells += [counts.get(rating, 0), _share(counts.get(rating, 0), finalized)]
        return cells

    title = _framework_title(framework)
    by_level_rows = []
    for level in SCHOOL_LEVELS:
        total = sum(n for (_path, lvl), n in evaluated.items() if lvl == level)
        if total or rating_counts["level", level]:
            by_level_rows.append((level.value, total, *rating_cells(rating_counts["level", level])))
    by_level_rows.append((_("Total"), sum(evaluated.values()), *rating_cells(rating_counts["all", "*"])))
    report.tables.append(Table(
        f"ratings_by_level.{framework.code}", _("Overall rating by school level — %(framework)s") % {
            "framework": title},
        [Column("school_level", _("School level")), Column("evaluations", _("Evaluations"), ColumnKind.INTEGER),
         Column("finalized", _("Finalized"), ColumnKind.INTEGER), *rating_columns],
        by_level_rows,
        chart=Chart(_("Overall rating by school level (%)"), "school_level",
                    tuple(f"{r.value}_pct" for r in RATINGS_DESCENDING), stacked=True),
    ))

    unit_paths = sorted({path for path, _lvl in evaluated} | {key[1] for key in rating_counts if key[0] == "unit"},
                        key=lambda path: (units[path].code if path in units else path))
    by_unit_rows = []
    for path in unit_paths:
        unit = units.get(path)
        total = sum(n for (p, _lvl), n in evaluated.items() if p == path)
        by_unit_rows.append((unit.code if unit else "", unit.name if unit else "", total,
                             *rating_cells(rating_counts["unit", path])))
    by_unit_rows.append(("", _("Total"), sum(evaluated.values()), *rating_cells(rating_counts["all", "*"])))
    report.tables.append(Table(
        f"ratings_by_unit.{framework.code}", _("Overall rating by unit — %(framework)s") % {"framework": title},
        [Column("unit_code", _("Unit code")), Column("unit", _("Unit")),
         Column("evaluations", _("Evaluations"), ColumnKind.INTEGER),
         Column("finalized", _("Finalized"), ColumnKind.INTEGER), *rating_columns],
        by_unit_rows,
        chart=Chart(_("Overall rating by unit (%)"), "unit", tuple(f"{r.value}_pct" for r in RATINGS_DESCENDING),
                    stacked=True),
    ))

    level_columns = _count_columns((PACKED_CHARS[level], _level_label(level)) for level in LEVELS_DESCENDING)

    def level_cells(counts):
        rated = sum(counts.values())
        cells = [rated]
        for level in LEVELS_DESCENDING:
            char = PACKED_CHARS[level]
            cells += [counts.get(char, 0), _share(counts.get(char, 0), rated)]
        return cells

    criteria = {c.number: c for c in framework.criteria}
    report.tables.append(Table(
        f"criteria.{framework.code}", _("Levels per criterion — %(framework)s") % {"framework": title},
        [Column("criterion", _("Criterion")), Column("rated", _("Finalized"), ColumnKind.INTEGER), *level_columns],
        [(_criterion_label(criteria[n]), *level_cells(level_counts_by["*", n])) for n in numbers],
        chart=Chart(_("Levels per criterion (%)"), "criterion",
                    tuple(f"{PACKED_CHARS[level]}_pct" for level in LEVELS_DESCENDING), stacked=True),
    ))
    report.tables.append(Table(
        f"criteria_by_unit.{framework.code}", _("Levels per criterion and unit — %(framework)s") % {
            "framework": title},
        [Column("unit_code", _("Unit code")), Column("unit", _("Unit")), Column("criterion", _("Criterion")),
         Column("rated", _("Finalized"), ColumnKind.INTEGER), *level_columns],
        [(units[path].code if path in units else "", units[path].name if path in units else "",
          _criterion_label(criteria[n]), *level_cells(level_counts_by[path, n]))
         for path in unit_paths for n in numbers],
    ))


# ---------------------------------------------------------------------------------------------
# Per-educator summary (CV 4530 Biểu mẫu 4; CV 4529 Biểu mẫu 04)


def educator_result_rows(scope: Scope, cycle, framework, cut_off, *, only_final=False):
    """Stream ``(school, educator, evaluation)`` value rows of the scope, school by school.

    Schools come in batches ordered by path; each batch is one query. The rows are dicts of plain
    values, for the summary report and the TEMIS exports alike.
    """
    schools = _schools_in(scope)
    fields = ("pk", "school_id", "school_level", "state", "final_levels", "final_rating", "self_rating",
              "finalized_at", "educator_id", "educator__national_id", "educator__full_name", "educator__position",
              "educator__subject", "educator__level_start_date", "educator__position_since",
              "educator__is_core_teacher")
    last_path = ""
    while True:
        batch = list(schools.filter(path__gt=last_path).values_list("pk", "code", "name", "path")[:SCHOOL_BATCH])
        if not batch:
            return
        last_path = batch[-1][3]
        by_id = {pk: (code, name) for pk, code, name, _path in batch}
        queryset = Evaluation.objects.filter(cycle=cycle, framework_code=framework.code, school_id__in=list(by_id))
        if only_final:
            queryset = _final_at(queryset, cut_off)
        rows = queryset.values(*fields)
        # Order in Python within the batch: the database sorts a few thousand rows per batch either
        # way, and the school order must follow the batch's path order.
        order = {pk: index for index, (pk, *_rest) in enumerate(batch)}
        for row in sorted(rows, key=lambda r: (order[r["school_id"]], r["educator__full_name"], r["pk"])):
            final = row["state"] == EvaluationState.FINALIZED and row["finalized_at"] and \
                row["finalized_at"] <= cut_off
            row["school_code"], row["school_name"] = by_id[row["school_id"]]
            row["is_final"] = bool(final)
            yield row


def _schools_in(scope: Scope):
    schools = OrgUnit.objects.filter(kind="school")
    return schools if scope.is_nation else schools.filter(path__startswith=scope.path)


def _school_summary(report: Report, scope, cycle, frameworks, cut_off):
    for framework in frameworks:
        count = len(framework.criterion_numbers)
        state_labels = {state: _(label) for state, label in STATE_LABELS.items()}
        level_texts = _level_texts()
        rating_texts = {code: _rating_label(code) for code in RATING_LABELS} | {"": ""}

        def rows(framework=framework, count=count):
            for number, row in enumerate(educator_result_rows(scope, cycle, framework, cut_off), start=1):
                final = row["is_final"]
                yield (number, row["school_code"], row["school_name"], row["educator__national_id"] or "",
                       row["educator__full_name"], row["school_level"], row["educator__subject"],
                       *(_level_sheet(row["final_levels"], count, level_texts) if final else [""] * count),
                       rating_texts.get(row["final_rating"], "") if final else "",
                       rating_texts.get(row["self_rating"], ""), state_labels.get(row["state"], row["state"]))

        report.tables.append(Table(
            f"educators.{framework.code}", _("Evaluation results per educator — %(framework)s") % {
                "framework": _framework_title(framework)},
            [Column("number", _("No."), ColumnKind.INTEGER), Column("school_code", _("School code")),
             Column("school", _("School")), Column("national_id", _("National identifier")),
             Column("full_name", _("Full name")), Column("school_level", _("School level")),
             Column("subject", _("Subject")),
             *[Column(f"c{n}", _("Criterion %(number)s") % {"number": n}) for n in framework.criterion_numbers],
             Column("final_rating", _("Final rating")), Column("self_rating", _("Self rating")),
             Column("state", _("State"))],
            rows, row_count=_evaluations(scope, cycle, framework.code).count(),
        ))


# ---------------------------------------------------------------------------------------------
# Training needs


def _training_needs(report: Report, scope, cycle, frameworks, cut_off):
    for framework in frameworks:
        stated = _evaluations(scope, cycle, framework.code).filter(submitted_at__lte=cut_off)
        submitted = stated.count()
        needs = TrainingNeed.objects.filter(evaluation__in=stated)
        per_criterion = dict(needs.filter(criterion__isnull=False).values_list("criterion")
                             .annotate(n=Count("evaluation_id", distinct=True)).order_by())
        title = _framework_title(framework)
        report.tables.append(Table(
            f"needs_by_criterion.{framework.code}", _("Training needs per criterion — %(framework)s") % {
                "framework": title},
            [Column("criterion", _("Criterion")), Column("educators", _("Educators"), ColumnKind.INTEGER),
             Column("share", _("Share of submitted self-assessments (%)"), ColumnKind.PERCENT)],
            [(_criterion_label(c), per_criterion.get(c.number, 0), _share(per_criterion.get(c.number, 0), submitted))
             for c in framework.criteria],
            chart=Chart(_("Educators needing training per criterion"), "criterion", ("educators",)),
            note=_("%(count)s self-assessments submitted by the cut-off.") % {"count": submitted},
        ))
        per_module = (needs.filter(module__isnull=False).values("module__code", "module__name_vi", "module__name_en")
                      .annotate(n=Count("evaluation_id", distinct=True)).order_by("module__code"))
        report.tables.append(Table(
            f"needs_by_module.{framework.code}", _("Training needs per module — %(framework)s") % {
                "framework": title},
            [Column("module_code", _("Module code")), Column("module", _("Module")),
             Column("educators", _("Educators"), ColumnKind.INTEGER),
             Column("share", _("Share of submitted self-assessments (%)"), ColumnKind.PERCENT)],
            [(row["module__code"], _module_name(row["module__name_vi"], row["module__name_en"]), row["n"],
              _share(row["n"], submitted)) for row in per_module],
            chart=Chart(_("Educators needing each module"), "module_code", ("educators",)),
        ))
        by_unit = (stated.annotate(unit_path=_child_unit_path(scope)).values("unit_path")
                   .annotate(submitted=Count("pk", distinct=True),
                             with_needs=Count("pk", filter=Q(training_needs__isnull=False), distinct=True))
                   .order_by())
        units = _units_by_path(row["unit_path"] for row in by_unit)
        report.tables.append(Table(
            f"needs_by_unit.{framework.code}", _("Training needs by unit — %(framework)s") % {"framework": title},
            [Column("unit_code", _("Unit code")), Column("unit", _("Unit")),
             Column("submitted", _("Self-assessments submitted"), ColumnKind.INTEGER),
             Column("with_needs", _("With training needs"), ColumnKind.INTEGER),
             Column("share", _("Share (%)"), ColumnKind.PERCENT)],
            sorted(((units[r["unit_path"]].code if r["unit_path"] in units else "",
                     units[r["unit_path"]].name if r["unit_path"] in units else "", r["submitted"], r["with_needs"],
                     _share(r["with_needs"], r["submitted"])) for r in by_unit)),
        ))


def _module_name(name_vi, name_en) -> str:
    return localized(name_vi, name_en)


# ---------------------------------------------------------------------------------------------
# Training-module results (bồi dưỡng thường xuyên)


def _cycle_window(cycle, cut_off):
    start = timezone.make_aware(datetime.datetime.combine(cycle.starts_on, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(cycle.ends_on, datetime.time.max))
    return start, min(end, cut_off)


def _module_results(report: Report, scope, cycle, frameworks, cut_off):
    start, end = _cycle_window(cycle, cut_off)
    results = _in_scope(ModuleResult.objects.filter(last_event_at__gte=start, last_event_at__lte=end), scope,
                        school_field="educator__school")
    # Pass status has three values; an unknown one (no source told it) is neither passed nor not passed.
    # Per module an educator counts once: passed if any of their courses passed, else unknown if any
    # is unknown, else not passed. |unknown or passed| - |passed| is "unknown and not passed".
    passed = Q(passed=True, passed_on__lte=end.date())
    unknown = Q(passed__isnull=True)
    per_module = {row["module_id"]: row for row in results.values("module_id").annotate(
        n=Count("educator_id", distinct=True), passed_n=Count("educator_id", filter=passed, distinct=True),
        settled_n=Count("educator_id", filter=passed | unknown, distinct=True), mean=Avg("percent")).order_by()}
    rows = []
    for module in TrainingModule.objects.filter(pk__in=list(per_module)).order_by("code"):
        row = per_module[module.pk]
        unknown_n = row["settled_n"] - row["passed_n"]
        not_passed_n = row["n"] - row["settled_n"]
        rows.append((module.code, _module_name(module.name_vi, module.name_en), module.hours, row["n"],
                     row["passed_n"], not_passed_n, unknown_n, _share(row["passed_n"], row["n"] - unknown_n),
                     (module.hours or 0) * row["passed_n"],
                     (row["mean"] * 100).quantize(Decimal("0.1")) if row["mean"] is not None else None))
    report.tables.append(Table(
        "modules", _("Results per training module"),
        [Column("module_code", _("Module code")), Column("module", _("Module")),
         Column("hours", _("Hours"), ColumnKind.INTEGER), Column("educators", _("Educators with a result"),
                                                                   ColumnKind.INTEGER),
         Column("passed", _("Passed"), ColumnKind.INTEGER), Column("not_passed", _("Not passed yet"),
                                                                  ColumnKind.INTEGER),
         Column("pass_unknown", _("Pass status unknown"), ColumnKind.INTEGER),
         Column("pass_rate", _("Pass rate of known statuses (%)"), ColumnKind.PERCENT),
         Column("hours_completed", _("Hours completed"), ColumnKind.INTEGER),
         Column("mean_grade", _("Mean grade (%)"), ColumnKind.PERCENT)],
        rows, chart=Chart(_("Pass rate per module (%)"), "module_code", ("pass_rate",)),
        note=_("Pass status unknown: a grade report's audit or honor learner in a course without a pass mark. "
               "These are counted apart and left out of the pass rate."),
    ))
    by_unit = (results.annotate(unit_path=_child_unit_path(scope, "educator__school")).values("unit_path")
               .annotate(educators=Count("educator_id", distinct=True),
                         passed_n=Count("pk", filter=passed), unknown_n=Count("pk", filter=unknown),
                         hours=Sum("module__hours", filter=passed)).order_by())
    units = _units_by_path(row["unit_path"] for row in by_unit)
    report.tables.append(Table(
        "modules_by_unit", _("Training-module results by unit"),
        [Column("unit_code", _("Unit code")), Column("unit", _("Unit")),
         Column("educators", _("Educators with a result"), ColumnKind.INTEGER),
         Column("modules_passed", _("Modules passed"), ColumnKind.INTEGER),
         Column("modules_pass_unknown", _("Modules with the pass status unknown"), ColumnKind.INTEGER),
         Column("hours_completed", _("Hours completed"), ColumnKind.INTEGER)],
        sorted((units[r["unit_path"]].code if r["unit_path"] in units else "",
                units[r["unit_path"]].name if r["unit_path"] in units else "", r["educators"], r["passed_n"],
                r["unknown_n"], r["hours"] or 0) for r in by_unit),
    ))


# ---------------------------------------------------------------------------------------------
# Mentoring by core teachers


def _mentoring(report: Report, scope, cycle, frameworks, cut_off):
    start, end = _cycle_window(cycle, cut_off)
    groups = _in_scope(MentorGroup.objects.filter(cycle=cycle), scope, school_field="mentor__school")
    activities = _in_scope(SupportActivity.objects.filter(group__cycle=cycle, date__gte=start.date(),
                                                          date__lte=end.date(), created__lte=cut_off),
                           scope, school_field="mentor__school")
    group_stats = {row["mentor_id"]: row for row in groups.values("mentor_id").annotate(
        groups=Count("pk", distinct=True), mentees=Count("memberships__mentee_id", distinct=True)).order_by()}
    activity_stats = {row["mentor_id"]: row for row in activities.values("mentor_id").annotate(
        activities=Count("pk", distinct=True), minutes=Sum("duration_minutes"),
        reached=Count("attendance__mentee_id", distinct=True)).order_by()}
    # Minutes summed over activities, not over attendance rows (the join above would repeat them).
    minutes = dict(activities.values_list("mentor_id").annotate(total=Sum("duration_minutes")).order_by())
    mentor_ids = set(group_stats) | set(activity_stats)
    mentors = {row["pk"]: row for row in _educator_rows(mentor_ids)}
    rows = []
    for mentor_id in sorted(mentor_ids, key=lambda pk: (mentors[pk]["school__code"], mentors[pk]["full_name"])):
        mentor, g, a = mentors[mentor_id], group_stats.get(mentor_id, {}), activity_stats.get(mentor_id, {})
        rows.append((mentor["school__code"], mentor["school__name"], mentor["national_id"] or "", mentor["full_name"],
                     g.get("groups", 0), g.get("mentees", 0), a.get("activities", 0),
                     _hours(minutes.get(mentor_id, 0)), a.get("reached", 0)))
    report.tables.append(Table(
        "mentors", _("Support by each core teacher"),
        [Column("school_code", _("School code")), Column("school", _("School")),
         Column("national_id", _("National identifier")), Column("full_name", _("Core teacher")),
         Column("groups", _("Groups"), ColumnKind.INTEGER), Column("mentees", _("Mentees"), ColumnKind.INTEGER),
         Column("activities", _("Support activities"), ColumnKind.INTEGER),
         Column("hours", _("Hours of support"), ColumnKind.DECIMAL),
         Column("reached", _("Mentees reached"), ColumnKind.INTEGER)],
        rows,
    ))
    by_unit_groups = {r["unit_path"]: r for r in groups.annotate(unit_path=_child_unit_path(scope, "mentor__school"))
                      .values("unit_path").annotate(mentors=Count("mentor_id", distinct=True),
                                                    groups=Count("pk", distinct=True),
                                                    mentees=Count("memberships__mentee_id", distinct=True)).order_by()}
    by_unit_activities = {r["unit_path"]: r for r in activities.annotate(
        unit_path=_child_unit_path(scope, "mentor__school")).values("unit_path").annotate(
        activities=Count("pk"), minutes=Sum("duration_minutes")).order_by()}
    paths = set(by_unit_groups) | set(by_unit_activities)
    units = _units_by_path(paths)
    unit_rows = []
    for path in sorted(paths, key=lambda p: units[p].code if p in units else p):
        g, a = by_unit_groups.get(path, {}), by_unit_activities.get(path, {})
        unit_rows.append((units[path].code if path in units else "", units[path].name if path in units else "",
                          g.get("mentors", 0), g.get("groups", 0), g.get("mentees", 0), a.get("activities", 0),
                          _hours(a.get("minutes") or 0)))
    report.tables.append(Table(
        "mentoring_by_unit", _("Mentoring by unit"),
        [Column("unit_code", _("Unit code")), Column("unit", _("Unit")),
         Column("mentors", _("Core teachers"), ColumnKind.INTEGER), Column("groups", _("Groups"), ColumnKind.INTEGER),
         Column("mentees", _("Mentees"), ColumnKind.INTEGER),
         Column("activities", _("Support activities"), ColumnKind.INTEGER),
         Column("hours", _("Hours of support"), ColumnKind.DECIMAL)],
        unit_rows, chart=Chart(_("Hours of support by unit"), "unit", ("hours",)),
    ))


def _hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"))


def _educator_rows(ids):
    from ..models import EducatorProfile
    return EducatorProfile.objects.filter(pk__in=list(ids)).values(
        "pk", "national_id", "full_name", "school__code", "school__name")


# ---------------------------------------------------------------------------------------------
# Programme satisfaction


def _satisfaction(report: Report, scope, cycle, frameworks, cut_off):
    start, end = _cycle_window(cycle, cut_off)
    responses = _in_scope(SurveyResponse.objects.filter(modified__gte=start, modified__lte=end), scope,
                          school_field="educator__school")
    results = _in_scope(ModuleResult.objects.filter(last_event_at__gte=start, last_event_at__lte=end), scope,
                        school_field="educator__school")
    takers = dict(results.values_list("module_id").annotate(n=Count("educator_id", distinct=True)).order_by())
    scores = range(SCALE_MIN, SCALE_MAX + 1)
    distribution = {
        f"{item}_{score}": Count("pk", filter=Q(**{f"answers__{item}": score}))
        for item in SURVEY_ITEMS for score in scores
    }
    per_module = {row["module_id"]: row for row in responses.values("module_id").annotate(
        n=Count("pk"), **distribution).order_by()}
    modules = {m.pk: m for m in TrainingModule.objects.filter(pk__in=set(per_module) | set(takers))}
    item_labels = _survey_item_labels()
    module_rows, item_rows = [], []
    for module_id in sorted(modules, key=lambda pk: modules[pk].code):
        module, row = modules[module_id], per_module.get(module_id, {"n": 0})
        module_rows.append((module.code, _module_name(module.name_vi, module.name_en), takers.get(module_id, 0),
                            row["n"], _share(row["n"], takers.get(module_id, 0))))
        for item in SURVEY_ITEMS:
            counts = [row.get(f"{item}_{score}", 0) for score in scores]
            answered = sum(counts)
            mean = (Decimal(sum(s * c for s, c in zip(scores, counts))) / answered).quantize(Decimal("0.01")) \
                if answered else None
            satisfied = sum(c for s, c in zip(scores, counts) if s >= 4)
            item_rows.append((module.code, item_labels[item], *counts, mean, _share(satisfied, answered)))
    report.tables.append(Table(
        "satisfaction_modules", _("Survey responses per module"),
        [Column("module_code", _("Module code")), Column("module", _("Module")),
         Column("takers", _("Educators with a result"), ColumnKind.INTEGER),
         Column("responses", _("Responses"), ColumnKind.INTEGER),
         Column("response_rate", _("Response rate (%)"), ColumnKind.PERCENT)],
        module_rows, chart=Chart(_("Response rate per module (%)"), "module_code", ("response_rate",)),
    ))
    report.tables.append(Table(
        "satisfaction_items", _("Ratings per survey item"),
        [Column("module_code", _("Module code")), Column("item", _("Item")),
         *[Column(f"score_{s}", _("Rated %(score)s") % {"score": s}, ColumnKind.INTEGER) for s in scores],
         Column("mean", _("Mean"), ColumnKind.DECIMAL),
         Column("satisfied", _("Satisfied, 4 or 5 (%)"), ColumnKind.PERCENT)],
        item_rows,
        chart=Chart(_("Distribution of ratings"), "item", tuple(f"score_{s}" for s in scores), stacked=True),
    ))


def _survey_item_labels() -> dict[str, str]:
    return {"content": _("Content"), "materials": _("Materials"), "support": _("Support"),
            "usefulness": _("Usefulness")}


# ---------------------------------------------------------------------------------------------
# Core-teacher eligibility (TT20 Điều 12, TT14 Điều 12)


def _core_eligibility(report: Report, scope, cycle, frameworks, cut_off):
    on = timezone.localtime(cut_off).date()
    for framework in frameworks:
        rule = CORE_SELECTION.get(framework.code)
        if rule is None:
            continue
        since_limit = _years_before(on, rule.years)

        def rows(framework=framework, rule=rule, since_limit=since_limit):
            number = 0
            for row in educator_result_rows(scope, cycle, framework, cut_off, only_final=True):
                since = row[f"educator__{rule.since_field}"]
                if row["final_rating"] not in (OverallRating.TOT, OverallRating.KHA):
                    continue
                if since is None or since > since_limit or row["educator__position"] not in rule.positions:
                    continue
                if any(row["final_levels"][n - 1:n] != "T" for n in rule.criteria_at_tot):
                    continue
                number += 1
                yield (number, row["school_code"], row["school_name"], row["educator__national_id"] or "",
                       row["educator__full_name"], row["school_level"], _years_between(since, on),
                       _rating_label(row["final_rating"]),
                       _("Yes") if row["educator__is_core_teacher"] else _("No"))

        report.tables.append(Table(
            f"eligible.{framework.code}", _("Meet the selection conditions — %(framework)s") % {
                "framework": _framework_title(framework)},
            [Column("number", _("No."), ColumnKind.INTEGER), Column("school_code", _("School code")),
             Column("school", _("School")), Column("national_id", _("National identifier")),
             Column("full_name", _("Full name")), Column("school_level", _("School level")),
             Column("years", _("Years counted"), ColumnKind.INTEGER), Column("final_rating", _("Final rating")),
             Column("is_core", _("Already a core teacher"))],
            rows,
            note=_("%(citation)s: the conditions the records show (years, rating%(criteria)s). The other "
                   "conditions (model lessons, training colleagues, languages and ICT, the wish to serve) are "
                   "confirmed by the school.") % {
                "citation": rule.citation,
                "criteria": (_(", criteria %(list)s at Good") % {"list": ", ".join(map(str, rule.criteria_at_tot))}
                             if rule.criteria_at_tot else "")},
        ))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _years_between(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


_BUILDERS = {
    "aggregate": _aggregate,
    "school_summary": _school_summary,
    "training_needs": _training_needs,
    "module_results": _module_results,
    "mentoring": _mentoring,
    "satisfaction": _satisfaction,
    "core_eligibility": _core_eligibility,
}
