"""manage.py temis_demo_data: a fictional province with schools, ~200 educators and evaluations.

Everything goes through the same doors as real data: the roster importer and the plugin's API.
Deterministic (fixed seed), and safe to run again: a second run changes nothing.
"""

import datetime as dt
import io
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CourseData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED, PERSISTENT_GRADE_SUMMARY_CHANGED
from openpyxl import Workbook

from ... import api
from ...catalog import load_training_modules
from ...models import (
    CourseModule,
    Cycle,
    EducatorProfile,
    Evaluation,
    MentorGroup,
    ModuleResult,
    OrgUnit,
    RoleAssignment,
    TrainingModule,
)
from ...roles import Role
from ...roster import import_roster

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
# A one-page PDF, so the demo's evidence files open in a browser.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


# A course of the province's training programme, mapped to module 9 (ICT).
DEMO_COURSE = "course-v1:SoGD-Mau+GVPT09+2026"


class Command(BaseCommand):
    help = "Load a fictional province with schools, educators, mentor groups and evaluations in every state."

    def handle(self, *args, **options):
        if Evaluation.objects.filter(cycle__code="2026-2027").exists():
            self.stdout.write("Demo data is already loaded.")
            return
        rng = random.Random(20261122)
        with transaction.atomic():
            load_training_modules()
            cycles = self._cycles()
            users = self._users(rng)
            summary = import_roster(self._roster_workbook(users), filename="demo-roster.xlsx")
            self._roles()
            counts = self._evaluations(rng, cycles["2026-2027"])
            passed = self._module_results(rng)
            self._report_material(rng, cycles["2026-2027"])
        self.stdout.write(f"Roster: created {summary.created}")
        self.stdout.write("Evaluations by state: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        self.stdout.write(f"Module results: {passed} teachers passed {DEMO_COURSE}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded. Sign in as admin, principal.s01, officer.province or a teacher, gv0003 … "
                f"(password {PASSWORD})."
            )
        )

    def _cycles(self):
        previous, _ = Cycle.objects.get_or_create(
            code="2025-2026",
            defaults={
                "name": "Năm học 2025-2026",
                "starts_on": dt.date(2025, 9, 5),
                "ends_on": dt.date(2026, 5, 31),
                "self_assessment_closes_on": dt.date(2026, 5, 25),
            },
        )
        current, _ = Cycle.objects.get_or_create(
            code="2026-2027",
            defaults={
                "name": "Năm học 2026-2027",
                "starts_on": dt.date(2026, 9, 5),
                "ends_on": dt.date(2027, 5, 31),
                "self_assessment_closes_on": dt.date(2027, 5, 25),
                "is_current": True,
            },
        )
        return {"2025-2026": previous, "2026-2027": current}

    def _users(self, rng):
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.invalid", PASSWORD)
        self.people = []  # (username, full name, school index, position, subject group, core?)
        schools = self._schools()
        number = 0
        for index, (code, _name, level, _parent) in enumerate(schools):
            groups = SUBJECT_GROUPS[level]
            staff = [("principal", None), ("vice_principal", None)] + [("teacher", groups[i % 2]) for i in range(20)]
            for position, group in staff:
                number += 1
                name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                username = f"principal.s{index + 1:02d}" if position == "principal" else f"gv{number:04d}"
                self.people.append(
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
        # One password hash for everyone: hashing is deliberately slow, ~200 times would take a minute.
        hashed = make_password(PASSWORD)
        usernames = [p["username"] for p in self.people] + ["officer.province", "officer.commune1", "admin.s01"]
        existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        User.objects.bulk_create(
            [User(username=u, email=f"{u}@example.invalid", password=hashed) for u in usernames if u not in existing]
        )
        return User.objects.in_bulk(field_name="username")

    def _schools(self):
        schools = []
        for commune in range(1, 5):
            for level in ("TH", "THCS"):
                code = f"DEMO-X{commune}-{level}"
                schools.append((code, f"Trường {level} Xã Mẫu {commune}", level, f"DEMO-X{commune}"))
        schools.append(("DEMO-THPT1", "Trường THPT Tỉnh Mẫu", "THPT", "DEMO-P01"))
        return schools

    def _roster_workbook(self, users):
        workbook = Workbook()
        units = workbook.active
        units.title = "units"
        units.append(["code", "name", "kind", "parent_code", "school_levels"])
        units.append(["DEMO-BO", "Bộ Giáo dục và Đào tạo (minh họa)", "ministry", "", ""])
        units.append(["DEMO-P01", "Tỉnh Mẫu", "province", "DEMO-BO", ""])
        for commune in range(1, 5):
            units.append([f"DEMO-X{commune}", f"Xã Mẫu {commune}", "commune", "DEMO-P01", ""])
        for code, name, level, parent in self._schools():
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
        for p in self.people:
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
        for p in self.people:
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

    def _roles(self):
        User = get_user_model()
        for username, role, unit in (
            ("officer.province", Role.PROVINCE_OFFICER, "DEMO-P01"),
            ("officer.commune1", Role.COMMUNE_OFFICER, "DEMO-X1"),
            ("admin.s01", Role.SCHOOL_ADMIN, "DEMO-X1-TH"),
        ):
            RoleAssignment.objects.get_or_create(
                user=User.objects.get(username=username), role=role, unit=OrgUnit.objects.get(code=unit)
            )

    def _evaluations(self, rng, cycle):
        """Drive each educator's evaluation through the real workflow to a spread of states."""
        User = get_user_model()
        educators = list(
            EducatorProfile.objects.select_related("school", "subject_group", "user").order_by("national_id")
        )
        principals = {e.school_id: e.user for e in educators if e.position == "principal"}
        superior = User.objects.get(username="officer.province")
        counts = {}
        for index, educator in enumerate(educators):
            target = ["draft", "submitted", "opinions", "finalized", "finalized"][index % 5]
            user = educator.user
            evaluation = api.get_or_create_evaluation(user, cycle.code)
            n = len(api.framework_for(educator).criterion_numbers)
            base = rng.choice(["D", "K", "K", "T"])
            levels = {c: rng.choice([base, base, "K", "T", "D"]) for c in range(1, n + 1)}
            if index % 25 == 3 and n == 15:
                # A few strong teachers (Khá, criteria 3-7 at Tốt): the core-teacher eligibility report lists them.
                levels = {c: "T" if 3 <= c <= 7 else "K" for c in levels}
            if target == "draft":
                levels = {c: v for c, v in levels.items() if c <= n // 2}
            evaluation = api.save_self_assessment(
                user,
                evaluation.id,
                evaluation.version,
                levels=levels,
                strengths="Nhiệt tình, chủ động đổi mới phương pháp dạy học.",
                improvements="Cần tăng cường ứng dụng công nghệ thông tin.",
                plan={
                    "goals": "Nâng cao năng lực ứng dụng CNTT",
                    "content": "Mô đun 9",
                    "timeline": "Học kì I",
                    "conditions": "Máy tính, kết nối Internet",
                },
                training_needs=[{"criterion": 15, "module_code": "GVPT-09"}] if n == 15 else [],
            )
            if index % 3 == 0:
                evidence = api.add_evidence(
                    user,
                    "Kế hoạch bài dạy minh họa",
                    description="Bài dạy mẫu học kì I",
                    file=SimpleUploadedFile("ke-hoach.pdf", DEMO_PDF, "application/pdf"),
                )
                evaluation = api.link_evidence(user, evaluation.id, evaluation.version, evidence.id, [4, 5])
            if target != "draft":
                evaluation = api.submit_self_assessment(user, evaluation.id, evaluation.version)
            if target in ("opinions", "finalized") and educator.position == "teacher":
                colleagues = [
                    c for c in educators if c.subject_group_id == educator.subject_group_id and c.pk != educator.pk
                ][:2]
                for colleague in colleagues:
                    api.add_colleague_opinion(
                        colleague.user,
                        evaluation.id,
                        {c: rng.choice(["D", "K", "T"]) for c in range(1, n + 1)},
                        strengths="Có tinh thần hợp tác tốt.",
                    )
                evaluation = api.get_evaluation(user, evaluation.id)
            if target == "finalized":
                head = principals[educator.school_id] if educator.position == "teacher" else superior
                evaluation = api.finalize_evaluation(
                    head, evaluation.id, evaluation.version, levels=levels, comment="Hoàn thành tốt nhiệm vụ năm học."
                )
            counts[evaluation.state] = counts.get(evaluation.state, 0) + 1
        return counts

    def _module_results(self, rng):
        """Send the events the LMS sends when learners' course grades change, for a third of the teachers."""
        CourseModule.objects.get_or_create(
            course_key=DEMO_COURSE, defaults={"module": TrainingModule.objects.get(code="GVPT-09")}
        )
        course = CourseData(course_key=CourseKey.from_string(DEMO_COURSE), display_name="Mô đun 9")
        now = timezone.now()
        passed = 0
        teachers = EducatorProfile.objects.filter(position="teacher").select_related("user").order_by("national_id")
        for index, educator in enumerate(teachers):
            if index % 3:
                continue
            user, percent = educator.user, round(rng.uniform(0.55, 0.98), 2)
            when = now - dt.timedelta(days=rng.randint(1, 60))
            PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(
                send_robust=False,
                time=when,
                grade=PersistentCourseGradeData(
                    user_id=user.pk,
                    course=course,
                    course_edited_timestamp=when,
                    course_version="demo",
                    grading_policy_hash="demo",
                    percent_grade=percent,
                    letter_grade="Pass" if percent >= 0.7 else "",
                    passed_timestamp=when if percent >= 0.7 else None,
                ),
            )
            COURSE_PASSING_STATUS_UPDATED.send_event(
                send_robust=False,
                time=when,
                course_passing_status=(
                    CoursePassingStatusData(
                        is_passing=percent >= 0.7,
                        course=course,
                        user=UserData(
                            id=user.pk,
                            is_active=True,
                            pii=UserPersonalData(username=user.username, email=user.email, name=educator.full_name),
                        ),
                    )
                ),
            )
            passed += percent >= 0.7
        return passed

    def _report_material(self, rng, cycle):
        """What the reports count besides evaluations: years of service, surveys, support activities."""
        for educator in EducatorProfile.objects.all():
            since = cycle.starts_on - dt.timedelta(days=rng.randint(365, 20 * 365))
            educator.level_start_date = since
            if educator.position != "teacher":
                educator.position_since = since + dt.timedelta(days=rng.randint(0, 3 * 365))
            educator.save(update_fields=["level_start_date", "position_since"])
        # Two out of three teachers with a module result answer the programme survey.
        results = ModuleResult.objects.select_related("educator__user", "module").order_by("pk")
        for index, result in enumerate(results):
            if index % 3 != 2:
                api.save_survey_response(
                    result.educator.user,
                    result.module.code,
                    {item: rng.choice((3, 4, 4, 5, 5)) for item in ("content", "materials", "support", "usefulness")},
                )
        # Each core teacher logs three support activities with some of their mentees.
        for group in MentorGroup.objects.filter(cycle=cycle).select_related("mentor__user"):
            mentees = list(group.mentees.values_list("pk", flat=True))
            for week in range(3):
                api.log_support_activity(
                    group.mentor.user,
                    group.code,
                    date=min(timezone.localdate(), cycle.starts_on) + dt.timedelta(days=7 * week + 10),
                    duration_minutes=rng.choice((45, 60, 90)),
                    form=rng.choice(("in_person", "online", "subject_group_meeting")),
                    topic="Dạy học phát triển năng lực",
                    criteria=[rng.randint(3, 7)],
                    mentee_ids=rng.sample(mentees, min(len(mentees), rng.randint(2, 5))),
                )
