"""A streaming .xlsx writer for exports too large for openpyxl (a national TEMIS list: ~1,000,000 rows).

Why not openpyxl: even in write-only mode it builds and serialises an object per cell. Measured with
``tests/benchmarks/bench_export.py`` (200,000 per-educator rows of 23 columns, openpyxl 3.1.5 with
lxml, two shared cores): openpyxl wrote 2,170 rows per CPU second, about eight minutes for a national
list; this writer 67,800 (31x; 33x by the wall clock), with a peak RSS of 54 MB, 58 MB for 1,200,000
rows. It streams rows into the zip member as SpreadsheetML text joined from cached cell fragments.

What it writes: rows of ``str``, ``int``, ``float``, ``Decimal``, ``bool``, ``datetime.date``,
``datetime.datetime`` and ``None`` (a blank cell); lines of text above the header (title, legal basis,
scope, data cut-off); a bold filled header row; frozen panes under it; an optional auto filter; column
widths. Text is always text (a value that starts with ``=`` is never a formula). A sheet that reaches
Excel's 1,048,576 rows continues on "<title> (2)", "(3)"..., with the lines above and the header
repeated, so no row is ever dropped.

It stays one module past the 400-line limit: it is one file format, written by one class whose cell
cache, sheet roll-over and zip parts share private state; split, those parts would only reach into
each other's internals.
"""

import datetime
import math
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from itertools import chain, islice
from typing import NamedTuple
from xml.sax.saxutils import escape as _escape_attr_text

from .formulas import FORMULA_PREFIXES

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
SHEET_TITLE_MAX_CHARS = 31

# Text is shared (written once in sharedStrings.xml, referenced by index) only when it is short and
# has been seen twice; the table and the set of strings seen once are both capped, so memory does not
# grow with the number of rows. Everything else is written inline in the cell.
SHARED_TEXT_MAX_CHARS = 64
SHARED_STRINGS_CAP = 65_536
SEEN_ONCE_CAP = 65_536
DATE_CACHE_CAP = 4_096

# A sheet also continues on the next one before its XML reaches 2 GiB: past that, the zip member needs
# Zip64 extensions, which Excel reads badly when a writer has to commit to them up front.
SHEET_XML_MAX_BYTES = 2**31 - 2**24

_CHUNK_ROWS = 1_000
_MAX_EXACT_INT = 2**53  # larger integers lose digits as Excel numbers; they are written as text

_STYLE_HEADER, _STYLE_DATE, _STYLE_DATETIME, _STYLE_QUOTED = 1, 2, 3, 4

_ILLEGAL_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads "_xHHHH_" in text as an escaped character; a literal one is protected by escaping its "_".
_EXCEL_ESCAPE_LOOKALIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\\x00-\x1f]")

_DATE_EPOCH = datetime.date(1899, 12, 30)
_DATETIME_EPOCH = datetime.datetime(1899, 12, 30)

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BLANK_CELL = "<c/>"


def _clean_text(text):
    """Text as a cell can hold it: no characters illegal in XML 1.0, at most Excel's cell length."""
    return _truncate(_ILLEGAL_XML_CHARS.sub("", text), EXCEL_MAX_CELL_CHARS)


def _truncate(text, limit):
    """``text`` cut to ``limit`` UTF-16 code units, the unit Excel counts (an emoji counts two)."""
    if len(text) * 2 <= limit:
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * limit:
        return text
    return units[: 2 * limit].decode("utf-16-le", "ignore")  # "ignore" drops half a surrogate pair


def _t_element(text):
    """``<t>`` with cleaned ``text`` escaped for XML and for Excel's own ``_xHHHH_`` escapes."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:  # an XML parser would turn a raw CR into LF
        text = text.replace("\r", "&#13;")
    if "_x" in text:
        text = _EXCEL_ESCAPE_LOOKALIKE.sub(r"_x005F_\1", text)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _excel_serial(value):
    """Days since Excel's 1900 epoch (with its phantom 29 February 1900), or None before 1900."""
    if value.year < 1900:
        return None
    if isinstance(value, datetime.datetime):  # an aware one keeps its own wall-clock time
        delta = value.replace(tzinfo=None) - _DATETIME_EPOCH
        serial = delta.days + (delta.seconds + delta.microseconds / 1_000_000) / 86_400
    else:
        serial = (value - _DATE_EPOCH).days
    if (value.year, value.month) < (1900, 3):
        serial -= 1
    return serial


def _column_letter(index):
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class StreamingXlsxWriter:
    """Write sheets of rows to ``fileobj`` (a seekable binary file, or a path) as one .xlsx workbook.

    Use as a context manager; the workbook is complete when the block ends. Memory stays bounded
    whatever the number of rows: rows are encoded and compressed in chunks as they arrive.
    """

    def __init__(self, fileobj, *, max_rows_per_sheet=EXCEL_MAX_ROWS):
        if not 2 <= max_rows_per_sheet <= EXCEL_MAX_ROWS:
            raise ValueError(f"max_rows_per_sheet must be between 2 and {EXCEL_MAX_ROWS}")
        self.max_rows_per_sheet = max_rows_per_sheet
        self._zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheets = []  # (name, filter database reference or None)
        self._taken_names = {"history"}  # Excel reserves "History"
        self._cells = _Cells()
        self._carry = []  # rows encoded for a sheet that ran out of bytes, written on the next one
        self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self.close()
        else:
            self._zip.close()  # release the file; the workbook is incomplete anyway
            self._closed = True

    @property
    def sheet_names(self):
        """Titles of the sheets written so far, in order (after cleaning and roll-over)."""
        return [name for name, _ in self._sheets]

    def add_sheet(
        self,
        title,
        header,
        rows,
        *,
        preamble=(),
        column_widths=None,
        autofilter=False,
        on_progress=None,
        progress_every=10_000,
    ):
        """Write ``rows`` under ``preamble`` lines and a ``header`` row; return how many rows were written.

        ``rows`` is any iterable of sequences of cell values, consumed once. ``column_widths`` is a
        sequence of widths in characters (``None`` keeps a column's default); without it, widths fit
        the header and the first rows. ``on_progress(rows_done)`` is called every ``progress_every``
        rows and once at the end; raise from it to abandon the export. A sheet that fills up
        (``max_rows_per_sheet`` rows, preamble and header included) continues on "<title> (2)", ...
        """
        if self._closed:
            raise ValueError("the workbook is already closed")
        if progress_every < 1:
            raise ValueError("progress_every must be at least 1")
        header = list(header)
        top = [(list(line), 0) for line in preamble] + ([(header, _STYLE_HEADER)] if header else [])
        capacity = self.max_rows_per_sheet - len(top)
        if capacity < 1:
            raise ValueError("the preamble and header leave no room for rows under max_rows_per_sheet")
        rows = iter(rows)
        if column_widths is None:
            sample = [tuple(row) for row in islice(rows, 200)]
            column_widths = self._fit_widths(header, sample)
            rows = chain(sample, rows)
        layout = _Layout(top, len(header) if autofilter else 0, column_widths)
        progress = _Progress(on_progress, progress_every)
        part = 1
        while True:
            part = self._free_part(title, part)
            full = self._write_sheet(self._part_name(title, part), layout, rows, capacity, progress)
            if not full:
                break
            if not self._carry:
                try:
                    rows = chain((next(rows),), rows)
                except StopIteration:
                    break
            part += 1
        progress.finish()
        return progress.done

    def close(self):
        """Write the workbook parts and finish the zip; the file object stays open."""
        if self._closed:
            return
        if not self._sheets:
            self._write_sheet("Sheet1", _Layout([], 0, ()), iter(()), 1, _Progress(None, 1))
        self._write_package_parts()
        self._zip.close()
        self._closed = True

    # -- sheets --------------------------------------------------------------------------------

    def _write_sheet(self, name, layout, rows, capacity, progress):
        """One worksheet part with up to ``capacity`` rows; returns whether the sheet filled up."""
        index, top = len(self._sheets) + 1, layout.top
        head = [
            _XML_DECL,
            f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheetViews><sheetView ',
            'tabSelected="1" ' if index == 1 else "",
            'workbookViewId="0">',
        ]
        if top:
            first = f"A{len(top) + 1}"
            head.append(
                f'<pane ySplit="{len(top)}" topLeftCell="{first}" activePane="bottomLeft" state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="{first}" sqref="{first}"/>'
            )
        head.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w:.2f}" customWidth="1"/>'
            for i, w in enumerate(layout.column_widths, 1)
            if w
        )
        if cols:
            head.append(f"<cols>{cols}</cols>")
        head.append("<sheetData>")
        head.extend(f"<row>{''.join(self._cells.cell(v, style) for v in line)}</row>" for line, style in top)
        written = 0
        with self._zip.open(f"xl/worksheets/sheet{index}.xml", "w") as stream:
            data = "".join(head).encode()
            stream.write(data)
            size = len(data)
            encoded, self._carry = self._carry, []
            while encoded or written < capacity:
                if not encoded:
                    encoded = self._encode_rows(rows, min(_CHUNK_ROWS, capacity - written, progress.until_next))
                    if not encoded:
                        break
                data = "".join(encoded).encode()
                if size + len(data) > SHEET_XML_MAX_BYTES:
                    # a row too big for any sheet is written anyway, and zipfile refuses it
                    fitting = self._fitting_rows(encoded, SHEET_XML_MAX_BYTES - size) or int(not written)
                    encoded, self._carry = encoded[:fitting], encoded[fitting:]
                    data = "".join(encoded).encode()
                stream.write(data)
                size += len(data)
                written += len(encoded)
                progress.advance(len(encoded))
                encoded = []
                if self._carry:
                    break
            full = written >= capacity or bool(self._carry)
            tail = ["</sheetData>"]
            reference = None
            if layout.filter_width and top:
                reference = f"$A${len(top)}:${_column_letter(layout.filter_width)}${len(top) + written}"
                tail.append(f'<autoFilter ref="{reference.replace("$", "")}"/>')
            tail.append(
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
            )
            stream.write("".join(tail).encode())
        self._sheets.append((name, reference))
        return full

    def _encode_rows(self, rows, count):
        """Up to ``count`` rows from ``rows`` as ``<row>`` elements (no ``r`` attributes: cells follow on)."""
        cell = self._cells.__getitem__  # a cached cell is found without running any Python code
        encoded = []
        append = encoded.append
        for row in islice(rows, count):
            try:
                append(f"<row>{''.join(map(cell, row))}</row>")
            except TypeError:  # an unhashable value, or a signalling NaN: no cache for this row
                append(f"<row>{''.join([self._cells.cell(v, 0) for v in row])}</row>")
        return encoded

    @staticmethod
    def _fitting_rows(encoded, room):
        """How many of the ``encoded`` rows fit in ``room`` bytes."""
        for count, row in enumerate(encoded):
            room -= len(row.encode())
            if room < 0:
                return count
        return len(encoded)

    # -- names and widths ----------------------------------------------------------------------

    @staticmethod
    def _fit_widths(header, sample):
        widths = [len(str(label)) for label in header]
        for row in sample:
            for i, value in enumerate(row):
                length = 10 if isinstance(value, datetime.date) else len(str(value)) if value is not None else 0
                if i >= len(widths):
                    widths.append(length)
                elif length > widths[i]:
                    widths[i] = length
        return [min(max(w * 1.1 + 2, 8), 60) for w in widths]

    @staticmethod
    def _clean_title(title):
        title = _SHEET_TITLE_ILLEGAL.sub("_", _ILLEGAL_XML_CHARS.sub("", str(title))).strip().strip("'")
        return title or "Sheet"

    def _part_name(self, title, part):
        suffix = f" ({part})" if part > 1 else ""
        base = _truncate(self._clean_title(title), SHEET_TITLE_MAX_CHARS - len(suffix)).rstrip().rstrip("'")
        return (base or "Sheet") + suffix

    def _free_part(self, title, part):
        """The first part number from ``part`` on whose sheet name is not taken; reserves it."""
        while self._part_name(title, part).lower() in self._taken_names:
            part += 1
        self._taken_names.add(self._part_name(title, part).lower())
        return part

    # -- package -------------------------------------------------------------------------------

    def _write_package_parts(self):
        count = len(self._sheets)
        sheets = "".join(
            f'<sheet name="{_escape_attr(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _) in enumerate(self._sheets, 1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{_escape_attr_text(_quote_sheet(name))}!{reference}</definedName>"
            for i, (name, reference) in enumerate(self._sheets)
            if reference
        )
        self._zip.writestr(
            "xl/workbook.xml",
            (
                f'{_XML_DECL}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews>'
                f"<sheets>{sheets}</sheets>{f'<definedNames>{names}</definedNames>' if names else ''}</workbook>"
            ),
        )
        relations = [(f"rId{i}", "worksheet", f"worksheets/sheet{i}.xml") for i in range(1, count + 1)]
        relations.append((f"rId{count + 1}", "styles", "styles.xml"))
        overrides = [(f"/xl/worksheets/sheet{i}.xml", "spreadsheetml.worksheet") for i in range(1, count + 1)]
        overrides += [("/xl/workbook.xml", "spreadsheetml.sheet.main"), ("/xl/styles.xml", "spreadsheetml.styles")]
        if self._cells.shared:
            relations.append((f"rId{count + 2}", "sharedStrings", "sharedStrings.xml"))
            overrides.append(("/xl/sharedStrings.xml", "spreadsheetml.sharedStrings"))
            with self._zip.open("xl/sharedStrings.xml", "w") as stream:
                stream.write(f'{_XML_DECL}<sst xmlns="{_MAIN_NS}" uniqueCount="{len(self._cells.shared)}">'.encode())
                for start in range(0, len(self._cells.shared), 10_000):
                    stream.write("".join(self._cells.shared[start : start + 10_000]).encode())
                stream.write(b"</sst>")
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            _relationships((rid, f"{_REL_NS}/{kind}", target) for rid, kind, target in relations),
        )
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.writestr("_rels/.rels", _relationships([("rId1", f"{_REL_NS}/officeDocument", "xl/workbook.xml")]))
        types = "".join(
            f'<Override PartName="{part}" ContentType="application/vnd.openxmlformats-officedocument.{kind}+xml"/>'
            for part, kind in overrides
        )
        self._zip.writestr(
            "[Content_Types].xml",
            (
                f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                f'<Default Extension="xml" ContentType="application/xml"/>{types}</Types>'
            ),
        )


class _Cells(dict):
    """Finished ``<c>`` elements by value, and the shared strings table they point into.

    Looking a value up encodes it when it is not there yet (``__missing__``); only shared text and
    dates are kept, within caps. ``cell(value, style)`` encodes any value, uncached.
    """

    def __init__(self):
        super().__init__({None: _BLANK_CELL, "": _BLANK_CELL})
        self.shared = []  # <si> elements, in index order
        self._seen_once = set()
        self._dates = 0

    def __missing__(self, value):
        kind = type(value)
        if kind is str:
            if len(value) <= SHARED_TEXT_MAX_CHARS and len(self.shared) < SHARED_STRINGS_CAP:
                seen = self._seen_once
                if value in seen or "_x" in value:  # readers differ on "_x" escapes in inline text
                    return self._share(value)
                if len(seen) >= SEEN_ONCE_CAP:
                    seen.clear()
                seen.add(value)
            # Plain text, the usual case, needs no cleaning, escaping or quote prefix.
            if (
                value
                and value.isprintable()
                and "&" not in value
                and "<" not in value
                and ">" not in value
                and "_x" not in value
                and value[0] not in " =+-@"
                and value[-1] != " "
                and len(value) * 2 <= EXCEL_MAX_CELL_CHARS
            ):
                return f'<c t="inlineStr"><is><t>{value}</t></is></c>'
            return self._inline(value, 0)
        if kind is int and -_MAX_EXACT_INT <= value <= _MAX_EXACT_INT:
            return f"<c><v>{value}</v></c>"
        if kind is datetime.date or kind is datetime.datetime:
            cell = self.cell(value, 0)
            if self._dates < DATE_CACHE_CAP:
                self[value] = cell
                self._dates += 1
            return cell
        if isinstance(value, str):  # a str subclass such as a choices label: cached as its plain text
            return self[str.__str__(value)]
        return self.cell(value, 0)

    def cell(self, value, style):
        """Any supported value as a ``<c>`` element; ``style`` 0 lets dates and formula-like text pick theirs."""
        if value is None:
            return f'<c s="{style}"/>' if style else _BLANK_CELL
        if isinstance(value, str):
            return self._inline(str.__str__(value), style)
        attr = f' s="{style}"' if style else ""
        if isinstance(value, bool):
            return f'<c t="b"{attr}><v>{int(value)}</v></c>'
        if isinstance(value, int):
            value = int(value)
            if -_MAX_EXACT_INT <= value <= _MAX_EXACT_INT:
                return f"<c{attr}><v>{value}</v></c>"
            return self._inline(str(value), style)
        if isinstance(value, (float, Decimal)):
            number = float(value) if not isinstance(value, Decimal) or value.is_finite() else None
            if number is not None and math.isfinite(number):  # a huge Decimal is infinite as a float
                return f"<c{attr}><v>{number!r}</v></c>"
            return self._inline(str(value), style)  # nan, inf: text, as Excel has no such numbers
        if isinstance(value, datetime.date):
            serial = _excel_serial(value)
            if serial is None:
                return self._inline(value.isoformat(), style)
            if not style:
                style = _STYLE_DATETIME if isinstance(value, datetime.datetime) else _STYLE_DATE
            return f'<c s="{style}"><v>{serial!r}</v></c>'
        raise TypeError(f"cannot write a {type(value).__name__} to a cell: {value!r}")

    def _share(self, text):
        """Put ``text`` in the shared strings table; its cell is cached from now on."""
        self._seen_once.discard(text)
        clean = _clean_text(text)
        if not clean:
            return _BLANK_CELL
        style = f' s="{_STYLE_QUOTED}"' if clean.startswith(FORMULA_PREFIXES) else ""
        cell = f'<c t="s"{style}><v>{len(self.shared)}</v></c>'
        self.shared.append(f"<si>{_t_element(clean)}</si>")
        self[text] = cell
        return cell

    @staticmethod
    def _inline(text, style):
        text = _clean_text(text)
        if not text:
            return f'<c s="{style}"/>' if style else _BLANK_CELL
        if not style and text.startswith(FORMULA_PREFIXES):
            style = _STYLE_QUOTED
        attr = f' s="{style}"' if style else ""
        return f'<c t="inlineStr"{attr}><is>{_t_element(text)}</is></c>'


class _Layout(NamedTuple):
    """What every part of one sheet repeats: lines above the rows (with their style), filter, widths."""

    top: list
    filter_width: int  # columns under the auto filter; 0 for none
    column_widths: Sequence


class _Progress:
    """Counts rows and calls ``on_progress`` at every multiple of ``every``."""

    def __init__(self, callback, every):
        self.callback, self.every, self.done, self.reported = callback, every, 0, 0

    @property
    def until_next(self):
        return self.every - self.done % self.every

    def advance(self, count):
        self.done += count
        if self.callback and self.done // self.every > self.reported // self.every:
            self.reported = self.done
            self.callback(self.done)

    def finish(self):
        if self.callback and self.done != self.reported:
            self.reported = self.done
            self.callback(self.done)


def _escape_attr(text):
    return _escape_attr_text(text, {'"': "&quot;"})


def _quote_sheet(name):
    return "'" + name.replace("'", "''") + "'"


def _relationships(relations):
    items = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in relations)
    return f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">{items}</Relationships>'


# Styles by index: 0 default, 1 header (bold on a light fill, wrapped), 2 date, 3 date and time,
# 4 text that looks like a formula (quote prefix, so editing the cell keeps it text).
_STYLES = (
    f'{_XML_DECL}<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">'
    '<alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
