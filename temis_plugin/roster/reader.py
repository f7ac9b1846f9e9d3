"""Reads roster files into named tables of rows; knows file formats, not meanings."""
import csv
import io
import unicodedata
import zipfile
from pathlib import Path

from openpyxl import load_workbook

# Tables a roster can hold, with the headers that identify a CSV file as that table.
TABLES = ("units", "educators", "mentor_groups")
IDENTIFYING_HEADER = {"units": "kind", "educators": "national_id", "mentor_groups": "group_code"}

# Headers as Vietnamese offices write them, mapped to the canonical names.
HEADER_ALIASES = {
    "ma": "code", "ma don vi": "code", "ten": "name", "ten don vi": "name", "loai": "kind",
    "loai don vi": "kind", "ma don vi cap tren": "parent_code", "cap hoc": "school_levels",
    "ma dinh danh": "national_id", "ho va ten": "full_name", "ho ten": "full_name",
    "ten dang nhap": "username", "ma truong": "school_code", "ma to chuyen mon": "subject_group_code",
    "chuc vu": "position", "mon day": "subject", "cap day": "school_level",
    "ngay bat dau day o cap hoc": "level_start_date", "ngay giu chuc vu": "position_since",
    "ngay bo nhiem": "position_since", "cot can": "is_core_teacher",
    "giao vien cot can": "is_core_teacher", "chu ky": "cycle", "nam hoc": "cycle", "ma nhom": "group_code",
    "ten nhom": "group_name", "ma dinh danh cot can": "mentor_national_id",
    "ma dinh danh thanh vien": "member_national_id",
}
SHEET_ALIASES = {"don vi": "units", "giao vien": "educators", "nha giao": "educators",
                 "nhom cot can": "mentor_groups", "nhom ho tro": "mentor_groups"}


class RosterFileError(ValueError):
    """The file cannot be read at all (format, encoding, unknown layout)."""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", str(text).strip().lower().replace("đ", "d"))
    folded = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(folded.replace("_", " ").split())


def canonical_header(header) -> str:
    if header is None:
        return ""
    folded = _fold(header)
    return HEADER_ALIASES.get(folded, folded.replace(" ", "_"))


def _canonical_sheet(name: str) -> str | None:
    folded = _fold(name)
    key = folded.replace(" ", "_")
    return key if key in TABLES else SHEET_ALIASES.get(folded)


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "date") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(header_row, data_rows, first_line=2):
    headers = [canonical_header(h) for h in header_row]
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicated:
        raise RosterFileError(f"column(s) {', '.join(duplicated)} appear more than once")
    rows = []
    for line, values in enumerate(data_rows, start=first_line):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue  # blank lines are layout, not data
        extra = [c for c in cells[len(headers):] if c]
        if extra:
            raise RosterFileError(f"line {line} has more cells than there are column headers")
        rows.append((line, {h: v for h, v in zip(headers, cells) if h}))
    return headers, rows


def read_roster(path_or_file, filename: str | None = None, table: str | None = None,
                max_bytes: int | None = None) -> dict[str, list]:
    """Return ``{table: [(line_number, {column: text})]}`` for every table found in the file."""
    name = filename or getattr(path_or_file, "name", None) or str(path_or_file)
    suffix = Path(name).suffix.lower()
    if isinstance(path_or_file, (str, Path)):
        with open(path_or_file, "rb") as handle:
            data = handle.read(max_bytes + 1 if max_bytes else -1)
    else:
        data = path_or_file.read(max_bytes + 1 if max_bytes else -1)
    if max_bytes and len(data) > max_bytes:
        raise RosterFileError(f"the file is larger than the limit of {max_bytes // (1024 * 1024)} MB")
    if suffix == ".xlsx":
        return _read_xlsx(data)
    if suffix == ".csv":
        return _read_csv(data, table)
    raise RosterFileError("roster files must be .xlsx or .csv")


def _read_xlsx(data: bytes) -> dict[str, list]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterFileError(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    tables = {}
    try:
        for sheet in workbook.worksheets:
            table = _canonical_sheet(sheet.title)
            if table is None:
                raise RosterFileError(
                    f"sheet {sheet.title!r} is not one of: {', '.join(TABLES)}")
            values = sheet.iter_rows(values_only=True)
            header_row = next(values, None)
            if header_row is None:
                continue
            _headers, rows = _rows(header_row, values)
            tables[table] = rows
    finally:
        workbook.close()
    if not tables:
        raise RosterFileError("the workbook has no roster sheets with data")
    return tables


def _read_csv(data: bytes, table: str | None) -> dict[str, list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError("CSV files must be saved as UTF-8 (in Excel: CSV UTF-8)") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header_row = next(reader, None)
    if not header_row:
        raise RosterFileError("the CSV file is empty")
    headers, rows = _rows(header_row, reader)
    if table is None:
        matches = [t for t, h in IDENTIFYING_HEADER.items() if h in headers]
        if len(matches) != 1:
            raise RosterFileError("cannot tell which roster table this CSV holds; its columns must include "
                                  "kind (units), national_id (educators) or group_code (mentor groups)")
        table = matches[0]
    elif table not in TABLES:
        raise RosterFileError(f"unknown roster table {table!r}")
    return {table: rows}
