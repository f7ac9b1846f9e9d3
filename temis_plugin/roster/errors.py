"""What a refused roster says: every problem with its sheet, row, column, value and reason, listed up
to a cap and counted by kind, so a file with a million bad rows still gives a readable answer."""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# Problems listed one by one; the rest are counted by kind.
LISTED_ERRORS = 200
SHOWN_VALUE = 256  # the longest text column, so a value is shown whole unless it could not be stored anyway

KIND_LABELS = {
    "file": _("file cannot be read"),
    "header_not_found": _("header row not found"),
    "required": _("required value missing"),
    "too_long": _("text too long"),
    "numeric_identifier": _("identifier stored as a number"),
    "scientific": _("identifier in scientific notation"),
    "identifier_characters": _("identifier with characters not allowed"),
    "lost_zero": _("identifier that lost its leading zeros"),
    "duplicate": _("appears more than once"),
    "unknown_word": _("value not in the list"),
    "bad_date": _("date not understood"),
    "future_date": _("date in the future"),
    "not_found": _("refers to something that does not exist"),
    "wrong_kind": _("refers to the wrong kind of unit"),
    "placement": _("unit placed under a unit it cannot belong to"),
    "loop": _("units form a loop"),
    "username": _("Open edX user problem"),
    "mentor": _("mentor group problem"),
    "extra_cells": _("more cells than column headers"),
}


@dataclass(frozen=True)
class RowError:
    table: str
    line: int  # row in the sheet or line in the CSV (the header's own line counts); 0: the whole file
    column: str
    message: str
    value: str = ""
    sheet: str = ""
    kind: str = ""

    def __str__(self):
        sheet = self.sheet or self.table
        where = f"{sheet}, line {self.line}" if self.line else sheet
        shown = f" [{self.shown_value}]" if self.value else ""
        return f"{where}, {self.column or '-'}: {self.message}{shown}"

    @property
    def shown_value(self) -> str:
        return self.value if len(self.value) <= SHOWN_VALUE else self.value[:SHOWN_VALUE] + "…"


class RosterError(ValueError):
    """The roster was refused whole. ``errors`` lists the first problems (at most LISTED_ERRORS),
    ``total`` counts them all and ``counts`` counts them by kind."""

    def __init__(self, errors: list[RowError], total: int | None = None, counts: dict | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        self.counts = counts if counts is not None else dict(Counter(e.kind or "file" for e in errors))
        super().__init__(f"roster refused, {self.total} problem(s); nothing was imported")

    def counts_by_label(self) -> list[tuple[str, int]]:
        return [(str(KIND_LABELS.get(kind, kind)), n) for kind, n in sorted(self.counts.items(), key=lambda i: -i[1])]


@dataclass
class ErrorLog:
    """Collects problems while a roster is read; keeps the first LISTED_ERRORS."""

    listed: list[RowError] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, error: RowError):
        self.counts[error.kind or "file"] += 1
        if len(self.listed) < LISTED_ERRORS:
            self.listed.append(error)

    def refusal(self) -> RosterError:
        ordered = sorted(self.listed, key=lambda e: (e.table != "file", e.table, e.line, e.column))
        return RosterError(ordered, total=self.total, counts=dict(self.counts))
