"""Training-module results from the LMS's grade events, and the programme satisfaction survey."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from .organisation import TrainingModule
from .people import EducatorProfile


def validate_course_key(value):
    try:
        CourseKey.from_string(value)
    except InvalidKeyError:
        raise ValidationError(
            _("Enter an Open edX course key, such as course-v1:Org+Code+Run."), code="invalid_course_key"
        ) from None


class CourseModule(models.Model):
    """
    An Open edX course that delivers a training module: passing the course counts for the module.

    ``pass_mark`` is the course grade (0 to 1) from which the course is passed, as in its grading
    policy. The LMS's events and Grades API say whether a learner passed; its grade report says so
    only for certifying tracks, so for audit and honor learners in a report the pass is read from the
    grade against this mark, and is unknown when no mark is set.

    .. no_pii: A link between a course and a module.
    """

    course_key = models.CharField(
        _("course key"),
        max_length=255,
        unique=True,
        validators=[validate_course_key],
        help_text=_("The Open edX course key, such as course-v1:Org+Code+Run."),
    )
    module = models.ForeignKey(
        TrainingModule, on_delete=models.PROTECT, related_name="courses", verbose_name=_("training module")
    )
    pass_mark = models.DecimalField(
        _("pass mark"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_(
            "The course grade from which a learner passes, from 0 to 1 (such as 0.5), as in the course's "
            "grading policy. Used for audit and honor learners in a grade report, whose pass the report "
            "does not state; left empty, their pass status stays unknown."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course of a training module")
        verbose_name_plural = _("courses of training modules")
        ordering = ["course_key"]

    def __str__(self):
        return f"{self.course_key} → {self.module.code}"

    def clean(self):
        # One spelling per course, the one the LMS sends in its events.
        if self.course_key:
            try:
                self.course_key = str(CourseKey.from_string(self.course_key.strip()))
            except InvalidKeyError:
                pass  # reported by the field's validator


class ModuleResult(models.Model):
    """
    An educator's result in a training module, kept up to date from the LMS's grade events.

    ``passed`` has three values: True, False, and None when no source has told (a grade report's
    audit or honor learner in a course without a pass mark). ``grade_event_at`` and
    ``passing_event_at`` are the times of the newest grade event and the newest passing-status event
    applied: an event no newer than its kind's mark is a replay or arrived late, and changes nothing
    but, at most, an earlier ``passed_on``.

    .. pii: A named educator's grade and pass status in a training module.
    .. pii_types: other
    .. pii_retirement: retained
    """

    educator = models.ForeignKey(
        EducatorProfile, on_delete=models.CASCADE, related_name="module_results", verbose_name=_("educator")
    )
    module = models.ForeignKey(
        TrainingModule, on_delete=models.PROTECT, related_name="results", verbose_name=_("training module")
    )
    course_key = models.CharField(_("course key"), max_length=255)
    percent = models.DecimalField(
        _("grade"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("From 0 to 1, as the LMS computes it."),
    )
    passed = models.BooleanField(
        _("passed"), null=True, default=None, help_text=_("Empty when the pass status is unknown.")
    )
    passed_on = models.DateField(_("first passed on"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("newest event"))
    grade_event_at = models.DateTimeField(_("newest grade event"), null=True, blank=True)
    passing_event_at = models.DateTimeField(_("newest passing-status event"), null=True, blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("training-module result")
        verbose_name_plural = _("training-module results")
        constraints = [
            models.UniqueConstraint(fields=["educator", "module", "course_key"], name="temis_one_result_per_course")
        ]
        indexes = [models.Index(fields=["module", "passed"], name="temis_result_module_passed")]

    def __str__(self):
        return f"{self.educator} · {self.module.code}"


class SurveyResponse(models.Model):
    """
    An educator's programme satisfaction survey about one training module.

    ``answers`` maps each item of temis_plugin.survey.SURVEY_ITEMS to a rating from 1 to 5.

    .. pii: A named educator's ratings of a training module and free-text comment.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    educator = models.ForeignKey(
        EducatorProfile, on_delete=models.CASCADE, related_name="survey_responses", verbose_name=_("educator")
    )
    module = models.ForeignKey(
        TrainingModule, on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("training module")
    )
    answers = models.JSONField(_("answers"), default=dict)
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("satisfaction survey response")
        verbose_name_plural = _("satisfaction survey responses")
        constraints = [models.UniqueConstraint(fields=["educator", "module"], name="temis_one_survey_per_module")]

    def __str__(self):
        return f"{self.educator} · {self.module.code}"
