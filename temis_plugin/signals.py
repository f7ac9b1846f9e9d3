"""Signal receivers: platform signals wired by plugin_app, openedx-events ones by @receiver.

This module is imported by TemisPluginConfig.ready(), which connects the @receiver functions in
the LMS, the CMS and the standalone site alike. Receivers stay thin: the work is in the API.
"""

from django.dispatch import receiver
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED, PERSISTENT_GRADE_SUMMARY_CHANGED

from . import api
from .retirement import retire_user


def retire_educator_on_user_retirement(sender, user=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver for the LMS's USER_RETIRE_LMS_MISC: retire the user's educator data."""
    if user is not None:
        retire_user(user)


@receiver(COURSE_PASSING_STATUS_UPDATED, dispatch_uid="temis_plugin.course_passing_status")
def on_course_passing_status_updated(
    sender,
    course_passing_status,
    metadata,  # pylint: disable=unused-argument
    **kwargs,
):
    """A learner's course grade now passes or no longer passes: update their module result."""
    api.record_course_passing_status(
        course_passing_status.user.id,
        course_passing_status.course.course_key,
        course_passing_status.is_passing,
        metadata.time,
    )


@receiver(PERSISTENT_GRADE_SUMMARY_CHANGED, dispatch_uid="temis_plugin.persistent_grade")
def on_persistent_grade_summary_changed(sender, grade, metadata, **kwargs):  # pylint: disable=unused-argument
    """A learner's persisted course grade changed: update the grade of their module result."""
    api.record_persistent_grade(
        grade.user_id, grade.course.course_key, grade.percent_grade, grade.passed_timestamp, metadata.time
    )
