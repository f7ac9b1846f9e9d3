"""Reads one roster table from a CSV file: its encoding, its separator, and the header below any title lines."""

import codecs
import csv
import io

from django.utils.translation import gettext as _

from .columns import TABLES
from .rows import (
    HEADER_SEARCH_ROWS,
    RosterFile,
    RosterFileError,
    Table,
    check_columns,
    data_rows,
    find_header,
    header_error,
    new_notes,
)

CSV_DELIMITERS = (",", ";", "\t")


def _not_utf8() -> RosterFileError:
    return RosterFileError(_("CSV files must be saved as UTF-8 (in Excel: Save As → CSV UTF-8)."), code="encoding")


def open_csv(stream, wanted: str | None) -> RosterFile:
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
        raise RosterFileError(
            _("This is not a text file. Save the roster from Excel as CSV UTF-8 or .xlsx."), code="file_type"
        )
    notes = new_notes()
    skip = 0
    forced = None
    if first_lines and first_lines[0].strip().lower().startswith("sep=") and len(first_lines[0].strip()) == 5:
        forced, skip = first_lines[0].strip()[4], 1  # Excel's own "sep=;" line
    if not any(line.strip() for line in first_lines):
        raise RosterFileError(_("The CSV file is empty."), code="empty")
    found = _csv_header(first_lines[skip:], wanted, [forced] if forced else CSV_DELIMITERS)
    if found is None:
        raise header_error(wanted, wanted or "CSV")
    index, columns, table, delimiter = found
    check_columns(columns, table)
    notes["delimiter"] = delimiter
    if index:
        notes["title_rows"][table] = index
    text.seek(0)
    return RosterFile(
        {
            table: Table(
                table,
                table,
                skip + index + 1,
                columns,
                0,
                _rows=_csv_rows(text, delimiter, skip + index + 1, columns, notes),
            )
        },
        notes,
        close=lambda: None,
    )


def _csv_header(lines, wanted, delimiters):
    """The header line and the separator that splits it into a roster's columns."""
    for index, line in enumerate(lines[:HEADER_SEARCH_ROWS]):
        for delimiter in delimiters:
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                continue
            found = find_header([cells], wanted)
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
                yield from data_rows(columns, [(reader.line_num, values, None)], notes)
        except UnicodeDecodeError:
            raise _not_utf8() from None
        except csv.Error as exc:
            raise RosterFileError(
                _("The CSV file cannot be read near line %(line)s: %(reason)s.")
                % {"line": reader.line_num, "reason": exc},
                code="csv",
            ) from None

    return rows
