"""Training-module results (bồi dưỡng thường xuyên): per module and by unit, with the pass status as three values."""

from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.utils.translation import gettext as _

from ...models import ModuleResult, TrainingModule
from ..cells import module_name, share
from ..queries import child_unit_path, cycle_window, in_scope, units_by_path
from ..scope import Scope
from ..tables import Chart, Column, ColumnKind, Report, Table


def build(report: Report, scope: Scope, cycle, frameworks, cut_off):
    start, end = cycle_window(cycle, cut_off)
    results = in_scope(
        ModuleResult.objects.filter(last_event_at__gte=start, last_event_at__lte=end),
        scope,
        school_field="educator__school",
    )
    # Pass status has three values; an unknown one (no source told it) is neither passed nor not passed.
    # Per module an educator counts once: passed if any of their courses passed, else unknown if any
    # is unknown, else not passed. |unknown or passed| - |passed| is "unknown and not passed".
    passed = Q(passed=True, passed_on__lte=end.date())
    unknown = Q(passed__isnull=True)
    per_module = {
        row["module_id"]: row
        for row in results.values("module_id")
        .annotate(
            n=Count("educator_id", distinct=True),
            passed_n=Count("educator_id", filter=passed, distinct=True),
            settled_n=Count("educator_id", filter=passed | unknown, distinct=True),
            mean=Avg("percent"),
        )
        .order_by()
    }
    rows = []
    for module in TrainingModule.objects.filter(pk__in=list(per_module)).order_by("code"):
        row = per_module[module.pk]
        unknown_n = row["settled_n"] - row["passed_n"]
        not_passed_n = row["n"] - row["settled_n"]
        rows.append(
            (
                module.code,
                module_name(module.name_vi, module.name_en),
                module.hours,
                row["n"],
                row["passed_n"],
                not_passed_n,
                unknown_n,
                share(row["passed_n"], row["n"] - unknown_n),
                (module.hours or 0) * row["passed_n"],
                (row["mean"] * 100).quantize(Decimal("0.1")) if row["mean"] is not None else None,
            )
        )
    report.tables.append(
        Table(
            "modules",
            _("Results per training module"),
            [
                Column("module_code", _("Module code")),
                Column("module", _("Module")),
                Column("hours", _("Hours"), ColumnKind.INTEGER),
                Column("educators", _("Educators with a result"), ColumnKind.INTEGER),
                Column("passed", _("Passed"), ColumnKind.INTEGER),
                Column("not_passed", _("Not passed yet"), ColumnKind.INTEGER),
                Column("pass_unknown", _("Pass status unknown"), ColumnKind.INTEGER),
                Column("pass_rate", _("Pass rate of known statuses (%)"), ColumnKind.PERCENT),
                Column("hours_completed", _("Hours completed"), ColumnKind.INTEGER),
                Column("mean_grade", _("Mean grade (%)"), ColumnKind.PERCENT),
            ],
            rows,
            chart=Chart(_("Pass rate per module (%)"), "module_code", ("pass_rate",)),
            note=_(
                "Pass status unknown: a grade report's audit or honor learner in a course without a pass mark. "
                "These are counted apart and left out of the pass rate."
            ),
        )
    )
    by_unit = (
        results.annotate(unit_path=child_unit_path(scope, "educator__school"))
        .values("unit_path")
        .annotate(
            educators=Count("educator_id", distinct=True),
            passed_n=Count("pk", filter=passed),
            unknown_n=Count("pk", filter=unknown),
            hours=Sum("module__hours", filter=passed),
        )
        .order_by()
    )
    units = units_by_path(row["unit_path"] for row in by_unit)
    report.tables.append(
        Table(
            "modules_by_unit",
            _("Training-module results by unit"),
            [
                Column("unit_code", _("Unit code")),
                Column("unit", _("Unit")),
                Column("educators", _("Educators with a result"), ColumnKind.INTEGER),
                Column("modules_passed", _("Modules passed"), ColumnKind.INTEGER),
                Column("modules_pass_unknown", _("Modules with the pass status unknown"), ColumnKind.INTEGER),
                Column("hours_completed", _("Hours completed"), ColumnKind.INTEGER),
            ],
            sorted(
                (
                    units[r["unit_path"]].code if r["unit_path"] in units else "",
                    units[r["unit_path"]].name if r["unit_path"] in units else "",
                    r["educators"],
                    r["passed_n"],
                    r["unknown_n"],
                    r["hours"] or 0,
                )
                for r in by_unit
            ),
        )
    )
