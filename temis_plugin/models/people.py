"""Educators, role assignments and mentor groups."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..roles import Position, Role
from .organisation import SCHOOL_LEVEL_CHOICES, Cycle, OrgUnit

POSITION_CHOICES = [
    (Position.TEACHER, _("Teacher")),
    (Position.VICE_PRINCIPAL, _("Vice-principal")),
    (Position.PRINCIPAL, _("Principal")),
]

ROLE_CHOICES = [
    (Role.SCHOOL_ADMIN, _("School administrator")),
    (Role.SUBJECT_GROUP_HEAD, _("Head of subject group")),
    (Role.COMMUNE_OFFICER, _("Commune officer")),
    (Role.PROVINCE_OFFICER, _("Province officer")),
    (Role.MINISTRY_OFFICER, _("Ministry officer")),
]


class EducatorProfile(models.Model):
    """
    A teacher, vice-principal or principal (nhà giáo, cán bộ quản lý), linked to an Open edX user.

    .. pii: National identifier (mã định danh), full name, subject and service dates, and the link
       to the Open edX user account.
    .. pii_types: id, name, other
    .. pii_retirement: local_api
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Open edX user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="temis_educator",
    )
    national_id = models.CharField(
        _("national identifier"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Mã định danh in the sector database."),
    )
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    school = models.ForeignKey(
        OrgUnit,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="educators",
        limit_choices_to={"kind": "school"},
    )
    subject_group = models.ForeignKey(
        OrgUnit,
        verbose_name=_("subject group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        limit_choices_to={"kind": "subject_group"},
    )
    position = models.CharField(_("position"), max_length=16, choices=POSITION_CHOICES, default=Position.TEACHER)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    school_level = models.CharField(_("school level"), max_length=4, choices=SCHOOL_LEVEL_CHOICES)
    level_start_date = models.DateField(_("teaching at this level since"), null=True, blank=True)
    # TT14/2018 Điều 12 counts years as principal or vice-principal, not years of teaching.
    position_since = models.DateField(_("in this management position since"), null=True, blank=True)
    is_core_teacher = models.BooleanField(_("core teacher"), default=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("educator")
        verbose_name_plural = _("educators")
        indexes = [models.Index(fields=["school", "position"])]

    def __str__(self):
        return self.full_name or _("educator #%(id)s") % {"id": self.pk}

    @property
    def framework_kind(self) -> str:
        return Position(self.position).framework_kind


class RoleAssignment(models.Model):
    """
    A role held by a user on a unit and every unit below it.

    .. pii: Links an Open edX user to the unit they administer.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="temis_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=ROLE_CHOICES)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("unit"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="temis_unique_role")]

    def __str__(self):
        return f"{self.get_role_display()} @ {self.unit}"


class MentorGroup(models.Model):
    """
    A core teacher (giáo viên cốt cán) and the colleagues they support in one cycle.

    .. no_pii: The group itself; its people are in EducatorProfile.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="mentor_groups", verbose_name=_("cycle"))
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=255, blank=True)
    mentor = models.ForeignKey(
        EducatorProfile, on_delete=models.PROTECT, related_name="mentor_groups", verbose_name=_("core teacher")
    )
    mentees = models.ManyToManyField(
        EducatorProfile, through="MentorGroupMembership", related_name="supported_by_groups", verbose_name=_("mentees")
    )

    class Meta:
        verbose_name = _("mentor group")
        verbose_name_plural = _("mentor groups")
        constraints = [models.UniqueConstraint(fields=["cycle", "code"], name="temis_unique_mentor_group")]

    def __str__(self):
        return self.name or self.code


class MentorGroupMembership(models.Model):
    """
    .. no_pii: A link between two records that are annotated themselves.
    """

    group = models.ForeignKey(MentorGroup, on_delete=models.CASCADE, related_name="memberships")
    mentee = models.ForeignKey(EducatorProfile, on_delete=models.CASCADE, related_name="mentor_memberships")

    class Meta:
        verbose_name = _("mentor group member")
        verbose_name_plural = _("mentor group members")
        constraints = [models.UniqueConstraint(fields=["group", "mentee"], name="temis_unique_mentee")]
