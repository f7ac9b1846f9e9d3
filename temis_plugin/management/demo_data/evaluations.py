"""The demo's cycles and its educators' evaluations, driven through the real workflow to every state."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from ... import api
from ...models import Cycle, EducatorProfile

# A one-page PDF, so the demo's evidence files open in a browser.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def create_cycles():
    """The previous school year and the current one."""
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


def drive_evaluations(rng, cycle):
    """Drive each educator's evaluation through the real workflow to a spread of states."""
    User = get_user_model()
    educators = list(EducatorProfile.objects.select_related("school", "subject_group", "user").order_by("national_id"))
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
