"""What the tool keeps of a launch and for how long: the claims its pages read, no names or emails;
login states and ended launches deleted after TEMIS_LTI_RETENTION_DAYS."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .claims import (
    AGS_CLAIM,
    CLAIM,
    DEPLOYMENT_ID_CLAIM,
    DL_CLAIM,
    NRPS_CLAIM,
    ROLE_SCOPE_MENTOR,
    TARGET_LINK_URI_CLAIM,
)
from .models import Launch, LoginState
from .protocol import context_id, resource_link_id

LOGIN_STATE_SECONDS = 600
LAUNCH_SECONDS = 8 * 3600
DEFAULT_RETENTION_DAYS = 7
DELETE_BATCH = 1000

# The claims the workspace, Deep Linking, AGS and NRPS read from a stored launch (lti.workspace_views,
# lti.deep_linking, lti.scoring, lti.roster). Everything else is dropped: the name, email and username
# claims a block may be set to share, the custom parameters (the signed educator identifier among them:
# the launch's user stands for it), lis, launch_presentation. sub, roles and the ids have columns.
STORED_CLAIMS = (
    "iss",  # the audience of a Deep Linking response
    DEPLOYMENT_ID_CLAIM,
    TARGET_LINK_URI_CLAIM,
    CLAIM + "roles",
    *ROLE_SCOPE_MENTOR,  # the learners a platform lets a mentor follow (platform ids)
    DL_CLAIM + "deep_linking_settings",
    AGS_CLAIM,
    NRPS_CLAIM,
)


def stored_claims(claims: dict) -> dict:
    return {name: claims[name] for name in STORED_CLAIMS if name in claims}


def record_launch(platform, claims: dict, user) -> Launch:
    """Store a validated launch for LAUNCH_SECONDS: its random id is the workspace's session."""
    return Launch.objects.create(
        platform=platform,
        deployment_id=claims[DEPLOYMENT_ID_CLAIM],
        sub=claims["sub"],
        roles=claims[CLAIM + "roles"],
        context_id=context_id(claims),
        resource_link_id=resource_link_id(claims),
        message_type=claims[CLAIM + "message_type"],
        claims=stored_claims(claims),
        user=user,
        expires=timezone.now() + datetime.timedelta(seconds=LAUNCH_SECONDS),
    )


def retention() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "TEMIS_LTI_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def expire(now=None) -> tuple[int, int]:
    """Delete login states and launches that ended more than TEMIS_LTI_RETENTION_DAYS ago; returns
    (launches, login states) deleted.

    One ended launch of each educator in each course stays, their latest, emptied of its claims and roles:
    it is how the tool knows their user id on the platform, which a mentor's score must name (AGS) and a
    platform's mentor scope lists. Retirement deletes it with the others (lti.signals).
    """
    cutoff = (now or timezone.now()) - retention()
    states = _delete_in_batches(
        LoginState.objects.filter(created__lt=cutoff - datetime.timedelta(seconds=LOGIN_STATE_SECONDS))
    )
    ended = Launch.objects.filter(expires__lt=cutoff)
    newer = Launch.objects.filter(
        Q(created__gt=OuterRef("created")) | Q(created=OuterRef("created"), pk__gt=OuterRef("pk")),
        platform=OuterRef("platform"),
        context_id=OuterRef("context_id"),
        sub=OuterRef("sub"),
        user__isnull=False,
    )
    launches = _delete_in_batches(ended.filter(Q(user__isnull=True) | Exists(newer)))
    ended.filter(user__isnull=False).exclude(claims={}).update(claims={}, roles=[])
    return launches, states


def _delete_in_batches(queryset) -> int:
    # By primary key in short transactions: MySQL refuses a DELETE whose subquery reads the same table,
    # and a national site's day of launches is too many rows for one lock.
    deleted = 0
    while ids := list(queryset.values_list("pk", flat=True)[:DELETE_BATCH]):
        with transaction.atomic():
            deleted += queryset.model.objects.filter(pk__in=ids).delete()[0]
    return deleted
