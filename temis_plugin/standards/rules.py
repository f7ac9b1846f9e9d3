"""The overall-rating rule, applied to one sheet of criterion levels. Pure functions."""

from dataclasses import dataclass

from .levels import Level, OverallRating
from .schema import Framework, RatingRule


class StandardsError(ValueError):
    """Base of the errors the standards engine raises for bad input."""


class UnknownFramework(StandardsError, LookupError):
    pass


class InvalidLevels(StandardsError):
    pass


@dataclass(frozen=True)
class RatingOutcome:
    result: OverallRating
    rule: RatingRule | None  # None when no rule held and the fallback applied


def validate_levels(framework: Framework, levels) -> dict[int, Level]:
    """Check that ``levels`` gives exactly one known level for each criterion of ``framework``."""
    if not hasattr(levels, "items"):
        raise InvalidLevels("levels must map criterion numbers to level codes")
    expected = set(framework.criterion_numbers)
    bad_keys = [k for k in levels if not isinstance(k, int) or isinstance(k, bool)]
    if bad_keys:
        raise InvalidLevels(f"criterion numbers must be integers, got {bad_keys!r}")
    missing = sorted(expected - set(levels))
    extra = sorted(set(levels) - expected)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing criteria {missing}")
        if extra:
            parts.append(f"unknown criteria {extra}")
        raise InvalidLevels(f"{framework.code} has criteria 1-{len(expected)}: " + "; ".join(parts))
    checked = {}
    for number, code in levels.items():
        try:
            checked[number] = Level(code)
        except ValueError:
            valid = ", ".join(level.value for level in Level)
            raise InvalidLevels(f"criterion {number}: unknown level {code!r} (expected one of {valid})") from None
    return checked


def rule_holds(rule: RatingRule, levels: dict[int, Level]) -> bool:
    ranks = [level.rank for level in levels.values()]
    if rule.every_criterion_at_least is not None and min(ranks) < rule.every_criterion_at_least.rank:
        return False
    if rule.share is not None:
        reached = sum(rank >= rule.share.level.rank for rank in ranks)
        # "tối thiểu 2/3": integer arithmetic keeps the boundary exact (10 of 15, 12 of 18).
        if reached * rule.share.denominator < rule.share.numerator * len(ranks):
            return False
    if rule.mandatory is not None:
        floor = rule.mandatory.at_least.rank
        if any(levels[number].rank < floor for number in rule.mandatory.criteria):
            return False
    return True


def evaluate(framework: Framework, levels) -> RatingOutcome:
    """Rate a complete sheet of levels; the first rule (highest result first) that holds wins."""
    return evaluate_valid(framework, validate_levels(framework, levels))


def evaluate_valid(framework: Framework, checked: dict[int, Level]) -> RatingOutcome:
    """:func:`evaluate` for a sheet already checked by :func:`validate_levels` (bulk exports, where the
    packed sheet was checked more cheaply)."""
    for rule in framework.rating.rules:
        if rule_holds(rule, checked):
            return RatingOutcome(rule.result, rule)
    return RatingOutcome(framework.rating.fallback, None)
