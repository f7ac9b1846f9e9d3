"""Core-teacher eligibility: who meets the selection conditions the records can show.

The conditions are data: each framework file's ``core_teacher_selection`` (Điều 12 of TT20/2018 and of
TT14/2018); a framework without one has no table here.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from ...standards import PACKED_CHARS, Level
from ..cells import educator_columns, framework_title, rating_label
from ..queries import educator_result_rows
from ..scope import Scope
from ..tables import Column, ColumnKind, Report, Table

GOOD = PACKED_CHARS[Level.TOT]


def build(report: Report, scope: Scope, cycle, frameworks, cut_off):
    on = timezone.localtime(cut_off).date()
    for framework in frameworks:
        rule = framework.core_teacher_selection
        if rule is None:
            continue
        since_limit = _years_before(on, rule.years)

        def rows(framework=framework, rule=rule, since_limit=since_limit):
            number = 0
            for row in educator_result_rows(scope, cycle, framework, cut_off, only_final=True):
                since = row[f"educator__{rule.years_since}"]
                if row["final_rating"] not in rule.ratings:
                    continue
                if since is None or since > since_limit or row["educator__position"] not in rule.positions:
                    continue
                if any(row["final_levels"][n - 1 : n] != GOOD for n in rule.criteria_at_good):
                    continue
                number += 1
                yield (
                    number,
                    row["school_code"],
                    row["school_name"],
                    row["educator__national_id"] or "",
                    row["educator__full_name"],
                    row["school_level"],
                    _years_between(since, on),
                    rating_label(row["final_rating"]),
                    _("Yes") if row["educator__is_core_teacher"] else _("No"),
                )

        report.tables.append(
            Table(
                f"eligible.{framework.code}",
                _("Meet the selection conditions — %(framework)s") % {"framework": framework_title(framework)},
                [
                    *educator_columns(),
                    Column("years", _("Years counted"), ColumnKind.INTEGER),
                    Column("final_rating", _("Final rating")),
                    Column("is_core", _("Already a core teacher")),
                ],
                rows,
                note=_(
                    "%(citation)s: the conditions the records show (years, rating%(criteria)s). The other "
                    "conditions (model lessons, training colleagues, languages and ICT, the wish to serve) are "
                    "confirmed by the school."
                )
                % {
                    "citation": framework.core_selection_citation(),
                    "criteria": (
                        _(", criteria %(list)s at Good") % {"list": ", ".join(map(str, rule.criteria_at_good))}
                        if rule.criteria_at_good
                        else ""
                    ),
                },
            )
        )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _years_between(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))
