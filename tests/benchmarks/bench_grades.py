"""Benchmark: backfilling a 25,000-row instructor grade report into MariaDB, next to a baseline
measured in the same run.

Run with `make bench`. Builds, once, in the database TEMIS_BENCH_GRADES_DB (default
temis_bench_grades) 25,000 Open edX accounts with educator profiles and a course mapped to a module
(pass mark 0.5); a later run reuses them. Writes a grade report shaped like the LMS's
(tests/grade_reports.py): 25,000 rows, honor, audit and verified tracks, a few learners who
attempted nothing and a few unknown usernames.

Prints, each on an empty results table:
- `temis_backfill_grades`' path (parse, then one transaction of bulk reads and writes);
- the baseline: the same rows written one by one through the per-learner API
  (``api.backfill_module_result``: one transaction and a few statements per learner, as every
  row was written before);
- the same report imported again (nothing changes), by our path.
Both paths must leave the same results; the run stops if they do not. Target (issue): <= 20 s.
"""

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TEMIS_VAR_DIR", tempfile.mkdtemp(prefix="temis-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["TEMIS_DB"] = "mysql"
os.environ["TEMIS_MYSQL_DB"] = os.environ.get("TEMIS_BENCH_GRADES_DB", "temis_bench_grades")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

ROWS = 25_000
COURSE = "course-v1:SoGD-Bench+GVPT09+2026"
REPORT_AT = datetime.datetime(2026, 11, 20, 1, 30, tzinfo=datetime.UTC)
TARGET_S = 20.0


def ensure_database():
    from MySQLdb import connect

    db = settings.DATABASES["default"]
    server = connect(host=db["HOST"], user=db["USER"], passwd=db["PASSWORD"])
    server.cursor().execute(f"CREATE DATABASE IF NOT EXISTS `{db['NAME']}` CHARACTER SET utf8mb4")
    server.close()
    call_command("migrate", verbosity=0)


def build_people(count: int):
    """``count`` accounts gv000001 … with educator profiles in one school, and the mapped course."""
    from django.contrib.auth import get_user_model

    from temis_plugin.models import CourseModule, EducatorProfile, OrgUnit, TrainingModule

    User = get_user_model()
    module, _created = TrainingModule.objects.get_or_create(
        code="GVPT-09", defaults={"name_vi": "Mô đun 9", "audience": "teacher", "hours": 40}
    )
    CourseModule.objects.update_or_create(course_key=COURSE, defaults={"module": module, "pass_mark": "0.5"})
    if EducatorProfile.objects.filter(user__username__startswith="gv").count() >= count:
        return
    print(f"Building {count:,} accounts with educator profiles; later runs reuse them ...", flush=True)
    units = {}
    for code, kind, parent in (
        ("BO", "ministry", None),
        ("P01", "province", "BO"),
        ("X001", "commune", "P01"),
        ("S0001", "school", "X001"),
    ):
        units[code], _created = OrgUnit.objects.get_or_create(
            code=code,
            defaults={
                "name": code,
                "kind": kind,
                "parent": units.get(parent),
                "school_levels": "TH" if kind == "school" else "",
            },
        )
    EducatorProfile.objects.all().delete()
    User.objects.filter(username__startswith="gv").delete()
    User.objects.bulk_create(
        [User(username=f"gv{n:06d}", email=f"gv{n:06d}@example.invalid", password="!") for n in range(1, count + 1)],
        batch_size=5000,
    )
    users = User.objects.filter(username__startswith="gv").values_list("pk", "username")
    EducatorProfile.objects.bulk_create(
        [
            EducatorProfile(
                user_id=pk,
                national_id=f"BENCH{pk:08d}",
                full_name=f"Giáo viên {username}",
                school=units["S0001"],
                position="teacher",
                school_level="TH",
            )
            for pk, username in users
        ],
        batch_size=5000,
    )


def write_report(folder: Path, count: int, seed: int = 2026) -> Path:
    from tests.grade_reports import Layout, Learner, report_file_name, report_rows, to_bytes

    rng = random.Random(seed)
    layout = Layout()
    learners = []
    for n in range(1, count + 1):
        attempted = rng.random() > 0.03
        subsections = tuple(
            round(rng.random(), 2) if attempted and rng.random() > 0.1 else None
            for _s in range(layout.subsection_count)
        )
        grade = round(sum(s or 0 for s in subsections) / len(subsections), 2) if attempted else 0.0
        track = rng.choices(["honor", "audit", "verified"], weights=(70, 10, 20))[0]
        username = f"gv{n:06d}" if rng.random() > 0.01 else f"khach{n:06d}"
        learners.append(
            Learner(
                user_id=n + 1,
                username=username,
                email=f"{username}@example.invalid",
                grade=grade,
                subsections=subsections,
                track=track,
                eligible="Y" if track == "verified" and grade >= 0.5 else "N",
            )
        )
    path = folder / report_file_name(COURSE, REPORT_AT)
    path.write_bytes(to_bytes(report_rows(layout, learners)))
    return path


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def per_row_baseline(path):
    """The rows written one by one, each in its own transaction, through the per-learner API."""
    from temis_plugin import api
    from temis_plugin.grades_backfill import parse_grade_report

    for row in parse_grade_report(path):
        if not row.not_attempted:
            api.backfill_module_result(row.username, COURSE, row.percent, row.passed, REPORT_AT)


def stored_results():
    from temis_plugin.models import ModuleResult

    return sorted(
        ModuleResult.objects.values_list(
            "educator_id", "percent", "passed", "passed_on", "grade_event_at", "passing_event_at"
        )
    )


def empty_results():
    from temis_plugin.models import ModuleResult

    ModuleResult.objects.all()._raw_delete(ModuleResult.objects.db)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=int(os.environ.get("TEMIS_BENCH_GRADE_ROWS", ROWS)))
    args = parser.parse_args()
    ensure_database()
    build_people(args.rows)
    from temis_plugin.grades_backfill import backfill_report, parse_grade_report

    with tempfile.TemporaryDirectory() as folder:
        path = write_report(Path(folder), args.rows)
        parse_s, rows = timed(parse_grade_report, path)
        size_mb = path.stat().st_size / 1024**2
        print(f"Grade report: {len(rows):,} rows, {size_mb:.1f} MB (MariaDB {connection.mysql_server_info})")

        empty_results()
        baseline_s, _ = timed(per_row_baseline, path)
        baseline_state = stored_results()

        empty_results()
        ours_s, summary = timed(backfill_report, path)
        if stored_results() != baseline_state:
            print("The two paths left different results: no numbers are worth printing.")
            return 1
        again_s, again = timed(backfill_report, path)
    counts = dict(summary.counts)
    print(f"  outcome: {counts}; pass status {dict(summary.passing)}")
    print(f"  parse alone                                   {parse_s:7.2f} s")
    print(
        f"  temis_backfill_grades (one transaction, bulk) {ours_s:7.2f} s  {len(rows) / ours_s:9,.0f} rows/s"
        f"   target <= {TARGET_S:.0f} s: {'PASS' if ours_s <= TARGET_S else 'FAIL'}"
    )
    print(
        f"  baseline: per-learner API, row by row         {baseline_s:7.2f} s  {len(rows) / baseline_s:9,.0f} rows/s"
        f"   -> {baseline_s / ours_s:5.1f}x faster"
    )
    print(f"  the same report again (unchanged: {again.counts['unchanged']:,})      {again_s:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
