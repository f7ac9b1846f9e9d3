"""Mutations of a valid roster, as people's files really differ from the template: cell types,
invisible characters, decomposed text, other cases, quotes, truncation, extra rows and sheets,
other encodings. Used by the property-based test (hypothesis draws the mutations) and by the
cross-database verdict check (a fixed list of seeds), so both see the same kinds of file.

Everything here is deterministic given a ``random.Random``: the same seed makes the same bytes.
"""

import io
import json
import random

from django.db import transaction

from temis_plugin.models import Cycle, EducatorProfile, MentorGroupMembership, OrgUnit
from temis_plugin.roster import RosterError, import_roster
from tests import roster_files as files

INVISIBLE = ["\u200b", "\ufeff", "\u2060", "\u00a0", "\u200c"]


def base_tables() -> dict[str, list[list]]:
    tables = files.province(educators=12, communes=1, seed=3)
    return {name: [list(row) for row in rows] for name, rows in tables.items()}


def _cell(rng, tables, table=None):
    table = table or rng.choice(sorted(tables))
    rows = tables[table]
    row = rng.randrange(1, len(rows))
    column = rng.randrange(len(rows[0]))
    return rows, row, column


def numeric_identifier(rng, tables, state):
    rows, row, _c = _cell(rng, tables, "educators")
    rows[row][0] = int(rows[row][0])


def invisible_character(rng, tables, state):
    rows, row, column = _cell(rng, tables)
    value = str(rows[row][column])
    at = rng.randrange(len(value) + 1)
    rows[row][column] = value[:at] + rng.choice(INVISIBLE) + value[at:]


def decomposed_text(rng, tables, state):
    rows, row, column = _cell(rng, tables)
    rows[row][column] = files.nfd(str(rows[row][column]))


def other_case(rng, tables, state):
    rows, row, column = _cell(rng, tables)
    rows[row][column] = str(rows[row][column]).swapcase()


def quotes(rng, tables, state):
    rows, row, column = _cell(rng, tables)
    rows[row][column] = f'"{rows[row][column]}" ""x""'


def blank_cell(rng, tables, state):
    rows, row, column = _cell(rng, tables)
    rows[row][column] = ""


def duplicate_row(rng, tables, state):
    rows, row, _c = _cell(rng, tables)
    rows.insert(rng.randrange(1, len(rows) + 1), list(rows[row]))


def extra_column(rng, tables, state):
    rows = tables[rng.choice(sorted(tables))]
    rows[0].append(rng.choice(["ghi_chu", "Ghi chú", ""]))
    for row in rows[1:]:
        row.append(rng.choice(["", "x", "ghi chú"]))


def extra_cells_in_row(rng, tables, state):
    rows, row, _c = _cell(rng, tables)
    rows[row] += ["", "tràn"]


def unknown_word(rng, tables, state):
    rows, row, _c = _cell(rng, tables, "educators")
    rows[row][5] = rng.choice(["giám đốc", "GV", "teacher ", "Hiệu Trưởng"])


def title_rows(rng, tables, state):
    state["title_rows"] = rng.randint(1, 3)


def hidden_rows(rng, tables, state):
    state["hidden_rows"] = tuple(sorted(rng.sample(range(2, 8), 2)))


def extra_sheet(rng, tables, state):
    state["extra_sheets"] = ("Hướng dẫn",)


def truncated(rng, tables, state):
    state["truncate"] = rng.uniform(0.2, 0.95)


def csv_dialect(rng, tables, state):
    state["delimiter"] = rng.choice([",", ";", "\t"])
    state["encoding"] = rng.choice(["utf-8-sig", "utf-8", "utf-16", "cp1258"])


MUTATIONS = [
    numeric_identifier,
    invisible_character,
    decomposed_text,
    other_case,
    quotes,
    blank_cell,
    duplicate_row,
    extra_column,
    extra_cells_in_row,
    unknown_word,
    title_rows,
    hidden_rows,
    extra_sheet,
    truncated,
    csv_dialect,
]
BY_NAME = {m.__name__: m for m in MUTATIONS}


def mutated_file(rng: random.Random, names: list[str], kind: str) -> tuple[bytes, str]:
    """A valid base roster with the named mutations applied, as an .xlsx workbook or an educators CSV."""
    tables, state = base_tables(), {}
    for name in names:
        BY_NAME[name](rng, tables, state)
    if kind == "xlsx":
        data = files.xlsx(
            tables,
            title_rows=state.get("title_rows", 0),
            hidden_rows=state.get("hidden_rows", ()),
            extra_sheets=state.get("extra_sheets", ()),
        )
        name = "roster.xlsx"
    else:
        rows = [["Danh sách giáo viên"]] * state.get("title_rows", 0) + tables["educators"]
        rows = [[str(c) for c in row] for row in rows]
        encoding = state.get("encoding", "utf-8-sig")
        try:
            data = files.csv_bytes(rows, delimiter=state.get("delimiter", ","), encoding=encoding)
        except UnicodeEncodeError:  # cp1258 cannot hold every character: Excel would write "?"
            text = files.csv_bytes(rows, delimiter=state.get("delimiter", ","), encoding="utf-8").decode()
            data = text.encode(encoding, errors="replace")
        name = "giao-vien.csv"
    if "truncate" in state:
        data = data[: int(len(data) * state["truncate"])]
    return data, name


def prepare_database(kind: str):
    """What the roster is imported onto: a current cycle, and for CSV files (one table) the units."""
    Cycle.objects.get_or_create(
        code="2026-2027",
        defaults={"name": "2026-2027", "starts_on": "2026-09-05", "ends_on": "2027-05-31", "is_current": True},
    )
    if kind == "csv":
        import_roster(io.BytesIO(files.xlsx({"units": base_tables()["units"]})), filename="units.xlsx")


def snapshot():
    return (
        sorted(OrgUnit.objects.values_list("code", "name", "kind", "parent_id", "school_levels", "path")),
        sorted(
            EducatorProfile.objects.values_list(
                "national_id", "full_name", "school_id", "position", "school_level", "is_core_teacher", "subject"
            )
        ),
        sorted(MentorGroupMembership.objects.values_list("group_id", "mentee_id")),
    )


def verdict(data: bytes, name: str):
    """Import the file and say what happened, as plain data that two databases must agree on."""
    try:
        summary = import_roster(io.BytesIO(data), filename=name)
    except RosterError as exc:
        return {"refused": sorted([e.sheet, e.line, e.column, e.kind] for e in exc.errors), "total": exc.total}
    return {
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "notices": sorted(n.code for n in summary.notices),
    }


def check_one(data: bytes, name: str) -> dict:
    """Import in a transaction that is rolled back afterwards; assert the harness's properties on the way:
    a refusal leaves the database as it was, an import imported again changes nothing."""
    with transaction.atomic():
        before = snapshot()
        result = verdict(data, name)
        if "refused" in result:
            assert snapshot() == before, f"a refused roster changed the database: {result}"
        else:
            after = snapshot()
            again = verdict(data, name)
            assert again.get("created") == {} and again.get("updated") == {}, again
            assert snapshot() == after, "importing the same roster twice changed the database"
        transaction.set_rollback(True)
    return result


def corpus(size: int = 40) -> list[tuple[int, list[str], str]]:
    """The fixed list of mutated files the databases are compared on: (seed, mutations, kind)."""
    chooser = random.Random(2026)
    cases = []
    for seed in range(size):
        names = chooser.sample(sorted(BY_NAME), chooser.randint(1, 3))
        cases.append((seed, names, chooser.choice(["xlsx", "csv"])))
    return cases


def corpus_verdicts(size: int = 40) -> str:
    results = {}
    for kind in ("xlsx", "csv"):
        with transaction.atomic():
            prepare_database(kind)
            for seed, names, case_kind in corpus(size):
                if case_kind == kind:
                    data, name = mutated_file(random.Random(seed), names, kind)
                    results[f"{seed}:{'+'.join(names)}:{kind}"] = check_one(data, name)
            transaction.set_rollback(True)
    return json.dumps(results, sort_keys=True, ensure_ascii=False, indent=1)
