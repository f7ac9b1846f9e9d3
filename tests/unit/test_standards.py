"""The standards engine: framework data, rate() against held-out cases and against the circulars' wording."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temis_plugin import standards
from temis_plugin.standards import InvalidLevels, OverallRating, UnknownFramework, rate

DATA = Path(__file__).parent.parent / "data"
LETTER = {"C": "CD", "D": "D", "K": "K", "T": "T"}
RANK = {"CD": 0, "D": 1, "K": 2, "T": 3}


def sheet(letters: str) -> dict[int, str]:
    return {n: LETTER[ch] for n, ch in enumerate(letters, start=1)}


def test_engine_imports_without_django_settings():
    code = (
        "import sys; from temis_plugin.standards import rate; "
        "print(rate('TT20-2018', {n: 'T' for n in range(1, 16)}).value); "
        "assert 'django.conf' not in sys.modules or not __import__('django.conf').conf.settings.configured"
    )
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "TOT"


def test_frameworks_have_the_circulars_shape():
    tt20, tt14 = standards.get_framework("TT20-2018"), standards.get_framework("TT14-2018")
    assert [len(s.criteria) for s in tt20.standards] == [2, 5, 3, 3, 2]
    assert tt20.criterion_numbers == tuple(range(1, 16))
    assert len(tt14.standards) == 5 and tt14.criterion_numbers == tuple(range(1, 19))
    assert tt20.legal_basis.document == "Thông tư 20/2018/TT-BGDĐT"
    assert tt20.legal_basis.effective.isoformat() == "2018-10-10"
    assert tt14.legal_basis.effective.isoformat() == "2018-09-04"
    assert tt20.criteria[0].name_vi == "Đạo đức nhà giáo"
    # Every TT20 criterion carries its Đạt/Khá/Tốt descriptors in Vietnamese.
    assert all(set(c.descriptors_vi) == {"D", "K", "T"} for c in tt20.criteria)


def test_uncertain_facts_are_marked_not_invented():
    tt14 = standards.get_framework("TT14-2018")
    unnamed = [c for c in tt14.criteria if not c.name_vi]
    assert unnamed and all(c.status == "U" for c in unnamed)
    assert "rule DAT (P)" in tt14.uncertain_items


@pytest.mark.parametrize(
    "case",
    tomllib.loads((DATA / "rating_cases.toml").read_text("utf-8"))["cases"],
    ids=lambda c: f"{c['framework']}-{c['levels']}",
)
def test_rate_agrees_with_held_out_cases(case):
    assert rate(case["framework"], sheet(case["levels"])).value == case["expected"], case["why"]


def tt20_as_worded(levels: dict[int, str]) -> str:
    """Điều 10 khoản 2 TT20, written from the circular's words independently of the data file."""
    ranks = {n: RANK[v] for n, v in levels.items()}
    dieu5 = [3, 4, 5, 6, 7]
    if (
        all(r >= 2 for r in ranks.values())
        and 3 * sum(r == 3 for r in ranks.values()) >= 2 * 15
        and all(ranks[n] == 3 for n in dieu5)
    ):
        return "TOT"
    if (
        all(r >= 1 for r in ranks.values())
        and 3 * sum(r >= 2 for r in ranks.values()) >= 2 * 15
        and all(ranks[n] >= 2 for n in dieu5)
    ):
        return "KHA"
    if all(r >= 1 for r in ranks.values()):
        return "DAT"
    return "CHUA_DAT"


def tt14_as_worded(levels: dict[int, str]) -> str:
    ranks = {n: RANK[v] for n, v in levels.items()}
    mandatory = [1, 2, 4, 5, 6, 8, 10, 12, 13, 14]
    if (
        all(r >= 2 for r in ranks.values())
        and 3 * sum(r == 3 for r in ranks.values()) >= 2 * 18
        and all(ranks[n] == 3 for n in mandatory)
    ):
        return "TOT"
    if (
        all(r >= 1 for r in ranks.values())
        and 3 * sum(r >= 2 for r in ranks.values()) >= 2 * 18
        and all(ranks[n] >= 2 for n in mandatory)
    ):
        return "KHA"
    if 3 * sum(r >= 1 for r in ranks.values()) >= 2 * 18 and all(ranks[n] >= 1 for n in mandatory):
        return "DAT"
    return "CHUA_DAT"


level_codes = st.sampled_from(["CD", "D", "K", "T"])


@settings(max_examples=400)
@given(st.lists(level_codes, min_size=15, max_size=15))
def test_tt20_matches_the_wording(values):
    levels = dict(enumerate(values, start=1))
    assert rate("TT20-2018", levels).value == tt20_as_worded(levels)


@settings(max_examples=400)
@given(st.lists(level_codes, min_size=18, max_size=18))
def test_tt14_matches_the_wording(values):
    levels = dict(enumerate(values, start=1))
    assert rate("TT14-2018", levels).value == tt14_as_worded(levels)


@given(st.integers(min_value=0, max_value=5), st.permutations(list(range(8, 16))))
def test_tt20_two_thirds_boundary_is_exact(extra_tot, others):
    # Criteria 1-7 Tốt, plus `extra_tot` more of 8-15: Tốt needs 10 of 15 (7 + 3), no fewer.
    levels = {n: "T" for n in range(1, 8)} | {n: "K" for n in range(8, 16)}
    for n in others[:extra_tot]:
        levels[n] = "T"
    expected = OverallRating.TOT if 7 + extra_tot >= 10 else OverallRating.KHA
    assert rate("TT20-2018", levels) is expected


@given(st.integers(min_value=0, max_value=8))
def test_tt14_two_thirds_boundary_is_exact(extra_tot):
    mandatory = [1, 2, 4, 5, 6, 8, 10, 12, 13, 14]
    others = [3, 7, 9, 11, 15, 16, 17, 18]
    levels = {n: "T" for n in mandatory} | {n: "K" for n in others}
    for n in others[:extra_tot]:
        levels[n] = "T"
    assert rate("TT14-2018", levels) is (OverallRating.TOT if 10 + extra_tot >= 12 else OverallRating.KHA)


@pytest.mark.parametrize(
    "levels, message",
    [
        ({n: "T" for n in range(1, 15)}, "missing criteria [15]"),
        ({n: "T" for n in range(1, 17)}, "unknown criteria [16]"),
        ({**{n: "T" for n in range(1, 15)}, 15: "A"}, "unknown level 'A'"),
        ({**{n: "T" for n in range(2, 16)}, "1": "T"}, "must be integers"),
        (["T"] * 15, "must map"),
    ],
)
def test_bad_levels_raise_clear_errors(levels, message):
    with pytest.raises(InvalidLevels, match=message.replace("[", r"\[").replace("]", r"\]")):
        rate("TT20-2018", levels)


def test_unknown_framework_names_the_known_ones():
    with pytest.raises(UnknownFramework, match="known: TT14-2018, TT20-2018"):
        rate("TT99-2030", {})


def test_a_successor_circular_is_a_data_file(tmp_path, monkeypatch):
    source = Path(standards.__file__).parent.parent.parent / "fixtures" / "frameworks" / "TT20-2018.toml"
    text = source.read_text("utf-8").replace('code = "TT20-2018"', 'code = "TT30-2026"', 1)
    text = text.replace("mandatory = { criteria = [3, 4, 5, 6, 7]", "mandatory = { criteria = [3, 4]")
    (tmp_path / "TT30-2026.toml").write_text(text, "utf-8")
    monkeypatch.setenv(standards.registry.EXTRA_DIRS_ENV, str(tmp_path))
    standards.all_frameworks.cache_clear()
    try:
        levels = {n: "T" for n in range(1, 11)} | {n: "K" for n in range(11, 16)}
        levels[5] = "K"
        assert rate("TT20-2018", levels) is OverallRating.KHA  # criterion 5 is mandatory there
        assert rate("TT30-2026", levels) is OverallRating.KHA  # 9/15 Tốt
        levels[11] = "T"
        assert rate("TT30-2026", levels) is OverallRating.TOT  # 10/15 and only 3-4 mandatory
    finally:
        standards.all_frameworks.cache_clear()


def test_broken_framework_file_is_refused_with_its_name(tmp_path, monkeypatch):
    (tmp_path / "BAD.toml").write_text('code = "BAD"\nrevision = 1\n', "utf-8")
    monkeypatch.setenv(standards.registry.EXTRA_DIRS_ENV, str(tmp_path))
    standards.all_frameworks.cache_clear()
    try:
        with pytest.raises(standards.FrameworkFileError, match="BAD.toml"):
            standards.all_frameworks()
    finally:
        standards.all_frameworks.cache_clear()


def test_pack_and_unpack_levels_round_trip():
    levels = {1: standards.Level.TOT, 3: standards.Level.CHUA_DAT, 15: standards.Level.KHA}
    packed = standards.pack_levels(15, levels)
    assert packed == "T-C-----------K" and standards.unpack_levels(packed) == levels


def test_the_core_teacher_conditions_are_framework_data():
    tt20, tt14 = standards.get_framework("TT20-2018"), standards.get_framework("TT14-2018")
    teachers, principals = tt20.core_teacher_selection, tt14.core_teacher_selection
    assert (teachers.years, teachers.years_since, teachers.positions) == (5, "level_start_date", ("teacher",))
    assert teachers.ratings == (OverallRating.TOT, OverallRating.KHA)
    assert teachers.criteria_at_good == (3, 4, 5, 6, 7)
    assert tt20.core_selection_citation() == "Thông tư 20/2018/TT-BGDĐT, Điều 12 khoản 1"
    assert (principals.years, principals.years_since) == (2, "position_since")
    assert set(principals.positions) == {"principal", "vice_principal"} and principals.criteria_at_good == ()
    assert tt14.core_selection_citation() == "Thông tư 14/2018/TT-BGDĐT, Điều 12"
    assert "core-teacher selection (U)" in tt14.uncertain_items


@pytest.mark.parametrize(
    "change, message",
    [
        ("criteria_at_good = [3, 4, 5, 6, 7]", "criteria_at_good = [3, 16]"),
        ('years_since = "level_start_date"', 'years_since = "birthday"'),
        ('positions = ["teacher"]', "positions = []"),
        ('ratings = ["TOT", "KHA"]', 'ratings = ["EXCELLENT"]'),
    ],
)
def test_core_teacher_conditions_are_checked_when_the_file_loads(tmp_path, change, message):
    source = Path(standards.__file__).parent.parent.parent / "fixtures" / "frameworks" / "TT20-2018.toml"
    text = source.read_text("utf-8")
    assert change in text
    (tmp_path / "TT20-2018.toml").write_text(text.replace(change, message, 1), "utf-8")
    with pytest.raises(standards.FrameworkFileError, match="core_teacher_selection"):
        standards.load_framework_file(tmp_path / "TT20-2018.toml")


def test_the_storage_letters_are_defined_once_and_read_only():
    assert dict(standards.PACKED_CHARS) == {
        standards.Level.CHUA_DAT: "C",
        standards.Level.DAT: "D",
        standards.Level.KHA: "K",
        standards.Level.TOT: "T",
    }
    assert {standards.LEVEL_BY_PACKED_CHAR[c] for c in "CDKT"} == set(standards.Level)
    assert standards.UNSET not in standards.LEVEL_BY_PACKED_CHAR
    with pytest.raises(TypeError):
        standards.PACKED_CHARS[standards.Level.TOT] = "X"
