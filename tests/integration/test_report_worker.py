"""Report files made by a real Celery worker on Redis: progress, publication, a worker killed mid-export."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import load_workbook

from temis_plugin import api
from temis_plugin.models import EducatorProfile, Evaluation, ReportRun, RoleAssignment
from temis_plugin.reports import runs
from temis_plugin.standalone.celery import app

pytestmark = pytest.mark.django_db(transaction=True)
BROKER = os.environ.get("TEMIS_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker(settings):
    """This process sends tasks to Redis (not in-process) on a queue of its own."""
    queue = f"temis-test-{uuid.uuid4().hex[:10]}"
    # The Celery app reads its configuration from the Django settings (CELERY_ namespace) as it goes.
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = BROKER, False
    settings.CELERY_TASK_DEFAULT_QUEUE = settings.TEMIS_CELERY_QUEUE = queue
    forget_connections()
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3)  # a clear failure when Redis is not running
    yield queue
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
    forget_connections()


def forget_connections():
    """Drop the app's cached broker connections and producers: they keep the broker they were made
    for (another test may have made them while no broker was configured)."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def start_worker(broker, tmp_path):
    started = []

    def start(module_args):
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="tests.workers.settings",
            TEMIS_WORKER_DB_NAME=str(connection.settings_dict["NAME"]),
            TEMIS_CELERY_BROKER_URL=BROKER,
            TEMIS_CELERY_QUEUE=broker,
            PYTHONPATH=str(ROOT),
        )
        process = subprocess.Popen(
            [
                sys.executable,
                *module_args,
                "--pool=solo",
                "-Q",
                broker,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = log.name
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(condition, timeout=90.0, what="condition", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    output = Path(log).read_text(errors="replace")[-3000:] if log else ""
    raise AssertionError(f"timed out waiting for {what}\n{output}")


@pytest.fixture
def officer_and_data(school_tree, cycle, make_user):
    officer = make_user("officer")
    RoleAssignment.objects.create(user=officer, role="province_officer", unit=school_tree["P1"])
    for number in range(150):
        educator = EducatorProfile.objects.create(
            national_id=f"W{number:04d}",
            full_name=f"Teacher {number:03d}",
            school=school_tree["S1" if number % 2 else "S2"],
            position="teacher",
            school_level="TH",
        )
        Evaluation.objects.create(
            educator=educator,
            cycle=cycle,
            framework_code="TT20-2018",
            framework_revision=1,
            legal_basis="Thông tư 20/2018/TT-BGDĐT",
            school=educator.school,
            school_level="TH",
            state="finalized",
            final_levels="K" * 15,
            final_rating="KHA",
            finalized_at="2026-12-01T00:00:00Z",
        )
    return officer


def report_files():
    directory = Path(runs.report_storage().path(runs.REPORTS_DIR))
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_a_worker_makes_the_file_and_shows_progress(officer_and_data, start_worker):
    before = report_files()
    worker = start_worker(["-m", "tests.workers.slow_worker"])
    run = api.request_report_file(officer_and_data, "school_summary", "xlsx", scope_code="P1", language="en")
    seen = set()

    def finished():
        current = api.get_report_run(officer_and_data, run.id)
        seen.add(current.progress)
        return current if current.status in ("done", "failed") else None

    done = wait_for(finished, what="the report", log=worker.log_path)
    assert done.status == "done", done
    assert any(0 < percent < 100 for percent in seen), f"progress seen: {sorted(seen)}"
    handle, name, content_type = api.open_report_file(officer_and_data, run.id)
    with handle:
        rows = list(load_workbook(handle, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert sum(1 for row in rows if row and row[0] and str(row[0]).isdigit()) == 150
    assert name.endswith(".xlsx") and content_type.startswith("application/vnd.openxmlformats")
    # The worker names the file as this process does: one file, the run's own.
    stored = runs.file_name(ReportRun.objects.get(pk=run.id)).rsplit("/", 1)[-1]
    assert sorted(set(report_files()) - set(before)) == [stored]


def test_a_killed_worker_leaves_no_partial_file_and_a_retry_is_safe(officer_and_data, start_worker):
    before = report_files()
    worker = start_worker(["-m", "tests.workers.slow_worker"])
    run = api.request_report_file(officer_and_data, "school_summary", "xlsx", scope_code="P1")
    wait_for(lambda: ReportRun.objects.get(pk=run.id).rows_written > 0, what="the export to be under way")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)

    stuck = ReportRun.objects.get(pk=run.id)
    assert stuck.status == ReportRun.Status.RUNNING and not stuck.file
    assert 0 < stuck.rows_written < 150
    assert report_files() == before, "nothing of the killed export is left in the report folder"
    with pytest.raises(api.NotAllowed):
        api.open_report_file(officer_and_data, run.id)

    start_worker(["-m", "celery", "-A", "temis_plugin.standalone.celery", "worker"])
    api.retry_report_run(officer_and_data, run.id)
    done = wait_for(
        lambda: (r := ReportRun.objects.get(pk=run.id)).status in ("done", "failed") and r, what="the retried report"
    )
    assert done.status == ReportRun.Status.DONE and done.attempts == 2 and done.rows_written == 150
    # The worker names the file as this process does: one file, the run's own.
    assert sorted(set(report_files()) - set(before)) == [runs.file_name(done).rsplit("/", 1)[-1]]
    handle, _name, _type = api.open_report_file(officer_and_data, run.id)
    with handle:
        assert load_workbook(handle, read_only=True).worksheets[0].title
