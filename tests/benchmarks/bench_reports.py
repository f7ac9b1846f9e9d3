"""Benchmark: reports and exports at national size, each next to a baseline measured in the same run.

Run with `make bench` (MariaDB). Builds, once, a national data set in the database TEMIS_BENCH_DB
(default temis_bench_national): 34 provinces, 3,321 communes, about 30,000 schools and 1,000,000
educators, each with a finalized evaluation of 15 (teachers) or 18 (principals) criterion levels.
A later run reuses it when it is complete.

Prints:
- the national and one province's aggregated report, against a naive per-educator ORM loop;
- the per-educator TEMIS .xlsx export (rows/s and peak RSS, each writer in its own process), against
  openpyxl's write-only mode fed the same rows from the database.
Targets (issue): national <= 15 s, province <= 2 s, export >= 10x openpyxl write-only, RSS <= 200 MB.
"""

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from multiprocessing import get_context

os.environ.setdefault("TEMIS_VAR_DIR", tempfile.mkdtemp(prefix="temis-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["TEMIS_DB"] = "mysql"
os.environ["TEMIS_MYSQL_DB"] = os.environ.get("TEMIS_BENCH_DB", "temis_bench_national")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

PROVINCES, COMMUNES, EDUCATORS = 34, 3321, 1_000_000
CYCLE = "BENCH-2025"
SHEETS = 20_000  # distinct level sheets per framework in the generated data
BUFFER_POOL = 2 * 1024**3
TARGETS = {"national_s": 15.0, "province_s": 2.0, "export_ratio": 10.0, "rss_mb": 200.0}


def ensure_database():
    from MySQLdb import connect

    db = settings.DATABASES["default"]
    server = connect(host=db["HOST"], user=db["USER"], passwd=db["PASSWORD"])
    cursor = server.cursor()
    cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{db['NAME']}` CHARACTER SET utf8mb4")
    # A national database is sized to hold its working set in memory; the server's 128 MB default
    # would measure the disk instead. (Resizing the buffer pool online needs MariaDB >= 10.2.)
    cursor.execute("SELECT @@innodb_buffer_pool_size")
    if cursor.fetchone()[0] < BUFFER_POOL:
        cursor.execute(f"SET GLOBAL innodb_buffer_pool_size = {BUFFER_POOL}")
    server.close()
    call_command("migrate", verbosity=0)


def build_dataset(educators: int, seed: int = 20251):
    """The national data set, built once (bulk inserts); returns the cycle."""
    from temis_plugin import standards
    from temis_plugin.models import Cycle, Evaluation, OrgUnit

    cycle = Cycle.objects.filter(code=CYCLE).first()
    if cycle and Evaluation.objects.filter(cycle=cycle).count() >= educators:
        return cycle
    print(f"Building the national data set ({educators:,} educators); later runs reuse it ...", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # A bulk load: no flush to disk at every statement's commit, no per-row key checks (the builder
        # makes the keys). Restored when the build is over.
        cursor.execute("SELECT @@innodb_flush_log_at_trx_commit")
        flush_setting = cursor.fetchone()[0]
        cursor.execute("SET GLOBAL innodb_flush_log_at_trx_commit = 2")
        cursor.execute("SET unique_checks=0")
        cursor.execute("SET FOREIGN_KEY_CHECKS=0")
        for table in (
            "temis_plugin_evaluation",
            "temis_plugin_educatorprofile",
            "temis_plugin_orgunit",
            "temis_plugin_cycle",
        ):
            cursor.execute(f"DELETE FROM {table}")
    rng = random.Random(seed)
    cycle = Cycle.objects.create(
        code=CYCLE,
        name="Năm học 2025-2026 (benchmark)",
        starts_on=datetime.date(2025, 9, 5),
        ends_on=datetime.date(2026, 5, 31),
        is_current=True,
    )
    # Units with explicit ids, so their materialized paths are known without a save per unit.
    units, next_id = [], 1
    ministry_id = next_id
    units.append(OrgUnit(id=ministry_id, code="BO", name="Bộ GD&ĐT", kind="ministry", path="/1/"))
    next_id += 1
    # Communes per province between 38 and 168 (Lai Châu ... TP.HCM), summing to 3,321.
    weights = [rng.uniform(38, 168) for _ in range(PROVINCES)]
    commune_counts = [max(38, int(COMMUNES * w / sum(weights))) for w in weights]
    commune_counts[0] += COMMUNES - sum(commune_counts)
    schools = []  # (id, path, level)
    for p in range(PROVINCES):
        province_id = next_id
        next_id += 1
        province_path = f"/1/{province_id}/"
        units.append(
            OrgUnit(
                id=province_id,
                code=f"P{p + 1:02d}",
                name=f"Tỉnh {p + 1:02d}",
                kind="province",
                parent_id=ministry_id,
                path=province_path,
            )
        )
        for c in range(commune_counts[p]):
            commune_id = next_id
            next_id += 1
            commune_path = f"{province_path}{commune_id}/"
            units.append(
                OrgUnit(
                    id=commune_id,
                    code=f"P{p + 1:02d}-X{c + 1:03d}",
                    name=f"Xã {c + 1:03d}",
                    kind="commune",
                    parent_id=province_id,
                    path=commune_path,
                )
            )
            for level in ("TH", "TH", "TH", "TH", "TH", "THCS", "THCS", "THCS", "THCS"):
                school_id = next_id
                next_id += 1
                schools.append((school_id, f"{commune_path}{school_id}/", level))
                units.append(
                    OrgUnit(
                        id=school_id,
                        code=f"S{school_id:06d}",
                        name=f"Trường {level} {school_id}",
                        kind="school",
                        parent_id=commune_id,
                        path=f"{commune_path}{school_id}/",
                        school_levels=level,
                    )
                )
        for _n in range(commune_counts[p] // 12 + 1):  # THPT schools hang under the province
            school_id = next_id
            next_id += 1
            schools.append((school_id, f"{province_path}{school_id}/", "THPT"))
            units.append(
                OrgUnit(
                    id=school_id,
                    code=f"S{school_id:06d}",
                    name=f"Trường THPT {school_id}",
                    kind="school",
                    parent_id=province_id,
                    path=f"{province_path}{school_id}/",
                    school_levels="THPT",
                )
            )
    OrgUnit.objects.bulk_create(units, batch_size=5000)
    print(f"  {len(units):,} units, {len(schools):,} schools", flush=True)

    # Educators and evaluations are generated by the server from MariaDB's sequence tables
    # (seq_1_to_N): a million rows in one statement each, instead of a million client round trips.
    # Level sheets come from a pool of distinct random sheets, each rated here by the real rules.
    teacher_fw, principal_fw = standards.get_framework("TT20-2018"), standards.get_framework("TT14-2018")

    def sheet(count):
        base = rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
        return "".join("CDKT"[min(3, max(0, base + rng.choice((-1, 0, 0, 0, 1))))] for _ in range(count))

    finalized_at = timezone.make_aware(datetime.datetime(2026, 5, 20, 10, 0))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_sheet")
        cursor.execute(
            "CREATE TABLE bench_sheet (kind CHAR(1), n INT, levels VARCHAR(32), rating VARCHAR(16), "
            "PRIMARY KEY (kind, n))"
        )
        for kind, framework in (("t", teacher_fw), ("p", principal_fw)):
            rows = []
            for n in range(SHEETS):
                packed = sheet(len(framework.criterion_numbers))
                rows.append(
                    (kind, n, packed, standards.evaluate(framework, standards.unpack_levels(packed)).result.value)
                )
            cursor.executemany("INSERT INTO bench_sheet VALUES (%s, %s, %s, %s)", rows)
        cursor.execute("DROP TABLE IF EXISTS bench_school")
        cursor.execute("CREATE TABLE bench_school (n INT PRIMARY KEY, id BIGINT, level VARCHAR(4))")
        cursor.executemany(
            "INSERT INTO bench_school VALUES (%s, %s, %s)",
            [(n, school_id, level) for n, (school_id, _path, level) in enumerate(schools)],
        )
        school_count = len(schools)
        # Educator i works at school floor((i-1) * S / N); the first of each school is its principal,
        # the second its vice-principal.
        cursor.execute(f"""
            INSERT INTO temis_plugin_educatorprofile (id, national_id, full_name, school_id, position, subject,
                school_level, level_start_date, position_since, is_core_teacher)
            SELECT q.seq, LPAD(q.seq, 12, '0'), CONCAT('Nhà giáo ', LPAD(q.seq, 7, '0')), s.id,
                   CASE WHEN q.first THEN 'principal' WHEN q.second THEN 'vice_principal' ELSE 'teacher' END,
                   'Toán', s.level, q.since, IF(q.first OR q.second, q.since, NULL), 0
            FROM (SELECT seq, FLOOR((CAST(seq AS SIGNED) - 1) * {school_count} / {educators}) AS school_n,
                         FLOOR((CAST(seq AS SIGNED) - 1) * {school_count} / {educators})
                           <> FLOOR((CAST(seq AS SIGNED) - 2) * {school_count} / {educators}) AS first,
                         FLOOR((CAST(seq AS SIGNED) - 1) * {school_count} / {educators})
                           <> FLOOR((CAST(seq AS SIGNED) - 3) * {school_count} / {educators})
                           AND FLOOR((CAST(seq AS SIGNED) - 1) * {school_count} / {educators})
                           = FLOOR((CAST(seq AS SIGNED) - 2) * {school_count} / {educators}) AS second,
                         MAKEDATE(2000 + MOD(seq, 25), 1 + MOD(seq, 360)) AS since
                  FROM seq_1_to_{educators}) q
            JOIN bench_school s ON s.n = q.school_n""")
        cursor.execute(
            f"""
            INSERT INTO temis_plugin_evaluation (educator_id, cycle_id, framework_code, school_id, school_level,
                framework_revision, legal_basis, state, version, self_levels, self_rating, strengths, improvements,
                plan_goals, plan_content, plan_timeline, plan_conditions, final_levels, final_rating, final_comment,
                finalized_at, submitted_at, created, modified)
            SELECT e.id, %s, IF(e.position = 'teacher', %s, %s), e.school_id, e.school_level,
                   IF(e.position = 'teacher', %s, %s), IF(e.position = 'teacher', %s, %s), 'finalized', 1,
                   b.levels, b.rating, '', '', '', '', '', '', b.levels, b.rating, '', %s, %s, %s, %s
            FROM temis_plugin_educatorprofile e
            JOIN bench_sheet b ON b.kind = IF(e.position = 'teacher', 't', 'p') AND b.n = MOD(e.id * 7919, {SHEETS})""",
            [
                cycle.pk,
                teacher_fw.code,
                principal_fw.code,
                teacher_fw.revision,
                principal_fw.revision,
                teacher_fw.legal_basis.citation(),
                principal_fw.legal_basis.citation(),
                finalized_at,
                finalized_at,
                finalized_at,
                finalized_at,
            ],
        )
        cursor.execute("DROP TABLE bench_sheet")
        cursor.execute("DROP TABLE bench_school")
    print(f"\n  built in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET FOREIGN_KEY_CHECKS=1")
        cursor.execute("SET unique_checks=1")
        cursor.execute(f"SET GLOBAL innodb_flush_log_at_trx_commit = {int(flush_setting)}")
        for table in ("temis_plugin_orgunit", "temis_plugin_educatorprofile", "temis_plugin_evaluation"):
            cursor.execute(f"ANALYZE TABLE {table}")
            cursor.fetchall()
    return cycle


def naive_aggregate(scope, cycle):
    """Baseline: load each evaluation through the ORM and count in Python (per-educator loop)."""
    from temis_plugin.models import Evaluation
    from temis_plugin.standards import unpack_levels

    ratings, criteria = defaultdict(int), defaultdict(int)
    queryset = Evaluation.objects.filter(cycle=cycle, state="finalized").select_related("educator", "school")
    if not scope.is_nation:
        queryset = queryset.filter(school__path__startswith=scope.path)
    last = 0
    while True:
        page = list(queryset.filter(pk__gt=last).order_by("pk")[:5000])
        if not page:
            break
        last = page[-1].pk
        for evaluation in page:
            unit = evaluation.school.path[: len(scope.path)] + evaluation.school.path[len(scope.path) :].split("/")[0]
            ratings[unit, evaluation.school_level, evaluation.final_rating] += 1
            for number, level in unpack_levels(evaluation.final_levels).items():
                criteria[unit, evaluation.framework_code, number, level] += 1
    return ratings, criteria


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def _export_child(writer_name, scope_code, queue):
    """In a fresh process: stream the TEMIS export rows from the database into one writer."""
    try:
        queue.put(_export_in_child(writer_name, scope_code))
    except BaseException as exc:  # the parent waits on the queue: always answer
        queue.put({"writer": writer_name, "error": f"{type(exc).__name__}: {exc}"})
        raise


def _export_in_child(writer_name, scope_code):
    from django.db import connections

    connections.close_all()
    from temis_plugin.models import Cycle, OrgUnit
    from temis_plugin.reports.scope import scope_of
    from temis_plugin.reports.temis_export import build_temis_export

    with translation.override("vi"):
        cycle = Cycle.objects.get(code=CYCLE)
        scope = scope_of(OrgUnit.objects.get(code=scope_code))
        report = build_temis_export("TT20-ket-qua-giao-vien", scope, cycle)
        table = report.tables[0]
        header = [column.label for column in table.columns]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            rows = _write(writer_name, table.key, header, table.iter_rows(), out)
            seconds = time.perf_counter() - started
            size = out.seek(0, os.SEEK_END)
            _check(out, rows, writer_name)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # The writer alone: the same rows, read from the database beforehand (after the RSS reading).
        fetched = list(build_temis_export("TT20-ket-qua-giao-vien", scope, cycle).tables[0].iter_rows())
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            _write(writer_name, table.key, header, iter(fetched), out)
            writer_seconds = time.perf_counter() - started
    return {
        "writer": writer_name,
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "writer_rows_per_s": len(fetched) / writer_seconds,
        "rss_mb": peak,
        "rss_before_mb": rss_before / 1024,
        "size_mb": size / 1e6,
        "problems": len(report.problems),
    }


def _write(writer_name, title, header, rows, out) -> int:
    if writer_name == "openpyxl write-only":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        count = 0
        for row in rows:
            sheet.append(row)
            count += 1
        workbook.save(out)
        return count
    from temis_plugin.reports.xlsx_stream import StreamingXlsxWriter

    with StreamingXlsxWriter(out) as writer:
        return writer.add_sheet(title, header, rows)


def _check(out, rows, writer_name):
    """The file reads back with openpyxl, with every row written (not timed)."""
    from openpyxl import load_workbook

    out.seek(0)
    read = sum(1 for _row in load_workbook(out, read_only=True).worksheets[0].iter_rows(min_row=2))
    assert read == rows, (writer_name, read, rows)


def measure_export(scope_code):
    context = get_context("fork")
    connection.close()
    results = []
    for writer in ("openpyxl write-only", "ours"):
        queue = context.Queue()
        child = context.Process(target=_export_child, args=(writer, scope_code, queue))
        child.start()
        result = queue.get()
        child.join()
        if "error" in result:
            raise RuntimeError(f"{writer}: {result['error']}")
        results.append(result)
    return results


def _buffer_pool_mb():
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@innodb_buffer_pool_size")
        return cursor.fetchone()[0] // 1024**2


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--educators", type=int, default=int(os.environ.get("TEMIS_BENCH_EDUCATORS", EDUCATORS)))
    args = parser.parse_args()
    ensure_database()
    cycle = build_dataset(args.educators)
    from temis_plugin.models import EducatorProfile, Evaluation, OrgUnit
    from temis_plugin.reports.registry import build_report
    from temis_plugin.reports.scope import scope_of, whole_country

    print(
        f"Data: {OrgUnit.objects.filter(kind='province').count()} provinces, "
        f"{OrgUnit.objects.filter(kind='commune').count():,} communes, "
        f"{OrgUnit.objects.filter(kind='school').count():,} schools, {EducatorProfile.objects.count():,} educators, "
        f"{Evaluation.objects.filter(cycle=cycle).count():,} evaluations (MariaDB {connection.mysql_server_info}, "
        f"buffer pool {_buffer_pool_mb()} MB)"
    )
    translation.activate("vi")
    nation = whole_country()
    largest = max(
        OrgUnit.objects.filter(kind="province"),
        key=lambda unit: OrgUnit.objects.filter(parent=unit, kind="commune").count(),
    )
    province = scope_of(largest)
    province_rows = Evaluation.objects.filter(cycle=cycle, school__path__startswith=province.path).count()

    def ours(scope):
        report = build_report("aggregate", scope, cycle)
        return sum(table.rows[-1][2] for table in report.tables if table.key.startswith("ratings_by_level"))

    ours(province)  # warm the buffer pool the same way for both
    national_s, national_count = timed(ours, nation)
    national_naive_s, (naive_ratings, _c) = timed(naive_aggregate, nation, cycle)
    assert national_count == sum(naive_ratings.values()), (national_count, sum(naive_ratings.values()))
    province_s, _ = timed(ours, province)
    province_naive_s, _ = timed(naive_aggregate, province, cycle)
    print()
    print(f"Aggregated report, national ({national_count:,} finalized evaluations):")
    print(f"  GROUP BY in the database   {national_s:8.2f} s")
    print(
        f"  naive per-educator ORM loop {national_naive_s:7.2f} s   -> {national_naive_s / national_s:5.1f}x faster"
        f"   target <= {TARGETS['national_s']:.0f} s: {verdict(national_s <= TARGETS['national_s'])}"
    )
    print(f"Aggregated report, one province ({province.name}, {province_rows:,} evaluations):")
    print(f"  GROUP BY in the database   {province_s:8.2f} s")
    print(
        f"  naive per-educator ORM loop {province_naive_s:7.2f} s   -> {province_naive_s / province_s:5.1f}x faster"
        f"   target <= {TARGETS['province_s']:.0f} s: {verdict(province_s <= TARGETS['province_s'])}"
    )

    baseline, ours_export = measure_export(largest.code)
    ratio = ours_export["rows_per_s"] / baseline["rows_per_s"]
    writer_ratio = ours_export["writer_rows_per_s"] / baseline["writer_rows_per_s"]
    print(f"Per-educator TEMIS .xlsx export, {province.name} ({ours_export['rows']:,} rows):")
    for result in (baseline, ours_export):
        print(
            f"  {result['writer']:20} streamed from the database {result['rows_per_s']:9,.0f} rows/s "
            f"({result['seconds']:6.2f} s, peak RSS {result['rss_mb']:6.1f} MB, file {result['size_mb']:4.1f} MB);"
            f"  writer alone {result['writer_rows_per_s']:9,.0f} rows/s"
        )
    print(
        f"  writer alone: {writer_ratio:.1f}x   target >= {TARGETS['export_ratio']:.0f}x: "
        f"{verdict(writer_ratio >= TARGETS['export_ratio'])}"
    )
    print(
        f"  end to end (the database read is the same for both): {ratio:.1f}x   target >= "
        f"{TARGETS['export_ratio']:.0f}x: {verdict(ratio >= TARGETS['export_ratio'])}"
    )
    print(
        f"  peak RSS <= {TARGETS['rss_mb']:.0f} MB: {verdict(ours_export['rss_mb'] <= TARGETS['rss_mb'])} "
        f"(the interpreter with Django loaded: {ours_export['rss_before_mb']:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
