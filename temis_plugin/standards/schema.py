"""Pydantic schema of a framework data file (one professional standard under one legal basis)."""

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .levels import Level, OverallRating

# How sure we are of a fact, as marked in the project's domain reference:
# C confirmed by a cited source, P partly confirmed, U unconfirmed.
Status = Literal["C", "P", "U"]
DescriptorLevel = Literal["D", "K", "T"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalBasis(_Strict):
    document: str
    issued: datetime.date
    effective: datetime.date
    rating_article: str
    guidance: str = ""
    status: Status
    note: str = ""

    def citation(self) -> str:
        return f"{self.document}, {self.rating_article}"


class Criterion(_Strict):
    """Criterion (tiêu chí) with its level descriptors."""

    number: int = Field(ge=1)
    name_vi: str
    name_en: str
    status: Status
    source: str = ""
    note: str = ""
    descriptors_vi: dict[DescriptorLevel, str] = Field(default_factory=dict)
    descriptors_en: dict[DescriptorLevel, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unknown_only_when_unconfirmed(self):
        # A criterion whose official name is not yet known keeps its number; nothing is invented.
        if (not self.name_vi or not self.name_en) and self.status != "U":
            raise ValueError(f"criterion {self.number}: a missing name is only allowed with status U")
        return self


class Standard(_Strict):
    """Standard (tiêu chuẩn): a group of criteria, one article of the circular."""

    number: int = Field(ge=1)
    article: str = ""
    name_vi: str
    name_en: str
    status: Status
    source: str = ""
    note: str = ""
    criteria: tuple[Criterion, ...]


class Share(_Strict):
    """At least numerator/denominator of all criteria are at ``level`` or above."""

    level: Level
    numerator: int = Field(ge=1)
    denominator: int = Field(ge=1)

    @model_validator(mode="after")
    def _proper_fraction(self):
        if self.numerator > self.denominator:
            raise ValueError("share must be a fraction no greater than 1")
        return self


class Mandatory(_Strict):
    criteria: tuple[int, ...]
    at_least: Level


class RatingRule(_Strict):
    """One overall result and the conditions, all of which must hold, that give it."""

    result: OverallRating
    status: Status
    every_criterion_at_least: Level | None = None
    share: Share | None = None
    mandatory: Mandatory | None = None
    wording_vi: str = ""
    wording_en: str = ""
    note: str = ""


class Rating(_Strict):
    article: str
    fallback: OverallRating
    rules: tuple[RatingRule, ...]


class CoreTeacherSelection(_Strict):
    """The conditions for choosing core teachers (giáo viên / cán bộ quản lý cốt cán; Điều 12 of each
    circular) that the records can check; the others (model lessons, training colleagues, languages and
    ICT, the wish to serve) are confirmed by the school."""

    article: str
    status: Status
    source: str = ""
    note: str = ""
    years: int = Field(ge=0)
    # The educator's date the years count from: at the current school level (teachers) or in the post
    # (principals and vice-principals).
    years_since: Literal["level_start_date", "position_since"]
    positions: tuple[Literal["teacher", "vice_principal", "principal"], ...] = Field(min_length=1)
    ratings: tuple[OverallRating, ...] = Field(min_length=1)  # final ratings that qualify
    criteria_at_good: tuple[int, ...] = ()  # criteria whose final level must be Tốt


class Framework(_Strict):
    """A professional standard as published by one circular: standards, criteria and rating rule."""

    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9.-]*$")
    revision: int = Field(ge=1)
    kind: Literal["teacher", "principal"]
    name_vi: str
    name_en: str
    legal_basis: LegalBasis
    standards: tuple[Standard, ...]
    rating: Rating
    core_teacher_selection: CoreTeacherSelection | None = None
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self):
        numbers = [c.number for s in self.standards for c in s.criteria]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"criteria must be numbered 1..N in order across standards, got {numbers}")
        standard_numbers = [s.number for s in self.standards]
        if standard_numbers != list(range(1, len(standard_numbers) + 1)):
            raise ValueError(f"standards must be numbered 1..N in order, got {standard_numbers}")
        results = [r.result for r in self.rating.rules]
        if len(set(results)) != len(results) or self.rating.fallback in results:
            raise ValueError("each overall result may appear once among the rules and the fallback")
        for rule in self.rating.rules:
            if rule.mandatory:
                unknown = set(rule.mandatory.criteria) - set(numbers)
                if unknown:
                    raise ValueError(f"rule {rule.result}: mandatory criteria {sorted(unknown)} do not exist")
        selection = self.core_teacher_selection
        if selection and set(selection.criteria_at_good) - set(numbers):
            unknown = sorted(set(selection.criteria_at_good) - set(numbers))
            raise ValueError(f"core_teacher_selection: criteria {unknown} do not exist")
        return self

    def core_selection_citation(self) -> str:
        return f"{self.legal_basis.document}, {self.core_teacher_selection.article}"

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for s in self.standards for c in s.criteria)

    @property
    def criterion_numbers(self) -> tuple[int, ...]:
        return tuple(c.number for c in self.criteria)

    @property
    def uncertain_items(self) -> list[str]:
        """Everything in the file not confirmed against the official text, for docs and admins."""
        items = []
        if self.legal_basis.status != "C":
            items.append(f"legal basis ({self.legal_basis.status})")
        for standard in self.standards:
            if standard.status != "C":
                items.append(f"standard {standard.number} ({standard.status})")
            items.extend(f"criterion {c.number} ({c.status})" for c in standard.criteria if c.status != "C")
        items.extend(f"rule {r.result} ({r.status})" for r in self.rating.rules if r.status != "C")
        if self.core_teacher_selection and self.core_teacher_selection.status != "C":
            items.append(f"core-teacher selection ({self.core_teacher_selection.status})")
        return items
