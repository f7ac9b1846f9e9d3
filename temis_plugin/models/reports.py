"""Report runs: one report or TEMIS export computed in the background and kept as a file."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import Cycle, OrgUnit
from .storage import configured_storage


def report_storage():
    """Where report files go: the STORAGES alias named by TEMIS_REPORTS_STORAGE, else the default."""
    return configured_storage("TEMIS_REPORTS_STORAGE")


class ReportRun(models.Model):
    """
    One request for a report file: what was asked (kind, format, cycle, scope, cut-off), how far the
    work is, and the finished file in Django storage. The file is attached only once it is complete,
    so a run that failed or whose worker died never points at a partial file.

    The id is a random UUID: it is the only thing the download URL carries.

    .. pii: The user who asked for the report; the file lists named educators and their ratings.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        INVALID = "invalid", _("Not valid")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("report"), max_length=48)
    file_format = models.CharField(_("format"), max_length=8)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="+", verbose_name=_("cycle"))
    scope = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scope"),
        help_text=_("Empty: the whole country."),
    )
    framework_code = models.CharField(_("framework"), max_length=32, blank=True)
    template_code = models.CharField(_("TEMIS template"), max_length=64, blank=True)
    cut_off = models.DateTimeField(_("data cut-off"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="temis/reports/", storage=report_storage, blank=True, max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    problems = models.JSONField(_("problems found"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(_("requested at"), auto_now_add=True)
    started = models.DateTimeField(_("started at"), null=True, blank=True)
    finished = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created"]
        indexes = [models.Index(fields=["requested_by", "-created"], name="temis_run_requester")]

    def __str__(self):
        return f"{self.kind}.{self.file_format} ({self.get_status_display()})"
