"""temis_lti_rotate_keys --if-missing: the deployment init task creates the first key and never rotates."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from lti.models import ToolKey


def run(*args):
    out = io.StringIO()
    call_command("temis_lti_rotate_keys", *args, stdout=out)
    return out.getvalue()


def test_if_missing_creates_the_first_key_which_signs_at_once(db):
    run("--if-missing")
    key = ToolKey.objects.get()
    assert ToolKey.signing_key() == key and key.retires_at is None


def test_if_missing_keeps_a_published_key_however_often_it_runs(db):
    run("--if-missing")
    first = ToolKey.objects.get()
    output = run("--if-missing")
    assert list(ToolKey.objects.all()) == [first]
    assert first.kid in output
    first.refresh_from_db()
    assert first.retires_at is None  # not scheduled for retirement either


def test_if_missing_leaves_a_rotation_in_progress_alone(db):
    run()
    run("--publish-ahead", "3600")  # the next key is published but does not sign yet
    run("--if-missing")
    assert ToolKey.objects.count() == 2


def test_if_missing_creates_a_key_when_every_key_has_retired(db):
    run()
    ToolKey.objects.update(retires_at=timezone.now() - datetime.timedelta(seconds=1))
    run("--if-missing")
    assert ToolKey.published().count() == 1 and ToolKey.signing_key() is not None
