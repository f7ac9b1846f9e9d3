"""Roster imports run in the background: the uploaded file, how far the work is, and its outcome."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reports import report_storage


def roster_upload_to(_instance, _filename) -> str:
    # A random name of its own: nothing in a URL (the run's id, the file's name) leads to the file.
    return f"temis/rosters/{uuid.uuid4().hex}.upload"


class RosterImport(models.Model):
    """
    One roster file uploaded in the admin and imported by a Celery task, all or nothing.

    The uploaded file is kept only until the import has finished (imported or refused).

    .. pii: The uploaded roster lists educators (national identifiers, names); the problems found
       quote cell values; the user who uploaded it.
    .. pii_types: id, name, other
    .. pii_retirement: local_api
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField(_("file"), upload_to=roster_upload_to, storage=report_storage, blank=True, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    table = models.CharField(_("table"), max_length=16, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    language = models.CharField(max_length=8, default="vi")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    problems = models.JSONField(_("problems found"), default=list, blank=True)
    problem_total = models.PositiveIntegerField(_("number of problems"), default=0)
    problem_counts = models.JSONField(_("problems by kind"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started = models.DateTimeField(_("started at"), null=True, blank=True)
    finished = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)
