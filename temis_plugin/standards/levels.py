"""The four-level scale of the standards (Điều 3 khoản 6 TT20/2018) and the overall ratings."""
from enum import StrEnum


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


# Storage packs one level per character so a whole sheet fits one short column; "-" is "not set".
_PACK = {Level.CHUA_DAT: "C", Level.DAT: "D", Level.KHA: "K", Level.TOT: "T"}
_UNPACK = {char: level for level, char in _PACK.items()}
UNSET = "-"
# Public views of the packing, for code that reads packed sheets in bulk (reports in SQL).
PACKED_CHARS: dict[Level, str] = dict(_PACK)
LEVEL_BY_PACKED_CHAR: dict[str, Level] = dict(_UNPACK)


def pack_levels(criterion_count: int, levels: dict[int, Level]) -> str:
    """Pack ``{criterion number: Level}`` into a string with one character per criterion."""
    return "".join(_PACK[levels[n]] if n in levels else UNSET for n in range(1, criterion_count + 1))


def unpack_levels(packed: str) -> dict[int, Level]:
    """Inverse of :func:`pack_levels`; unset criteria are left out."""
    return {n: _UNPACK[char] for n, char in enumerate(packed, start=1) if char != UNSET}
