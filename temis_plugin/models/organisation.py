"""Organisation tree: ministry, provinces, (legacy districts), communes, schools, subject groups."""

from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from ..roles import SchoolLevel, UnitKind

UNIT_KIND_CHOICES = [
    (UnitKind.MINISTRY, _("Ministry")),
    (UnitKind.PROVINCE, _("Province")),
    (UnitKind.DISTRICT, _("District (before July 2025)")),
    (UnitKind.COMMUNE, _("Commune / ward")),
    (UnitKind.SCHOOL, _("School")),
    (UnitKind.SUBJECT_GROUP, _("Subject group")),
]


class OrgUnit(models.Model):
    """
    A unit of the administration or a school, or a subject group (tổ chuyên môn) of a school.

    ``path`` holds the ids from the root down ("/1/7/42/") so that "everything under this unit"
    is one indexed prefix query at national scale.

    .. no_pii: Units are institutions, not people.
    """

    code = models.CharField(
        _("code"), max_length=64, unique=True, help_text=_("Stable identifier, e.g. the unit's mã định danh.")
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=UNIT_KIND_CHOICES, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    school_levels = models.CharField(
        _("school levels"),
        max_length=32,
        blank=True,
        help_text=_("For schools: TH, THCS and/or THPT, comma separated."),
    )
    is_legacy = models.BooleanField(
        _("legacy unit"), default=False, help_text=_("Kept for data from before the July 2025 reorganisation.")
    )

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = self.compute_path()
        if path != self.path:
            old = self.path
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)
            if old:
                rewrite_subtree_paths(old, path)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"

    def contains(self, other: "OrgUnit") -> bool:
        return other.path.startswith(self.path)

    @property
    def school_level_list(self) -> list[str]:
        return [level for level in self.school_levels.split(",") if level]


def rewrite_subtree_paths(old_prefix: str, new_prefix: str):
    """After a unit moves, give its descendants paths under the new prefix (one UPDATE)."""
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    OrgUnit.objects.filter(path__startswith=old_prefix).exclude(path=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1), output_field=models.CharField())
    )


SCHOOL_LEVEL_CHOICES = [
    (SchoolLevel.TH, _("Primary (TH)")),
    (SchoolLevel.THCS, _("Lower secondary (THCS)")),
    (SchoolLevel.THPT, _("Upper secondary (THPT)")),
]


class Cycle(models.Model):
    """
    An evaluation cycle: one school year (năm học).

    At most one cycle is current. Saving a cycle as current makes it the current one in place of the
    previous, in one transaction; the database refuses a second current cycle written any other way
    (an UPDATE, a bulk insert). When none is current, readers take the cycle that contains today
    (temis_plugin.api) or the latest started (temis_export).

    .. no_pii: A cycle is a period of time.
    """

    code = models.CharField(_("code"), max_length=16, unique=True, help_text=_("e.g. 2025-2026"))
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    self_assessment_closes_on = models.DateField(_("self-assessment closes on"), null=True, blank=True)
    is_current = models.BooleanField(
        _("current cycle"),
        default=False,
        help_text=_(
            "The cycle pages, reports and blocks use when none is chosen. Saving a cycle as current "
            "makes it the current one in place of the previous."
        ),
    )
    # 1 for the current cycle, NULL for the others, computed by the database: a plain unique column holds
    # "one current cycle" on MySQL and MariaDB, which ignore a unique constraint with a condition (W036).
    current_marker = models.GeneratedField(
        expression=models.Case(models.When(is_current=True, then=models.Value(1)), default=None),
        output_field=models.PositiveSmallIntegerField(null=True),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["current_marker"],
                name="temis_one_current_cycle_marker",
                violation_error_message=_("Another cycle is the current one."),
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.is_current:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
            # Every cycle row is locked first (one per school year: a handful), so two switches at once
            # queue, and the second finds the first's cycle current and takes over from it.
            list(type(self).objects.select_for_update().order_by("pk").values_list("pk", flat=True))
            type(self).objects.filter(is_current=True).exclude(pk=self.pk).update(is_current=False)
            return super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        # Saving as current switches the current cycle (save()): another current cycle is no error here.
        super().validate_constraints(exclude={*(exclude or ()), "is_current"})


class TrainingModule(models.Model):
    """
    A training module (mô đun bồi dưỡng thường xuyên) that teachers take as an Open edX course.

    .. no_pii: Modules are course content.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    audience = models.CharField(
        _("audience"), max_length=16, choices=[("teacher", _("Teachers")), ("principal", _("Principals"))]
    )
    hours = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    criteria = models.JSONField(_("related criteria"), default=list, blank=True)
    status = models.CharField(max_length=1, default="U", help_text=_("C confirmed, P partly confirmed, U unconfirmed."))

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name_vi}"
