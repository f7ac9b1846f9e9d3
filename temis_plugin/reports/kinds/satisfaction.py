"""Programme satisfaction: survey responses per module and the ratings given to each survey item."""

from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ...models import ModuleResult, SurveyResponse, TrainingModule
from ...survey import SCALE_MAX, SCALE_MIN, SURVEY_ITEMS
from ..cells import module_name, share, survey_item_labels
from ..queries import cycle_window, in_scope
from ..scope import Scope
from ..tables import Chart, Column, ColumnKind, Report, Table


def build(report: Report, scope: Scope, cycle, frameworks, cut_off):
    start, end = cycle_window(cycle, cut_off)
    responses = in_scope(
        SurveyResponse.objects.filter(modified__gte=start, modified__lte=end), scope, school_field="educator__school"
    )
    results = in_scope(
        ModuleResult.objects.filter(last_event_at__gte=start, last_event_at__lte=end),
        scope,
        school_field="educator__school",
    )
    takers = dict(results.values_list("module_id").annotate(n=Count("educator_id", distinct=True)).order_by())
    scores = range(SCALE_MIN, SCALE_MAX + 1)
    distribution = {
        f"{item}_{score}": Count("pk", filter=Q(**{f"answers__{item}": score}))
        for item in SURVEY_ITEMS
        for score in scores
    }
    per_module = {
        row["module_id"]: row
        for row in responses.values("module_id").annotate(n=Count("pk"), **distribution).order_by()
    }
    modules = {m.pk: m for m in TrainingModule.objects.filter(pk__in=set(per_module) | set(takers))}
    item_labels = survey_item_labels()
    module_rows, item_rows = [], []
    for module_id in sorted(modules, key=lambda pk: modules[pk].code):
        module, row = modules[module_id], per_module.get(module_id, {"n": 0})
        module_rows.append(
            (
                module.code,
                module_name(module.name_vi, module.name_en),
                takers.get(module_id, 0),
                row["n"],
                share(row["n"], takers.get(module_id, 0)),
            )
        )
        for item in SURVEY_ITEMS:
            counts = [row.get(f"{item}_{score}", 0) for score in scores]
            answered = sum(counts)
            mean = (
                (Decimal(sum(s * c for s, c in zip(scores, counts))) / answered).quantize(Decimal("0.01"))
                if answered
                else None
            )
            satisfied = sum(c for s, c in zip(scores, counts) if s >= 4)
            item_rows.append((module.code, item_labels[item], *counts, mean, share(satisfied, answered)))
    report.tables.append(
        Table(
            "satisfaction_modules",
            _("Survey responses per module"),
            [
                Column("module_code", _("Module code")),
                Column("module", _("Module")),
                Column("takers", _("Educators with a result"), ColumnKind.INTEGER),
                Column("responses", _("Responses"), ColumnKind.INTEGER),
                Column("response_rate", _("Response rate (%)"), ColumnKind.PERCENT),
            ],
            module_rows,
            chart=Chart(_("Response rate per module (%)"), "module_code", ("response_rate",)),
        )
    )
    report.tables.append(
        Table(
            "satisfaction_items",
            _("Ratings per survey item"),
            [
                Column("module_code", _("Module code")),
                Column("item", _("Item")),
                *[Column(f"score_{s}", _("Rated %(score)s") % {"score": s}, ColumnKind.INTEGER) for s in scores],
                Column("mean", _("Mean"), ColumnKind.DECIMAL),
                Column("satisfied", _("Satisfied, 4 or 5 (%)"), ColumnKind.PERCENT),
            ],
            item_rows,
            chart=Chart(_("Distribution of ratings"), "item", tuple(f"score_{s}" for s in scores), stacked=True),
        )
    )
