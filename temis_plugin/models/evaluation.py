"""Evaluations against a professional standard: levels per source, evidence, opinions, audit trail."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..labels import RATING_LABELS, STATE_LABELS
from ..standards import OverallRating
from ..workflow import EvaluationState
from .organisation import SCHOOL_LEVEL_CHOICES, Cycle, OrgUnit, TrainingModule
from .people import EducatorProfile
from .storage import configured_storage

# The words every screen uses (temis_plugin.labels), translated when shown.
STATE_CHOICES = [
    (state, _(STATE_LABELS[state]))
    for state in (EvaluationState.DRAFT, EvaluationState.SUBMITTED, EvaluationState.OPINIONS, EvaluationState.FINALIZED)
]
RATING_CHOICES = [
    (rating, _(RATING_LABELS[rating]))
    for rating in (OverallRating.TOT, OverallRating.KHA, OverallRating.DAT, OverallRating.CHUA_DAT)
]

# Packed level sheets: one character per criterion (see temis_plugin.standards.levels).
LEVELS_MAX = 32


class Evaluation(models.Model):
    """
    One educator's evaluation for one cycle against one framework: the self-assessment (phiếu tự
    đánh giá), the head's or superior's final levels, and the overall ratings the engine computed.

    ``version`` is an optimistic lock: every write names the version it read, so two concurrent
    edits cannot silently overwrite each other.

    .. pii: Self-assessment levels and free-text reflection, final rating and comments about a
       named educator.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    educator = models.ForeignKey(
        EducatorProfile, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("educator")
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("cycle"))
    framework_code = models.CharField(_("framework"), max_length=32)
    # Where the educator worked when evaluated: a teacher who moves school later still counts, in
    # that cycle's reports, for the school that evaluated them. Set on creation and on finalizing.
    school = models.ForeignKey(
        OrgUnit,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
        limit_choices_to={"kind": "school"},
    )
    school_level = models.CharField(_("school level"), max_length=4, choices=SCHOOL_LEVEL_CHOICES, blank=True)
    framework_revision = models.PositiveSmallIntegerField(_("framework data revision"))
    legal_basis = models.CharField(_("legal basis"), max_length=255)
    state = models.CharField(
        _("state"), max_length=16, choices=STATE_CHOICES, default=EvaluationState.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    self_levels = models.CharField(_("self-assessed levels"), max_length=LEVELS_MAX, default="", blank=True)
    self_rating = models.CharField(_("self rating"), max_length=16, choices=RATING_CHOICES, blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    improvements = models.TextField(_("areas to improve"), blank=True)
    plan_goals = models.TextField(_("learning plan: goals"), blank=True)
    plan_content = models.TextField(_("learning plan: content"), blank=True)
    plan_timeline = models.TextField(_("learning plan: timeline"), blank=True)
    plan_conditions = models.TextField(_("learning plan: conditions"), blank=True)

    final_levels = models.CharField(_("final levels"), max_length=LEVELS_MAX, default="", blank=True)
    final_rating = models.CharField(_("final rating"), max_length=16, choices=RATING_CHOICES, blank=True, db_index=True)
    final_comment = models.TextField(_("final comment"), blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("finalized by"),
    )

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["educator", "cycle", "framework_code"], name="temis_one_evaluation")
        ]
        indexes = [
            models.Index(fields=["cycle", "framework_code", "state"]),
            # Reports of one school, commune or province: the schools come from an OrgUnit path range.
            models.Index(fields=["school", "cycle", "framework_code"], name="temis_eval_school_cycle"),
        ]

    def __str__(self):
        return f"{self.educator} · {self.cycle} · {self.framework_code}"


class TrainingNeed(models.Model):
    """
    A training need stated in the self-assessment: a criterion to improve and/or a module to take.

    .. pii: Part of a named educator's self-assessment.
    .. pii_types: other
    .. pii_retirement: retained
    """

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="training_needs")
    criterion = models.PositiveSmallIntegerField(_("criterion"), null=True, blank=True)
    module = models.ForeignKey(
        TrainingModule, null=True, blank=True, on_delete=models.PROTECT, related_name="needs", verbose_name=_("module")
    )

    class Meta:
        verbose_name = _("training need")
        verbose_name_plural = _("training needs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(criterion__isnull=False) | models.Q(module__isnull=False),
                name="temis_need_has_target",
            )
        ]


def evidence_storage():
    """Where evidence files go: the STORAGES alias named by TEMIS_EVIDENCE_STORAGE, else the default."""
    return configured_storage("TEMIS_EVIDENCE_STORAGE")


def evidence_upload_to(instance, filename):
    # A random folder per file: no names, identifiers or school codes in storage paths or URLs.
    # The suffix keeps letters and digits only, so no name can add a separator to the path.
    suffix = "".join(ch for ch in filename.rsplit(".", 1)[-1].lower() if ch.isascii() and ch.isalnum())[:8]
    suffix = suffix if "." in filename and suffix else "bin"
    return f"temis/evidence/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    """
    An evidence item (minh chứng): a file or a link, owned by an educator, reusable across
    criteria and cycles.

    .. pii: Files and descriptions an educator uploads about their own work.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    owner = models.ForeignKey(
        EducatorProfile, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(
        _("file"), upload_to=evidence_upload_to, storage=evidence_storage, blank=True, max_length=255
    )
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=127, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(file="") & ~models.Q(url="")) | (~models.Q(file="") & models.Q(url="")),
                name="temis_evidence_file_xor_link",
            )
        ]

    def __str__(self):
        return self.name


class EvidenceLink(models.Model):
    """
    Evidence backing one criterion of one evaluation.

    .. no_pii: A link between annotated records.
    """

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evidence_links")
    criterion = models.PositiveSmallIntegerField(_("criterion"))

    class Meta:
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        constraints = [
            models.UniqueConstraint(fields=["evidence", "evaluation", "criterion"], name="temis_unique_evidence_link")
        ]


class ColleagueOpinion(models.Model):
    """
    A colleague's opinion (phiếu lấy ý kiến đồng nghiệp trong tổ chuyên môn) on an evaluation.

    .. pii: Levels and comments one named educator gives about another.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="opinions")
    colleague = models.ForeignKey(
        EducatorProfile, on_delete=models.PROTECT, related_name="opinions_given", verbose_name=_("colleague")
    )
    levels = models.CharField(_("levels"), max_length=LEVELS_MAX)
    rating = models.CharField(_("rating"), max_length=16, choices=RATING_CHOICES)
    strengths = models.TextField(_("strengths"), blank=True)
    improvements = models.TextField(_("areas to improve"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("colleague opinion")
        verbose_name_plural = _("colleague opinions")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "colleague"], name="temis_one_opinion_per_colleague")
        ]


class AuditEntry(models.Model):
    """
    One change to an evaluation, a support activity or the roster: who, when, what, the values
    before and after. Entries about a support activity have no evaluation and the target
    ``support_activity:<id>``.

    .. pii: Who changed what about a named educator, with the changed values.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=32)
    target = models.CharField(_("target"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target"], name="temis_audit_target")]
