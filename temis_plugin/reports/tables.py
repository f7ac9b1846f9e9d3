"""The plain data a report is made of: a stamp, tables of columns and rows, chart hints.

Writers (xlsx, csv, json, the HTML dashboard) turn a :class:`Report` into a file or a page; they
never query the database themselves. Rows of large tables are iterators, so a national list streams
from the database to the file without being held in memory.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class ColumnKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    PERCENT = "percent"  # a share 0..100, one decimal
    DECIMAL = "decimal"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True)
class Chart:
    """A distribution to draw: one bar group per row, one series per value column."""

    title: str
    category_column: str
    value_columns: tuple[str, ...]
    stacked: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    # A list for small tables; for per-educator tables a callable giving a fresh row iterator, so the
    # rows can be streamed (and counted first, for progress).
    rows: list[tuple] | Callable[[], Iterable[tuple]]
    row_count: int | None = None
    chart: Chart | None = None
    note: str = ""

    @property
    def streamed(self) -> bool:
        return callable(self.rows)

    def iter_rows(self) -> Iterable[tuple]:
        return self.rows() if callable(self.rows) else iter(self.rows)

    def records(self) -> Iterable[dict]:
        keys = [column.key for column in self.columns]
        for row in self.iter_rows():
            yield dict(zip(keys, row))


@dataclass(frozen=True)
class Stamp:
    """What a report was computed from, printed on every page and file so downloads can be compared."""

    report: str
    title: str
    cycle_code: str
    cycle_name: str
    scope_code: str
    scope_name: str
    frameworks: tuple[tuple[str, int, str], ...]  # (code, data revision, legal basis citation)
    cut_off: datetime.datetime
    generated_at: datetime.datetime

    def as_dict(self) -> dict:
        return {
            "report": self.report,
            "title": self.title,
            "cycle": {"code": self.cycle_code, "name": self.cycle_name},
            "scope": {"code": self.scope_code, "name": self.scope_name},
            "frameworks": [
                {"code": code, "revision": revision, "legal_basis": basis} for code, revision, basis in self.frameworks
            ],
            "cut_off": self.cut_off.isoformat(),
            "generated_at": self.generated_at.isoformat(),
        }


@dataclass
class Report:
    kind: str
    stamp: Stamp
    tables: list[Table] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # validation findings (TEMIS exports)

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)
