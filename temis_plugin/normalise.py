"""What a cell means, whoever typed it: one notion of "the same" for text, identifiers and words
(rosters, grade reports).

Pure Python (no Django). Data from outside is hostile even when honest: Excel turns identifiers into
numbers, copies carry invisible characters, macOS and some input methods write Vietnamese decomposed
(NFD), and MariaDB's collation ignores case and trailing spaces. Everything read from a roster goes
through these functions before it is compared or stored.
"""

import functools
import re
import sys
import unicodedata

SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000\t\r\n\v\f"), " ")


@functools.cache
def _invisible() -> dict[int, None]:
    """Unicode's format characters (category Cf: zero-width spaces and joiners, byte-order marks,
    direction marks, soft hyphens): invisible on screen, never part of a name, an identifier or a
    number, yet they make equal-looking values differ (and MariaDB's collation ignores some of them,
    not others). Built on first use: scanning every code point costs a fraction of a second."""
    return dict.fromkeys(code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf")


def remove_invisible(value: str) -> str:
    return value if value.isascii() else value.translate(_invisible())


# Identifiers and codes: letters without diacritics, digits and - _ . /. With these, comparing
# case-insensitively means the same on every database (MariaDB's utf8mb4 collations also equate
# "Ư" with "u", which SQLite does not: accented codes could never be checked the same way).
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*\Z")
# What Excel writes in a CSV for a long number in a narrow column: the digits are gone.
SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?E\+[0-9]+\Z", re.I)
# ="0123": the trick that makes Excel keep a CSV value as text.
EXCEL_TEXT_FORMULA = re.compile(r'="(.*)"\Z')
# A number format that pads with zeros ("000000000000"): the column's width is known.
ZERO_PADDED_FORMAT = re.compile(r"0{2,}\Z")


def clean_text(value) -> str:
    """Free text as stored: NFC, invisible characters removed, runs of spaces collapsed, trimmed."""
    text = remove_invisible(unicodedata.normalize("NFC", str(value))).translate(SPACES)
    return " ".join(text.split())


def clean_identifier(value: str) -> str:
    """An identifier or code as stored: clean text with ="…" unwrapped (spaces inside are kept, and
    refused by :func:`identifier_problem`)."""
    text = clean_text(value)
    wrapped = EXCEL_TEXT_FORMULA.match(text)
    return clean_text(wrapped.group(1)) if wrapped else text


def identifier_problem(value: str) -> str | None:
    """Why a cleaned identifier cannot be used, as a message code, or None."""
    if not value:
        return None
    if SCIENTIFIC.match(value):
        return "scientific"
    if not IDENTIFIER.match(value):
        return "identifier_characters"
    return None


def identity_key(value: str) -> str:
    """Two identifiers are the same when their keys are equal (case-insensitive, as MariaDB's
    collation compares them; identifiers hold ASCII only, see IDENTIFIER)."""
    return value.upper()


def fold_word(value) -> str:
    """A word as compared against a vocabulary: no case, no diacritics (đ → d), NFC or NFD alike,
    underscores and hyphens as spaces."""
    text = unicodedata.normalize("NFD", clean_text(value).lower().replace("đ", "d").replace("Đ", "d"))
    bare = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(bare.replace("_", " ").replace("-", " ").split())


def vocabulary(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{value: (spellings...)} → {folded spelling: value}; the value's own name is a spelling too."""
    table = {}
    for value, spellings in words.items():
        for spelling in (value, *spellings):
            table[fold_word(spelling)] = value
    return table


def restore_zero_padded(number, number_format: str) -> str | None:
    """An integer typed in a column formatted to show N digits with leading zeros: its text, or None
    when the format does not say how wide the identifier is."""
    if not ZERO_PADDED_FORMAT.match(number_format or ""):
        return None
    if isinstance(number, float) and not number.is_integer():
        return None
    return str(int(number)).zfill(len(number_format))
