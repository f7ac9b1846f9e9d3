"""Standards engine: professional standards as versioned data, and the overall-rating rule.

Pure Python (no Django). Frameworks are data files (``fixtures/frameworks/*.toml``); a successor
circular is a new file, not new code.

>>> rate("TT20-2018", {n: "K" for n in range(1, 16)})
<OverallRating.KHA: 'KHA'>
"""

from .levels import LEVEL_BY_PACKED_CHAR, PACKED_CHARS, UNSET, Level, OverallRating, pack_levels, unpack_levels
from .registry import FrameworkFileError, all_frameworks, get_framework, load_framework_file
from .rules import (
    InvalidLevels,
    RatingOutcome,
    StandardsError,
    UnknownFramework,
    evaluate,
    evaluate_valid,
    validate_levels,
)
from .schema import CoreTeacherSelection, Criterion, Framework, RatingRule, Standard
from .sheets import InvalidSheet, complete_levels, criterion_number, known_criteria, partial_levels, rating_if_complete

__all__ = [
    "LEVEL_BY_PACKED_CHAR",
    "PACKED_CHARS",
    "UNSET",
    "CoreTeacherSelection",
    "Criterion",
    "Framework",
    "FrameworkFileError",
    "InvalidLevels",
    "Level",
    "OverallRating",
    "RatingOutcome",
    "RatingRule",
    "Standard",
    "StandardsError",
    "UnknownFramework",
    "all_frameworks",
    "evaluate",
    "evaluate_valid",
    "get_framework",
    "load_framework_file",
    "pack_levels",
    "rate",
    "unpack_levels",
    "validate_levels",
    # Sheets as screens send them
    "InvalidSheet",
    "complete_levels",
    "criterion_number",
    "known_criteria",
    "partial_levels",
    "rating_if_complete",
]


def rate(framework_code: str, levels) -> OverallRating:
    """Overall rating of a complete sheet: ``levels`` maps each criterion number to CD, D, K or T.

    Raises :class:`UnknownFramework` or :class:`InvalidLevels` (both ``ValueError``) for bad input.
    """
    return evaluate(get_framework(framework_code), levels).result
