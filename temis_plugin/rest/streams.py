"""Reports as HTTP responses: JSON and CSV streamed row by row, the stamp in headers, file names without personal data.

Per-educator tables are produced while the response is sent, so memory does not grow with the rows.
"""

import codecs
import csv
import io
import json
import re
import tempfile
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation

from ..reports.tables import Report, Table
from ..reports.writers import CONTENT_TYPES, json_value, write_csv_rows, write_report

ROWS_PER_CHUNK = 500
# A whole-report CSV is written as the file writer writes it: in memory up to this size, then on disk.
SPOOL_MAX_BYTES = 8 * 1024 * 1024
# Response headers that carry the stamp; non-ASCII text in them is UTF-8, percent-encoded.
STAMP_HEADERS = (
    "Temis-Report",
    "Temis-Cycle",
    "Temis-Scope",
    "Temis-Scope-Name",
    "Temis-Frameworks",
    "Temis-Legal-Basis",
    "Temis-Cut-Off",
    "Temis-Generated-At",
)


class ChangedWhileSending(RuntimeError):
    """A TEMIS export found a problem while being sent: the response is cut off rather than completed."""


def validate_rows(report: Report):
    """Produce every row once, so that a TEMIS export's problems are known before anything is sent."""
    for table in report.tables:
        for _row in table.iter_rows():
            pass


def json_response(report: Report, tables: list[Table]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _in_language(_json_chunks(report, tables, _guard(report))), content_type="application/json"
    )
    return _stamped(response, report, download_name(report, "json"), inline=True)


def csv_table_response(report: Report, table: Table) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _in_language(_csv_chunks(table, _guard(report))), content_type=CONTENT_TYPES["csv"]
    )
    return _stamped(response, report, download_name(report, "csv", table.key))


def csv_report_response(report: Report) -> FileResponse:
    """The whole report exactly as the CSV file of a report run: stamp lines, then each table."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)
    write_report(report, "csv", spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=CONTENT_TYPES["csv"])
    return _stamped(response, report, download_name(report, "csv"))


def download_name(report: Report, extension: str, table_key: str = "") -> str:
    """Report, table, cycle, scope code and cut-off: codes only, never a person's name or identifier."""
    stamp = report.stamp
    parts = [
        stamp.report.removeprefix("temis:"),
        table_key,
        stamp.cycle_code,
        stamp.scope_code or "VN",
        f"{timezone.localtime(stamp.cut_off):%Y%m%d-%H%M}",
    ]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(part for part in parts if part)) + f".{extension}"


def _stamped(response, report: Report, filename: str, inline: bool = False):
    stamp = report.stamp
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Temis-Report"] = _header_text(stamp.report)
    response["Temis-Cycle"] = _header_text(stamp.cycle_code)
    response["Temis-Scope"] = _header_text(stamp.scope_code)
    response["Temis-Scope-Name"] = _header_text(stamp.scope_name)
    response["Temis-Frameworks"] = ", ".join(
        f"{_header_text(code)};revision={revision}" for code, revision, _basis in stamp.frameworks
    )
    response["Temis-Legal-Basis"] = ", ".join(_header_text(basis) for _code, _revision, basis in stamp.frameworks)
    response["Temis-Cut-Off"] = stamp.cut_off.isoformat()
    response["Temis-Generated-At"] = stamp.generated_at.isoformat()
    response["Access-Control-Expose-Headers"] = ", ".join(("Content-Disposition", *STAMP_HEADERS))
    response["Cache-Control"] = "private, no-store"
    return response


def _header_text(text: str) -> str:
    # Header values are Latin-1 on the wire; Vietnamese names and citations travel percent-encoded.
    return quote(text, safe=" -_.()/:@+")


def _guard(report: Report):
    """A check run after each table: problems the rows found while being sent stop the response."""
    known = len(report.problems)

    def check():
        if len(report.problems) > known:
            raise ChangedWhileSending("the export found problems while it was sent")

    return check


def _in_language(chunks):
    # Rows are produced after the view returned: keep the language of the request for their labels.
    language = translation.get_language()

    def produce():
        with translation.override(language):
            yield from chunks

    return produce()


def _dumps(value) -> bytes:
    return json.dumps(value, default=json_value, ensure_ascii=False).encode()


def _json_chunks(report: Report, tables: list[Table], check):
    yield (
        b'{"stamp": ' + _dumps(report.stamp.as_dict()) + b', "problems": ' + _dumps(report.problems) + b', "tables": ['
    )
    for index, table in enumerate(tables):
        head = {
            "key": table.key,
            "title": table.title,
            "note": table.note,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind.value} for c in table.columns],
        }
        yield (b", " if index else b"") + _dumps(head)[:-1] + b', "rows": ['
        chunk, count = [], 0
        for row in table.iter_rows():
            chunk.append((b", " if count else b"") + _dumps(list(row)))
            count += 1
            if len(chunk) >= ROWS_PER_CHUNK:
                yield b"".join(chunk)
                chunk = []
        check()
        yield b"".join(chunk) + b"]}"
    yield b"]}"


def _csv_chunks(table: Table, check):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.label for column in table.columns])
    # The byte-order mark lets spreadsheet programs read the file as UTF-8, as the file writer does.
    yield codecs.BOM_UTF8 + _drain(buffer)
    rows = []
    for row in table.iter_rows():
        rows.append(row)
        if len(rows) >= ROWS_PER_CHUNK:
            yield _csv_batch(writer, buffer, table, rows)
            rows = []
    check()
    yield _csv_batch(writer, buffer, table, rows)


def _csv_batch(writer, buffer, table: Table, rows: list) -> bytes:
    # The file writer's row writer (no formulas in cells), over a batch of the streamed rows.
    write_csv_rows(writer, Table(table.key, table.title, table.columns, rows))
    return _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()
