"""Roster imports in the background: the admin stores the upload and a Celery task imports it,
writing its progress and its outcome (summary, or the problems found) to the run's row."""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from ..models import RosterImport
from .errors import RosterError
from .importer import import_roster

log = logging.getLogger(__name__)
# Progress is written to the database at most this often (seconds).
PROGRESS_INTERVAL = 1.0


def start_import(user, upload, table: str = "", language: str = "vi") -> RosterImport:
    """Store the uploaded file and queue its import once this transaction commits."""
    run = RosterImport(
        file_name=upload.name[-255:],
        table=table or "",
        language=language,
        requested_by=user if getattr(user, "pk", None) else None,
    )
    run.file.save("upload", upload, save=False)
    run.save()
    transaction.on_commit(lambda: enqueue(run.pk))
    return run


def enqueue(run_id):
    from ..tasks import import_roster_file

    queue = getattr(settings, "TEMIS_CELERY_QUEUE", None)
    import_roster_file.apply_async(args=[str(run_id)], **({"queue": queue} if queue else {}))


def get_import(user, run_id) -> RosterImport | None:
    """The run, for the user who uploaded it or a superuser; None otherwise."""
    try:
        run = RosterImport.objects.get(pk=uuid.UUID(str(run_id)))
    except (ValueError, RosterImport.DoesNotExist):
        return None
    if user.is_superuser or (run.requested_by_id and run.requested_by_id == user.pk):
        return run
    return None


def execute_import(run_id) -> RosterImport:
    """Import the run's file; a finished run is left as it is (a redelivered task does nothing)."""
    run = RosterImport.objects.select_related("requested_by").get(pk=run_id)
    if run.is_finished:
        return run
    RosterImport.objects.filter(pk=run.pk).update(
        status=RosterImport.Status.RUNNING, started=timezone.now(), progress=0, rows_read=0
    )
    progress = _ProgressWriter(run.pk)
    outcome = {}
    try:
        with translation.override(run.language), run.file.open("rb") as upload:
            summary = import_roster(
                upload, filename=run.file_name, table=run.table or None, actor=run.requested_by, progress=progress
            )
        outcome = {
            "status": RosterImport.Status.DONE,
            "progress": 100,
            "summary": {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "notices": [n.message for n in summary.notices],
            },
        }
    except RosterError as exc:
        with translation.override(run.language):
            outcome = {
                "status": RosterImport.Status.REFUSED,
                "progress": 100,
                "problem_total": exc.total,
                "problem_counts": exc.counts_by_label(),
                "problems": [
                    {
                        "sheet": e.sheet or e.table,
                        "line": e.line,
                        "column": e.column,
                        "value": e.shown_value,
                        "message": e.message,
                    }
                    for e in exc.errors
                ],
            }
    except Exception as exc:
        # The kind of failure only: the message of a database error may quote the data.
        log.exception("Roster import %s failed", run.pk)
        RosterImport.objects.filter(pk=run.pk).update(
            status=RosterImport.Status.FAILED, finished=timezone.now(), error=type(exc).__name__
        )
        raise
    if run.file:
        run.file.delete(save=False)
    RosterImport.objects.filter(pk=run.pk).update(finished=timezone.now(), file="", rows_read=progress.rows, **outcome)
    return RosterImport.objects.get(pk=run.pk)


def progress_of(run: RosterImport) -> tuple[int, int]:
    """``(percent, rows read)`` of a run: from the cache while it runs, from its row once finished."""
    if run.status == RosterImport.Status.RUNNING:
        percent, rows = cache.get(_progress_key(run.pk), (0, 0))
        return percent, rows
    return run.progress, run.rows_read


def _progress_key(run_id) -> str:
    return f"temis:roster-import:{run_id}:progress"


class _ProgressWriter:
    """Progress goes to the shared cache (the LMS's): the import's rows are written in one
    transaction, and a progress row written inside it would be invisible until the end."""

    def __init__(self, run_id):
        self.run_id, self.last, self.rows = run_id, 0.0, 0

    def __call__(self, done: int, expected: int):
        self.rows = done
        now = time.monotonic()
        if now - self.last >= PROGRESS_INTERVAL:
            self.last = now
            percent = min(99, int(done * 100 / expected)) if expected else 0
            cache.set(_progress_key(self.run_id), (percent, done), timeout=24 * 3600)
