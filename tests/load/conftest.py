"""Load-test fixtures: educators in bulk, the scenario state the workbench shares, and the figures report."""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from .figures import summary_lines

ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts"
FIGURES = pytest.StashKey[list]()


@pytest.fixture
def educators(cycle):
    """``make(count)``: that many teachers, each a user with a profile, spread over schools and subject groups."""
    from temis_plugin.models import EducatorProfile, OrgUnit

    def make(count, schools=4, prefix="peak"):
        province = OrgUnit.objects.create(code="LOAD-P", name="Tỉnh tải", kind="province")
        commune = OrgUnit.objects.create(code="LOAD-X", name="Xã tải", kind="commune", parent=province)
        groups = []
        for number in range(1, schools + 1):
            school = OrgUnit.objects.create(
                code=f"LOAD-S{number}", name=f"Trường TH số {number}", kind="school", parent=commune, school_levels="TH"
            )
            for group in ("TOAN", "VAN"):
                groups.append(
                    (
                        school,
                        OrgUnit.objects.create(
                            code=f"{school.code}-{group}", name=f"Tổ {group}", kind="subject_group", parent=school
                        ),
                    )
                )
        User = get_user_model()
        unusable = make_password(None)  # each teacher gets a session (signed_in_sessions), not a password
        usernames = [f"{prefix}{index:03d}" for index in range(count)]
        User.objects.bulk_create([User(username=u, email=f"{u}@example.invalid", password=unusable) for u in usernames])
        users = User.objects.filter(username__in=usernames).in_bulk(field_name="username")
        EducatorProfile.objects.bulk_create(
            [
                EducatorProfile(
                    user=users[u],
                    national_id=f"LOAD{index:08d}",
                    full_name=f"Giáo viên {index:03d}",
                    school=groups[index % len(groups)][0],
                    subject_group=groups[index % len(groups)][1],
                    position="teacher",
                    school_level="TH",
                )
                for index, u in enumerate(usernames)
            ]
        )
        return usernames

    return make


@pytest.fixture
def signed_in_sessions(transactional_db):
    """``sign_in(usernames)``: a session key per user, as if each had signed in (the block acts for the
    signed-in user only)."""
    from django.test import Client

    def sign_in(usernames) -> dict[str, str]:
        users = get_user_model().objects.in_bulk(usernames, field_name="username")
        sessions = {}
        for username in usernames:
            client = Client()
            client.force_login(users[username])
            sessions[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return sessions

    return sign_in


@pytest.fixture
def workbench_scenarios(transactional_db):
    """The workbench's scenarios, registered again in this test's database.

    The workbench keeps block settings in rows it creates on first read, without a unique key: the
    first requests of a peak, all at once, would each create a copy. Registering the scenarios writes
    those rows before any request.
    """
    from workbench import scenarios

    scenarios.init_scenarios()
    scenarios.get_scenarios.initialized = True
    return scenarios.get_scenarios()


@pytest.fixture
def report_figures(request):
    """``report(figures)``: write ``test-artifacts/load-<db>.json`` and show the figures after the run."""

    def report(figures):
        backend = os.environ.get("TEMIS_DB", "sqlite")
        figures = {"backend": backend, **figures}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"load-{backend}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        request.config.stash.setdefault(FIGURES, []).append(figures)

    return report


def pytest_terminal_summary(terminalreporter, config):
    reports = config.stash.get(FIGURES, [])
    if reports:
        terminalreporter.write_sep("-", "load figures")
        for figures in reports:
            for line in summary_lines(figures):
                terminalreporter.write_line(line)
