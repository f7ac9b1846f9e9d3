"""Training needs stated in the self-assessments, per criterion, per module and by unit."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ...models import TrainingNeed
from ..cells import criterion_label, framework_title, module_name, share
from ..queries import child_unit_path, evaluations, units_by_path
from ..scope import Scope
from ..tables import Chart, Column, ColumnKind, Report, Table


def build(report: Report, scope: Scope, cycle, frameworks, cut_off):
    for framework in frameworks:
        stated = evaluations(scope, cycle, framework.code).filter(submitted_at__lte=cut_off)
        submitted = stated.count()
        needs = TrainingNeed.objects.filter(evaluation__in=stated)
        per_criterion = dict(
            needs.filter(criterion__isnull=False)
            .values_list("criterion")
            .annotate(n=Count("evaluation_id", distinct=True))
            .order_by()
        )
        title = framework_title(framework)
        report.tables.append(
            Table(
                f"needs_by_criterion.{framework.code}",
                _("Training needs per criterion — %(framework)s") % {"framework": title},
                [
                    Column("criterion", _("Criterion")),
                    Column("educators", _("Educators"), ColumnKind.INTEGER),
                    Column("share", _("Share of submitted self-assessments (%)"), ColumnKind.PERCENT),
                ],
                [
                    (
                        criterion_label(c),
                        per_criterion.get(c.number, 0),
                        share(per_criterion.get(c.number, 0), submitted),
                    )
                    for c in framework.criteria
                ],
                chart=Chart(_("Educators needing training per criterion"), "criterion", ("educators",)),
                note=_("%(count)s self-assessments submitted by the cut-off.") % {"count": submitted},
            )
        )
        per_module = (
            needs.filter(module__isnull=False)
            .values("module__code", "module__name_vi", "module__name_en")
            .annotate(n=Count("evaluation_id", distinct=True))
            .order_by("module__code")
        )
        report.tables.append(
            Table(
                f"needs_by_module.{framework.code}",
                _("Training needs per module — %(framework)s") % {"framework": title},
                [
                    Column("module_code", _("Module code")),
                    Column("module", _("Module")),
                    Column("educators", _("Educators"), ColumnKind.INTEGER),
                    Column("share", _("Share of submitted self-assessments (%)"), ColumnKind.PERCENT),
                ],
                [
                    (
                        row["module__code"],
                        module_name(row["module__name_vi"], row["module__name_en"]),
                        row["n"],
                        share(row["n"], submitted),
                    )
                    for row in per_module
                ],
                chart=Chart(_("Educators needing each module"), "module_code", ("educators",)),
            )
        )
        by_unit = (
            stated.annotate(unit_path=child_unit_path(scope))
            .values("unit_path")
            .annotate(
                submitted=Count("pk", distinct=True),
                with_needs=Count("pk", filter=Q(training_needs__isnull=False), distinct=True),
            )
            .order_by()
        )
        units = units_by_path(row["unit_path"] for row in by_unit)
        report.tables.append(
            Table(
                f"needs_by_unit.{framework.code}",
                _("Training needs by unit — %(framework)s") % {"framework": title},
                [
                    Column("unit_code", _("Unit code")),
                    Column("unit", _("Unit")),
                    Column("submitted", _("Self-assessments submitted"), ColumnKind.INTEGER),
                    Column("with_needs", _("With training needs"), ColumnKind.INTEGER),
                    Column("share", _("Share (%)"), ColumnKind.PERCENT),
                ],
                sorted(
                    (
                        units[r["unit_path"]].code if r["unit_path"] in units else "",
                        units[r["unit_path"]].name if r["unit_path"] in units else "",
                        r["submitted"],
                        r["with_needs"],
                        share(r["with_needs"], r["submitted"]),
                    )
                    for r in by_unit
                ),
            )
        )
