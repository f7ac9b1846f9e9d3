"""One guard against formula injection: every spreadsheet-bound writer treats the same texts as formulas."""

import pytest

from temis_plugin.reports import writers
from temis_plugin.reports.formulas import FORMULA_PREFIXES, as_text

LOOKS_LIKE_A_FORMULA = ["=SUM(A1:A9)", "+84 912 345 678", "-1", "@cmd", "\t=1+1", "\r=1+1", '=HYPERLINK("x")']
PLAIN = ["Trường THPT Chu Văn An", "84 912", "", "a=b"]


@pytest.mark.parametrize("text", LOOKS_LIKE_A_FORMULA)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert as_text(text) == "'" + text
    assert writers._csv_value(text) == "'" + text


@pytest.mark.parametrize("value", [*PLAIN, 12, -3, None])
def test_other_values_are_left_as_they_are(value):
    assert as_text(value) == value


def test_the_prefixes_are_owasps():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}
