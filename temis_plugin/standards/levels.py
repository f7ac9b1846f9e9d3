"""The four-level scale of the standards (Điều 3 khoản 6 TT20/2018) and the overall ratings."""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Level(StrEnum):
    """Level (mức) reached on one criterion; each level includes the requirements of the one below."""

    CHUA_DAT = "CD"
    DAT = "D"
    KHA = "K"
    TOT = "T"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.CHUA_DAT: 0, Level.DAT: 1, Level.KHA: 2, Level.TOT: 3}


class OverallRating(StrEnum):
    """Overall rating (xếp loại) of one evaluation."""

    TOT = "TOT"
    KHA = "KHA"
    DAT = "DAT"
    CHUA_DAT = "CHUA_DAT"


# The storage form of a level sheet, defined here once: one letter per criterion in criterion order, so a
# whole sheet is one short column the database can count with plain string functions (reports read the
# letters in SQL). Every reader and writer of packed sheets takes the letters from these names.
PACKED_CHARS: Mapping[Level, str] = MappingProxyType(
    {Level.CHUA_DAT: "C", Level.DAT: "D", Level.KHA: "K", Level.TOT: "T"}
)
LEVEL_BY_PACKED_CHAR: Mapping[str, Level] = MappingProxyType({char: level for level, char in PACKED_CHARS.items()})
UNSET = "-"  # a criterion with no level yet


def pack_levels(criterion_count: int, levels: dict[int, Level]) -> str:
    """Pack ``{criterion number: Level}`` into a string with one character per criterion."""
    return "".join(PACKED_CHARS[levels[n]] if n in levels else UNSET for n in range(1, criterion_count + 1))


def unpack_levels(packed: str) -> dict[int, Level]:
    """Inverse of :func:`pack_levels`; unset criteria are left out."""
    return {n: LEVEL_BY_PACKED_CHAR[char] for n, char in enumerate(packed, start=1) if char != UNSET}
