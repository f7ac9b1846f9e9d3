"""What the tool keeps of a launch, and for how long: no names or emails; login states and expired
launches deleted after TEMIS_LTI_RETENTION_DAYS by a command and by a Celery task (a real worker)."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from lti import scoring
from lti.models import Launch, LoginState
from temis_plugin.models import MentorGroup
from tests.integration.test_report_worker import broker, start_worker, wait_for  # noqa: F401  (real worker)

from .conftest import educator_custom, launch, login

PERSON = {
    "full_name": "Nguyễn Thị Ánh Tuyết",
    "email_address": "anh.tuyet@truong.example",
    "preferred_username": "anhtuyet.gv",
}
DAY = datetime.timedelta(days=1)
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operator-guide.md"


@pytest.fixture
def mentor_setup(cycle, people):
    group = MentorGroup.objects.create(cycle=cycle, code="G1", mentor=people["t2"])
    group.memberships.create(mentee=people["t1"])
    return people


def stored_row(record) -> str:
    """Every column of the launch's row as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {Launch._meta.db_table} WHERE id = %s",
            [Launch._meta.pk.get_db_prep_value(record.pk, connection)],
        )
        return " ".join(str(value) for value in cursor.fetchone())


def test_a_stored_launch_keeps_no_name_email_username_or_educator_identifier(client, open_edx, mentor_setup):
    auth = login(client, open_edx, user_id="sub-t2", custom=educator_custom("ID-t2"), person=PERSON)
    response = launch(client, open_edx, auth)
    assert response.status_code == 200 and "Người t1" in response.content.decode()  # the workspace works
    record = Launch.objects.get()
    row = stored_row(record)
    for value in (*PERSON.values(), "ID-t2", "temis_educator_id"):
        assert value not in row, value
    # What the workspace reads afterwards is kept.
    assert record.user == mentor_setup["t2"].user and record.sub == "sub-t2"
    assert record.claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"].endswith("/temis/lti/launch/")
    assert record.claims["https://purl.imsglobal.org/spec/lti/claim/roles"] == record.roles


def launched(client, consumer, sub, educator=None, ended_days_ago=0):
    """A real launch, aged: it ended ``ended_days_ago`` days ago (0: it is live)."""
    auth = login(client, consumer, user_id=sub, custom=educator_custom(educator) if educator else None)
    assert launch(client, consumer, auth).status_code == 200
    record = Launch.objects.filter(sub=sub).latest("created")
    if ended_days_ago:
        expires = timezone.now() - ended_days_ago * DAY
        Launch.objects.filter(pk=record.pk).update(created=expires - datetime.timedelta(hours=8), expires=expires)
    return record.pk


def aged_login_state(client, consumer, days):
    state = LoginState.objects.get(state=login(client, consumer)["state"])
    LoginState.objects.filter(pk=state.pk).update(created=timezone.now() - days * DAY)
    return state.pk


def test_expiry_deletes_login_states_and_launches_past_the_retention(client, open_edx, mentor_setup, settings):
    settings.TEMIS_LTI_RETENTION_DAYS = 2
    old_state, recent_state = aged_login_state(client, open_edx, 3), aged_login_state(client, open_edx, 1)
    live = launched(client, open_edx, "sub-t2", "ID-t2")
    recently_ended = launched(client, open_edx, "sub-t3", "ID-t3", ended_days_ago=1)
    no_educator = launched(client, open_edx, "sub-stranger", ended_days_ago=3)
    mentee_older = launched(client, open_edx, "sub-t1", "ID-t1", ended_days_ago=40)
    mentee_latest = launched(client, open_edx, "sub-t1", "ID-t1", ended_days_ago=30)
    out = io.StringIO()
    call_command("temis_lti_expire", stdout=out)
    assert out.getvalue() == "2 ended launches and 1 login states deleted\n"
    assert LoginState.objects.filter(pk=recent_state).exists() and not LoginState.objects.filter(pk=old_state).exists()
    assert set(Launch.objects.values_list("pk", flat=True)) == {live, recently_ended, mentee_latest}
    assert not {no_educator, mentee_older} & set(Launch.objects.values_list("pk", flat=True))
    # A mentee's latest launch in the course is how the tool addresses their gradebook entry: it stays,
    # with nothing but who they are on the platform.
    kept = Launch.objects.get(pk=mentee_latest)
    assert (kept.sub, kept.user, kept.claims, kept.roles) == ("sub-t1", mentor_setup["t1"].user, {}, [])
    assert scoring.mentee_sub(Launch.objects.get(pk=live), mentor_setup["t1"].user) == "sub-t1"
    call_command("temis_lti_expire", stdout=io.StringIO())  # again: nothing more goes
    assert Launch.objects.count() == 3


def test_the_retention_setting_decides(client, open_edx, mentor_setup, settings):
    ended = launched(client, open_edx, "sub-stranger", ended_days_ago=5)
    settings.TEMIS_LTI_RETENTION_DAYS = 7
    call_command("temis_lti_expire", stdout=io.StringIO())
    assert Launch.objects.filter(pk=ended).exists()
    settings.TEMIS_LTI_RETENTION_DAYS = 4
    call_command("temis_lti_expire", stdout=io.StringIO())
    assert not Launch.objects.filter(pk=ended).exists()


def documented_beat_entry() -> dict:
    """The CELERY_BEAT_SCHEDULE lines of the operator guide, run as an operator's settings would run them."""
    block = re.search(
        r"```python\n(from celery\.schedules import crontab\n.*?CELERY_BEAT_SCHEDULE.*?)```",
        GUIDE.read_text(encoding="utf-8"),
        re.S,
    ).group(1)
    namespace = {"CELERY_BEAT_SCHEDULE": {}}
    exec(block, namespace)  # noqa: S102 (our own documentation)
    (entry,) = namespace["CELERY_BEAT_SCHEDULE"].values()
    return entry


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_the_task_the_documented_beat_entry_names(
    client, open_edx, mentor_setup, broker, start_worker
):
    from celery.schedules import crontab

    from temis_plugin.standalone.celery import app

    entry = documented_beat_entry()
    assert isinstance(entry["schedule"], crontab)
    ended = launched(client, open_edx, "sub-stranger", ended_days_ago=30)  # the default retention is 7 days
    old_state = aged_login_state(client, open_edx, 30)
    worker = start_worker(["-m", "celery", "-A", "temis_plugin.standalone.celery", "worker"])
    app.send_task(entry["task"], queue=broker)  # by name, as celery beat sends it
    wait_for(
        lambda: not Launch.objects.filter(pk=ended).exists() and not LoginState.objects.filter(pk=old_state).exists(),
        what="the expiry task",
        log=worker.log_path,
    )
    assert Launch.objects.count() == 0 and LoginState.objects.count() == 1  # the login of today's launch
