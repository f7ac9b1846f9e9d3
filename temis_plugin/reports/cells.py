"""The cells and labels of report tables: shares, level and rating names, criteria, frameworks, modules.

Labels come in the active language and are looked up once per report where a table has a row per
educator, not once per cell.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from ..i18n import localized, translated
from ..labels import LEVEL_LABELS, RATING_LABELS
from ..standards import LEVEL_BY_PACKED_CHAR, UNSET
from ..survey import SURVEY_ITEM_LABELS, SURVEY_ITEMS
from .tables import Column, ColumnKind


def share(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"))


def level_label(level) -> str:
    return translated(LEVEL_LABELS, str(level))


def rating_label(rating) -> str:
    return translated(RATING_LABELS, rating)


def criterion_label(criterion) -> str:
    name = localized(criterion.name_vi, criterion.name_en)
    return _("Criterion %(number)s") % {"number": criterion.number} + (f". {name}" if name else "")


def framework_title(framework) -> str:
    name = localized(framework.name_vi, framework.name_en)
    return f"{name} ({framework.legal_basis.document})"


def module_name(name_vi, name_en) -> str:
    return localized(name_vi, name_en)


def survey_item_labels() -> dict[str, str]:
    """Each survey item in the active language, worded as the survey asks it: reports never re-word the items."""
    return {item: _(SURVEY_ITEM_LABELS[item]) for item in SURVEY_ITEMS}


def count_columns(key_labels) -> list[Column]:
    """A count and a share column for each ``(key, label)``: ``<key>_n`` and ``<key>_pct``."""
    columns = []
    for key, label in key_labels:
        columns.append(Column(f"{key}_n", label, ColumnKind.INTEGER))
        columns.append(Column(f"{key}_pct", f"{label} (%)", ColumnKind.PERCENT))
    return columns


def educator_columns() -> list[Column]:
    """The columns that open every per-educator list: the row number, the school and who the educator is."""
    return [
        Column("number", _("No."), ColumnKind.INTEGER),
        Column("school_code", _("School code")),
        Column("school", _("School")),
        Column("national_id", _("National identifier")),
        Column("full_name", _("Full name")),
        Column("school_level", _("School level")),
    ]


def level_texts() -> dict[str, str]:
    """Storage letter -> level label in the active language (looked up once per report, not per cell)."""
    return {char: level_label(level) for char, level in LEVEL_BY_PACKED_CHAR.items()}


def level_sheet(packed: str, count: int, texts: dict[str, str]) -> list[str]:
    """The labels of a packed sheet's ``count`` criteria; "" where a criterion has no level."""
    return [texts.get(char, "") for char in packed.ljust(count, UNSET)[:count]]
