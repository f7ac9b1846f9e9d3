"""Benchmark: roster import of a province and of a full sheet, on MariaDB, next to reading the same
workbook with openpyxl's read-only mode (the floor: every cell read, nothing checked or written).

Run with `PYTHONPATH=. python tests/benchmarks/bench_roster.py [--educators N] [--big-rows M]`.
Each import runs in its own forked child, so the peak RSS printed is that import's alone.
- A province: 25,030 educators and 2,341 units (2 subject groups per school), one .xlsx workbook.
  Targets: at most 15 s and 300 MB.
- A full sheet: 1,048,575 educator rows (Excel's last row) of one school. Target: at most 300 MB peak.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from multiprocessing import get_context

os.environ.setdefault("TEMIS_VAR_DIR", tempfile.mkdtemp(prefix="temis-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["TEMIS_DB"] = "mysql"
os.environ["TEMIS_MYSQL_DB"] = os.environ.get("TEMIS_BENCH_ROSTER_DB", "temis_bench_roster")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

TARGETS = {"province_s": 15.0, "province_mb": 300.0, "big_mb": 300.0}
EXCEL_LAST_ROW = 1_048_576


def fresh_database():
    from MySQLdb import connect

    db = settings.DATABASES["default"]
    server = connect(host=db["HOST"], user=db["USER"], passwd=db["PASSWORD"])
    server.cursor().execute(f"DROP DATABASE IF EXISTS `{db['NAME']}`")
    server.cursor().execute(f"CREATE DATABASE `{db['NAME']}` CHARACTER SET utf8mb4")
    server.close()
    call_command("migrate", verbosity=0)


def _run_in_child(function, args, child_end):
    started = time.perf_counter()
    result = function(*args)
    child_end.send((result, time.perf_counter() - started, peak_rss_mb()))


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: the latter keeps, across exec, the
    peak of the forked process that started this one (the parent's pages)."""
    with open("/proc/self/status") as status:
        for text in status:
            if text.startswith("VmHWM:"):
                return int(text.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(function, *args):
    """Run ``function(*args)`` in a new Python process (spawned, not forked, so that none of this
    process's memory is counted); return (its result, seconds, its peak RSS in MB)."""
    connections.close_all()
    context = get_context("spawn")
    parent_end, child_end = context.Pipe()
    process = context.Process(target=_run_in_child, args=(function, args, child_end))
    process.start()
    result, seconds, rss = parent_end.recv()
    process.join()
    if process.exitcode:
        raise SystemExit(f"the child failed ({process.exitcode})")
    return result, seconds, rss


def read_with_openpyxl(path):
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    cells = sum(1 for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for _ in row)
    workbook.close()
    return cells


def import_file(path):
    from temis_plugin.roster import import_roster

    settings.TEMIS_ROSTER_MAX_BYTES = 1 << 30
    summary = import_roster(path)
    return {"created": summary.created, "updated": summary.updated}


def line(label, seconds, rss, rows, baseline=None, target=""):
    ratio = f"  {seconds / baseline:5.1f}x the read-only read" if baseline else ""
    print(f"{label:<44} {seconds:8.2f} s {rows / seconds:10,.0f} rows/s  peak {rss:6.0f} MB{ratio}  {target}")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--educators", type=int, default=25_030)
    parser.add_argument("--big-rows", type=int, default=EXCEL_LAST_ROW - 1)
    options = parser.parse_args(argv)
    from tests import roster_files as files

    fresh_database()
    workdir = tempfile.mkdtemp(prefix="temis-bench-roster-")
    # 750 schools of about 33 educators, 2 subject groups each, 90 communes: 2,341 units.
    tables = files.province(educators=options.educators, communes=90, per_school=33)
    province_path = os.path.join(workdir, "province.xlsx")
    with open(province_path, "wb") as handle:
        handle.write(files.xlsx(tables))
    rows = sum(len(t) - 1 for t in tables.values())
    print(
        f"Roster import on MariaDB: {len(tables['educators']) - 1:,} educators and {len(tables['units']) - 1:,} "
        f"units ({os.path.getsize(province_path) / 1e6:.1f} MB .xlsx)"
    )
    _cells, floor, floor_rss = in_child(read_with_openpyxl, province_path)
    line("openpyxl read-only, every cell (baseline)", floor, floor_rss, rows)
    summary, seconds, rss = in_child(import_file, province_path)
    assert summary["created"]["educators"] == options.educators, summary
    line(
        "import, first time (all created)",
        seconds,
        rss,
        rows,
        floor,
        f"target <= {TARGETS['province_s']:.0f} s, <= {TARGETS['province_mb']:.0f} MB",
    )
    summary, seconds, rss = in_child(import_file, province_path)
    assert summary["created"] == {} and summary["updated"] == {}, summary
    line("import again (nothing changes)", seconds, rss, rows, floor)

    big_path = os.path.join(workdir, "big.xlsx")
    started = time.perf_counter()
    files.big_educator_sheet(big_path, options.big_rows)
    print(
        f"\nA full sheet: {options.big_rows:,} educator rows ({os.path.getsize(big_path) / 1e6:.1f} MB .xlsx, "
        f"written in {time.perf_counter() - started:.0f} s)"
    )
    units = os.path.join(workdir, "big-units.xlsx")
    with open(units, "wb") as handle:
        handle.write(
            files.xlsx(
                {
                    "units": [
                        files.UNIT_HEADER,
                        ["BGD", "Bộ", "ministry", "", ""],
                        ["BIG-S", "Trường lớn", "school", "BGD", "THPT"],
                    ]
                }
            )
        )
    in_child(import_file, units)
    _cells, floor, floor_rss = in_child(read_with_openpyxl, big_path)
    line("openpyxl read-only, every cell (baseline)", floor, floor_rss, options.big_rows)
    summary, seconds, rss = in_child(import_file, big_path)
    assert summary["created"]["educators"] == options.big_rows, summary
    line(
        "import of the full sheet", seconds, rss, options.big_rows, floor, f"target <= {TARGETS['big_mb']:.0f} MB peak"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
