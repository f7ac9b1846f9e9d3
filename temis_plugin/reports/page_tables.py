"""A report's tables as a page shows them: cells written out for reading, the first rows of long lists, charts.

Only the first rows of a per-educator list are shown on a page; the whole list is a download.
"""

import itertools

from django.utils.formats import date_format, number_format

from .charts import draw_bar_chart
from .tables import ColumnKind

# Rows of a per-educator list shown on the page; the file has them all.
PREVIEW_ROWS = 200
NUMERIC = (ColumnKind.INTEGER, ColumnKind.PERCENT, ColumnKind.DECIMAL)


def table_context(table, index) -> dict:
    columns = table.columns
    header = _row_header_index(table)
    # Numbers line up on the right; codes and identifiers are not broken across lines.
    css = [
        "num" if column.kind in NUMERIC else "nowrap" if column.key.endswith(("code", "national_id")) else ""
        for column in columns
    ]
    if table.streamed:
        # Only the first rows of a per-educator list: a province's list is a file, not a page.
        rows = list(itertools.islice(table.iter_rows(), PREVIEW_ROWS + 1))
        more = len(rows) > PREVIEW_ROWS
        rows = rows[:PREVIEW_ROWS]
    else:
        rows, more = list(table.rows), False
    total = table.row_count if table.row_count is not None else (None if more else len(rows))
    return {
        "id": f"table-{index}",
        "title": table.title,
        "note": table.note,
        "columns": [{"label": column.label, "numeric": column.kind in NUMERIC} for column in columns],
        "rows": [
            [
                {"text": _cell_text(value, column.kind), "css": css[position], "header": position == header}
                for position, (value, column) in enumerate(zip(row, columns))
            ]
            for row in rows
        ],
        "shown": len(rows),
        "total": total,
        "truncated": more or (total is not None and total > len(rows)),
        "chart": _chart(table, rows, index) if table.chart and rows else None,
    }


def _row_header_index(table) -> int | None:
    """The column that names each row: the chart's category, else the first text column."""
    keys = [column.key for column in table.columns]
    if table.chart and table.chart.category_column in keys:
        return keys.index(table.chart.category_column)
    return next((i for i, column in enumerate(table.columns) if column.kind == ColumnKind.TEXT), None)


def _cell_text(value, kind) -> str:
    if value is None or value == "":
        return "—" if kind in NUMERIC else ""
    if kind == ColumnKind.PERCENT:
        return number_format(value, 1)
    if kind == ColumnKind.INTEGER:
        return number_format(value, 0, force_grouping=True)
    if kind == ColumnKind.DECIMAL:
        return number_format(value, force_grouping=True)
    if kind == ColumnKind.DATE:
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _chart(table, rows, index):
    hint, columns = table.chart, {column.key: (i, column) for i, column in enumerate(table.columns)}
    if hint.category_column not in columns or any(key not in columns for key in hint.value_columns):
        return None
    series = [columns[key] for key in hint.value_columns]
    if not any(row[i] for row in rows for i, _column in series):
        return None  # nothing but zeros: the table says so more plainly than empty bars
    kinds = {column.kind for _i, column in series}
    category_at = columns[hint.category_column][0]
    labels = [str(row[category_at]) for row in rows]
    if len(set(labels)) < len(labels):
        # The same category in several groups (an item per module): name the group too.
        group_at = next(
            (i for i, c in enumerate(table.columns) if c.kind == ColumnKind.TEXT and i != category_at), None
        )
        if group_at is not None:
            labels = [f"{row[group_at]} · {label}" for row, label in zip(rows, labels)]
    percent = kinds == {ColumnKind.PERCENT}

    def value_text(value):
        return number_format(value, 1) if percent else number_format(value, force_grouping=True)

    def tick_text(value):
        return number_format(value, 0 if float(value).is_integer() else 1, force_grouping=True)

    drawing = draw_bar_chart(
        hint.title,
        labels,
        [_series_label(column) for _i, column in series],
        [[row[i] for i, _column in series] for row in rows],
        stacked=hint.stacked,
        format_value=value_text,
        format_tick=tick_text,
        integers=kinds == {ColumnKind.INTEGER},
        percent=percent,
    )
    return {"drawing": drawing, "id": f"chart-{index}", "category": columns[hint.category_column][1].label}


def _series_label(column) -> str:
    # "Good (%)" in the table; the chart's title already says the bars are percentages.
    return column.label.removesuffix(" (%)") if column.kind == ColumnKind.PERCENT else column.label
