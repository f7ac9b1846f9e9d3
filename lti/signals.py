"""Receivers of the LTI tool: a retired Open edX user's launches are deleted."""

from .models import Launch


def retire_launches(sender, user=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver for the LMS's USER_RETIRE_LMS_MISC."""
    if user is not None:
        Launch.objects.filter(user=user).delete()
