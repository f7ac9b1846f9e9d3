"""Evaluation results per educator (CV 4530 Biểu mẫu 4; CV 4529 Biểu mẫu 04): a streamed list."""

from django.utils.translation import gettext as _

from ...labels import RATING_LABELS, STATE_LABELS
from ..cells import educator_columns, framework_title, level_sheet, level_texts, rating_label
from ..queries import educator_result_rows, evaluations
from ..scope import Scope
from ..tables import Column, Report, Table


def build(report: Report, scope: Scope, cycle, frameworks, cut_off):
    state_labels = {state: _(label) for state, label in STATE_LABELS.items()}
    sheet_texts = level_texts()
    rating_texts = {code: rating_label(code) for code in RATING_LABELS} | {"": ""}
    for framework in frameworks:
        count = len(framework.criterion_numbers)

        def rows(framework=framework, count=count):
            for number, row in enumerate(educator_result_rows(scope, cycle, framework, cut_off), start=1):
                final = row["is_final"]
                yield (
                    number,
                    row["school_code"],
                    row["school_name"],
                    row["educator__national_id"] or "",
                    row["educator__full_name"],
                    row["school_level"],
                    row["educator__subject"],
                    *(level_sheet(row["final_levels"], count, sheet_texts) if final else [""] * count),
                    rating_texts.get(row["final_rating"], "") if final else "",
                    rating_texts.get(row["self_rating"], ""),
                    state_labels.get(row["state"], row["state"]),
                )

        report.tables.append(
            Table(
                f"educators.{framework.code}",
                _("Evaluation results per educator — %(framework)s") % {"framework": framework_title(framework)},
                [
                    *educator_columns(),
                    Column("subject", _("Subject")),
                    *[Column(f"c{n}", _("Criterion %(number)s") % {"number": n}) for n in framework.criterion_numbers],
                    Column("final_rating", _("Final rating")),
                    Column("self_rating", _("Self rating")),
                    Column("state", _("State")),
                ],
                rows,
                row_count=evaluations(scope, cycle, framework.code).count(),
            )
        )
