"""Which Django user a block is acting for, from the runtime's user service."""

from django.contrib.auth import get_user_model


def acting_user(block):
    """The Django user behind the block's current learner, or None (anonymous, preview).

    The user service of the LMS (and of the standalone demo, temis_plugin.standalone.workbench)
    carries ``edx-platform.user_id``. A runtime that names its learner otherwise, such as the
    xblock-sdk workbench's ``?student=<name>``, acts for nobody: a name in a URL is not a sign-in.
    """
    service = block.runtime.service(block, "user")
    if service is None:
        return None
    user_id = service.get_current_user().opt_attrs.get("edx-platform.user_id")
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()
