"""A parameter processor for Open edX's lti-consumer-xblock: adds the educator's identifier.

Open edX sends an opaque ``sub`` and no Mentor role, so the tool cannot know which educator is
launching. Enable with ``XBLOCK_SETTINGS['lti_consumer']['parameter_processors'] =
['lti.parameter_processors:educator_claims']`` and tick "enable processors" on the LTI block.
"""

from django.contrib.auth import get_user_model

from temis_plugin import api

from .identity import EDUCATOR_CLAIM, signed_educator_claim


def educator_claims(xblock) -> dict:
    """``{"temis_educator_id": <signed national identifier>}`` for the user launching, or nothing."""
    service = xblock.runtime.service(xblock, "user")
    user_id = service.get_current_user().opt_attrs.get("edx-platform.user_id") if service else None
    if user_id is None:
        return {}
    user = get_user_model().objects.filter(pk=user_id).first()
    reference = api.educator_reference(user) if user else None
    return {EDUCATOR_CLAIM: signed_educator_claim(reference)} if reference else {}
