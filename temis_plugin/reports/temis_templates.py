"""TEMIS export templates: the columns of an export as data, read from TOML files and checked.

A template (``fixtures/temis_templates/*.toml``, plus folders named in TEMIS_EXPORT_TEMPLATE_DIRS)
lists the columns: header, field and format. A province that needs another layout writes a template,
not code. A template is checked when it is read (known fields, formats that fit its source, a valid
sheet name), so a bad file fails at once rather than in the middle of an export.
"""

import functools
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from ..errors import InvalidInput, NotFound
from ..i18n import localized

EXTRA_DIRS_ENV = "TEMIS_EXPORT_TEMPLATE_DIRS"

EVALUATION_FIELDS = {
    "row_number",
    "national_id",
    "full_name",
    "school_code",
    "school_name",
    "school_level",
    "subject",
    "position",
    "criterion_level",
    "final_rating",
    "self_rating",
    "finalized_on",
    "cycle_code",
}
MODULE_FIELDS = {
    "row_number",
    "national_id",
    "full_name",
    "school_code",
    "school_name",
    "module_code",
    "module_name",
    "hours",
    "percent",
    "result",
    "passed_on",
    "cycle_code",
}
Format = Literal["text", "level_vi", "level_code", "rating_vi", "rating_code", "position_vi", "passed_vi"]
MODULE_FORMATS = ("text", "passed_vi")  # a module result has no level, rating or position


class TemplateColumn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    header: str
    field: str
    format: Format = "text"
    required: bool = False
    each_criterion: bool = False


class ExportTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    name_vi: str
    name_en: str
    source: Literal["evaluations", "module_results"]
    framework: str = ""
    status: Literal["C", "P", "U"] = "U"
    sheet: str
    title: str = ""
    columns: tuple[TemplateColumn, ...]

    @model_validator(mode="after")
    def _consistent(self):
        known = EVALUATION_FIELDS if self.source == "evaluations" else MODULE_FIELDS
        unknown = sorted({column.field for column in self.columns} - known)
        if unknown:
            raise ValueError(
                f"unknown fields for {self.source}: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        if self.source == "module_results" and any(c.format not in MODULE_FORMATS for c in self.columns):
            raise ValueError(f"module-result columns are formatted as {' or '.join(MODULE_FORMATS)}")
        if self.source == "evaluations" and not self.framework:
            raise ValueError("an evaluations template names its framework")
        if any(c.each_criterion != (c.field == "criterion_level") for c in self.columns):
            raise ValueError("criterion_level columns, and only they, repeat for each criterion (each_criterion)")
        if len(self.sheet) > 31 or any(ch in self.sheet for ch in "[]:*?/\\"):
            raise ValueError("the sheet name must be at most 31 characters, without []:*?/\\")
        return self

    def name(self) -> str:
        return localized(self.name_vi, self.name_en)


class TemplateFileError(ValueError):
    pass


def _template_dirs() -> list[Path]:
    packaged = Path(str(resources.files("temis_plugin.fixtures") / "temis_templates"))
    return [packaged, *(Path(p) for p in os.environ.get(EXTRA_DIRS_ENV, "").split(os.pathsep) if p)]


def load_template_file(path: Path) -> ExportTemplate:
    try:
        with open(path, "rb") as handle:
            return ExportTemplate.model_validate(tomllib.load(handle))
    except tomllib.TOMLDecodeError as exc:
        raise TemplateFileError(f"{path.name}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        raise TemplateFileError(f"{path.name}: {exc}") from exc


@functools.cache
def all_templates() -> dict[str, ExportTemplate]:
    found: dict[str, tuple[ExportTemplate, Path]] = {}
    for folder in _template_dirs():
        for path in sorted(folder.glob("*.toml")):
            template = load_template_file(path)
            if template.code in found:
                raise TemplateFileError(
                    f"template {template.code} is defined in {found[template.code][1].name} and {path.name}"
                )
            found[template.code] = (template, path)
    return {code: template for code, (template, _path) in found.items()}


def get_template(code: str) -> ExportTemplate:
    try:
        return all_templates()[code]
    except KeyError:
        raise NotFound(f"no TEMIS export template {code!r} (known: {', '.join(sorted(all_templates()))})") from None


def template_choices() -> list[tuple[str, str]]:
    return [(code, template.name()) for code, template in sorted(all_templates().items())]


def check_template_code(code: str) -> str:
    if code not in all_templates():
        raise InvalidInput(f"unknown TEMIS export template {code!r}", field="template")
    return code
