"""Which part of the organisation a report covers, and who may ask for it.

A scope is a unit and everything below it (a school, a commune, a province, the ministry for the
whole country). Officers see the scopes under the units their roles are on; a principal or
vice-principal sees their own school; a teacher sees no report.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..errors import NotAllowed, NotFound
from ..models import EducatorProfile, OrgUnit, RoleAssignment
from ..roles import Position, Role, UnitKind

# Roles that read reports for their unit; a subject-group head reads opinions, not reports.
REPORTING_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.MINISTRY_OFFICER})
NATION_CODE = ""  # the scope of every unit: the whole country


@dataclass(frozen=True)
class Scope:
    """A unit and everything below it; ``unit_id`` None is the whole country."""

    unit_id: int | None
    code: str
    name: str
    kind: str
    path: str  # "/" for the whole country

    @property
    def is_nation(self) -> bool:
        return self.unit_id is None

    def label(self) -> str:
        return self.name if self.unit_id else _("Whole country")


def nation() -> Scope:
    return Scope(None, NATION_CODE, "", UnitKind.MINISTRY, "/")


def whole_country() -> Scope:
    """Every unit: the single root unit (the ministry, whose reports list the provinces) if there is one."""
    roots = list(OrgUnit.objects.filter(parent__isnull=True).exclude(kind=UnitKind.SUBJECT_GROUP)[:2])
    return scope_of(roots[0]) if len(roots) == 1 else nation()


def scope_of(unit: OrgUnit) -> Scope:
    return Scope(unit.pk, unit.code, unit.name, unit.kind, unit.path)


def visible_roots(user) -> list[Scope]:
    """The widest scopes ``user`` may report on (no scope is inside another)."""
    if user is None or not user.is_authenticated:
        return []
    if user.is_superuser:
        return [whole_country()]
    units = [a.unit for a in RoleAssignment.objects.filter(user=user, role__in=REPORTING_ROLES).select_related("unit")]
    educator = (
        EducatorProfile.objects.filter(user=user, retired_at__isnull=True)
        .exclude(position=Position.TEACHER)
        .select_related("school")
        .first()
    )
    if educator is not None:
        units.append(educator.school)
    units.sort(key=lambda unit: len(unit.path))
    roots: list[OrgUnit] = []
    for unit in units:
        if not any(root.contains(unit) for root in roots):
            roots.append(unit)
    return [scope_of(unit) for unit in roots]


def reads_principals(user, scope: Scope) -> bool:
    """Whether ``user``'s reports on ``scope`` count principals and vice-principals (TT14).

    Their evaluations are read above the school (temis_plugin.permissions): a reach on the scope that
    comes only from the school itself (its administrator, principal or vice-principal) reports on its
    teachers only.
    """
    if getattr(user, "is_superuser", False):
        return True
    return any(root.kind != UnitKind.SCHOOL and scope.path.startswith(root.path) for root in visible_roots(user))


def resolve_scope(user, code: str | None) -> Scope:
    """The scope named by ``code`` (a unit code; "" or None: the user's widest scope), if visible."""
    roots = visible_roots(user)
    if not roots:
        raise NotAllowed("reports are for heads of school and education officers")
    if not code:
        if len(roots) > 1:
            raise NotAllowed("choose one of your units for the report")
        return roots[0]
    unit = OrgUnit.objects.filter(code=code).exclude(kind=UnitKind.SUBJECT_GROUP).first()
    if unit is None:
        raise NotFound(f"no unit {code}")
    for root in roots:
        if unit.path.startswith(root.path):
            return scope_of(unit)
    # The same answer as an unknown code: a user learns nothing about units outside their scopes.
    raise NotFound(f"no unit {code}")


def child_units(scope: Scope) -> list[OrgUnit]:
    """The units one level below the scope, in the order reports list them."""
    if scope.is_nation:
        return list(OrgUnit.objects.filter(parent__isnull=True).exclude(kind=UnitKind.SUBJECT_GROUP).order_by("code"))
    return list(OrgUnit.objects.filter(parent_id=scope.unit_id).exclude(kind=UnitKind.SUBJECT_GROUP).order_by("code"))


def sub_scopes(user, scope: Scope) -> list[Scope]:
    """Scopes the user can drill down to from ``scope`` (its child units, all visible)."""
    return [scope_of(unit) for unit in child_units(scope)]
