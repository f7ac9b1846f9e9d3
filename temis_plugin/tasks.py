"""Celery tasks of the plugin. In the LMS, its Celery app finds them (autodiscovery of `tasks`)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


# acks_late + reject_on_worker_lost: a task whose worker dies is delivered again, and running a report
# again is safe (see temis_plugin.reports.runs). Database hiccups are retried with back-off.
@shared_task(
    name="temis_plugin.generate_report",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
)
def generate_report(run_id: str, language: str = "vi"):
    from .reports.runs import execute_run

    run = execute_run(run_id, language=language)
    return {"status": run.status, "rows": run.rows_written}


# A redelivered import finds its run finished and does nothing; an import that failed midway wrote
# nothing (one transaction), so running it again is safe.
@shared_task(
    name="temis_plugin.import_roster",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
)
def import_roster_file(run_id: str):
    from .roster.runs import execute_import

    run = execute_import(run_id)
    return {"status": run.status, "rows": run.rows_read}
