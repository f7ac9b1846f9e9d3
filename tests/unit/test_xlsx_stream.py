"""The streaming .xlsx writer: what openpyxl reads back from its files."""

import datetime
import enum
import io
import re
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temis_plugin.reports import xlsx_stream
from temis_plugin.reports.xlsx_stream import StreamingXlsxWriter

HEADER = ["STT", "Họ và tên", "Tiêu chí 1", "Ngày đánh giá"]
PREAMBLE = [["KẾT QUẢ ĐÁNH GIÁ GIÁO VIÊN"], ["Căn cứ: Thông tư 20/2018/TT-BGDĐT", None, "Phạm vi: toàn quốc"]]
ILLEGAL_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write(*sheets, max_rows_per_sheet=xlsx_stream.EXCEL_MAX_ROWS):
    """Each sheet as (title, header, rows, options); returns the workbook bytes and the writer."""
    target = io.BytesIO()
    with StreamingXlsxWriter(target, max_rows_per_sheet=max_rows_per_sheet) as writer:
        for title, header, rows, options in sheets:
            writer.add_sheet(title, header, rows, **options)
    return target.getvalue(), writer


def load(data, **options):
    return openpyxl.load_workbook(io.BytesIO(data), **options)


def values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def one_sheet(rows, header=("A", "B"), **options):
    data, _ = write(("Sheet", list(header), rows, options))
    return load(data).worksheets[0]


def test_values_keep_their_types():
    rows = [
        (1, "Nguyễn Thị Thu Hương", "Tốt", datetime.date(2025, 5, 31)),
        (2, "Trần Văn Đức", "Chưa đạt", datetime.datetime(2025, 6, 1, 14, 30, 5)),
        (3.25, Decimal("4.5"), True, None),
        (-7, 2**60, False, ""),
    ]
    sheet = one_sheet(rows, HEADER)
    assert values(sheet)[1:] == [
        [1, "Nguyễn Thị Thu Hương", "Tốt", datetime.datetime(2025, 5, 31)],
        [2, "Trần Văn Đức", "Chưa đạt", datetime.datetime(2025, 6, 1, 14, 30, 5)],
        [3.25, 4.5, True, None],
        [-7, str(2**60), False, None],  # past 2**53 an Excel number would lose digits, so it is text
    ]
    assert sheet["D2"].is_date and sheet["D2"].number_format == "dd/mm/yyyy"
    assert sheet["D3"].number_format == "dd/mm/yyyy hh:mm:ss"


def test_repeated_text_reads_back_the_same_whether_shared_or_inline():
    levels = ["Tốt", "Khá", "Đạt", "Chưa đạt"]
    rows = [(levels[i % 4], f"GV-{i:06d}") for i in range(300)]
    data, writer = write(("Sheet", ["Mức", "Mã"], rows, {}))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        shared = archive.read("xl/sharedStrings.xml").decode()
    assert shared.count("<si>") == 4  # only the repeated levels are shared; the unique codes are inline
    assert values(load(data).worksheets[0])[1:] == [list(row) for row in rows]
    assert values(load(data, read_only=True).worksheets[0])[1:] == [list(row) for row in rows]


def test_preamble_above_a_bold_filled_header_with_panes_frozen_under_it():
    data, _ = write(("Kết quả", HEADER, [(1, "A", "Tốt", None)], {"preamble": PREAMBLE, "autofilter": True}))
    sheet = load(data).worksheets[0]
    assert values(sheet)[:3] == [
        ["KẾT QUẢ ĐÁNH GIÁ GIÁO VIÊN", None, None, None],
        ["Căn cứ: Thông tư 20/2018/TT-BGDĐT", None, "Phạm vi: toàn quốc", None],
        HEADER,
    ]
    assert sheet.freeze_panes == "A4"
    assert all(cell.font.b for cell in sheet[3])
    assert all(cell.fill.fill_type == "solid" for cell in sheet[3])
    assert not sheet["A4"].font.b
    assert sheet.auto_filter.ref == "A3:D4"


def test_column_widths_given_or_fitted_to_the_header_and_first_rows():
    sheet = one_sheet([("x", "y")], ("A", "B"), column_widths=[12, None])
    assert sheet.column_dimensions["A"].width == 12
    assert "B" not in sheet.column_dimensions or sheet.column_dimensions["B"].width != 12
    fitted = one_sheet([("Trường THCS Nguyễn Du - xã số 1", "y")], ("Tên trường", "B"))
    assert fitted.column_dimensions["A"].width > fitted.column_dimensions["B"].width >= 8


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<&>\"'", "<&>\"'"),
        ("a]]>b", "a]]>b"),
        ("bell\x07 nul\x00 esc\x1b", "bell nul esc"),
        ("dòng 1\r\ndòng 2\tcột", "dòng 1\r\ndòng 2\tcột"),
        ("  khoảng trắng  ", "  khoảng trắng  "),
        ("\ud800lone surrogate\uffff", "lone surrogate"),
        ("_x0041_ stays as typed", "_x0041_ stays as typed"),
        ("\x01\x02", None),
    ],
)
def test_xml_hostile_text_is_escaped_or_stripped(text, expected):
    once = one_sheet([(text, 1)])
    twice = one_sheet([(text, 1), (text, 2)])  # the second time it is a shared string
    assert once["A2"].value == expected
    assert twice["A2"].value == twice["A3"].value == expected


def test_text_longer_than_a_cell_holds_is_cut_at_excels_limit():
    sheet = one_sheet([("a" * 40_000, "😀" * 20_000)])
    assert len(sheet["A2"].value) == 32_767
    assert sheet["B2"].value == "😀" * 16_383  # Excel counts UTF-16 units: two per emoji


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+84 912 345 678", "-1", "@cmd", '=HYPERLINK("x")'])
def test_text_that_looks_like_a_formula_stays_text(text):
    data, _ = write(("Sheet", ["A"], [(text,), (text,), (text,)], {}))
    sheet = load(data).worksheets[0]
    for cell in (sheet["A2"], sheet["A3"], sheet["A4"]):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_full_sheets_continue_on_numbered_sheets_with_preamble_and_header():
    rows = [(i, f"Giáo viên {i}") for i in range(1, 9)]
    data, writer = write(("Danh sách", ["STT", "Họ tên"], rows, {"preamble": [["Tiêu đề"]]}), max_rows_per_sheet=5)
    book = load(data)
    assert book.sheetnames == writer.sheet_names == ["Danh sách", "Danh sách (2)", "Danh sách (3)"]
    found = []
    for sheet in book.worksheets:
        lines = values(sheet)
        assert lines[:2] == [["Tiêu đề", None], ["STT", "Họ tên"]]
        assert sheet.freeze_panes == "A3"
        assert len(lines) <= 5
        found += [tuple(line) for line in lines[2:]]
    assert found == rows


def test_a_sheet_filled_exactly_has_no_empty_continuation():
    data, writer = write(("Data", ["A"], [(i,) for i in range(8)], {}), max_rows_per_sheet=5)
    assert writer.sheet_names == ["Data", "Data (2)"]
    assert [values(sheet)[1:] for sheet in load(data).worksheets] == [[[0], [1], [2], [3]], [[4], [5], [6], [7]]]


def test_sheet_titles_are_cleaned_shortened_and_unique():
    title = "Kết quả: giáo viên [tỉnh/thành] * toàn quốc?"
    _, writer = write(
        (title, ["A"], [(i,) for i in range(5)], {}),
        (title, ["A"], [(1,)], {}),
        ("History", ["A"], [], {}),
        max_rows_per_sheet=3,
    )
    names = writer.sheet_names
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)
    assert len({name.lower() for name in names}) == len(names) == 5
    assert names[0] == "Kết quả_ giáo viên _tỉnh_thành_"
    assert [name[-4:] for name in names[1:4]] == [" (2)", " (3)", " (4)"]  # the second sheet of that title: (4)
    assert names[4] == "History (2)"  # Excel reserves "History"


def test_a_sheet_continues_before_its_xml_needs_zip64(monkeypatch):
    monkeypatch.setattr(xlsx_stream, "SHEET_XML_MAX_BYTES", 4_000)
    rows = [(i, "x" * 100 + str(i)) for i in range(100)]
    data, writer = write(("Data", ["A", "B"], rows, {}))
    assert len(writer.sheet_names) > 2
    book = load(data)
    assert [tuple(row) for sheet in book.worksheets for row in values(sheet)[1:]] == rows
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [info for info in archive.infolist() if "worksheets" in info.filename]
    assert all(info.file_size <= 4_000 + 200 for info in sheets)  # the limit is for rows; the tail follows


def test_empty_rows_and_an_empty_workbook_still_open():
    data, writer = write(("Trống", HEADER, iter(()), {"preamble": PREAMBLE}))
    assert values(load(data).worksheets[0]) == [PREAMBLE[0] + [None] * 3, PREAMBLE[1] + [None], HEADER]
    target = io.BytesIO()
    with StreamingXlsxWriter(target):
        pass
    assert load(target.getvalue()).sheetnames == ["Sheet1"]


def test_progress_every_n_rows_and_at_the_end():
    seen = []
    data, _ = write(
        ("Data", ["A"], ([i] for i in range(10)), {"on_progress": seen.append, "progress_every": 3}),
        max_rows_per_sheet=5,
    )
    assert seen == [3, 6, 9, 10]


def test_shared_strings_table_and_seen_once_set_stay_within_their_caps(monkeypatch):
    monkeypatch.setattr(xlsx_stream, "SHARED_STRINGS_CAP", 3)
    monkeypatch.setattr(xlsx_stream, "SEEN_ONCE_CAP", 50)
    monkeypatch.setattr(xlsx_stream, "DATE_CACHE_CAP", 2)
    day = datetime.date(2025, 1, 1)
    rows = [(f"v{i % 7}", f"u{i}", day + datetime.timedelta(days=i % 4)) for i in range(60)]
    target = io.BytesIO()
    with StreamingXlsxWriter(target) as writer:
        writer.add_sheet("Data", ["A", "B", "C"], rows)
        cells = writer._cells
        assert len(cells.shared) == 3 and len(cells._seen_once) <= 50
        assert len(cells) <= 2 + 3 + 2  # None and "" (blank), three shared texts, two dates
    got = values(load(target.getvalue()).worksheets[0])[1:]
    assert got == [[a, b, datetime.datetime.combine(c, datetime.time())] for a, b, c in rows]


def test_odd_values_are_written_as_text_or_refused():
    class Level(enum.StrEnum):
        GOOD = "Tốt"

    rows = [
        (
            Level.GOOD,
            float("nan"),
            float("inf"),
            Decimal("sNaN"),
            datetime.date(1899, 12, 31),
            datetime.date(1900, 1, 1),
            datetime.date(1900, 3, 1),
        )
    ]
    assert values(one_sheet(rows, "ABCDEFG"))[1] == [
        "Tốt",
        "nan",
        "inf",
        "sNaN",
        "1899-12-31",
        datetime.datetime(1900, 1, 1),
        datetime.datetime(1900, 3, 1),
    ]
    for unsupported in (b"bytes", [1, 2], object()):
        with pytest.raises(TypeError, match="cannot write"):
            one_sheet([(unsupported,)])


def test_package_parts_are_well_formed_and_declared():
    data, _ = write(("Một", HEADER, [(1, "Tốt", "Tốt", None)], {"autofilter": True}), ("Hai", ["A"], [], {}))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        for name in names:
            ElementTree.fromstring(archive.read(name))
        content_types = archive.read("[Content_Types].xml").decode()
        workbook = archive.read("xl/workbook.xml").decode()
        assert all(not info.extra for info in archive.infolist())  # no Zip64 records
    for part in names - {"[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"}:
        assert f'PartName="/{part}"' in content_types
    assert "_xlnm._FilterDatabase" in workbook and "&apos;" not in workbook


def test_the_file_object_stays_open_and_can_be_a_path(tmp_path):
    path = tmp_path / "export.xlsx"
    with StreamingXlsxWriter(path) as writer:
        writer.add_sheet("Data", ["A"], [(1,)])
    assert values(openpyxl.load_workbook(path).worksheets[0]) == [["A"], [1]]
    with open(path, "wb") as target:
        with StreamingXlsxWriter(target) as writer:
            writer.add_sheet("Data", ["A"], [(1,)])
        assert not target.closed


text_cells = st.text(max_size=30)
int_cells = st.integers(min_value=-(2**53), max_value=2**53)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(text_cells, int_cells), min_size=1, max_size=6), max_size=12))
def test_any_rows_of_text_and_integers_round_trip(rows):
    def expected(value):
        if isinstance(value, str):
            return ILLEGAL_IN_XML.sub("", value) or None
        return value

    width = max((len(row) for row in rows), default=1)
    wanted = [[expected(v) for v in row] + [None] * (width - len(row)) for row in rows]
    data, _ = write(("Data", ["h"] * width, rows + rows[:3], {}))  # repeated rows exercise shared text
    for read_only in (False, True):  # read-only rows stop at their last cell: pad them
        got = values(load(data, read_only=read_only).worksheets[0])[1:]
        assert [(row + [None] * width)[:width] for row in got] == wanted + wanted[:3]
