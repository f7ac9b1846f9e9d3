"""Mentoring records of core teachers: the support activities they log for their groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .people import EducatorProfile, MentorGroup


class SupportForm(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    SUBJECT_GROUP_MEETING = "subject_group_meeting", _("Subject-group meeting")


class SupportActivity(models.Model):
    """
    One support activity (hoạt động hỗ trợ) a core teacher held with mentees of their group: when,
    how long, in which form, on which criteria, who attended, notes and next steps.

    ``version`` is an optimistic lock, as on evaluations. Each change is written to the audit trail
    (AuditEntry with no evaluation and target ``support_activity:<id>``). Retiring the mentor blanks
    the free text; the rows stay, so hours of support still add up in reports.

    .. pii: Free-text notes, topic and next steps a named core teacher writes about named colleagues,
       and who attended.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    mentor = models.ForeignKey(
        EducatorProfile, on_delete=models.PROTECT, related_name="support_activities", verbose_name=_("core teacher")
    )
    group = models.ForeignKey(
        MentorGroup, on_delete=models.PROTECT, related_name="support_activities", verbose_name=_("mentor group")
    )
    date = models.DateField(_("date"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"))
    form = models.CharField(_("form"), max_length=32, choices=SupportForm.choices)
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    criteria = models.JSONField(
        _("criteria"),
        default=list,
        blank=True,
        help_text=_("Numbers of the criteria of the teachers' standard the activity worked on."),
    )
    mentees = models.ManyToManyField(
        EducatorProfile, through="SupportAttendance", related_name="support_attended", verbose_name=_("mentees present")
    )
    notes = models.TextField(_("notes"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("support activity")
        verbose_name_plural = _("support activities")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["group", "date"], name="temis_support_group_date")]

    def __str__(self):
        return f"{self.date} · {self.group}"


class SupportAttendance(models.Model):
    """
    A mentee present at a support activity.

    .. no_pii: A link between two records that are annotated themselves.
    """

    activity = models.ForeignKey(SupportActivity, on_delete=models.CASCADE, related_name="attendance")
    mentee = models.ForeignKey(EducatorProfile, on_delete=models.CASCADE, related_name="support_attendance")

    class Meta:
        verbose_name = _("support attendance")
        verbose_name_plural = _("support attendance")
        constraints = [models.UniqueConstraint(fields=["activity", "mentee"], name="temis_unique_attendance")]
