"""What every roster file reads into, whatever its format: the tables and rows found, the header
looked for, each cell cleaned.

Every value leaves this module cleaned (see :mod:`temis_plugin.normalise`); identifier cells that Excel
stored as numbers are reported as problems of their row, or restored where the cell's number format
gives the width. The format readers (:mod:`.xlsx_file`, :mod:`.csv_file`) hand their raw rows to
:func:`data_rows`.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..normalise import clean_identifier, clean_text, restore_zero_padded
from .columns import IDENTIFIER_COLUMNS, REQUIRED, TABLES, canonical_header, tables_with_columns

# The header may sit below a title block; it is looked for in this many first rows.
HEADER_SEARCH_ROWS = 10


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
            found.append(
                Notice(
                    "title_rows",
                    _("%(sheet)s: the %(n)s row(s) above the header were not read.") % {"sheet": sheet, "n": count},
                )
            )
        for sheet, rows in notes["hidden_rows"].items():
            shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
            found.append(
                Notice(
                    "hidden_rows",
                    _("%(sheet)s: %(n)s hidden row(s) were read and imported like the others (rows %(rows)s).")
                    % {"sheet": sheet, "n": len(rows), "rows": shown},
                )
            )
        for sheet in notes["hidden_sheets"]:
            found.append(
                Notice(
                    "hidden_sheet",
                    _("Sheet %(sheet)s is hidden in Excel; it was read and imported.") % {"sheet": sheet},
                )
            )
        if notes["ignored_sheets"]:
            found.append(
                Notice(
                    "ignored_sheets",
                    _("Sheets not read (not roster tables, or empty): %(sheets)s.")
                    % {"sheets": ", ".join(notes["ignored_sheets"])},
                )
            )
        for column, count in notes["restored"].items():
            found.append(
                Notice(
                    "restored_identifier",
                    _(
                        "%(column)s: %(n)s identifier(s) stored as numbers were read with their leading zeros, from the "
                        "column's number format."
                    )
                    % {"column": column, "n": count},
                )
            )
        return found


def blank(value) -> bool:
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
    "zeros as wide as the identifier (e.g. 000000000000)."
)


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


def find_header(candidate_rows, table: str | None):
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


def header_error(table: str | None, sheet: str) -> RosterFileError:
    expected = "; ".join(f"{t}: {', '.join(REQUIRED[t])}" for t in ([table] if table else TABLES))
    return RosterFileError(
        _("Header row not found in the first %(n)s rows of %(sheet)s; expected the columns %(expected)s.")
        % {"n": HEADER_SEARCH_ROWS, "sheet": sheet, "expected": expected},
        code="header_not_found",
        sheet=sheet,
    )


def check_columns(columns, sheet):
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise RosterFileError(
            _("In %(sheet)s, the column(s) %(columns)s appear more than once.")
            % {"sheet": sheet, "columns": ", ".join(duplicated)},
            code="duplicate_column",
            sheet=sheet,
        )


def data_rows(columns, raw_rows, notes):
    """Clean rows from raw ``(line, values, cells)``; blank rows are layout, not data. Identifiers
    restored from a zero-padded number format are counted in ``notes["restored"]`` by column."""
    width = len(columns)
    for line, values, cells in raw_rows:
        row, problems = _row_of(columns, values, cells)
        # Cells are cleaned once, in _row_of; only a row with nothing in its named columns is looked at again.
        if not any(row.values()) and all(blank(v) for v in values):
            continue
        if not all(blank(v) for v in values[width:]):
            problems.append(
                CellProblem("", "extra_cells", _("This row has more cells than there are column headers."), "")
            )
        kept = []
        for problem in problems:
            if problem.code == "restored_identifier":
                notes["restored"][problem.column] = notes["restored"].get(problem.column, 0) + 1
            else:
                kept.append(problem)
        yield line, row, kept


def new_notes():
    return {
        "restored": {},
        "hidden_rows": {},
        "ignored_sheets": [],
        "hidden_sheets": [],
        "title_rows": {},
        "delimiter": None,
    }
