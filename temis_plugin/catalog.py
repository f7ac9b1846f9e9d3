"""The packaged catalogue of training modules (fixtures/training_modules.toml) and its loader."""

import tomllib
from importlib import resources

from pydantic import BaseModel, ConfigDict

from .models import TrainingModule


class _ModuleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name_vi: str
    name_en: str = ""
    audience: str
    criteria: list[int] = []
    hours: int | None = None
    legal_basis: str = ""
    status: str = "U"


def load_training_modules() -> int:
    """Create or update the packaged modules; returns how many there are."""
    raw = tomllib.loads((resources.files("temis_plugin.fixtures") / "training_modules.toml").read_text("utf-8"))
    entries = [_ModuleEntry.model_validate(item) for item in raw["modules"]]
    for entry in entries:
        TrainingModule.objects.update_or_create(code=entry.code, defaults=entry.model_dump(exclude={"code"}))
    return len(entries)
