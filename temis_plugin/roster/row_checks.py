"""Checks of one roster row on its own, before any other row or stored record is looked at: the words
each column understands, dates, text lengths and identifier shapes."""

import datetime

from django.utils.translation import gettext as _

from ..models import Cycle, EducatorProfile, MentorGroup, OrgUnit
from ..normalise import fold_word, identifier_problem
from .columns import IDENTIFIER_COLUMNS, REQUIRED, SCHOOL_LEVEL_WORDS, YES_NO_WORDS


def text_limits() -> dict[str, dict[str, int]]:
    """Longest text each roster column may hold, from the model fields it is written to.

    Checked before writing: MariaDB refuses an over-long value mid-transaction, SQLite would keep it.
    """

    def limit(model, name):
        return model._meta.get_field(name).max_length

    return {
        "units": {
            "code": limit(OrgUnit, "code"),
            "name": limit(OrgUnit, "name"),
            "parent_code": limit(OrgUnit, "code"),
        },
        "educators": {
            "national_id": limit(EducatorProfile, "national_id"),
            "full_name": limit(EducatorProfile, "full_name"),
            "subject": limit(EducatorProfile, "subject"),
            "school_code": limit(OrgUnit, "code"),
            "subject_group_code": limit(OrgUnit, "code"),
            "username": 150,
        },
        "mentor_groups": {
            "cycle": limit(Cycle, "code"),
            "group_code": limit(MentorGroup, "code"),
            "group_name": limit(MentorGroup, "name"),
            "mentor_national_id": limit(EducatorProfile, "national_id"),
            "member_national_id": limit(EducatorProfile, "national_id"),
        },
    }


def cell_problems(table: str, row: dict, limits: dict[str, int], bad: set) -> list[tuple[str, str, str, str]]:
    """``(column, message, value, kind)`` of each cell of ``row`` that is missing, too long or not an
    identifier's shape. ``bad`` holds the columns already reported; the columns found wrong here are
    added to it, and a column is reported once: its identifier shape is not checked once it is bad."""
    found = []
    for column in REQUIRED[table]:
        if not row.get(column):
            found.append((column, _("is required"), "", "required"))
            bad.add(column)
    for column, longest in limits.items():
        if len(row.get(column) or "") > longest:
            found.append((column, _("is longer than %(n)s characters") % {"n": longest}, row[column], "too_long"))
            bad.add(column)
    for column in IDENTIFIER_COLUMNS.intersection(row).difference(bad):
        problem = identifier_problem(row[column])
        if problem == "scientific":
            found.append(
                (
                    column,
                    _(
                        "Excel wrote this identifier in scientific notation and its digits are lost: "
                        "format the column as Text and type the identifiers again."
                    ),
                    row[column],
                    problem,
                )
            )
        elif problem:
            found.append(
                (
                    column,
                    _("identifiers and codes may hold only letters without diacritics, digits and - _ . /"),
                    row[column],
                    problem,
                )
            )
        if problem:
            bad.add(column)
    return found


def parse_bool(value: str) -> bool:
    try:
        return YES_NO_WORDS[fold_word(value)]
    except KeyError:
        raise ValueError(_("must be yes or no (có/không, 1/0, x or empty)")) from None


def parse_date(value: str):
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("must be a date as YYYY-MM-DD or DD/MM/YYYY"))


def parse_school_levels(value: str) -> tuple[list[str], list[str]]:
    """``(levels, words not understood)`` of a list such as "TH, THCS" or "Tiểu học; THCS"."""
    words = [w for w in value.replace(";", ",").replace("/", ",").split(",") if w.strip()]
    levels = [SCHOOL_LEVEL_WORDS.get(fold_word(w)) for w in words]
    return [lv for lv in levels if lv], [w.strip() for w, lv in zip(words, levels) if not lv]
