"""Reads roster files as streams of clean rows; knows file formats and layouts, not meanings.

Rows are read lazily, one at a time, so memory does not grow with the number of rows. Every value
leaves this module cleaned (see :mod:`.normalise`); identifier cells that Excel stored as numbers are
reported as problems of their row, or restored where the cell's number format gives the width.
"""
import codecs
import csv
import io
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree
from openpyxl import load_workbook

from .columns import IDENTIFIER_COLUMNS, REQUIRED, TABLES, canonical_header, canonical_sheet, tables_with_columns
from ..normalise import clean_identifier, clean_text, restore_zero_padded

# The header may sit below a title block; it is looked for in this many first rows.
HEADER_SEARCH_ROWS = 10
CSV_DELIMITERS = (",", ";", "\t")
XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (compound file)
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# What a damaged workbook raises from inside openpyxl, zipfile and the XML parsers.
BROKEN_WORKBOOK = (zipfile.BadZipFile, zlib.error, KeyError, OSError, ValueError, TypeError, EOFError,
                   ParseError, etree.XMLSyntaxError, AttributeError, IndexError)


class RosterFileError(ValueError):
    """The file cannot be read at all (format, encoding, layout). ``code`` names the kind."""

    def __init__(self, message: str, code: str = "file", sheet: str = ""):
        self.code = code
        self.sheet = sheet
        super().__init__(message)


@dataclass(frozen=True)
class CellProblem:
    column: str
    code: str
    message: str
    value: str


@dataclass(frozen=True)
class Notice:
    """Something the person importing should know, though nothing was refused."""
    code: str
    message: str


@dataclass
class Table:
    """One roster table in the file: where its header is, and its rows as they are read."""
    name: str
    sheet: str  # the sheet's name as written, or the CSV file's table
    header_line: int
    columns: list[str]
    rows_estimate: int
    _rows: object = field(repr=False, default=None)

    def rows(self):
        """Yield ``(line, {column: text}, [CellProblem])`` for every non-blank row."""
        yield from self._rows()


@dataclass
class RosterFile:
    """The tables found in a file; ``notes`` fills in as rows are read (see :func:`notices`)."""
    tables: dict[str, Table]
    notes: dict
    close: object = field(repr=False, default=lambda: None)

    def notices(self) -> list[Notice]:
        """What the person importing should know about how the file was read."""
        notes, found = self.notes, []
        for sheet, count in notes["title_rows"].items():
            found.append(Notice("title_rows", _("%(sheet)s: the %(n)s row(s) above the header were not read.")
                                % {"sheet": sheet, "n": count}))
        for sheet, rows in notes["hidden_rows"].items():
            shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
            found.append(Notice("hidden_rows", _("%(sheet)s: %(n)s hidden row(s) were read and imported like the "
                                                 "others (rows %(rows)s).")
                                % {"sheet": sheet, "n": len(rows), "rows": shown}))
        for sheet in notes["hidden_sheets"]:
            found.append(Notice("hidden_sheet", _("Sheet %(sheet)s is hidden in Excel; it was read and imported.")
                                % {"sheet": sheet}))
        if notes["ignored_sheets"]:
            found.append(Notice("ignored_sheets", _("Sheets not read (not roster tables, or empty): %(sheets)s.")
                                % {"sheets": ", ".join(notes["ignored_sheets"])}))
        for column, count in notes["restored"].items():
            found.append(Notice("restored_identifier", _(
                "%(column)s: %(n)s identifier(s) stored as numbers were read with their leading zeros, from the "
                "column's number format.") % {"column": column, "n": count}))
        return found


def file_size(source) -> int:
    if isinstance(source, (str, Path)):
        return os.path.getsize(source)
    size = getattr(source, "size", None)
    if size is None:
        position = source.tell()
        size = source.seek(0, io.SEEK_END)
        source.seek(position)
    return size


def open_roster(source, filename: str | None = None, table: str | None = None,
                max_bytes: int | None = None) -> RosterFile:
    """Open a roster (path or binary file object). Raises RosterFileError when it cannot be read."""
    name = filename or getattr(source, "name", None) or str(source)
    suffix = Path(name).suffix.lower()
    if max_bytes and file_size(source) > max_bytes:
        raise RosterFileError(_("The file is larger than the limit of %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)},
                              code="too_large")
    opened = isinstance(source, (str, Path))
    stream = open(source, "rb") if opened else source
    try:
        roster = _open_stream(stream, suffix, table)
    except BaseException:
        if opened:
            stream.close()
        raise
    if opened:
        close_workbook = roster.close

        def close():
            close_workbook()
            stream.close()
        roster.close = close
    return roster


def _open_stream(stream, suffix, table) -> RosterFile:
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(XLS_SIGNATURE):
        raise RosterFileError(_("This is an Excel 97-2003 workbook (.xls). Open it in Excel and save it as "
                                "Excel Workbook (.xlsx), then import that file."), code="xls")
    if suffix == ".xlsx" or (suffix == ".csv" and head.startswith(XLSX_SIGNATURE)):
        if suffix == ".csv":
            raise RosterFileError(_("This file is an Excel workbook (.xlsx) with a .csv name. Rename it to .xlsx, "
                                    "or save it from Excel as CSV UTF-8."), code="renamed_xlsx")
        return _open_xlsx(stream, table)
    if suffix == ".csv":
        return _open_csv(stream, table)
    raise RosterFileError(_("Roster files must be .xlsx or .csv."), code="file_type")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


def _cell_text(value, column: str, cell=None):
    """Return ``(text, problem_code)`` for one cell value of ``column``; ``cell`` (an openpyxl cell,
    or None for CSV) gives the number format of numeric cells."""
    if value is None:
        return "", None
    if column in IDENTIFIER_COLUMNS and not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            restored = restore_zero_padded(value, getattr(cell, "number_format", None) or "")
            if restored is not None:
                return restored, "restored_identifier"
            shown = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
            return shown, "numeric_identifier"
        return clean_text(value), "numeric_identifier"
    if isinstance(value, str):
        return (clean_identifier(value) if column in IDENTIFIER_COLUMNS else clean_text(value)), None
    if hasattr(value, "isoformat"):
        return (value.date().isoformat() if hasattr(value, "date") else value.isoformat()), None
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), None
    return clean_text(value), None


NUMERIC_IDENTIFIER_MESSAGE = gettext_noop(
    "Excel stored this identifier as a number, which drops leading zeros. Format the column as Text "
    "(Format Cells → Text) and type the identifiers again, or give the column a number format of "
    "zeros as wide as the identifier (e.g. 000000000000).")


def _row_of(columns, values, cells):
    """``({column: text}, [CellProblem])`` of one row of raw cell values."""
    row, problems = {}, []
    for index, column in enumerate(columns):
        if not column or index >= len(values):
            continue
        text, problem = _cell_text(values[index], column, cells[index] if cells else None)
        if problem == "numeric_identifier":
            problems.append(CellProblem(column, problem, _(NUMERIC_IDENTIFIER_MESSAGE), text))
        elif problem == "restored_identifier":
            problems.append(CellProblem(column, problem, "", text))
        row[column] = text
    return row, problems


def _find_header(candidate_rows, table: str | None):
    """The first of the rows whose cells name every required column of ``table`` (or of exactly one
    table when ``table`` is None): ``(index, columns, table)`` or None."""
    for index, cells in enumerate(candidate_rows):
        columns = [canonical_header(c) for c in cells]
        if table:
            matches = [table] if set(REQUIRED[table]) <= set(columns) else []
        else:
            matches = tables_with_columns(columns)
        if len(matches) == 1:
            return index, columns, matches[0]
    return None


def _header_error(table: str | None, sheet: str) -> RosterFileError:
    expected = "; ".join(f"{t}: {', '.join(REQUIRED[t])}" for t in ([table] if table else TABLES))
    return RosterFileError(
        _("Header row not found in the first %(n)s rows of %(sheet)s; expected the columns %(expected)s.")
        % {"n": HEADER_SEARCH_ROWS, "sheet": sheet, "expected": expected}, code="header_not_found", sheet=sheet)


def _check_columns(columns, sheet):
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise RosterFileError(_("In %(sheet)s, the column(s) %(columns)s appear more than once.")
                              % {"sheet": sheet, "columns": ", ".join(duplicated)}, code="duplicate_column",
                              sheet=sheet)


def _data_rows(columns, raw_rows, notes):
    """Clean rows from raw ``(line, values, cells)``; blank rows are layout, not data. Identifiers
    restored from a zero-padded number format are counted in ``notes["restored"]`` by column."""
    width = len(columns)
    for line, values, cells in raw_rows:
        row, problems = _row_of(columns, values, cells)
        # Cells are cleaned once, in _row_of; only a row with nothing in its named columns is looked at again.
        if not any(row.values()) and all(_blank(v) for v in values):
            continue
        if not all(_blank(v) for v in values[width:]):
            problems.append(CellProblem("", "extra_cells",
                                        _("This row has more cells than there are column headers."), ""))
        kept = []
        for problem in problems:
            if problem.code == "restored_identifier":
                notes["restored"][problem.column] = notes["restored"].get(problem.column, 0) + 1
            else:
                kept.append(problem)
        yield line, row, kept


def _new_notes():
    return {"restored": {}, "hidden_rows": {}, "ignored_sheets": [], "hidden_sheets": [], "title_rows": {},
            "delimiter": None}


# -- .xlsx ---------------------------------------------------------------------------------------

def _broken_workbook() -> RosterFileError:
    return RosterFileError(_("This is not a readable .xlsx workbook: the file is damaged or is not an Excel "
                             "workbook. Open it in Excel, save it again as .xlsx, and import that file."),
                           code="broken_xlsx")


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


def _open_xlsx(stream, wanted: str | None) -> RosterFile:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except BROKEN_WORKBOOK:
        raise _broken_workbook() from None
    notes, tables = _new_notes(), {}
    try:
        for sheet in workbook.worksheets:
            name = canonical_sheet(sheet.title)
            if name is None or (wanted and name != wanted):
                notes["ignored_sheets"].append(sheet.title)
                continue
            if name in tables:
                raise RosterFileError(_("Sheets %(first)s and %(second)s both hold the %(table)s table.")
                                      % {"first": tables[name].sheet, "second": sheet.title, "table": name},
                                      code="duplicate_sheet", sheet=sheet.title)
            head = list(_guarded(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)))
            if all(_blank(v) for row in head for v in row):
                notes["ignored_sheets"].append(sheet.title)
                continue
            found = _find_header(head, name)
            if found is None:
                raise _header_error(name, sheet.title)
            index, columns, _table = found
            _check_columns(columns, sheet.title)
            if sheet.sheet_state != "visible":
                notes["hidden_sheets"].append(sheet.title)
            if index:
                notes["title_rows"][sheet.title] = index
            header_line = index + 1
            hidden = _hidden_rows(sheet, header_line)
            if hidden:
                notes["hidden_rows"][sheet.title] = hidden
            tables[name] = Table(name, sheet.title, header_line, columns,
                                 max((sheet.max_row or 0) - header_line, 0),
                                 _rows=_xlsx_rows(sheet, columns, header_line, notes))
    except RosterFileError:  # a ValueError too: before the clause below
        workbook.close()
        raise
    except BROKEN_WORKBOOK:
        workbook.close()
        raise _broken_workbook() from None
    if not tables:
        workbook.close()
        raise RosterFileError(
            _("The workbook has no roster sheet with data. Name the sheets units (Đơn vị), educators (Giáo viên) "
              "or mentor_groups (Nhóm cốt cán); this workbook has: %(sheets)s.")
            % {"sheets": ", ".join(s.title for s in workbook.worksheets)}, code="no_sheets")
    return RosterFile(tables, notes, close=workbook.close)


def _xlsx_rows(sheet, columns, header_line, notes):
    def rows():
        raw = ((header_line + 1 + offset, [c.value for c in cells], cells)
               for offset, cells in enumerate(_guarded(sheet.iter_rows(min_row=header_line + 1))))
        yield from _data_rows(columns, raw, notes)
    return rows


# -- .csv ----------------------------------------------------------------------------------------

def _not_utf8() -> RosterFileError:
    return RosterFileError(_("CSV files must be saved as UTF-8 (in Excel: Save As → CSV UTF-8)."), code="encoding")


def _open_csv(stream, wanted: str | None) -> RosterFile:
    if wanted is not None and wanted not in TABLES:
        raise RosterFileError(_("Unknown roster table %(table)s.") % {"table": wanted}, code="file")
    head = stream.read(4)
    stream.seek(0)
    # Excel's "Unicode Text" is UTF-16 with a byte-order mark; everything else must be UTF-8.
    encoding = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first_lines = [text.readline() for _ in range(HEADER_SEARCH_ROWS + 1)]
    except UnicodeDecodeError:
        raise _not_utf8() from None
    if "\x00" in "".join(first_lines):
        raise RosterFileError(_("This is not a text file. Save the roster from Excel as CSV UTF-8 or .xlsx."),
                              code="file_type")
    notes = _new_notes()
    skip = 0
    forced = None
    if first_lines and first_lines[0].strip().lower().startswith("sep=") and len(first_lines[0].strip()) == 5:
        forced, skip = first_lines[0].strip()[4], 1  # Excel's own "sep=;" line
    if not any(line.strip() for line in first_lines):
        raise RosterFileError(_("The CSV file is empty."), code="empty")
    found = _csv_header(first_lines[skip:], wanted, [forced] if forced else CSV_DELIMITERS)
    if found is None:
        raise _header_error(wanted, wanted or "CSV")
    index, columns, table, delimiter = found
    _check_columns(columns, table)
    notes["delimiter"] = delimiter
    if index:
        notes["title_rows"][table] = index
    text.seek(0)
    return RosterFile({table: Table(table, table, skip + index + 1, columns, 0,
                                    _rows=_csv_rows(text, delimiter, skip + index + 1, columns, notes))},
                      notes, close=lambda: None)


def _csv_header(lines, wanted, delimiters):
    """The header line and the separator that splits it into a roster's columns."""
    for index, line in enumerate(lines[:HEADER_SEARCH_ROWS]):
        for delimiter in delimiters:
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                continue
            found = _find_header([cells], wanted)
            if found is not None:
                return index, found[1], found[2], delimiter
    return None


def _csv_rows(text, delimiter, header_records, columns, notes):
    def rows():
        reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
        try:
            for number, values in enumerate(reader, start=1):
                if number <= header_records:
                    continue
                yield from _data_rows(columns, [(reader.line_num, values, None)], notes)
        except UnicodeDecodeError:
            raise _not_utf8() from None
        except csv.Error as exc:
            raise RosterFileError(_("The CSV file cannot be read near line %(line)s: %(reason)s.")
                                  % {"line": reader.line_num, "reason": exc}, code="csv") from None
    return rows
