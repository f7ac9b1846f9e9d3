"""Benchmark: per-educator .xlsx export, openpyxl's write-only mode against our streaming writer.

Run with `PYTHONPATH=. python tests/benchmarks/bench_export.py [--rows N] [--openpyxl-rows M]`; with
M < N openpyxl is timed on the first M rows only (for runs of a million rows). Each writer runs in its
own forked child on the same deterministic rows (STT, national id, name, school code, school name,
school level, 15 criterion levels, overall rating, date), so the peak RSS reported is that writer's alone.
Targets: ours writes at least 10x openpyxl's rows/s with a peak RSS of at most 200 MB.
:func:`measure_writer` takes any rows factory, so a database-backed bench can reuse it.
"""

import argparse
import datetime
import multiprocessing
import os
import random
import re
import resource
import sys
import tempfile
import time
import traceback
import zipfile

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from temis_plugin.reports.xlsx_stream import StreamingXlsxWriter

TARGET_RATIO = 10
TARGET_RSS_MB = 200
SAMPLE_ROWS = 1_000

LEVELS = ("Tốt", "Khá", "Đạt", "Chưa đạt")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Ngọc", "Quang", "Thu", "Xuân")
GIVEN = (
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Nhung",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vân",
    "Yến",
)
NAMED_AFTER = (
    "Nguyễn Du",
    "Lê Lợi",
    "Trần Phú",
    "Kim Đồng",
    "Võ Thị Sáu",
    "Chu Văn An",
    "Lý Tự Trọng",
    "Quang Trung",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lê Quý Đôn",
    "Phan Bội Châu",
)
SCHOOL_LEVELS = (("TH", "Tiểu học"), ("THCS", "Trung học cơ sở"), ("THPT", "Trung học phổ thông"))
TEACHERS_PER_SCHOOL = 25


def educator_rows(count, criteria=15):
    """``count`` deterministic rows of a national export, grouped by school as the query returns them."""
    # Criterion results: a fixed pool of 997 patterns, about 35% Tốt, 40% Khá, 20% Đạt, 5% Chưa đạt.
    draw = random.Random(2018)
    patterns = [tuple(draw.choices(LEVELS, weights=(35, 40, 20, 5), k=criteria)) for _ in range(997)]
    # Overall: the level that two thirds of the criteria reach or pass.
    overall = [LEVELS[sorted(map(LEVELS.index, pattern))[-(-2 * criteria // 3) - 1]] for pattern in patterns]
    cut_off = datetime.date(2025, 5, 31)
    dates = [cut_off - datetime.timedelta(days=d) for d in range(45)]
    school = None
    for i in range(count):
        school_number = i // TEACHERS_PER_SCHOOL
        if i % TEACHERS_PER_SCHOOL == 0:
            province = 1 + school_number % 63
            code, level = SCHOOL_LEVELS[school_number % 3]
            school = (
                f"{province:02d}{code}{school_number:05d}",
                f"Trường {code} {NAMED_AFTER[school_number % 12]} - xã số {school_number // 12 % 500 + 1}",
                level,
            )
        national_id = f"{1 + i % 96:03d}{i % 4}{60 + i % 40:02d}{i % 1_000_000:06d}"  # unique to 3,000,000
        mixed = i * 2654435761 % 2**32  # spreads consecutive rows over the 126,000 names
        name = " ".join(
            (FAMILY[mixed % 14], MIDDLE[(mixed >> 4) % 10], GIVEN[(mixed >> 8) % 30], GIVEN[(mixed >> 16) % 30])
        )
        pattern = (i * 7919) % 997
        yield (i + 1, national_id, name, *school, *patterns[pattern], overall[pattern], dates[i * 11 % 45])


def export_title_lines(rows):
    return [
        ["KẾT QUẢ ĐÁNH GIÁ GIÁO VIÊN THEO CHUẨN NGHỀ NGHIỆP"],
        ["Căn cứ: Thông tư 20/2018/TT-BGDĐT", None, "Phạm vi: toàn quốc", None, f"Số dòng: {rows}"],
        ["Dữ liệu chốt đến ngày: 31/05/2025"],
    ]


def export_header(criteria=15):
    return [
        "STT",
        "Số định danh",
        "Họ và tên",
        "Mã trường",
        "Tên trường",
        "Cấp học",
        *(f"Tiêu chí {c}" for c in range(1, criteria + 1)),
        "Xếp loại chung",
        "Ngày đánh giá",
    ]


def write_ours(path, rows, preamble, header):
    with open(path, "wb") as target, StreamingXlsxWriter(target) as writer:
        return writer.add_sheet("Kết quả đánh giá", header, rows, preamble=preamble, autofilter=True)


def write_openpyxl(path, rows, preamble, header):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Kết quả đánh giá")
    sheet.freeze_panes = f"A{len(preamble) + 2}"
    for line in preamble:
        sheet.append(line)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="D9E1F2")
    cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font, cell.fill = bold, fill
        cells.append(cell)
    sheet.append(cells)
    written = 0
    for row in rows:
        sheet.append(row)
        written += 1
    workbook.save(path)
    return written


def drain(path, rows):
    """The rows' own cost: the generator (or cursor) with nothing written."""
    return sum(1 for _ in rows)


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _child(connection, write_fn, rows_factory, path):
    try:
        baseline = _peak_rss_mb()
        started, cpu_started = time.perf_counter(), time.process_time()
        written = write_fn(path, rows_factory())
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        connection.send(
            {
                "rows": written,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "baseline_rss_mb": baseline,
                "peak_rss_mb": _peak_rss_mb(),
            }
        )
    except BaseException:  # noqa: B036 - reported to the parent, which raises
        connection.send({"error": traceback.format_exc()})
    finally:
        connection.close()


def measure_writer(name, write_fn, rows_factory, path=None):
    """Time ``write_fn(path, rows_factory())`` in a forked child; return its figures as a dict.

    The child's ``ru_maxrss`` starts at the forked interpreter's size (``baseline_rss_mb``) and
    ``peak_rss_mb`` is its absolute peak, so each writer's memory is measured on its own.
    """
    if path is None:
        handle, path = tempfile.mkstemp(prefix="temis-export-", suffix=".xlsx")
        os.close(handle)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, write_fn, rows_factory, path))
    child.start()
    sender.close()
    result = receiver.recv()
    child.join()
    if "error" in result:
        raise RuntimeError(f"{name} failed in its child process:\n{result['error']}")
    result.update(
        name=name,
        path=path,
        file_bytes=os.path.getsize(path),
        rows_per_s=result["rows"] / result["seconds"] if result["seconds"] else float("inf"),
    )
    return result


def _expected_cell(value):
    return datetime.datetime.combine(value, datetime.time()) if type(value) is datetime.date else value


def check_sample(path, expected_rows, top, count):
    """The first rows read back by openpyxl equal the rows written; every row is in the file."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    sheet = workbook.worksheets[0]
    got = sheet.iter_rows(min_row=top + 1, max_row=top + len(expected_rows), values_only=True)
    for number, (expected, actual) in enumerate(zip(expected_rows, got), top + 1):
        expected = tuple(_expected_cell(v) for v in expected)
        if tuple(actual[: len(expected)]) != expected:
            raise AssertionError(f"{path}: row {number} reads back as {actual}, expected {expected}")
    workbook.close()
    rows_in_file = 0
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", member):
                with archive.open(member) as stream:
                    tail = b""
                    while chunk := stream.read(1 << 20):
                        rows_in_file += (tail + chunk).count(b"<row") - tail.count(b"<row")
                        tail = chunk[-4:]
                rows_in_file -= top
    if rows_in_file != count:
        raise AssertionError(f"{path}: {rows_in_file} data rows in the file, expected {count}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--openpyxl-rows", type=int, help="time openpyxl on the first N rows only (default: all)")
    parser.add_argument("--criteria", type=int, choices=(15, 18), default=15)
    parser.add_argument("--keep", action="store_true", help="keep the .xlsx files and print their paths")
    args = parser.parse_args(argv)
    count, criteria = args.rows, args.criteria
    preamble, header = export_title_lines(count), export_header(criteria)
    top = len(preamble) + 1
    openpyxl_count = min(args.openpyxl_rows or count, count)

    generator = measure_writer("rows alone", drain, lambda: educator_rows(count, criteria))
    os.unlink(generator["path"])
    results = [
        measure_writer(
            "openpyxl write-only",
            lambda p, r: write_openpyxl(p, r, preamble, header),
            lambda: educator_rows(openpyxl_count, criteria),
        ),
        measure_writer(
            "streaming writer", lambda p, r: write_ours(p, r, preamble, header), lambda: educator_rows(count, criteria)
        ),
    ]
    sample = list(educator_rows(min(count, SAMPLE_ROWS), criteria))
    for result, expected_count in zip(results, (openpyxl_count, count)):
        if result["rows"] != expected_count:
            raise AssertionError(f"{result['name']} wrote {result['rows']} rows, expected {expected_count}")
        check_sample(result["path"], sample, top, expected_count)

    theirs, ours = results
    ratio = ours["rows_per_s"] / theirs["rows_per_s"]
    cpu_ratio = (ours["rows"] / ours["cpu_seconds"]) / (theirs["rows"] / theirs["cpu_seconds"])
    print(
        f"xlsx export benchmark ({count:,} rows x {len(header)} columns"
        f"{f', openpyxl on the first {openpyxl_count:,}' if openpyxl_count < count else ''}, "
        f"openpyxl {openpyxl.__version__}"
        f"{' with lxml' if openpyxl.LXML else ''}, Python {sys.version.split()[0]}, {os.cpu_count()} cores)"
    )
    print(
        f"  rows alone          : {generator['rows_per_s']:10,.0f} rows/s   (the generator's own cost, "
        f"included in both figures below)"
    )
    for result in results:
        print(
            f"  {result['name']:<20}: {result['rows_per_s']:10,.0f} rows/s   {result['seconds']:7.2f} s "
            f"({result['cpu_seconds']:6.2f} s CPU)   "
            f"peak RSS {result['peak_rss_mb']:6.1f} MB (baseline {result['baseline_rss_mb']:5.1f} MB)   "
            f"file {result['file_bytes'] / 1e6:6.1f} MB"
        )
    print(
        f"  ratio               : {ratio:10.1f} x openpyxl   "
        f"{'PASS' if ratio >= TARGET_RATIO else 'FAIL'} (target >= {TARGET_RATIO} x; "
        f"{cpu_ratio:.1f} x in CPU time)"
    )
    print(
        f"  memory              : {ours['peak_rss_mb']:10.1f} MB peak   "
        f"{'PASS' if ours['peak_rss_mb'] <= TARGET_RSS_MB else 'FAIL'} (target <= {TARGET_RSS_MB} MB)"
    )
    print(f"  checked             : first {len(sample):,} rows of each file read back with openpyxl, every row present")
    for result in results:
        if args.keep:
            print(f"  kept                : {result['path']}")
        else:
            os.unlink(result["path"])
    return 0 if ratio >= TARGET_RATIO and ours["peak_rss_mb"] <= TARGET_RSS_MB else 1


if __name__ == "__main__":
    sys.exit(main())
