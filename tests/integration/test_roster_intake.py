"""Rosters as people really make them, on SQLite and MariaDB alike (the suite runs on both, with the
same assertions): identifiers Excel turned into numbers, invisible characters, decomposed Vietnamese,
other cases of letters, Vietnamese words, CSV as Excel writes it, title rows, damaged files, hidden
rows and extra sheets, capped error lists, Vietnamese messages, and educators who change school."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from temis_plugin.models import Cycle, EducatorProfile, Evaluation, MentorGroup, OrgUnit
from temis_plugin.roster import RosterError, import_roster
from temis_plugin.roster.errors import LISTED_ERRORS
from tests import roster_files as files


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def snapshot():
    return (
        sorted(OrgUnit.objects.values_list("code", "name", "kind", "parent__code", "school_levels")),
        sorted(
            EducatorProfile.objects.values_list(
                "national_id", "full_name", "school__code", "position", "school_level", "is_core_teacher", "user_id"
            )
        ),
    )


def load(data: bytes, name: str = "roster.xlsx", **options):
    return import_roster(io.BytesIO(data), filename=name, **options)


def refused(data: bytes, name: str = "roster.xlsx", **options) -> RosterError:
    before = snapshot()
    with pytest.raises(RosterError) as raised:
        load(data, name, **options)
    assert snapshot() == before, "a refused roster changed the database"
    return raised.value


@pytest.fixture
def small():
    return files.province(educators=24, communes=2)


# 1. Identifiers are text ---------------------------------------------------------------------


def test_identifiers_excel_stored_as_numbers_are_refused_with_the_fix(db, small):
    error = refused(files.xlsx(small, numeric_ids="general"))
    numeric = [e for e in error.errors if e.kind == "numeric_identifier"]
    assert len(numeric) == error.total == 24
    assert numeric[0].column == "national_id" and numeric[0].sheet == "educators" and numeric[0].line == 2
    assert "Format the column as Text" in numeric[0].message
    assert numeric[0].value == str(int(small["educators"][1][0]))  # the number as Excel kept it


def test_a_reimport_with_numeric_identifiers_never_duplicates(db, small):
    load(files.xlsx(small))
    refused(files.xlsx(small, numeric_ids="general"))
    assert EducatorProfile.objects.count() == 24


def test_identifiers_in_a_zero_padded_number_format_are_restored_and_reported(db, small):
    summary = load(files.xlsx(small, numeric_ids="padded"))
    stored = set(EducatorProfile.objects.values_list("national_id", flat=True))
    assert stored == {row[0] for row in small["educators"][1:]}
    assert any(n.code == "restored_identifier" and "24" in n.message for n in summary.notices)
    again = load(files.xlsx(small))
    assert again.created == {} and again.updated == {} and EducatorProfile.objects.count() == 24


def test_csv_identifiers_that_lost_their_zeros_or_digits_are_refused(db, small):
    load(files.xlsx(small))
    rows = [list(r) for r in small["educators"][:3]]
    first = rows[1][0]
    rows[1][0] = first.lstrip("0")  # Excel dropped the leading zero before saving as CSV
    rows[2][0] = "1.23457E+11"  # a narrow column: scientific notation
    error = refused(files.csv_bytes(rows), "giao-vien.csv")
    kinds = {(e.line, e.kind) for e in error.errors}
    assert kinds == {(2, "lost_zero"), (3, "scientific")}
    assert first in next(e.message for e in error.errors if e.kind == "lost_zero")


def test_excel_text_formula_identifiers_are_read_as_text(db, small):
    load(files.xlsx({"units": small["units"]}))
    rows = [list(r) for r in small["educators"][:2]]
    rows[1][0] = f'="{rows[1][0]}"'
    load(files.csv_bytes(rows), "giao-vien.csv")
    assert EducatorProfile.objects.get().national_id == small["educators"][1][0]


# 2. One notion of "the same" ------------------------------------------------------------------

INVISIBLE = ["\u200b", "\ufeff", "\u2060", "\u00a0", " "]


def test_invisible_characters_and_spaces_are_removed_from_identifiers(db, small):
    dirty = {table: [list(r) for r in rows] for table, rows in small.items()}
    for index, row in enumerate(dirty["units"][1:]):
        row[0] = INVISIBLE[index % 5] + row[0] + INVISIBLE[(index + 2) % 5]
    for row in dirty["educators"][1:]:
        row[0] = row[0][:4] + "\u200b" + row[0][4:] + "\u00a0"
        row[3] = "\ufeff" + row[3]
    load(files.xlsx(dirty))
    assert snapshot() == (load(files.xlsx(small)) and snapshot())
    codes = OrgUnit.objects.values_list("code", flat=True)
    assert all(code.isascii() and code == code.strip() for code in codes)
    assert EducatorProfile.objects.count() == 24


def test_codes_in_other_cases_are_the_same_records(db, small):
    load(files.xlsx(small))
    before = snapshot()
    lower = {
        table: [
            [c.lower() if i in (0, 3, 4) and isinstance(c, str) and c[:1].isalpha() else c for i, c in enumerate(row)]
            if n
            else row
            for n, row in enumerate(rows)
        ]
        for table, rows in small.items()
    }
    summary = load(files.xlsx(lower))
    assert summary.created == {} and snapshot() == before


def test_the_same_code_twice_in_other_cases_is_refused_in_the_file(db, small):
    rows = [list(r) for r in small["units"]] + [[small["units"][3][0].lower(), "Xã trùng", "commune", "T79", ""]]
    error = refused(files.xlsx({"units": rows}))
    assert [(e.line, e.column, e.kind) for e in error.errors] == [(len(rows), "code", "duplicate")]


def test_after_a_refused_file_a_correct_file_imports(db, small):
    rows = [list(r) for r in small["units"]] + [[small["units"][3][0].lower(), "Xã trùng", "commune", "T79", ""]]
    refused(files.xlsx({"units": rows}))
    assert load(files.xlsx(small)).created == {"units": len(small["units"]) - 1, "educators": 24}


def test_decomposed_vietnamese_is_stored_composed(db, small):
    decomposed = {
        table: [[files.nfd(c) if isinstance(c, str) else c for c in row] for row in rows]
        for table, rows in small.items()
    }
    load(files.xlsx(decomposed))
    name = small["educators"][1][1]
    assert EducatorProfile.objects.filter(full_name=name).exists()
    assert load(files.xlsx(small)).updated == {}


def test_codes_with_diacritics_are_refused_because_databases_compare_them_differently(db):
    error = refused(files.csv_bytes([files.UNIT_HEADER, ["TRƯỜNG-1", "Trường", "ministry", "", ""]]), "u.csv")
    assert [(e.column, e.kind, e.value) for e in error.errors] == [("code", "identifier_characters", "TRƯỜNG-1")]


# 3. Words in Vietnamese or English, any case, NFC or NFD --------------------------------------


@pytest.mark.parametrize(
    "position, stored",
    [
        ("Giáo viên", "teacher"),
        ("giáo viên", "teacher"),
        ("GIÁO VIÊN", "teacher"),
        ("teacher", "teacher"),
        (files.nfd("Giáo viên"), "teacher"),
        ("Hiệu trưởng", "principal"),
        ("Phó hiệu trưởng", "vice_principal"),
        ("vice_principal", "vice_principal"),
        ("Vice principal", "vice_principal"),
    ],
)
def test_positions_in_either_language(db, small, position, stored):
    rows = [list(r) for r in small["educators"][:2]]
    rows[1][5] = position
    rows[1][4] = ""
    load(files.xlsx({"units": small["units"], "educators": rows}))
    assert EducatorProfile.objects.get().position == stored


def test_unit_kinds_levels_and_yes_no_in_vietnamese(db):
    rows = [
        files.UNIT_HEADER_VI,
        ["B1", "Bộ", "Bộ", "", ""],
        ["P1", "Tỉnh", "tỉnh", "B1", ""],
        ["X1", "Xã", files.nfd("Xã"), "P1", ""],
        ["S1", "Trường", "TRƯỜNG", "X1", "Tiểu học; THCS"],
        ["S1-T", "Tổ Toán", "Tổ chuyên môn", "S1", ""],
    ]
    load(files.csv_bytes(rows), "don-vi.csv")
    assert dict(OrgUnit.objects.values_list("code", "kind")) == {
        "B1": "ministry",
        "P1": "province",
        "X1": "commune",
        "S1": "school",
        "S1-T": "subject_group",
    }
    assert OrgUnit.objects.get(code="S1").school_levels == "TH,THCS"
    people = [
        files.EDUCATOR_HEADER_VI,
        ["001", "Người Một", "", "S1", "S1-T", "Giáo viên", "Toán", "Tiểu học", "", "Có"],
    ]
    load(files.csv_bytes(people), "giao-vien.csv")
    educator = EducatorProfile.objects.get()
    assert (educator.position, educator.school_level, educator.is_core_teacher) == ("teacher", "TH", True)


# 4. CSV as Excel writes it --------------------------------------------------------------------


@pytest.mark.parametrize(
    "delimiter, sep_line, encoding",
    [
        (",", False, "utf-8-sig"),
        (";", False, "utf-8-sig"),
        (";", True, "utf-8"),
        ("\t", False, "utf-16"),
        (",", False, "utf-8"),
    ],
)
def test_csv_quotes_and_separators_round_trip(db, delimiter, sep_line, encoding):
    name = 'Trường THCS "Hoa Sen"; cơ sở 2, Xã "Mới"'
    rows = [files.UNIT_HEADER, ["B1", "Bộ, Giáo dục", "ministry", "", ""], ["P1", name, "province", "B1", ""]]
    load(files.csv_bytes(rows, delimiter=delimiter, sep_line=sep_line, encoding=encoding), "u.csv")
    assert OrgUnit.objects.get(code="P1").name == name
    assert OrgUnit.objects.get(code="B1").name == "Bộ, Giáo dục"


# 5. Layout errors are named once; long lists are capped --------------------------------------


def test_title_rows_above_the_header_are_skipped_and_reported(db, small):
    summary = load(files.xlsx(small, title_rows=2))
    assert EducatorProfile.objects.count() == 24
    assert [n.code for n in summary.notices if n.code == "title_rows"] == ["title_rows", "title_rows"]


def test_a_sheet_without_a_header_row_gives_one_error(db, small):
    rows = [["Danh sách giáo viên năm học 2026-2027"]] * 12 + small["educators"]
    error = refused(files.xlsx({"educators": rows * 40}))
    assert error.total == 1 and error.errors[0].kind == "header_not_found"
    assert "national_id, full_name, school_code" in error.errors[0].message


def test_many_bad_rows_are_listed_up_to_the_cap_and_counted_by_kind(db, small):
    rows = [files.EDUCATOR_HEADER] + [[f"{n:012d}", "", "", "NOPE", "", "nobody", "", "TH", "", ""] for n in range(300)]
    error = refused(files.xlsx({"educators": rows}))
    assert len(error.errors) == LISTED_ERRORS and error.total == 900
    assert dict(error.counts) == {"required": 300, "unknown_word": 300, "not_found": 300}
    assert {e.sheet for e in error.errors} == {"educators"} and all(e.line and e.column for e in error.errors)


# 6. Corrupt files: one message, nothing written, no traceback --------------------------------

CORRUPT = [
    ("truncated.xlsx", lambda good: files.truncated(good), "broken_xlsx"),
    ("broken-sheet.xlsx", lambda good: files.broken_sheet_xml(good), "broken_xlsx"),
    ("renamed.csv", lambda good: good, "renamed_xlsx"),
    ("old.xls.xlsx", lambda good: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "xls"),
    ("empty.csv", lambda good: b"", "empty"),
    ("binary.csv", lambda good: b"\x00\x01\x02code,name,kind\n" * 3, "file_type"),
]


@pytest.mark.parametrize("name, corrupt, code", CORRUPT, ids=[c[0] for c in CORRUPT])
def test_corrupt_files_give_one_clear_error(db, small, name, corrupt, code):
    error = refused(corrupt(files.xlsx(small)), name)
    assert error.total == 1 and error.errors[0].kind == code and error.errors[0].message


@pytest.mark.parametrize("name, corrupt, code", CORRUPT[:3], ids=[c[0] for c in CORRUPT[:3]])
def test_the_command_exits_non_zero_without_a_traceback(db, small, tmp_path, capsys, name, corrupt, code):
    path = tmp_path / name
    path.write_bytes(corrupt(files.xlsx(small)))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("temis_import_roster", str(path))
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    assert not OrgUnit.objects.exists()


# 7. Hidden rows, hidden sheets and other sheets ------------------------------------------------


def test_hidden_rows_and_sheets_are_imported_and_reported_other_sheets_ignored(db, small):
    summary = load(
        files.xlsx(
            small,
            hidden_rows=(3, 5),
            extra_sheets=("Hướng dẫn",),
            hidden_sheet="units",
            sheet_names={"units": "Đơn vị", "educators": "Giáo viên"},
        )
    )
    assert EducatorProfile.objects.count() == 24
    messages = {n.code: n.message for n in summary.notices}
    assert "rows 3, 5" in messages["hidden_rows"] and "Giáo viên" in messages["hidden_rows"]
    assert "Đơn vị" in messages["hidden_sheet"] and "Hướng dẫn" in messages["ignored_sheets"]


# 8. Messages in Vietnamese ----------------------------------------------------------------------


def test_messages_are_in_vietnamese(db, small):
    with translation.override("vi"):
        error = refused(files.xlsx(small, numeric_ids="general"))
        header = refused(files.xlsx({"educators": [["Tiêu đề"]] * 11}))
        summary = load(files.xlsx(small, title_rows=1))
    assert "định dạng cột" in error.errors[0].message.lower()
    assert "Không tìm thấy dòng tiêu đề" in header.errors[0].message
    assert any("dòng phía trên" in n.message for n in summary.notices)


# 10. Moves --------------------------------------------------------------------------------------


@pytest.fixture
def current_cycle(db):
    import datetime

    return Cycle.objects.create(
        code="2026-2027",
        name="Năm học 2026-2027",
        starts_on=datetime.date(2026, 9, 5),
        ends_on=datetime.date(2027, 5, 31),
        is_current=True,
    )


def test_a_move_takes_open_evaluations_along_and_leaves_finalized_ones(current_cycle):
    import datetime

    small = files.province(educators=48, communes=2)
    load(files.xlsx(small))
    teacher_row = small["educators"][5]
    educator = EducatorProfile.objects.get(national_id=teacher_row[0])
    old_school = educator.school
    open_one = Evaluation.objects.create(
        educator=educator,
        cycle=current_cycle,
        framework_code="TT20-2018",
        framework_revision=1,
        legal_basis="TT20",
        school=old_school,
        school_level=educator.school_level,
        state="submitted",
    )
    last_year = Cycle.objects.create(
        code="2025-2026", name="2025-2026", starts_on=datetime.date(2025, 9, 5), ends_on=datetime.date(2026, 5, 31)
    )
    finalized = Evaluation.objects.create(
        educator=educator,
        cycle=last_year,
        framework_code="TT20-2018",
        framework_revision=1,
        legal_basis="TT20",
        school=old_school,
        school_level=educator.school_level,
        state="finalized",
        final_rating="KHA",
    )
    target = next(r for r in small["educators"][1:] if r[3] != teacher_row[3] and r[7] == teacher_row[7])
    moved = {"educators": [small["educators"][0], [*teacher_row[:3], target[3], "", *teacher_row[5:]]]}
    summary = load(files.xlsx(moved))
    open_one.refresh_from_db()
    finalized.refresh_from_db()
    assert open_one.school.code == target[3] and finalized.school_id == old_school.pk
    assert any(n.code == "moved" and "1 evaluation" in n.message for n in summary.notices)


def test_the_summary_names_schools_without_one_principal_and_groups_across_schools(current_cycle):
    small = files.province(educators=48, communes=2)
    load(files.xlsx(small))
    principal = small["educators"][1]
    teachers = [r for r in small["educators"][1:] if r[5] == "teacher"]
    mentor = next(t for t in teachers if t[9] == "x")
    mentee = next(t for t in teachers if t[3] not in (mentor[3], principal[3]))
    second_principal = next(t for t in teachers if t[3] == mentee[3] and t is not mentee)
    rows = {
        "educators": [
            small["educators"][0],
            [*principal[:5], "teacher", *principal[6:]],
            [*second_principal[:5], "principal", *second_principal[6:]],
        ],
        "mentor_groups": [files.MENTOR_HEADER, ["2026-2027", "G1", "Nhóm 1", mentor[0], mentee[0]]],
    }
    summary = load(files.xlsx(rows))
    messages = {n.code: n.message for n in summary.notices}
    assert principal[3] in messages["no_principal"]
    assert mentee[3] in messages["several_principals"]
    assert "G1" in messages["groups_across_schools"]
    assert MentorGroup.objects.get().mentees.get().national_id == mentee[0]


def test_after_a_move_each_head_rates_what_the_policy_gives_them(people, school_tree, cycle, make_user):
    """The open evaluation is the new school's to rate; the finalized one stays with the school that rated it,
    in the heads' lists and in the permission rules alike."""
    import datetime

    from temis_plugin import api
    from temis_plugin.permissions import Relation, relations

    new_head = EducatorProfile.objects.create(
        user=make_user("head2"),
        national_id="ID-head2",
        full_name="Head 2",
        school=school_tree["S2"],
        position="principal",
        school_level="TH",
    )
    teacher = people["t3"]
    last_year = Cycle.objects.create(
        code="2025-2026", name="2025-2026", starts_on=datetime.date(2025, 9, 5), ends_on=datetime.date(2026, 5, 31)
    )
    common = {
        "educator": teacher,
        "framework_code": "TT20-2018",
        "framework_revision": 1,
        "legal_basis": "TT20",
        "school": school_tree["S1"],
        "school_level": "TH",
    }
    open_one = Evaluation.objects.create(cycle=cycle, state="submitted", **common)
    rated = Evaluation.objects.create(
        cycle=last_year, state="finalized", final_rating="KHA", final_levels="K" * 15, **common
    )
    units = [files.UNIT_HEADER, ["S2", "S2", "school", "X2", "TH"]]
    rows = [files.EDUCATOR_HEADER, [teacher.national_id, teacher.full_name, "", "S2", "", "teacher", "", "TH", "", ""]]
    load(files.xlsx({"units": units, "educators": rows}))
    open_one, rated = (Evaluation.objects.select_related("educator__school").get(pk=e.pk) for e in (open_one, rated))
    old_head = people["principal"].user
    assert Relation.HEAD in relations(new_head.user, open_one) and Relation.HEAD not in relations(old_head, open_one)
    assert Relation.HEAD in relations(old_head, rated) and Relation.HEAD not in relations(new_head.user, rated)

    def listed(user, cycle_code):
        return {row.evaluation_id for row in api.list_evaluations_to_rate(user, cycle_code=cycle_code).rows}

    assert open_one.pk in listed(new_head.user, "2026-2027") and open_one.pk not in listed(old_head, "2026-2027")
    assert rated.pk in listed(old_head, "2025-2026") and rated.pk not in listed(new_head.user, "2025-2026")
