"""Signal receivers: platform signals wired by plugin_app, openedx-events ones by @receiver."""
from .retirement import retire_user


def retire_educator_on_user_retirement(sender, user=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver for the LMS's USER_RETIRE_LMS_MISC: retire the user's educator data."""
    if user is not None:
        retire_user(user)
