"""Write a :class:`~.tables.Report` as .xlsx, .csv or .json onto a binary file object.

Small reports (counts and shares) go through openpyxl, which gives formatted headers, frozen panes
and native Excel charts. Reports with per-educator tables stream through our own writer
(:mod:`.xlsx_stream`), whose memory does not grow with the number of rows.
"""

import csv
import datetime
import io
import json
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _

from .formulas import as_text
from .tables import ColumnKind, Report, Table

FORMATS = ("xlsx", "csv", "json")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
HEADER_FILL = "DCE6F1"
_PROGRESS_EVERY = 5000


class Progress:
    """Counts written rows against the expected total and reports whole percentages."""

    def __init__(self, report: Report, callback: Callable[[int, int], None] | None):
        # A streamed table without a known count adds nothing: the bar then runs on the others.
        self.total = (
            sum(
                table.row_count if table.row_count is not None else (0 if table.streamed else len(table.rows))
                for table in report.tables
            )
            or 1
        )
        self.done = 0
        self.callback = callback
        # Rows between two reports: about every 1% of the work, at most every 5,000 rows.
        self.step = max(1, min(_PROGRESS_EVERY, self.total // 100))

    def add(self, rows: int):
        self.done += rows
        if self.callback:
            self.callback(self.done, max(self.total, self.done))


def write_report(report: Report, file_format: str, out, on_progress=None) -> int:
    """Write ``report`` to the binary file object ``out``; returns the number of table rows written."""
    progress = Progress(report, on_progress)
    if file_format == "xlsx":
        if any(table.streamed for table in report.tables):
            _write_xlsx_streamed(report, out, progress)
        else:
            _write_xlsx_formatted(report, out, progress)
    elif file_format == "csv":
        _write_csv(report, out, progress)
    elif file_format == "json":
        _write_json(report, out, progress)
    else:
        raise ValueError(f"unknown format {file_format}")
    return progress.done


def stamp_lines(report: Report) -> list[tuple[str, str]]:
    """The stamp as (label, value) pairs, in the language of the request or command."""
    stamp = report.stamp
    lines = [(_("Report"), stamp.title), (_("Cycle"), stamp.cycle_name), (_("Scope"), stamp.scope_name)]
    for code, revision, basis in stamp.frameworks:
        lines.append(
            (
                _("Legal basis"),
                _("%(basis)s (framework %(code)s, data revision %(revision)s)")
                % {"basis": basis, "code": code, "revision": revision},
            )
        )
    lines.append((_("Data cut-off"), _localtime(stamp.cut_off)))
    lines.append((_("Generated at"), _localtime(stamp.generated_at)))
    return lines


def _localtime(moment: datetime.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def sheet_title(table: Table, index: int) -> str:
    """A worksheet name: Excel allows 31 characters and no []:*?/\\."""
    base = table.key.split(".")[0].replace("_", " ")
    suffix = table.key.split(".")[1].split("-")[0] if "." in table.key else ""
    title = f"{index}. {base} {suffix}".strip()
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


# ---------------------------------------------------------------------------------------------
# xlsx


def _write_xlsx_formatted(report: Report, out, progress: Progress):
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()

    def append(sheet, values):
        # openpyxl stores any text starting with "=" as a formula: names and titles are text, always.
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type, cell.quotePrefix = "s", True

    about = workbook.active
    about.title = _("About")[:31]
    append(about, [report.stamp.title])
    about["A1"].font = Font(bold=True, size=14)
    for label, value in stamp_lines(report):
        append(about, [label, value])
    for problem in report.problems:
        append(about, [_("Problem"), problem])
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 90
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for index, table in enumerate(report.tables, start=1):
        sheet = workbook.create_sheet(sheet_title(table, index))
        append(sheet, [table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        if table.note:
            append(sheet, [table.note])
        header_row = sheet.max_row + 1
        append(sheet, [column.label for column in table.columns])
        for cell in sheet[header_row]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        count = 0
        for row in table.iter_rows():
            append(sheet, [_cell(value) for value in row])
            count += 1
        progress.add(count)
        for position, column in enumerate(table.columns, start=1):
            letter = get_column_letter(position)
            sheet.column_dimensions[letter].width = 12 if column.kind != ColumnKind.TEXT else 28
            if column.kind == ColumnKind.PERCENT:
                for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=position, max_col=position):
                    cell.number_format = "0.0"
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
        if table.chart and count:
            chart = BarChart()
            chart.type = "bar" if count > 6 else "col"
            chart.grouping = (
                "percentStacked"
                if table.chart.stacked and table.chart.value_columns[0].endswith("_pct")
                else ("stacked" if table.chart.stacked else "clustered")
            )
            if table.chart.stacked:
                chart.overlap = 100
            chart.title = table.chart.title
            keys = [column.key for column in table.columns]
            category = keys.index(table.chart.category_column) + 1
            chart.set_categories(Reference(sheet, min_col=category, min_row=header_row + 1, max_row=header_row + count))
            for key in table.chart.value_columns:
                col = keys.index(key) + 1
                chart.add_data(
                    Reference(sheet, min_col=col, min_row=header_row, max_row=header_row + count), titles_from_data=True
                )
            chart.height, chart.width = max(7.5, 0.6 * count), 18
            sheet.add_chart(chart, sheet.cell(row=header_row, column=len(table.columns) + 2).coordinate)
    workbook.save(out)


def _write_xlsx_streamed(report: Report, out, progress: Progress):
    from .xlsx_stream import StreamingXlsxWriter

    preamble = list(stamp_lines(report))
    with StreamingXlsxWriter(out) as writer:
        for index, table in enumerate(report.tables, start=1):
            sheet_progress = _SheetProgress(progress)
            written = writer.add_sheet(
                sheet_title(table, index),
                [column.label for column in table.columns],
                ([_cell(value) for value in row] for row in table.iter_rows()),
                preamble=[(table.title,), *preamble, *([(table.note,)] if table.note else [])],
                column_widths=[28 if column.kind == ColumnKind.TEXT else 12 for column in table.columns],
                on_progress=sheet_progress,
                progress_every=progress.step,
            )
            sheet_progress(written)
        if report.problems:
            writer.add_sheet(_("Problems")[:31], [_("Problem")], ((problem,) for problem in report.problems))


class _SheetProgress:
    """Turns a sheet's running row count into increments of the report's progress."""

    def __init__(self, progress: Progress):
        self.progress, self.seen = progress, 0

    def __call__(self, rows_done: int):
        self.progress.add(rows_done - self.seen)
        self.seen = rows_done


# ---------------------------------------------------------------------------------------------
# csv and json


def _write_csv(report: Report, out, progress: Progress):
    """Stamp lines, then each table: its title, header and rows, a blank line between tables."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    for label, value in stamp_lines(report):
        writer.writerow([label, _csv_value(value)])  # the cycle and unit names are names like any other
    for problem in report.problems:
        writer.writerow([_("Problem"), _csv_value(problem)])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([_csv_value(table.title)])
        writer.writerow([_csv_value(column.label) for column in table.columns])
        write_csv_rows(writer, table, progress)
    text.flush()
    text.detach()


def write_csv_rows(writer, table: Table, progress: Progress | None = None):
    count = 0
    step = progress.step if progress else _PROGRESS_EVERY
    for row in table.iter_rows():
        writer.writerow([_csv_value(value) for value in row])
        count += 1
        if progress and count % step == 0:
            progress.add(step)
    if progress:
        progress.add(count % step)


def _csv_value(value):
    if value is None:
        return ""
    return as_text(value)


def _write_json(report: Report, out, progress: Progress):
    """The stamp and every table with column keys; rows are written one by one (streaming)."""
    out.write(b'{"stamp": ' + json.dumps(report.stamp.as_dict(), ensure_ascii=False).encode())
    out.write(b', "problems": ' + json.dumps(report.problems, ensure_ascii=False).encode())
    out.write(b', "tables": [')
    for index, table in enumerate(report.tables):
        head = {
            "key": table.key,
            "title": table.title,
            "note": table.note,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind.value} for c in table.columns],
        }
        out.write((b", " if index else b"") + json.dumps(head, ensure_ascii=False).encode()[:-1] + b', "rows": [')
        count = 0
        for row in table.iter_rows():
            out.write((b", " if count else b"") + json.dumps(row, default=json_value, ensure_ascii=False).encode())
            count += 1
            if count % progress.step == 0:
                progress.add(progress.step)
        progress.add(count % progress.step)
        out.write(b"]}")
    out.write(b"]}")


def json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
