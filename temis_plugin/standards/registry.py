"""Loads framework data files: the packaged ones, plus any folder an operator adds."""

import functools
import os
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from .rules import StandardsError, UnknownFramework
from .schema import Framework

# Extra folders of framework files (a successor circular, a province's draft), separated by
# os.pathsep. An environment variable rather than a Django setting so the engine needs no settings.
EXTRA_DIRS_ENV = "TEMIS_FRAMEWORK_DIRS"


class FrameworkFileError(StandardsError):
    pass


def load_framework_file(path: Path) -> Framework:
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
        return Framework.model_validate(raw)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkFileError(f"{path.name}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        raise FrameworkFileError(f"{path.name}: {exc}") from exc


def _framework_dirs() -> list[Path]:
    packaged = Path(str(resources.files("temis_plugin.fixtures") / "frameworks"))
    extra = [Path(p) for p in os.environ.get(EXTRA_DIRS_ENV, "").split(os.pathsep) if p]
    return [packaged, *extra]


@functools.cache
def all_frameworks() -> dict[str, Framework]:
    """Every known framework by code; a code defined twice is an error, not a silent override."""
    found: dict[str, tuple[Framework, Path]] = {}
    for folder in _framework_dirs():
        for path in sorted(folder.glob("*.toml")):
            framework = load_framework_file(path)
            if framework.code in found:
                raise FrameworkFileError(
                    f"framework {framework.code} is defined in both {found[framework.code][1]} and {path}"
                )
            found[framework.code] = (framework, path)
    return {code: framework for code, (framework, _path) in found.items()}


def get_framework(code: str) -> Framework:
    frameworks = all_frameworks()
    try:
        return frameworks[code]
    except (KeyError, TypeError):
        known = ", ".join(sorted(frameworks))
        raise UnknownFramework(f"unknown framework {code!r} (known: {known})") from None
