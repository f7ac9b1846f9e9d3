"""Results by rating, criterion and level (CV 4530 Biểu mẫu 5; CV 4529 Biểu mẫu 05 for principals)."""

from collections import defaultdict

from django.utils.translation import gettext as _

from ...roles import SchoolLevel
from ...standards import PACKED_CHARS, Level, OverallRating
from ..cells import count_columns, criterion_label, framework_title, level_label, rating_label, share
from ..queries import PackedLevelCounts, grouped_results, units_by_path
from ..scope import Scope
from ..tables import Chart, Column, ColumnKind, Report, Table

LEVELS_DESCENDING = (Level.TOT, Level.KHA, Level.DAT, Level.CHUA_DAT)
RATINGS_DESCENDING = (OverallRating.TOT, OverallRating.KHA, OverallRating.DAT, OverallRating.CHUA_DAT)
SCHOOL_LEVELS = tuple(SchoolLevel)


def build(report: Report, scope: Scope, cycle, frameworks, cut_off):
    for framework in frameworks:
        _framework_tables(report, scope, cycle, framework, cut_off)


def _framework_tables(report, scope, cycle, framework, cut_off):
    numbers = framework.criterion_numbers
    rows = grouped_results(scope, cycle, framework, cut_off)
    grouped = [row for row in rows if row["rating"]]
    units = units_by_path({row["unit_path"] for row in rows})
    evaluated = defaultdict(int)
    for row in rows:
        evaluated[row["unit_path"], row["school_level"]] += row["n"]

    rating_counts = defaultdict(lambda: defaultdict(int))  # (unit path | level | "*") -> rating -> n
    level_counts_by = defaultdict(lambda: defaultdict(int))  # (unit path | "*", criterion) -> storage letter -> n
    for row in grouped:
        for key in (("unit", row["unit_path"]), ("level", row["school_level"]), ("all", "*")):
            rating_counts[key][row["rating"]] += row["n"]
        for n in numbers:
            for char, value in PackedLevelCounts.unpack(row[f"c{n}"], row["n"]).items():
                level_counts_by[row["unit_path"], n][char] += value
                level_counts_by["*", n][char] += value

    rating_columns = count_columns((r.value, rating_label(r)) for r in RATINGS_DESCENDING)

    def rating_cells(counts):
        finalized = sum(counts.values())
        cells = [finalized]
        for rating in RATINGS_DESCENDING:
            cells += [counts.get(rating, 0), share(counts.get(rating, 0), finalized)]
        return cells

    title = framework_title(framework)
    by_level_rows = []
    for level in SCHOOL_LEVELS:
        total = sum(n for (_path, lvl), n in evaluated.items() if lvl == level)
        if total or rating_counts["level", level]:
            by_level_rows.append((level.value, total, *rating_cells(rating_counts["level", level])))
    by_level_rows.append((_("Total"), sum(evaluated.values()), *rating_cells(rating_counts["all", "*"])))
    report.tables.append(
        Table(
            f"ratings_by_level.{framework.code}",
            _("Overall rating by school level — %(framework)s") % {"framework": title},
            [
                Column("school_level", _("School level")),
                Column("evaluations", _("Evaluations"), ColumnKind.INTEGER),
                Column("finalized", _("Finalized"), ColumnKind.INTEGER),
                *rating_columns,
            ],
            by_level_rows,
            chart=Chart(
                _("Overall rating by school level (%)"),
                "school_level",
                tuple(f"{r.value}_pct" for r in RATINGS_DESCENDING),
                stacked=True,
            ),
        )
    )

    unit_paths = sorted(
        {path for path, _lvl in evaluated} | {key[1] for key in rating_counts if key[0] == "unit"},
        key=lambda path: units[path].code if path in units else path,
    )
    by_unit_rows = []
    for path in unit_paths:
        unit = units.get(path)
        total = sum(n for (p, _lvl), n in evaluated.items() if p == path)
        by_unit_rows.append(
            (unit.code if unit else "", unit.name if unit else "", total, *rating_cells(rating_counts["unit", path]))
        )
    by_unit_rows.append(("", _("Total"), sum(evaluated.values()), *rating_cells(rating_counts["all", "*"])))
    report.tables.append(
        Table(
            f"ratings_by_unit.{framework.code}",
            _("Overall rating by unit — %(framework)s") % {"framework": title},
            [
                Column("unit_code", _("Unit code")),
                Column("unit", _("Unit")),
                Column("evaluations", _("Evaluations"), ColumnKind.INTEGER),
                Column("finalized", _("Finalized"), ColumnKind.INTEGER),
                *rating_columns,
            ],
            by_unit_rows,
            chart=Chart(
                _("Overall rating by unit (%)"),
                "unit",
                tuple(f"{r.value}_pct" for r in RATINGS_DESCENDING),
                stacked=True,
            ),
        )
    )

    # Keyed by the level codes (CD, D, K, T) like every other level in the API; storage letters stay inside.
    level_columns = count_columns((level.value, level_label(level)) for level in LEVELS_DESCENDING)

    def level_cells(counts):
        rated = sum(counts.values())
        cells = [rated]
        for level in LEVELS_DESCENDING:
            char = PACKED_CHARS[level]
            cells += [counts.get(char, 0), share(counts.get(char, 0), rated)]
        return cells

    criteria = {c.number: c for c in framework.criteria}
    report.tables.append(
        Table(
            f"criteria.{framework.code}",
            _("Levels per criterion — %(framework)s") % {"framework": title},
            [Column("criterion", _("Criterion")), Column("rated", _("Finalized"), ColumnKind.INTEGER), *level_columns],
            [(criterion_label(criteria[n]), *level_cells(level_counts_by["*", n])) for n in numbers],
            chart=Chart(
                _("Levels per criterion (%)"),
                "criterion",
                tuple(f"{level.value}_pct" for level in LEVELS_DESCENDING),
                stacked=True,
            ),
        )
    )
    report.tables.append(
        Table(
            f"criteria_by_unit.{framework.code}",
            _("Levels per criterion and unit — %(framework)s") % {"framework": title},
            [
                Column("unit_code", _("Unit code")),
                Column("unit", _("Unit")),
                Column("criterion", _("Criterion")),
                Column("rated", _("Finalized"), ColumnKind.INTEGER),
                *level_columns,
            ],
            [
                (
                    units[path].code if path in units else "",
                    units[path].name if path in units else "",
                    criterion_label(criteria[n]),
                    *level_cells(level_counts_by[path, n]),
                )
                for path in unit_paths
                for n in numbers
            ],
        )
    )
