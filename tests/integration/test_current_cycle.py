"""One current cycle, enforced by the database on MariaDB/MySQL as on SQLite: making a cycle current
switches from the previous one atomically, a second current cycle is refused, two concurrent switches
leave exactly one, and everything that reads the current cycle agrees."""

import datetime
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from temis_plugin import api
from temis_plugin.management.commands.temis_export import Command as ExportCommand
from temis_plugin.models import Cycle

ROOT = Path(__file__).resolve().parents[2]


def school_year(start, current=False):
    return Cycle.objects.create(
        code=f"{start}-{start + 1}",
        name=f"Năm học {start}-{start + 1}",
        starts_on=datetime.date(start, 9, 5),
        ends_on=datetime.date(start + 1, 5, 31),
        is_current=current,
    )


def current_codes():
    return sorted(Cycle.objects.filter(is_current=True).values_list("code", flat=True))


def test_mysql_and_mariadb_get_no_w036_warning():
    """Django's check against a MariaDB connection, as `manage.py check` runs it in an Open edX LMS on MySQL."""
    env = dict(
        os.environ,
        TEMIS_DB="mysql",
        TEMIS_MYSQL_DB="mysql",
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--database", "default", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr
    assert "W036" not in result.stdout + result.stderr


def test_making_a_cycle_current_switches_from_the_previous_one(db):
    old = school_year(2025, current=True)
    new = school_year(2026)
    new.is_current = True
    new.save()
    assert current_codes() == ["2026-2027"]
    old.refresh_from_db()
    assert not old.is_current
    newest = school_year(2027, current=True)  # created current
    assert current_codes() == [newest.code]


def test_every_reader_of_the_current_cycle_agrees(db):
    school_year(2025, current=True)
    later = school_year(2027)  # the latest started, not current
    switched = school_year(2026)
    switched.is_current = True
    switched.save()
    assert api.current_cycle().code == switched.code
    assert ExportCommand()._cycle(None).code == switched.code
    assert [c.code for c in api.list_cycles()][0] == later.code  # the list is by start, newest first


def test_the_database_refuses_a_second_current_cycle(db):
    school_year(2025, current=True)
    other = school_year(2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.filter(pk=other.pk).update(is_current=True)  # no save(): nothing switches
    assert current_codes() == ["2025-2026"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_switches_leave_exactly_one_current_cycle():
    school_year(2025, current=True)
    contenders = [school_year(2026), school_year(2027)]
    barrier, errors = threading.Barrier(2), []

    def make_current(cycle):
        try:
            barrier.wait()
            cycle.is_current = True
            cycle.save()
        except Exception as exc:  # noqa: BLE001  (any failure is the test's finding)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=make_current, args=(cycle,)) for cycle in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(current_codes()) == 1 and current_codes()[0] in {"2026-2027", "2027-2028"}


def test_the_admin_switches_the_current_cycle_and_says_so(client, make_user, db):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    old = school_year(2025, current=True)
    response = client.post(
        "/admin/temis_plugin/cycle/add/",
        {
            "code": "2026-2027",
            "name": "Năm học 2026-2027",
            "starts_on": "2026-09-05",
            "ends_on": "2027-05-31",
            "self_assessment_closes_on": "",
            "is_current": "on",
            "_save": "Save",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.redirect_chain, response.context["adminform"].form.errors
    assert current_codes() == ["2026-2027"]
    assert f"Năm học 2026-2027 is now the current cycle, in place of {old.name}." in response.content.decode()
    # Unticking it leaves no current cycle: the pages then use the cycle that contains today.
    new = Cycle.objects.get(code="2026-2027")
    client.post(
        f"/admin/temis_plugin/cycle/{new.pk}/change/",
        {
            "code": new.code,
            "name": new.name,
            "starts_on": "2026-09-05",
            "ends_on": "2027-05-31",
            "self_assessment_closes_on": "",
            "_save": "Save",
        },
    )
    assert current_codes() == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_one_current_cycle_the_one_that_was_read():
    """Before, MariaDB kept no constraint at all: two current cycles may be stored. The upgrade keeps the
    one every reader took (the latest started), whatever the database allowed."""
    before = [("temis_plugin", "0005_evidence_storage")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("temis_plugin")
    executor.migrate(before)
    old_cycle = executor.loader.project_state(before).apps.get_model("temis_plugin", "Cycle")
    for start, current in ((2024, False), (2025, True), (2026, False)):
        old_cycle.objects.create(
            code=f"{start}-{start + 1}",
            name=str(start),
            starts_on=datetime.date(start, 9, 5),
            ends_on=datetime.date(start + 1, 5, 31),
            is_current=current,
        )
    try:
        with transaction.atomic():  # refused by SQLite's partial index, stored by MariaDB
            old_cycle.objects.filter(code="2026-2027").update(is_current=True)
    except IntegrityError:
        pass
    read_before = old_cycle.objects.filter(is_current=True).order_by("-starts_on").first().code
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    assert current_codes() == [read_before]
