"""Reads the roster tables of an .xlsx workbook, one sheet per table, rows streamed from the file."""

import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from lxml import etree
from openpyxl import load_workbook

from .columns import canonical_sheet
from .rows import (
    HEADER_SEARCH_ROWS,
    RosterFile,
    RosterFileError,
    Table,
    blank,
    check_columns,
    data_rows,
    find_header,
    header_error,
    new_notes,
)

SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# What a damaged workbook raises from inside openpyxl, zipfile and the XML parsers.
BROKEN_WORKBOOK = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    EOFError,
    ParseError,
    etree.XMLSyntaxError,
    AttributeError,
    IndexError,
)


def _broken_workbook() -> RosterFileError:
    return RosterFileError(
        _(
            "This is not a readable .xlsx workbook: the file is damaged or is not an Excel "
            "workbook. Open it in Excel, save it again as .xlsx, and import that file."
        ),
        code="broken_xlsx",
    )


def _guarded(rows):
    """Iterate openpyxl's rows, turning a damaged sheet's errors into one clear RosterFileError."""
    try:
        yield from rows
    except BROKEN_WORKBOOK:
        raise _broken_workbook() from None


def _hidden_rows(sheet, after_line: int) -> list[int]:
    """Row numbers below the header that Excel hides (filtered, grouped or hidden by hand).

    openpyxl does not expose row visibility in read-only mode, and loading the workbook fully costs
    memory in proportion to the sheet, so the sheet's XML is scanned once more, row elements only.
    """
    hidden = []
    with sheet._get_source() as source:
        for _event, row in etree.iterparse(source, events=("end",), tag=f"{SHEET_NS}row"):
            if row.get("hidden") in ("1", "true") and int(row.get("r") or 0) > after_line:
                hidden.append(int(row.get("r")))
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
    return hidden


def open_xlsx(stream, wanted: str | None) -> RosterFile:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except BROKEN_WORKBOOK:
        raise _broken_workbook() from None
    notes, tables = new_notes(), {}
    try:
        for sheet in workbook.worksheets:
            name = canonical_sheet(sheet.title)
            if name is None or (wanted and name != wanted):
                notes["ignored_sheets"].append(sheet.title)
                continue
            if name in tables:
                raise RosterFileError(
                    _("Sheets %(first)s and %(second)s both hold the %(table)s table.")
                    % {"first": tables[name].sheet, "second": sheet.title, "table": name},
                    code="duplicate_sheet",
                    sheet=sheet.title,
                )
            head = list(_guarded(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)))
            if all(blank(v) for row in head for v in row):
                notes["ignored_sheets"].append(sheet.title)
                continue
            found = find_header(head, name)
            if found is None:
                raise header_error(name, sheet.title)
            index, columns, _table = found
            check_columns(columns, sheet.title)
            if sheet.sheet_state != "visible":
                notes["hidden_sheets"].append(sheet.title)
            if index:
                notes["title_rows"][sheet.title] = index
            header_line = index + 1
            hidden = _hidden_rows(sheet, header_line)
            if hidden:
                notes["hidden_rows"][sheet.title] = hidden
            tables[name] = Table(
                name,
                sheet.title,
                header_line,
                columns,
                max((sheet.max_row or 0) - header_line, 0),
                _rows=_xlsx_rows(sheet, columns, header_line, notes),
            )
    except RosterFileError:  # a ValueError too: before the clause below
        workbook.close()
        raise
    except BROKEN_WORKBOOK:
        workbook.close()
        raise _broken_workbook() from None
    if not tables:
        workbook.close()
        raise RosterFileError(
            _(
                "The workbook has no roster sheet with data. Name the sheets units (Đơn vị), educators (Giáo viên) "
                "or mentor_groups (Nhóm cốt cán); this workbook has: %(sheets)s."
            )
            % {"sheets": ", ".join(s.title for s in workbook.worksheets)},
            code="no_sheets",
        )
    return RosterFile(tables, notes, close=workbook.close)


def _xlsx_rows(sheet, columns, header_line, notes):
    def rows():
        raw = (
            (header_line + 1 + offset, [c.value for c in cells], cells)
            for offset, cells in enumerate(_guarded(sheet.iter_rows(min_row=header_line + 1)))
        )
        yield from data_rows(columns, raw, notes)

    return rows
