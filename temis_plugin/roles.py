"""Roles, unit kinds and positions of the organisation. Pure Python.

A role is assigned to a user on one unit and reaches every unit below it in the tree.
"""

from enum import StrEnum


class UnitKind(StrEnum):
    MINISTRY = "ministry"  # Bộ GD&ĐT
    PROVINCE = "province"  # tỉnh / thành phố
    DISTRICT = "district"  # huyện: abolished 1 July 2025, kept for older data
    COMMUNE = "commune"  # xã / phường / đặc khu
    SCHOOL = "school"  # trường
    SUBJECT_GROUP = "subject_group"  # tổ chuyên môn


# Where a unit may hang. A school hangs under the unit that manages it: a commune for
# TH/THCS, the province for THPT, a legacy district for data from before July 2025.
ALLOWED_PARENTS: dict[UnitKind, frozenset[UnitKind | None]] = {
    UnitKind.MINISTRY: frozenset({None}),
    UnitKind.PROVINCE: frozenset({UnitKind.MINISTRY}),
    UnitKind.DISTRICT: frozenset({UnitKind.PROVINCE}),
    UnitKind.COMMUNE: frozenset({UnitKind.PROVINCE, UnitKind.DISTRICT}),
    UnitKind.SCHOOL: frozenset({UnitKind.MINISTRY, UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE}),
    UnitKind.SUBJECT_GROUP: frozenset({UnitKind.SCHOOL}),
}


def parent_allowed(kind: UnitKind, parent_kind: UnitKind | None) -> bool:
    return parent_kind in ALLOWED_PARENTS[UnitKind(kind)]


class Position(StrEnum):
    TEACHER = "teacher"
    VICE_PRINCIPAL = "vice_principal"
    PRINCIPAL = "principal"

    @property
    def framework_kind(self) -> str:
        """Which standard applies: TT20 for teachers, TT14 for principals and vice-principals."""
        return "teacher" if self is Position.TEACHER else "principal"


class SchoolLevel(StrEnum):
    TH = "TH"  # tiểu học, primary
    THCS = "THCS"  # trung học cơ sở, lower secondary
    THPT = "THPT"  # trung học phổ thông, upper secondary


class Role(StrEnum):
    SCHOOL_ADMIN = "school_admin"
    SUBJECT_GROUP_HEAD = "subject_group_head"  # tổ trưởng chuyên môn: reads the opinions on the group's teachers
    COMMUNE_OFFICER = "commune_officer"
    PROVINCE_OFFICER = "province_officer"
    MINISTRY_OFFICER = "ministry_officer"


# The unit kinds each role may be assigned on.
ROLE_UNIT_KINDS: dict[Role, frozenset[UnitKind]] = {
    Role.SCHOOL_ADMIN: frozenset({UnitKind.SCHOOL}),
    Role.SUBJECT_GROUP_HEAD: frozenset({UnitKind.SUBJECT_GROUP}),
    Role.COMMUNE_OFFICER: frozenset({UnitKind.COMMUNE, UnitKind.DISTRICT}),
    Role.PROVINCE_OFFICER: frozenset({UnitKind.PROVINCE}),
    Role.MINISTRY_OFFICER: frozenset({UnitKind.MINISTRY}),
}

# Officers above the school act as the superior (cấp trên) who rates principals (TT14 Điều 11).
SUPERIOR_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.MINISTRY_OFFICER})
