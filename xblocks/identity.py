"""Which Django user a block is acting for, from the runtime's user service."""
from django.contrib.auth import get_user_model


def acting_user(block):
    """The Django user behind the block's current learner, or None (anonymous, preview).

    In the LMS the user service carries ``edx-platform.user_id``. The xblock-sdk workbench, a
    development harness without authentication, names its learner with ``?student=<name>``;
    that name is taken as a username.
    """
    service = block.runtime.service(block, "user")
    if service is None:
        return None
    attrs = service.get_current_user().opt_attrs
    User = get_user_model()
    if attrs.get("edx-platform.user_id") is not None:
        return User.objects.filter(pk=attrs["edx-platform.user_id"], is_active=True).first()
    if attrs.get("xblock-workbench.user_id"):
        return User.objects.filter(username=attrs["xblock-workbench.user_id"], is_active=True).first()
    return None
