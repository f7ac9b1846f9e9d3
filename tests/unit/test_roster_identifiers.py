"""The compact map of identifiers a roster import keeps answers exactly as a dict would."""

from hypothesis import given, settings
from hypothesis import strategies as st

from temis_plugin.roster.identifiers import FileIdentifiers

digits = st.text(alphabet="0123456789", min_size=1, max_size=20)
codes = st.from_regex(r"[A-Z0-9][A-Z0-9._/-]{0,11}", fullmatch=True)
keys = st.one_of(digits, codes, st.sampled_from(["0", "00", "012", "12", "0012", "1" * 17, "1" * 18]))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(keys, st.integers(min_value=1, max_value=1_048_576)), max_size=400), st.lists(keys, max_size=50)
)
def test_answers_as_a_dict_of_first_lines(entries, probes):
    identifiers, expected = FileIdentifiers(bits=1), {}
    for key, line in entries:
        identifiers.add(key, line)
        expected.setdefault(key, line)
    assert len(identifiers) == len(expected)
    for key, line in expected.items():
        assert key in identifiers
        assert identifiers.line_of(key) == line
    for key in probes:
        assert (key in identifiers) == (key in expected)


def test_leading_zeros_keep_identifiers_apart():
    identifiers = FileIdentifiers()
    identifiers.add("012345678901", 2)
    assert "12345678901" not in identifiers
    assert "012345678901" in identifiers
    identifiers.add("12345678901", 3)
    assert identifiers.line_of("12345678901") == 3
    assert identifiers.line_of("012345678901") == 2


def test_a_full_sheet_of_national_ids_is_kept_exactly():
    identifiers = FileIdentifiers()
    for line in range(2, 200_002):
        identifiers.add(f"{line * 7919:012d}", line)
    assert len(identifiers) == 200_000
    assert identifiers.line_of(f"{1000 * 7919:012d}") == 1000
    assert f"{1 * 7919:012d}" not in identifiers
