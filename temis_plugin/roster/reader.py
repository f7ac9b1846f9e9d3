"""Opens a roster file as a stream of clean rows; knows file formats and layouts, not meanings.

Rows are read lazily, one at a time, so memory does not grow with the number of rows. What the rows
read into is in :mod:`.rows`; each format's reader is in :mod:`.xlsx_file` or :mod:`.csv_file`.
"""

import io
import os
from pathlib import Path

from django.utils.translation import gettext as _

from .csv_file import open_csv
from .rows import RosterFile, RosterFileError
from .xlsx_file import open_xlsx

XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (compound file)


def file_size(source) -> int:
    if isinstance(source, (str, Path)):
        return os.path.getsize(source)
    size = getattr(source, "size", None)
    if size is None:
        position = source.tell()
        size = source.seek(0, io.SEEK_END)
        source.seek(position)
    return size


def open_roster(
    source, filename: str | None = None, table: str | None = None, max_bytes: int | None = None
) -> RosterFile:
    """Open a roster (path or binary file object). Raises RosterFileError when it cannot be read."""
    name = filename or getattr(source, "name", None) or str(source)
    suffix = Path(name).suffix.lower()
    if max_bytes and file_size(source) > max_bytes:
        raise RosterFileError(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}, code="too_large"
        )
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
        raise RosterFileError(
            _(
                "This is an Excel 97-2003 workbook (.xls). Open it in Excel and save it as "
                "Excel Workbook (.xlsx), then import that file."
            ),
            code="xls",
        )
    if suffix == ".xlsx" or (suffix == ".csv" and head.startswith(XLSX_SIGNATURE)):
        if suffix == ".csv":
            raise RosterFileError(
                _(
                    "This file is an Excel workbook (.xlsx) with a .csv name. Rename it to .xlsx, "
                    "or save it from Excel as CSV UTF-8."
                ),
                code="renamed_xlsx",
            )
        return open_xlsx(stream, table)
    if suffix == ".csv":
        return open_csv(stream, table)
    raise RosterFileError(_("Roster files must be .xlsx or .csv."), code="file_type")
