"""Report runs: compute a report file in the background, show its progress, publish it whole.

The file is written to an anonymous temporary file (no name on disk, so a killed worker leaves
nothing behind) and published under the run's own name only once complete: on a file-system
storage by giving the finished file its name in one step, on object stores by one upload. The run
row points at the file only after that. Running a run again (a retry, or a redelivered task) starts
from scratch and replaces the file atomically: retrying is safe.
"""

import datetime
import hashlib
import logging
import os
import shutil
import tempfile
import time
import uuid

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from .. import standards
from ..errors import InvalidInput, NotAllowed, NotFound
from ..models import Cycle, ReportRun
from ..models.reports import report_storage
from .registry import REPORT_KINDS, build_report
from .scope import Scope, nation, reads_principals, scope_of
from .temis_export import build_temis_export
from .temis_templates import check_template_code, get_template
from .writers import FORMATS, write_report

log = logging.getLogger(__name__)

REPORTS_DIR = "temis/reports"
TEMIS_EXPORT = "temis_export"
# Progress is written to the database at most this often (seconds): enough for a progress bar.
PROGRESS_INTERVAL = 1.0


def create_run(
    user,
    kind: str,
    file_format: str,
    *,
    cycle: Cycle,
    scope: Scope,
    framework_code: str = "",
    template_code: str = "",
    cut_off=None,
) -> ReportRun:
    """Record a request for a report file (permission on the scope is checked by the caller)."""
    if kind != TEMIS_EXPORT and kind not in REPORT_KINDS:
        raise InvalidInput(f"unknown report {kind!r}", field="kind")
    if file_format not in FORMATS:
        raise InvalidInput(f"unknown format {file_format!r} (one of {', '.join(FORMATS)})", field="format")
    if kind == TEMIS_EXPORT:
        check_template_code(template_code)
    return ReportRun.objects.create(
        kind=kind,
        file_format=file_format,
        cycle=cycle,
        scope_id=scope.unit_id,
        framework_code=framework_code,
        template_code=template_code,
        cut_off=cut_off or timezone.now(),
        requested_by=user if getattr(user, "pk", None) else None,
        # The language the user asked in: labels and headers of the file follow it.
        error="",
        problems=[],
    )


def counted_frameworks(
    user, scope: Scope, kind: str, framework_code: str = "", template_code: str = ""
) -> list[str] | None:
    """The frameworks report ``kind`` counts for ``user`` on ``scope`` (None: every one installed).

    A reader who does not read principals' results there (scope.reads_principals) gets the teachers'
    frameworks only, and is refused a principals' framework or TEMIS template by name.
    """
    if reads_principals(user, scope):
        return [framework_code] if framework_code else None
    teachers = sorted(code for code, framework in standards.all_frameworks().items() if framework.kind == "teacher")
    if kind == TEMIS_EXPORT:
        template = get_template(check_template_code(template_code))
        if template.framework and template.framework not in teachers:
            raise InvalidInput("principals' results are reported to the units above the school", field="template")
        return None
    if framework_code and framework_code not in teachers:
        raise InvalidInput("principals' results are reported to the units above the school", field="framework")
    return [framework_code] if framework_code else teachers


def run_scope(run: ReportRun) -> Scope:
    return scope_of(run.scope) if run.scope_id else nation()


def compute(run: ReportRun):
    # What the requester may read is checked again now: their roles may have changed since they asked.
    scope = run_scope(run)
    codes = counted_frameworks(run.requested_by, scope, run.kind, run.framework_code, run.template_code)
    if run.kind == TEMIS_EXPORT:
        return build_temis_export(run.template_code, scope, run.cycle, cut_off=run.cut_off)
    return build_report(run.kind, scope, run.cycle, framework_codes=codes, cut_off=run.cut_off)


def execute_run(run_id, *, language: str = "vi", on_progress=None) -> ReportRun:
    """Compute the run's report and publish its file; safe to call again for the same run."""
    run = ReportRun.objects.select_related("cycle", "scope").get(pk=run_id)
    if run.status == ReportRun.Status.DONE:
        return run
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.RUNNING,
        started=timezone.now(),
        progress=0,
        rows_written=0,
        attempts=run.attempts + 1,
        error="",
        problems=[],
    )
    reporter = _ProgressWriter(run.pk, on_progress)
    try:
        with translation.override(language), _spooled(run) as spool:
            report = compute(run)
            rows = write_report(report, run.file_format, spool, on_progress=reporter)
            if report.problems:
                ReportRun.objects.filter(pk=run.pk).update(
                    status=ReportRun.Status.INVALID,
                    problems=report.problems,
                    rows_written=rows,
                    finished=timezone.now(),
                    progress=100,
                )
                return ReportRun.objects.get(pk=run.pk)
            name, size, digest = _publish(run, spool)
    except Exception as exc:
        # The message of a database or storage error, not the data: no personal data in the run row.
        log.exception("Report run %s failed", run.pk)
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.FAILED, finished=timezone.now(), error=f"{type(exc).__name__}"
        )
        raise
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.DONE,
        file=name,
        file_size=size,
        sha256=digest,
        rows_written=rows,
        progress=100,
        finished=timezone.now(),
    )
    return ReportRun.objects.get(pk=run.pk)


class _ProgressWriter:
    def __init__(self, run_id, callback):
        self.run_id, self.callback, self.last = run_id, callback, 0.0

    def __call__(self, done: int, total: int):
        percent = min(99, int(done * 100 / total)) if total else 0
        if self.callback:
            self.callback(done, total)
        now = time.monotonic()
        if now - self.last >= PROGRESS_INTERVAL:
            self.last = now
            ReportRun.objects.filter(pk=self.run_id).update(progress=percent, rows_written=done)


class _spooled:
    """An anonymous temporary file for the report, next to the published files when possible."""

    def __init__(self, run):
        storage = report_storage()
        directory = None
        if isinstance(storage, FileSystemStorage):
            directory = storage.path(REPORTS_DIR)
            os.makedirs(directory, exist_ok=True)
        self.directory = directory

    def __enter__(self):
        # A file with no name on disk: nothing of it survives a killed worker. O_TMPFILE without
        # O_EXCL can be given a name once complete (see _publish_on_disk); elsewhere the fallback is
        # a temporary file unlinked at once.
        try:
            descriptor = os.open(self.directory or tempfile.gettempdir(), os.O_TMPFILE | os.O_RDWR, 0o640)
            self.file = os.fdopen(descriptor, "w+b")
        except (AttributeError, OSError):
            self.file = tempfile.TemporaryFile(dir=self.directory)
        return self.file

    def __exit__(self, *exc):
        self.file.close()
        return False


def file_name(run: ReportRun) -> str:
    """The run's file in storage: keyed on the run id with the site's secret, so that the id, which URLs
    carry, does not give the name (should storage ever be reachable by name), and a retry replaces the
    same file."""
    key = salted_hmac("temis_plugin.reports.file_name", run.pk.hex, algorithm="sha256").hexdigest()[:32]
    return f"{REPORTS_DIR}/{key}.{run.file_format}"


def _publish(run: ReportRun, spool) -> tuple[str, int, str]:
    spool.flush()
    size = spool.seek(0, os.SEEK_END)
    spool.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: spool.read(1 << 20), b""):
        digest.update(chunk)
    spool.seek(0)
    storage, name = report_storage(), file_name(run)
    if isinstance(storage, FileSystemStorage):
        _publish_on_disk(storage.path(name), spool)
    else:
        if storage.exists(name):
            storage.delete(name)
        # Object stores make an upload visible only once it is complete.
        name = storage.save(name, File(spool, name=os.path.basename(name)))
    return name, size, digest.hexdigest()


def _publish_on_disk(path: str, spool):
    """Give the finished file its final name in one step (rename is atomic within a file system)."""
    staging = f"{path}.{uuid.uuid4().hex}.partial"
    try:
        os.link(f"/proc/self/fd/{spool.fileno()}", staging, follow_symlinks=True)
    except OSError:
        # No O_TMPFILE linking here: copy under a staging name, then rename.
        with open(staging, "xb") as target:
            shutil.copyfileobj(spool, target, 1 << 20)
            target.flush()
            os.fsync(target.fileno())
    os.replace(staging, path)


# ---------------------------------------------------------------------------------------------
# For the API: requests and reads, with permissions


def enqueue(run_id, language="vi"):
    from ..tasks import generate_report

    queue = getattr(settings, "TEMIS_CELERY_QUEUE", None)
    options = {"queue": queue} if queue else {}
    generate_report.apply_async(args=[str(run_id), language], **options)


def get_run(user, run_id) -> ReportRun:
    """A run the user asked for (or any run, for staff); others are not found."""
    try:
        run = ReportRun.objects.select_related("cycle", "scope").get(pk=uuid.UUID(str(run_id)))
    except (ValueError, ReportRun.DoesNotExist):
        raise NotFound("no such report") from None
    if not (user.is_superuser or (run.requested_by_id and run.requested_by_id == user.pk)):
        raise NotFound("no such report")
    return run


def retry_run(user, run_id, language="vi") -> ReportRun:
    run = get_run(user, run_id)
    if run.status == ReportRun.Status.DONE:
        raise NotAllowed("the report is ready; there is nothing to retry")
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.QUEUED, progress=0)
    transaction.on_commit(lambda: enqueue(run.pk, language))
    return ReportRun.objects.get(pk=run.pk)


def expire_runs(now=None) -> int:
    """Delete report files older than TEMIS_REPORT_RETENTION_DAYS with their runs; returns how many."""
    now = now or timezone.now()
    days = getattr(settings, "TEMIS_REPORT_RETENTION_DAYS", 30)
    storage, removed = report_storage(), 0
    for run in ReportRun.objects.filter(created__lt=now - datetime.timedelta(days=days)).iterator():
        if run.file:
            storage.delete(run.file.name)
        run.delete()
        removed += 1
    return removed
