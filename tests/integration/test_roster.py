"""Roster import: sample files load, re-import updates without duplicates, a broken file changes nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from temis_plugin.models import AuditEntry, EducatorProfile, MentorGroup, MentorGroupMembership, OrgUnit
from temis_plugin.roster import RosterError, import_roster

SAMPLES = Path(__file__).parent.parent.parent / "fixtures" / "roster"


@pytest.fixture(autouse=True)
def english():
    """These tests read the messages in English; tests/integration/test_roster_intake.py reads them in Vietnamese."""
    with translation.override("en"):
        yield


def snapshot():
    return (
        sorted(OrgUnit.objects.values_list("code", "name", "parent__code", "path")),
        sorted(EducatorProfile.objects.values_list("national_id", "full_name", "school__code", "user_id")),
        sorted(MentorGroupMembership.objects.values_list("group__code", "mentee__national_id")),
    )


def workbook_bytes(path=SAMPLES / "sample_roster.xlsx", edit=None):
    workbook = load_workbook(path)
    if edit:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "roster.xlsx"
    return buffer


def test_sample_workbook_imports_everything(cycle):
    summary = import_roster(SAMPLES / "sample_roster.xlsx")
    assert summary.created == {"units": 7, "educators": 5, "mentor_groups": 1}
    school = OrgUnit.objects.get(code="MAU-X01-TH")
    assert school.path == f"{school.parent.parent.path}{school.parent.pk}/{school.pk}/"
    assert OrgUnit.objects.filter(path__startswith=OrgUnit.objects.get(code="MAU-P01").path).count() == 6
    assert EducatorProfile.objects.get(national_id="MAU000004").level_start_date.isoformat() == "2021-09-05"
    group = MentorGroup.objects.get()
    assert group.mentor.full_name == "Trần Văn Bình" and group.mentees.count() == 2
    assert AuditEntry.objects.filter(action="roster_import").count() == 1


def test_csv_files_import_one_table_each(cycle):
    for name in ("units.csv", "educators.csv", "mentor_groups.csv"):
        import_roster(SAMPLES / name)
    assert EducatorProfile.objects.count() == 5 and MentorGroupMembership.objects.count() == 2


def test_reimport_updates_and_never_duplicates(cycle):
    import_roster(SAMPLES / "sample_roster.xlsx")
    before = snapshot()
    summary = import_roster(SAMPLES / "sample_roster.xlsx")
    assert snapshot() == before and summary.created == {}

    def rename_and_move(workbook):
        educators = workbook["educators"]
        educators["B3"] = "Trần Văn Bình (đã đổi)"
        workbook["mentor_groups"].delete_rows(3)  # MAU000004 leaves the group

    summary = import_roster(workbook_bytes(edit=rename_and_move))
    assert summary.updated == {"educators": 1, "mentor_groups": 1}
    assert EducatorProfile.objects.count() == 5
    assert EducatorProfile.objects.get(national_id="MAU000002").full_name == "Trần Văn Bình (đã đổi)"
    assert list(MentorGroup.objects.get().mentees.values_list("national_id", flat=True)) == ["MAU000003"]


def test_moving_a_unit_rewrites_the_subtree_paths(cycle):
    import_roster(SAMPLES / "units.csv")
    import_roster(io.BytesIO(b"code,name,kind,parent_code\nMAU-X02,Xa Moi,commune,MAU-P01\n"), filename="u.csv")
    moved = io.BytesIO(b"code,name,kind,parent_code,school_levels\nMAU-X01-TH,Truong,school,MAU-X02,TH\n")
    import_roster(moved, filename="u.csv")
    new_parent = OrgUnit.objects.get(code="MAU-X02")
    group = OrgUnit.objects.get(code="MAU-X01-TH-TOAN")
    assert group.path.startswith(new_parent.path) and new_parent.contains(group)


BROKEN = [
    ("units", "C3", "county", "units, line 3, kind: unknown kind 'county'"),
    ("units", "D5", "NOPE", "units, line 5, parent_code: no unit NOPE"),
    ("units", "D7", "MAU-X01-TH", "units, line 7, parent_code: a school cannot be placed under school"),
    ("educators", "A4", "MAU000002", "educators, line 4, national_id: appears again (first on line 3)"),
    ("educators", "D2", "MAU-X01", "educators, line 2, school_code: MAU-X01 is not a school"),
    (
        "educators",
        "E6",
        "MAU-X01-TH-TOAN",
        "educators, line 6, subject_group_code: MAU-X01-TH-TOAN is not a subject group of school MAU-THPT01",
    ),
    ("educators", "F3", "giám đốc", "educators, line 3, position: must be teacher"),
    ("educators", "H2", "THPT", "educators, line 2, school_level: school MAU-X01-TH has no THPT level"),
    ("educators", "I3", "31/31/2020", "educators, line 3, level_start_date: must be a date"),
    ("educators", "C2", "nobody", "educators, line 2, username: no Open edX user 'nobody'"),
    ("educators", "B5", None, "educators, line 5, full_name: is required"),
    (
        "mentor_groups",
        "D2",
        "MAU000003",
        "mentor_groups, line 2, mentor_national_id: the mentor is not marked as a core teacher",
    ),
    ("mentor_groups", "A3", "2099-2100", "mentor_groups, line 3, cycle: no cycle '2099-2100'"),
]


@pytest.mark.parametrize("sheet, cell, value, message", BROKEN, ids=[b[3].split(":")[0] for b in BROKEN])
def test_one_bad_row_refuses_the_whole_file(cycle, sheet, cell, value, message):
    def break_it(workbook):
        workbook[sheet][cell] = value

    before = snapshot()
    with pytest.raises(RosterError) as raised:
        import_roster(workbook_bytes(edit=break_it))
    assert any(str(e).startswith(message) for e in raised.value.errors), [str(e) for e in raised.value.errors]
    assert snapshot() == before and not AuditEntry.objects.exists()


def test_every_problem_is_reported_at_once(cycle):
    def break_many(workbook):
        workbook["units"]["C3"] = "county"
        workbook["educators"]["F3"] = "?"
        workbook["educators"]["H4"] = "X"

    with pytest.raises(RosterError) as raised:
        import_roster(workbook_bytes(edit=break_many))
    assert len(raised.value.errors) == 3


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b"not a zip", "r.xlsx", "not a readable .xlsx"),
        (b"code,name,kind\nA,Tr\xc6\xb0\xe1\xbb\x9dng,school\nB,\xe0\xe1\xe2,school\n", "r.csv", "UTF-8"),
        (b"a,b\n1,2\n", "r.csv", "Header row not found"),
        (b"code,name,kind\n", "r.txt", ".xlsx or .csv"),
        (b"code,name,kind,code\nA,B,school,A\n", "r.csv", "appear more than once"),
    ],
)
def test_unreadable_files_are_refused_clearly(db, content, filename, message):
    with pytest.raises(RosterError, match="nothing was imported") as raised:
        import_roster(io.BytesIO(content), filename=filename)
    assert message in raised.value.errors[0].message


def test_unknown_sheet_is_refused(db):
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    workbook.active.append(["code"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(RosterError) as raised:
        import_roster(io.BytesIO(buffer.getvalue()), filename="r.xlsx")
    assert "Sheet1" in raised.value.errors[0].message


def test_a_database_failure_mid_write_leaves_nothing(cycle, monkeypatch):
    from temis_plugin.roster import importer

    def explode(self, entries):
        raise RuntimeError("database went away")

    monkeypatch.setattr(importer.RosterWriter, "write_mentor_groups", explode)
    with pytest.raises(RuntimeError):
        import_roster(SAMPLES / "sample_roster.xlsx")
    assert not OrgUnit.objects.exists() and not EducatorProfile.objects.exists()


def test_position_since_is_read_when_present_and_kept_when_the_column_is_absent(cycle):
    for name in ("units.csv", "educators.csv"):
        import_roster(SAMPLES / name)
    principal = EducatorProfile.objects.get(national_id="MAU000001")
    assert principal.position_since.isoformat() == "2019-08-15"
    assert EducatorProfile.objects.get(national_id="MAU000002").position_since is None
    # The sample workbook has no position_since column: importing it keeps the stored date.
    import_roster(SAMPLES / "sample_roster.xlsx")
    principal.refresh_from_db()
    assert principal.position_since.isoformat() == "2019-08-15"
    header, *rows = (SAMPLES / "educators.csv").read_text(encoding="utf-8").splitlines()
    future = "\n".join([header, rows[0].replace("2019-08-15", "15/08/2999")]).encode()
    with pytest.raises(RosterError) as raised:
        import_roster(io.BytesIO(future), filename="giao-vien.csv")
    assert [str(e) for e in raised.value.errors if "position_since" in str(e) and "in the future" in str(e)]
    principal.refresh_from_db()
    assert principal.position_since.isoformat() == "2019-08-15"
    vietnamese = "\n".join(
        [header.replace("position_since", "Ngày giữ chức vụ"), rows[0].replace("2019-08-15", "01/09/2020")]
    ).encode()
    import_roster(io.BytesIO(vietnamese), filename="giao-vien.csv")
    principal.refresh_from_db()
    assert principal.position_since.isoformat() == "2020-09-01"


def test_over_long_text_is_refused_before_writing_on_every_database(cycle):
    for name in ("units.csv",):
        import_roster(SAMPLES / name)
    before = snapshot()
    header, *rows = (SAMPLES / "educators.csv").read_text(encoding="utf-8").splitlines()
    long_subject = rows[1].replace(",Toán,", "," + "Toán" * 30 + ",")
    long_name = rows[2].replace("Lê Thị Chi", "Lê" * 200)
    with pytest.raises(RosterError) as raised:
        import_roster(io.BytesIO("\n".join([header, long_subject, long_name]).encode()), filename="giao-vien.csv")
    assert sorted(f"{e.table}, line {e.line}, {e.column}: {e.message}" for e in raised.value.errors) == [
        "educators, line 2, subject: is longer than 100 characters",
        "educators, line 3, full_name: is longer than 255 characters",
    ]
    assert snapshot() == before


def test_vietnamese_headers_are_understood(db):
    content = ("Mã,Tên,Loại,Mã đơn vị cấp trên\nVN-BO,Bộ,ministry,\nVN-P1,Tỉnh,province,VN-BO\n").encode()
    import_roster(io.BytesIO(content), filename="don-vi.csv", table="units")
    assert OrgUnit.objects.get(code="VN-P1").parent.code == "VN-BO"


def test_management_command(cycle, capsys):
    call_command("temis_import_roster", str(SAMPLES / "sample_roster.xlsx"))
    assert "Roster imported." in capsys.readouterr().out
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("temis_import_roster", str(SAMPLES / "units.csv"), "--table", "educators")


def test_oversized_file_is_refused_before_parsing(db, settings):
    settings.TEMIS_ROSTER_MAX_BYTES = 1024 * 1024
    with pytest.raises(RosterError) as raised:
        import_roster(io.BytesIO(b"code,name,kind\n" + b"A,B,school\n" * 200_000), filename="big.csv")
    assert "larger than the limit of 1 MB" in raised.value.errors[0].message
    assert not OrgUnit.objects.exists()
