"""Reports: the numbers (against a plain recount), scopes, cut-off, eligibility, TEMIS exports, files."""

import csv
import datetime
import hashlib
import io
import json
import os
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from openpyxl import load_workbook

from temis_plugin import standards
from temis_plugin.errors import NotAllowed, NotFound
from temis_plugin.models import EducatorProfile, Evaluation, ModuleResult, OrgUnit, ReportRun, RoleAssignment
from temis_plugin.reports import runs
from temis_plugin.reports.queries import PackedLevelCounts
from temis_plugin.reports.registry import build_report
from temis_plugin.reports.scope import resolve_scope, scope_of, whole_country
from temis_plugin.reports.temis_export import build_temis_export
from temis_plugin.reports.writers import write_report

CUT_OFF = timezone.make_aware(datetime.datetime(2027, 6, 1, 12, 0))
LEVELS = "CDKT"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def finalized(educator, cycle, packed, *, at=None, school=None, framework="TT20-2018"):
    fw = standards.get_framework(framework)
    rating = standards.evaluate(fw, standards.unpack_levels(packed)).result.value
    return Evaluation.objects.create(
        educator=educator,
        cycle=cycle,
        framework_code=framework,
        framework_revision=fw.revision,
        legal_basis=fw.legal_basis.citation(),
        school=school or educator.school,
        school_level=educator.school_level,
        state="finalized",
        self_levels=packed,
        self_rating=rating,
        final_levels=packed,
        final_rating=rating,
        finalized_at=at or CUT_OFF - datetime.timedelta(days=10),
        submitted_at=CUT_OFF - datetime.timedelta(days=20),
    )


@pytest.fixture
def population(school_tree, cycle):
    """60 teachers in three schools of two communes, with seeded random final levels; 5 drafts."""
    rng = random.Random(7)
    s3 = OrgUnit.objects.create(code="S3", name="S3", kind="school", parent=school_tree["X2"], school_levels="THCS")
    schools = [school_tree["S1"], school_tree["S2"], s3]
    evaluations = []
    for number in range(65):
        school = schools[number % 3]
        educator = EducatorProfile.objects.create(
            national_id=f"N{number:04d}",
            full_name=f"Teacher {number:02d}",
            school=school,
            position="teacher",
            school_level="THCS" if school is s3 or number % 2 else "TH",
        )
        if number >= 60:
            Evaluation.objects.create(
                educator=educator,
                cycle=cycle,
                framework_code="TT20-2018",
                framework_revision=1,
                legal_basis="x",
                school=school,
                school_level=educator.school_level,
            )
            continue
        base = rng.choice((1, 2, 2, 3))
        packed = "".join(LEVELS[min(3, max(0, base + rng.choice((-1, 0, 0, 1))))] for _ in range(15))
        evaluations.append(finalized(educator, cycle, packed))
    return {"schools": schools, "evaluations": evaluations}


def recount(evaluations, unit_of):
    ratings, by_level, levels = Counter(), Counter(), Counter()
    for evaluation in evaluations:
        unit = unit_of(evaluation)
        ratings[unit, evaluation.final_rating] += 1
        by_level[evaluation.school_level, evaluation.final_rating] += 1
        for number, char in enumerate(evaluation.final_levels, start=1):
            levels[unit, number, char] += 1
            levels["*", number, char] += 1
    return ratings, by_level, levels


def test_aggregate_matches_a_plain_recount(population, school_tree, cycle):
    report = build_report(
        "aggregate", scope_of(school_tree["P1"]), cycle, framework_codes=["TT20-2018"], cut_off=CUT_OFF
    )
    ratings, by_school_level, levels = recount(population["evaluations"], lambda e: e.school.parent.code)

    by_unit = {row[0]: row for row in report.table("ratings_by_unit.TT20-2018").rows}
    assert set(by_unit) == {"X1", "X2", ""}
    for unit in ("X1", "X2"):
        row = by_unit[unit]
        finalized_here = sum(n for (u, _r), n in ratings.items() if u == unit)
        assert row[3] == finalized_here
        assert row[2] == finalized_here + sum(
            1 for e in Evaluation.objects.filter(state="draft") if e.school.parent.code == unit
        )
        for index, rating in enumerate(("TOT", "KHA", "DAT", "CHUA_DAT")):
            assert row[4 + 2 * index] == ratings[unit, rating]
            if finalized_here:
                assert float(row[5 + 2 * index]) == pytest.approx(
                    100 * ratings[unit, rating] / finalized_here, abs=0.05
                )
    total = by_unit[""]
    assert total[3] == 60 and total[2] == 65

    by_level = {row[0]: row for row in report.table("ratings_by_level.TT20-2018").rows}
    for level in ("TH", "THCS"):
        for index, rating in enumerate(("TOT", "KHA", "DAT", "CHUA_DAT")):
            assert by_level[level][3 + 2 * index] == by_school_level[level, rating]

    criteria = report.table("criteria.TT20-2018").rows
    assert len(criteria) == 15
    for number, row in enumerate(criteria, start=1):
        assert row[1] == 60
        assert [row[2], row[4], row[6], row[8]] == [levels["*", number, char] for char in "TKDC"]
    per_unit = report.table("criteria_by_unit.TT20-2018").rows
    for row in per_unit:
        number = int(row[2].split(".")[0].split()[-1])
        assert [row[4], row[6], row[8], row[10]] == [levels[row[0], number, char] for char in "TKDC"]


def test_cut_off_and_the_evaluated_school(population, school_tree, cycle):
    moved = population["evaluations"][0]
    late = population["evaluations"][1]
    late.finalized_at = CUT_OFF + datetime.timedelta(hours=1)
    late.save()
    # The teacher moves after being rated: the cycle's reports still count the school that rated them.
    EducatorProfile.objects.filter(pk=moved.educator_id).update(school=school_tree["S2"])
    report = build_report(
        "aggregate", scope_of(school_tree["S1"]), cycle, framework_codes=["TT20-2018"], cut_off=CUT_OFF
    )
    s1_finalized = sum(1 for e in population["evaluations"] if e.school_id == school_tree["S1"].pk) - (
        1 if late.school_id == school_tree["S1"].pk else 0
    )
    assert report.table("ratings_by_unit.TT20-2018").rows[-1][3] == s1_finalized
    assert report.stamp.cut_off == CUT_OFF
    assert report.stamp.frameworks[0][0] == "TT20-2018" and "20/2018" in report.stamp.frameworks[0][2]


def test_packed_counts_refuse_a_group_they_cannot_hold():
    assert PackedLevelCounts.unpack(3 + 2 * (1 << 20) + 5 * (1 << 40), 12) == {"T": 3, "K": 2, "D": 5, "C": 2}
    with pytest.raises(ValueError):
        PackedLevelCounts.unpack(0, 1 << 20)


def test_scopes_follow_roles(people, school_tree, make_user):
    commune = make_user("commune")
    RoleAssignment.objects.create(user=commune, role="commune_officer", unit=school_tree["X1"])
    assert resolve_scope(commune, None).code == "X1"
    assert resolve_scope(commune, "S1").code == "S1"
    with pytest.raises(NotFound):
        resolve_scope(commune, "X2")
    with pytest.raises(NotFound):
        resolve_scope(commune, "S2")
    with pytest.raises(NotFound):
        resolve_scope(commune, "S1-TOAN")  # subject groups are not report scopes
    assert resolve_scope(people["principal"].user, None).code == "S1"
    with pytest.raises(NotFound):
        resolve_scope(people["principal"].user, "X1")
    with pytest.raises(NotAllowed):
        resolve_scope(people["t1"].user, None)
    admin = make_user("root", is_superuser=True)
    assert resolve_scope(admin, None) == whole_country()
    assert whole_country().code == "BO"


def test_core_teacher_eligibility(school_tree, cycle):
    on = timezone.localtime(CUT_OFF).date()
    cases = {
        # name: (years at the level, levels) -> eligible
        "five years, Khá, criteria 3-7 Tốt": (5, "KK" + "TTTTT" + "K" * 8, True),
        "a day short of five years": (5, "KK" + "TTTTT" + "K" * 8, False),
        "criterion 5 only Khá": (6, "KK" + "TTKTT" + "K" * 8, False),
        "rated Đạt": (9, "DD" + "TTTTT" + "D" * 8, False),
    }
    for name, (years, packed, _eligible) in cases.items():
        start = on.replace(year=on.year - years) + (
            datetime.timedelta(days=1) if "short" in name else datetime.timedelta()
        )
        educator = EducatorProfile.objects.create(
            full_name=name,
            national_id=name[:20],
            school=school_tree["S1"],
            position="teacher",
            school_level="TH",
            level_start_date=start,
        )
        finalized(educator, cycle, packed)
    principal = EducatorProfile.objects.create(
        full_name="principal two years",
        national_id="P2",
        school=school_tree["S2"],
        position="principal",
        school_level="TH",
        position_since=on.replace(year=on.year - 2),
    )
    finalized(principal, cycle, "K" * 18, framework="TT14-2018")
    report = build_report("core_eligibility", scope_of(school_tree["P1"]), cycle, cut_off=CUT_OFF)
    teachers = list(report.table("eligible.TT20-2018").iter_rows())
    assert [row[4] for row in teachers] == ["five years, Khá, criteria 3-7 Tốt"]
    assert teachers[0][6] == 5
    principals = list(report.table("eligible.TT14-2018").iter_rows())
    assert [row[4] for row in principals] == ["principal two years"]


def test_core_teacher_eligibility_reads_the_conditions_from_the_framework(school_tree, cycle, monkeypatch):
    on = timezone.localtime(CUT_OFF).date()
    educator = EducatorProfile.objects.create(
        full_name="three years",
        national_id="T3",
        school=school_tree["S1"],
        position="teacher",
        school_level="TH",
        level_start_date=on.replace(year=on.year - 3),
    )
    finalized(educator, cycle, "KK" + "TTTTT" + "K" * 8)
    tt20, tt14 = standards.get_framework("TT20-2018"), standards.get_framework("TT14-2018")
    three_years = tt20.model_copy(
        update={"core_teacher_selection": tt20.core_teacher_selection.model_copy(update={"years": 3})}
    )
    without = tt14.model_copy(update={"core_teacher_selection": None})
    monkeypatch.setattr(standards, "all_frameworks", lambda: {"TT20-2018": three_years, "TT14-2018": without})

    report = build_report("core_eligibility", scope_of(school_tree["P1"]), cycle, cut_off=CUT_OFF)
    assert [table.key for table in report.tables] == ["eligible.TT20-2018"]  # no conditions, no table
    assert [row[4] for row in report.table("eligible.TT20-2018").iter_rows()] == ["three years"]


def test_temis_export_validates_every_row(population, school_tree, cycle):
    report = build_temis_export("TT20-ket-qua-giao-vien", scope_of(school_tree["P1"]), cycle, cut_off=CUT_OFF)
    rows = list(report.tables[0].iter_rows())
    assert len(rows) == 60 and not report.problems
    header = [column.label for column in report.tables[0].columns]
    assert header[:3] == ["STT", "Mã định danh", "Họ và tên"] and header[7] == "Tiêu chí 1"
    assert set(rows[0][7:22]) <= {"Tốt", "Khá", "Đạt", "Chưa đạt"}  # TEMIS is Vietnamese, whatever the UI says
    # Every row's level cells are that educator's final levels, criterion by criterion.
    words = {"T": "Tốt", "K": "Khá", "D": "Đạt", "CD": "Chưa đạt"}
    finals = {
        e.educator.national_id: standards.unpack_levels(e.final_levels)
        for e in Evaluation.objects.filter(cycle=cycle, state="finalized").select_related("educator")
    }
    for row in rows:
        levels = finals[row[1]]
        assert list(row[7:22]) == [words[levels[n].value] for n in range(1, 16)]

    broken = population["evaluations"][2]
    EducatorProfile.objects.filter(pk=broken.educator_id).update(national_id=None)
    tampered = population["evaluations"][3]
    Evaluation.objects.filter(pk=tampered.pk).update(final_rating="TOT", final_levels="C" * 15)
    report = build_temis_export("TT20-ket-qua-giao-vien", scope_of(school_tree["P1"]), cycle, cut_off=CUT_OFF)
    out = io.BytesIO()
    write_report(report, "xlsx", out)
    assert any("Mã định danh is missing" in problem for problem in report.problems)
    assert any("does not follow from the levels" in problem for problem in report.problems)


def test_temis_export_through_a_run_publishes_nothing_when_invalid(population, school_tree, cycle, make_user):
    EducatorProfile.objects.filter(pk=population["evaluations"][0].educator_id).update(national_id=None)
    run = runs.create_run(
        None,
        runs.TEMIS_EXPORT,
        "xlsx",
        cycle=cycle,
        scope=scope_of(school_tree["P1"]),
        template_code="TT20-ket-qua-giao-vien",
        cut_off=CUT_OFF,
    )
    run = runs.execute_run(run.pk)
    assert run.status == ReportRun.Status.INVALID and not run.file
    assert run.problems and "Mã định danh" in run.problems[0]
    assert not runs.report_storage().exists(runs.file_name(run))


def test_module_export_and_report(people, cycle):
    from temis_plugin.models import TrainingModule

    module = TrainingModule.objects.create(code="GVPT-01", name_vi="Mô đun 1", audience="teacher", hours=40)
    at = CUT_OFF - datetime.timedelta(days=30)
    ModuleResult.objects.create(
        educator=people["t1"],
        module=module,
        course_key="course-v1:A+B+C",
        percent="0.9",
        passed=True,
        passed_on=at.date(),
        last_event_at=at,
    )
    ModuleResult.objects.create(
        educator=people["t2"],
        module=module,
        course_key="course-v1:A+B+C",
        percent="0.4",
        passed=False,
        last_event_at=at,
    )
    ModuleResult.objects.create(
        educator=people["t3"], module=module, course_key="course-v1:A+B+C", percent="0.8", passed=None, last_event_at=at
    )  # an audit learner, no pass mark: unknown
    scope = scope_of(people["t1"].school)
    report = build_report("module_results", scope, cycle, cut_off=CUT_OFF)
    (row,) = report.table("modules").rows
    # 3 educators: 1 passed, 1 not passed, 1 unknown; the rate is over the 2 known; 40 hours.
    assert row[0] == "GVPT-01" and row[3:9] == (2 + 1, 1, 1, 1, 50, 40)
    (unit,) = report.table("modules_by_unit").rows
    assert unit[2:] == (3, 1, 1, 40)
    export = build_temis_export("BDTX-ket-qua-mo-dun", scope, cycle, cut_off=CUT_OFF)
    rows = sorted(export.tables[0].iter_rows(), key=lambda r: r[1])
    assert [(r[1], r[7], r[8]) for r in rows] == [
        ("ID-t1", 90.0, "Đạt"),
        ("ID-t2", 40.0, "Chưa đạt"),
        ("ID-t3", 80.0, "Chưa xác định"),
    ]
    assert "1 of 3 results have an unknown pass status" in export.tables[0].note
    assert not export.problems


def test_xlsx_csv_and_json_files(population, school_tree, cycle):
    EducatorProfile.objects.filter(pk=population["evaluations"][0].educator_id).update(
        full_name='=HYPERLINK("http://example.invalid","x")'
    )
    aggregate = build_report("aggregate", scope_of(school_tree["P1"]), cycle, cut_off=CUT_OFF)
    out = io.BytesIO()
    write_report(aggregate, "xlsx", out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    about = workbook.worksheets[0]
    lines = [row[:2] for row in about.iter_rows(min_row=2, values_only=True)]
    labels = dict(lines)
    bases = [value for label, value in lines if label == "Legal basis"]
    assert any("Thông tư 20/2018/TT-BGDĐT" in b and "TT20-2018" for b in bases) and len(bases) == 2
    assert labels["Scope"] == "P1"
    assert labels["Data cut-off"].startswith("2027-06-01 12:00")
    sheet = workbook.worksheets[1]
    assert sheet.freeze_panes and sheet._charts, "formatted header, frozen panes and a native chart"
    assert sheet.cell(row=sheet.freeze_panes and 2, column=1).font.bold

    summary = build_report(
        "school_summary", scope_of(school_tree["P1"]), cycle, framework_codes=["TT20-2018"], cut_off=CUT_OFF
    )
    out = io.BytesIO()
    assert write_report(summary, "csv", out) == 65
    text = out.getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Cycle", cycle.name] in rows

    out = io.BytesIO()
    write_report(build_report("school_summary", scope_of(school_tree["P1"]), cycle, cut_off=CUT_OFF), "json", out)
    document = json.loads(out.getvalue())
    assert document["stamp"]["cut_off"] == CUT_OFF.isoformat()
    assert len(document["tables"][0]["rows"]) == 65

    out = io.BytesIO()
    write_report(summary, "xlsx", out)
    workbook = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    values = list(workbook.worksheets[0].iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(values) if row[0] == "No.")
    assert len(values) - header_at - 1 == 65
    assert any(str(v).startswith("=HYPERLINK") for row in values for v in row if v)  # text, not a formula


def test_every_report_kind_builds_for_each_format(population, people, school_tree, cycle):
    from temis_plugin.reports.registry import REPORT_KINDS

    for kind in REPORT_KINDS:
        report = build_report(kind, scope_of(school_tree["P1"]), cycle, cut_off=CUT_OFF)
        for file_format in ("xlsx", "csv", "json"):
            out = io.BytesIO()
            write_report(report, file_format, out)
            assert out.getvalue(), (kind, file_format)


def test_export_command(population, school_tree, cycle, tmp_path, capsys):
    target = tmp_path / "ket-qua.xlsx"
    call_command(
        "temis_export",
        "temis_export",
        "--template",
        "TT20-ket-qua-giao-vien",
        "--scope",
        "P1",
        "--cut-off",
        CUT_OFF.isoformat(),
        "--output",
        str(target),
        "--language",
        "en",
    )
    assert "60 rows" in capsys.readouterr().out
    assert sum(1 for _row in load_workbook(target, read_only=True).worksheets[0].iter_rows()) > 60
    call_command("temis_export", "aggregate", "--format", "csv", "--output", str(tmp_path / "a.csv"))
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    EducatorProfile.objects.filter(pk=population["evaluations"][0].educator_id).update(national_id=None)
    bad = tmp_path / "bad.xlsx"
    with pytest.raises(CommandError, match="did not validate"):
        call_command(
            "temis_export",
            "temis_export",
            "--template",
            "TT20-ket-qua-giao-vien",
            "--output",
            str(bad),
            "--cut-off",
            CUT_OFF.isoformat(),
            "--no-progress",
        )
    assert not bad.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "ket-qua.xlsx"]
    with pytest.raises(CommandError):
        call_command("temis_export", "nonsense")


def test_a_failed_run_leaves_no_file_and_a_retry_publishes_it(population, school_tree, cycle, monkeypatch):
    from django.db import OperationalError

    from temis_plugin.reports.kinds import school_summary

    run = runs.create_run(
        None, "school_summary", "xlsx", cycle=cycle, scope=scope_of(school_tree["P1"]), cut_off=CUT_OFF
    )
    real_rows = school_summary.educator_result_rows

    def failing_rows(*args, **kwargs):
        for number, row in enumerate(real_rows(*args, **kwargs)):
            if number == 30:
                raise OperationalError("lost connection to the database")
            yield row

    monkeypatch.setattr(school_summary, "educator_result_rows", failing_rows)
    with pytest.raises(OperationalError):
        runs.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED and not run.file and "lost connection" not in run.error
    directory = runs.report_storage().path(runs.REPORTS_DIR)
    stored = runs.file_name(run).rsplit("/", 1)[-1]
    assert stored not in os.listdir(directory)
    assert not [name for name in os.listdir(directory) if name.endswith(".partial")]

    monkeypatch.setattr(school_summary, "educator_result_rows", real_rows)
    run = runs.execute_run(run.pk)
    assert run.status == ReportRun.Status.DONE and run.attempts == 2 and run.rows_written == 65 + 5 - 5
    with runs.report_storage().open(run.file.name) as handle:
        data = handle.read()
    assert len(data) == run.file_size
    assert hashlib.sha256(data).hexdigest() == run.sha256
    assert stored in os.listdir(directory) and run.file.name == runs.file_name(run)


def test_old_report_files_expire(population, school_tree, cycle, settings):
    run = runs.execute_run(
        runs.create_run(None, "aggregate", "csv", cycle=cycle, scope=scope_of(school_tree["P1"]), cut_off=CUT_OFF).pk
    )
    recent = runs.execute_run(
        runs.create_run(None, "aggregate", "json", cycle=cycle, scope=scope_of(school_tree["P1"]), cut_off=CUT_OFF).pk
    )
    ReportRun.objects.filter(pk=run.pk).update(created=timezone.now() - datetime.timedelta(days=31))
    storage = runs.report_storage()
    assert storage.exists(run.file.name)
    call_command("temis_expire_reports")
    assert not storage.exists(run.file.name) and not ReportRun.objects.filter(pk=run.pk).exists()
    assert storage.exists(recent.file.name)


@pytest.mark.django_db(transaction=True)
def test_the_country_is_counted_per_province_in_parallel_with_the_same_result(population, school_tree, cycle):
    from django.db import transaction

    p2 = OrgUnit.objects.create(code="P2", name="P2", kind="province", parent=school_tree["BO"])
    s9 = OrgUnit.objects.create(code="S9", name="S9", kind="school", parent=p2, school_levels="THPT")
    educator = EducatorProfile.objects.create(
        national_id="P2-1", full_name="Far", school=s9, position="teacher", school_level="THPT"
    )
    finalized(educator, cycle, "T" * 15)
    country = whole_country()
    parallel = build_report("aggregate", country, cycle, framework_codes=["TT20-2018"], cut_off=CUT_OFF)
    with transaction.atomic():  # inside a transaction the report stays on this connection
        single = build_report("aggregate", country, cycle, framework_codes=["TT20-2018"], cut_off=CUT_OFF)
    for table in parallel.tables:
        assert table.rows == single.table(table.key).rows
    by_unit = {row[0]: row for row in parallel.table("ratings_by_unit.TT20-2018").rows}
    assert by_unit["P2"][3] == 1 and by_unit["P2"][4] == 1 and by_unit["P1"][3] == 60 and by_unit[""][3] == 61


def test_a_module_result_template_with_an_evaluation_format_is_refused(tmp_path):
    from importlib import resources

    from temis_plugin.reports.temis_templates import TemplateFileError, load_template_file

    packaged = resources.files("temis_plugin.fixtures") / "temis_templates" / "BDTX-ket-qua-mo-dun.toml"
    text = packaged.read_text("utf-8").replace('format = "passed_vi"', 'format = "rating_vi"')
    (tmp_path / "BAD.toml").write_text(text, "utf-8")
    with pytest.raises(TemplateFileError, match="passed_vi"):
        load_template_file(tmp_path / "BAD.toml")
