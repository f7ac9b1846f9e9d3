"""Roster files shaped like the ones offices really make, generated deterministically for the tests
and the benchmarks: Excel workbooks with text or numeric identifier columns, title rows, hidden rows
and extra sheets; CSV as Excel writes it (quotes doubled, semicolons, UTF-16 "Unicode Text"); and
damaged files (truncated zips, broken sheet XML, workbooks renamed .csv).
"""

import csv
import io
import random
import unicodedata
import zipfile

from openpyxl import Workbook

UNIT_HEADER = ["code", "name", "kind", "parent_code", "school_levels"]
EDUCATOR_HEADER = [
    "national_id",
    "full_name",
    "username",
    "school_code",
    "subject_group_code",
    "position",
    "subject",
    "school_level",
    "level_start_date",
    "is_core_teacher",
]
MENTOR_HEADER = ["cycle", "group_code", "group_name", "mentor_national_id", "member_national_id"]
# The same headers as a Sở writes them in Vietnamese.
UNIT_HEADER_VI = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên", "Cấp học"]
EDUCATOR_HEADER_VI = [
    "Mã định danh",
    "Họ và tên",
    "Tên đăng nhập",
    "Mã trường",
    "Mã tổ chuyên môn",
    "Chức vụ",
    "Môn dạy",
    "Cấp dạy",
    "Ngày bắt đầu dạy ở cấp học",
    "Giáo viên cốt cán",
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Thị", "Văn", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hương",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phương",
    "Quân",
    "Thảo",
    "Trang",
    "Tuấn",
    "Việt",
    "Yến",
]
SUBJECTS = ["Toán", "Ngữ văn", "Tiếng Anh", "Khoa học tự nhiên", "Lịch sử và Địa lí", "Tin học"]


def national_id(rng: random.Random) -> str:
    """A CCCD-shaped identifier: 12 digits, province code first, often starting with 0."""
    return f"0{rng.randint(1, 96):02d}{rng.randint(0, 999_999_999):09d}"


def province(educators: int = 300, communes: int = 12, seed: int = 7, per_school: int = 12) -> dict[str, list[list]]:
    """A province's roster as rows (header first) per table: communes, schools with two subject groups
    each, ``per_school`` educators per school, one principal per school and a few core teachers."""
    rng = random.Random(seed)
    units = [
        UNIT_HEADER,
        ["BGD", "Bộ Giáo dục và Đào tạo", "ministry", "", ""],
        ["T79", "Sở Giáo dục và Đào tạo Tỉnh Mẫu", "province", "BGD", ""],
    ]
    schools = max(1, educators // per_school)
    for c in range(communes):
        units.append([f"T79-X{c:03d}", f"Xã Mẫu {c + 1}", "commune", "T79", ""])
    school_rows = []
    for s in range(schools):
        level = ("TH", "THCS", "THPT")[s % 3]
        parent = "T79" if level == "THPT" else f"T79-X{s % communes:03d}"
        code = f"T79-S{s:04d}"
        school_rows.append((code, level))
        units.append([code, f"Trường {('Tiểu học', 'THCS', 'THPT')[s % 3]} Mẫu {s + 1}", "school", parent, level])
        for g, name in ((1, "Tổ Tự nhiên"), (2, "Tổ Xã hội")):
            units.append([f"{code}-G{g}", name, "subject_group", code, ""])
    people, seen = [EDUCATOR_HEADER], set()
    for e in range(educators):
        code, level = school_rows[e % schools]
        while (nid := national_id(rng)) in seen:
            pass
        seen.add(nid)
        position = "principal" if e < schools else "teacher"
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        people.append(
            [
                nid,
                name,
                "",
                code,
                f"{code}-G{1 + e % 2}" if position == "teacher" else "",
                position,
                rng.choice(SUBJECTS),
                level,
                f"{rng.randint(1995, 2022)}-09-05",
                "x" if position == "teacher" and e % 25 == 0 else "",
            ]
        )
    return {"units": units, "educators": people}


def xlsx(
    tables: dict[str, list[list]],
    *,
    sheet_names: dict | None = None,
    numeric_ids: str | None = None,
    title_rows: int = 0,
    hidden_rows: tuple = (),
    extra_sheets: tuple = (),
    hidden_sheet: str | None = None,
) -> bytes:
    """A workbook with one sheet per table.

    ``numeric_ids``: None keeps identifiers as text (a column formatted as Text); "general" stores the
    national identifiers as numbers as Excel does when the column is General (leading zeros lost);
    "padded" stores them as numbers in a column formatted 000000000000 (zeros shown, width known).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table, rows in tables.items():
        sheet = workbook.create_sheet((sheet_names or {}).get(table, table))
        for t in range(title_rows):
            sheet.append([f"DANH SÁCH {table.upper()} — dòng tiêu đề {t + 1}"])
        for index, row in enumerate(rows):
            sheet.append(row)
            if index and numeric_ids and table == "educators":
                cell = sheet.cell(row=sheet.max_row, column=1)
                cell.value = int(row[0])
                if numeric_ids == "padded":
                    cell.number_format = "0" * 12
        for number in hidden_rows:
            sheet.row_dimensions[number + title_rows].hidden = True
        if hidden_sheet == table:
            sheet.sheet_state = "hidden"
    for name in extra_sheets:
        workbook.create_sheet(name).append(["Hướng dẫn: điền danh sách vào các trang tính units, educators."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, delimiter: str = ",", encoding: str = "utf-8-sig", sep_line: bool = False) -> bytes:
    """CSV as Excel writes it: every field quoted when needed, quotes doubled, CRLF line ends."""
    buffer = io.StringIO()
    if sep_line:
        buffer.write(f"sep={delimiter}\r\n")
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def truncated(data: bytes, fraction: float = 0.6) -> bytes:
    return data[: int(len(data) * fraction)]


def broken_sheet_xml(data: bytes) -> bytes:
    """The same workbook with its first sheet's XML cut in the middle of a row."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(item, content)
    return out.getvalue()


def big_educator_sheet(path, rows: int, seed: int = 11):
    """A one-sheet workbook of ``rows`` educators of one school, written in streaming mode (for the
    memory benchmark): the school must exist beforehand."""
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("educators")
    sheet.append(EDUCATOR_HEADER)
    for number in range(rows):
        sheet.append(
            [
                f"{number:012d}",
                f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "",
                "BIG-S",
                "",
                "teacher",
                rng.choice(SUBJECTS),
                "THPT",
                "2010-09-05",
                "",
            ]
        )
    workbook.save(path)
