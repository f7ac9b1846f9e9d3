"""Fixtures shared by the suite. The database backend comes from TEMIS_DB (sqlite or mysql)."""

import datetime

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def make_user(db):
    def make(username, **extra):
        return get_user_model().objects.create_user(username, f"{username}@example.invalid", "pw", **extra)

    return make


@pytest.fixture
def media_root(settings, tmp_path):
    """This test's files (evidence, report files) in a folder of its own, so no other test sees them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cycle(db):
    from temis_plugin.models import Cycle

    return Cycle.objects.create(
        code="2026-2027",
        name="Năm học 2026-2027",
        starts_on=datetime.date(2026, 9, 5),
        ends_on=datetime.date(2027, 5, 31),
        is_current=True,
    )


@pytest.fixture
def school_tree(db):
    """Ministry > province > commune > school (TH, THCS) > two subject groups."""
    from temis_plugin.models import OrgUnit

    units = {}
    for code, kind, parent, levels in [
        ("BO", "ministry", None, ""),
        ("P1", "province", "BO", ""),
        ("X1", "commune", "P1", ""),
        ("X2", "commune", "P1", ""),
        ("S1", "school", "X1", "TH,THCS"),
        ("S2", "school", "X2", "TH"),
        ("S1-TOAN", "subject_group", "S1", ""),
        ("S1-VAN", "subject_group", "S1", ""),
    ]:
        units[code] = OrgUnit.objects.create(
            code=code, name=code, kind=kind, parent=units.get(parent), school_levels=levels
        )
    return units


@pytest.fixture
def people(school_tree, make_user):
    """A principal, three teachers (two in one subject group), a teacher in another school."""
    from temis_plugin.models import EducatorProfile

    found = {}
    for key, school, group, position in [
        ("principal", "S1", None, "principal"),
        ("t1", "S1", "S1-TOAN", "teacher"),
        ("t2", "S1", "S1-TOAN", "teacher"),
        ("t3", "S1", "S1-VAN", "teacher"),
        ("other", "S2", None, "teacher"),
    ]:
        user = make_user(key)
        found[key] = EducatorProfile.objects.create(
            user=user,
            national_id=f"ID-{key}",
            full_name=f"Người {key}",
            school=school_tree[school],
            subject_group=school_tree.get(group),
            position=position,
            school_level="TH",
        )
    return found


@pytest.fixture
def workbench_scenarios(db):
    """The demo's workbench scenarios, registered again in this test's database.

    The workbench keeps each scenario's block settings in rows it writes when it loads the scenarios
    (once per process): a test's database, emptied after each test, needs them written again.
    """
    from workbench import scenarios

    scenarios.init_scenarios()
    scenarios.get_scenarios.initialized = True
    return scenarios.get_scenarios()
