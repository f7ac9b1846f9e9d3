"""A small province with finalized evaluations whose report numbers are known, for the reports pages.

Rows are written directly (state, final levels and rating, school) rather than through the workflow:
the pages only read them. Ratings are computed by the rules engine, so every row is valid for TEMIS.
"""

import datetime

from django.utils import timezone

from temis_plugin import standards
from temis_plugin.models import EducatorProfile, Evaluation, RoleAssignment
from temis_plugin.standards import pack_levels

TT20 = "TT20-2018"
# (educator, full name, school, state, level of every criterion, finalized after the cut-off?); within a
# school, reports list educators by name, which is also this order.
TEACHERS = [
    ("a", "Bùi Thị An", "S1", "finalized", "T", False),
    ("b", "Lê Văn Bình", "S1", "finalized", "K", False),
    ("c", "Nguyễn Minh Châu", "S1", "finalized", "K", False),
    ("d", "Phạm Thu Dung", "S1", "submitted", "K", False),
    ("e", "Hoàng Đức Giang", "S2", "finalized", "D", False),
    ("f", "Trần Ngọc Hà", "S2", "finalized", "T", True),
]


def cut_off():
    """The cut-off the tests ask for: after most evaluations were finalized, before f's."""
    return timezone.localtime(timezone.now() - datetime.timedelta(days=5)).replace(second=0, microsecond=0)


def add_evaluation(educator, cycle, state, level, finalized_at, *, rating=None):
    framework = standards.get_framework(TT20)
    levels = {n: standards.Level(level) for n in framework.criterion_numbers}
    final = state == "finalized"
    return Evaluation.objects.create(
        educator=educator,
        cycle=cycle,
        framework_code=TT20,
        framework_revision=framework.revision,
        legal_basis=framework.legal_basis.citation(),
        school=educator.school,
        school_level=educator.school_level,
        state=state,
        self_levels=pack_levels(len(levels), levels),
        final_levels=pack_levels(len(levels), levels) if final else "",
        final_rating=(rating or standards.evaluate(framework, levels).result) if final else "",
        finalized_at=finalized_at if final else None,
        submitted_at=finalized_at,
    )


def build_results(cycle, school_tree, make_user):
    """Six teachers in S1 (commune X1) and S2 (commune X2) of province P1; returns their profiles."""
    now = timezone.now()
    educators = {}
    for key, name, school, state, level, late in TEACHERS:
        educators[key] = EducatorProfile.objects.create(
            user=make_user(f"teacher.{key}"),
            national_id=f"0790000000{ord(key) - 96:02d}",
            full_name=name,
            school=school_tree[school],
            position="teacher",
            school_level="TH",
            subject="Toán",
        )
        finalized_at = now - datetime.timedelta(days=1 if late else 10)
        add_evaluation(educators[key], cycle, state, level, finalized_at)
    return educators


def officer(make_user, unit, role="province_officer", username="officer.province", password=None):
    user = make_user(username)
    if password:
        user.set_password(password)
        user.save()
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user
