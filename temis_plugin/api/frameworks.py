"""The professional standard in force for an educator's position: the newest installed framework of its kind."""

from .. import standards
from ..errors import NotFound
from ..models import EducatorProfile


def framework_for(educator: EducatorProfile) -> standards.Framework:
    """The framework in force for the educator's position: the newest one of that kind."""
    return _newest(educator.framework_kind)


def teacher_framework() -> standards.Framework:
    """The teachers' standard in force (TT20-2018 today): support activities name its criteria."""
    return _newest("teacher")


def _newest(kind: str) -> standards.Framework:
    candidates = [f for f in standards.all_frameworks().values() if f.kind == kind]
    if not candidates:
        raise NotFound(f"no framework for {kind}s is installed")
    return max(candidates, key=lambda f: f.legal_basis.effective)
