"""The demo's province: communes, schools and subject groups, the people in them and their accounts and roles.

The people reach the records the way real ones do, through a roster workbook for the importer.
"""

import io

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from openpyxl import Workbook

from ...models import OrgUnit, RoleAssignment
from ...roles import Role

PASSWORD = "demo-password"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Thị", "Văn", "Minh", "Thu", "Đức", "Ngọc", "Hữu", "Thanh", "Quang", "Mai"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
]
SUBJECT_GROUPS = {
    "TH": [("TOAN", "Tổ Toán – Tiếng Việt", "Toán"), ("NK", "Tổ Năng khiếu", "Âm nhạc")],
    "THCS": [("TN", "Tổ Khoa học tự nhiên", "Toán"), ("XH", "Tổ Khoa học xã hội", "Ngữ văn")],
    "THPT": [("TN", "Tổ Tự nhiên", "Vật lí"), ("XH", "Tổ Xã hội", "Lịch sử")],
}


def schools():
    """(code, name, school level, parent unit code) of each school: two per commune, one in the province."""
    listed = []
    for commune in range(1, 5):
        for level in ("TH", "THCS"):
            code = f"DEMO-X{commune}-{level}"
            listed.append((code, f"Trường {level} Xã Mẫu {commune}", level, f"DEMO-X{commune}"))
    listed.append(("DEMO-THPT1", "Trường THPT Tỉnh Mẫu", "THPT", "DEMO-P01"))
    return listed


def invent_people(rng):
    """Each school's principal, vice principal and 20 teachers in its two subject groups, some of them core teachers."""
    people = []
    number = 0
    for index, (code, _name, level, _parent) in enumerate(schools()):
        groups = SUBJECT_GROUPS[level]
        staff = [("principal", None), ("vice_principal", None)] + [("teacher", groups[i % 2]) for i in range(20)]
        for position, group in staff:
            number += 1
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            username = f"principal.s{index + 1:02d}" if position == "principal" else f"gv{number:04d}"
            people.append(
                {
                    "username": username,
                    "name": name,
                    "school": code,
                    "level": level,
                    "position": position,
                    "group": group,
                    "number": number,
                    "core": position == "teacher" and number % 11 == 3,
                }
            )
    return people


def create_accounts(people):
    """The accounts of the admin, the people and the officers, those not there yet."""
    User = get_user_model()
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.invalid", PASSWORD)
    # One password hash for everyone: hashing is deliberately slow, ~200 times would take a minute.
    hashed = make_password(PASSWORD)
    usernames = [p["username"] for p in people] + ["officer.province", "officer.commune1", "admin.s01"]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=u, email=f"{u}@example.invalid", password=hashed) for u in usernames if u not in existing]
    )


def roster_workbook(people):
    """The roster workbook of the province: units, educators and mentor groups of the current cycle."""
    workbook = Workbook()
    units = workbook.active
    units.title = "units"
    units.append(["code", "name", "kind", "parent_code", "school_levels"])
    units.append(["DEMO-BO", "Bộ Giáo dục và Đào tạo (minh họa)", "ministry", "", ""])
    units.append(["DEMO-P01", "Tỉnh Mẫu", "province", "DEMO-BO", ""])
    for commune in range(1, 5):
        units.append([f"DEMO-X{commune}", f"Xã Mẫu {commune}", "commune", "DEMO-P01", ""])
    for code, name, level, parent in schools():
        units.append([code, name, "school", parent, level])
        for group_code, group_name, _subject in SUBJECT_GROUPS[level]:
            units.append([f"{code}-{group_code}", group_name, "subject_group", code, ""])
    educators = workbook.create_sheet("educators")
    educators.append(
        [
            "national_id",
            "full_name",
            "username",
            "school_code",
            "subject_group_code",
            "position",
            "subject",
            "school_level",
            "level_start_date",
            "is_core_teacher",
        ]
    )
    for p in people:
        group = f"{p['school']}-{p['group'][0]}" if p["group"] else ""
        started = f"{2000 + p['number'] % 20}-09-05"
        educators.append(
            [
                f"DEMO{p['number']:08d}",
                p["name"],
                p["username"],
                p["school"],
                group,
                p["position"],
                p["group"][2] if p["group"] else "",
                p["level"],
                started,
                "x" if p["core"] else "",
            ]
        )
    groups = workbook.create_sheet("mentor_groups")
    groups.append(["cycle", "group_code", "group_name", "mentor_national_id", "member_national_id"])
    by_group = {}
    for p in people:
        if p["group"]:
            by_group.setdefault((p["school"], p["group"][0]), []).append(p)
    for (school, group_code), members in sorted(by_group.items()):
        mentor = next((m for m in members if m["core"]), None)
        if mentor is None:
            continue
        for member in members[:8]:
            if member is not mentor:
                groups.append(
                    [
                        "2026-2027",
                        f"{school}-{group_code}-HT",
                        f"Nhóm hỗ trợ {group_code}",
                        f"DEMO{mentor['number']:08d}",
                        f"DEMO{member['number']:08d}",
                    ]
                )
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def assign_roles():
    """Officers of the province and a commune, and a school administrator."""
    User = get_user_model()
    for username, role, unit in (
        ("officer.province", Role.PROVINCE_OFFICER, "DEMO-P01"),
        ("officer.commune1", Role.COMMUNE_OFFICER, "DEMO-X1"),
        ("admin.s01", Role.SCHOOL_ADMIN, "DEMO-X1-TH"),
    ):
        RoleAssignment.objects.get_or_create(
            user=User.objects.get(username=username), role=role, unit=OrgUnit.objects.get(code=unit)
        )
