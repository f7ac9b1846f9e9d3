"""Course roster from the platform's Names and Role Provisioning Service (NRPS 2.0), page by page."""

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .claims import NRPS_CLAIM, NRPS_MEMBERSHIP_SCOPE
from .models import CourseMember, Launch
from .protocol import MAX_ID_LENGTH
from .rotation import ensure_signing_key
from .services import ServiceError, ToolIdentity, fetch_token, roster_pages, with_retries

MEMBER_STATUSES = ("Active", "Inactive", "Deleted")  # NRPS 2.0 §2.3 (Deleted only in a differences list)


class RosterError(Exception):
    pass


def memberships_url(record: Launch) -> str:
    """The course's NRPS memberships URL the launch carries, "" when the platform offers none."""
    service = record.claims.get(NRPS_CLAIM)
    url = service.get("context_memberships_url") if isinstance(service, dict) else None
    return url if isinstance(url, str) else ""


def sync_roster(record: Launch, session=None, page_size: int = 100) -> int:
    """Replace the stored roster of the launch's course with the platform's; returns the member count."""
    url = memberships_url(record)
    if not url:
        raise RosterError("this link does not let the tool read the course roster (no NRPS)")
    session = session or requests.Session()
    key = ensure_signing_key()
    platform = record.platform
    tool = ToolIdentity(platform.client_id, platform.auth_token_url, record.deployment_id, key.kid, key.private_key_pem)
    try:
        token, _lifetime = with_retries(lambda: fetch_token(session, tool, [NRPS_MEMBERSHIP_SCOPE]))
        members = [m for page in roster_pages(session, token, url, limit=page_size) for m in page]
    except ServiceError as exc:
        raise RosterError(f"the course roster could not be read: {exc}") from None
    now = timezone.now()
    rows = [
        CourseMember(platform=platform, context_id=record.context_id, synced_at=now, **fields)
        for fields in map(_member_fields, members)
        if fields
    ]
    with transaction.atomic():  # the old roster goes only when the new one is complete
        CourseMember.objects.filter(platform=platform, context_id=record.context_id).delete()
        CourseMember.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _member_fields(member) -> dict | None:
    """What the tool keeps of an NRPS member: the user id (the launch's sub), roles and status, no name or
    email; None for a member without a user id. A member the columns cannot hold refuses the whole roster."""
    if not isinstance(member, dict):
        raise RosterError(_("The course platform's roster lists a member the tool cannot read."))
    user_id = member.get("user_id")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        user_id = str(user_id)
    if not user_id:
        return None
    status = member.get("status", "Active")
    if not isinstance(user_id, str) or len(user_id) > MAX_ID_LENGTH or status not in MEMBER_STATUSES:
        raise RosterError(_("The course platform's roster lists a member the tool cannot read."))
    roles = member.get("roles")
    return {"user_sub": user_id, "roles": roles if isinstance(roles, list) else [], "status": status}


def enrolled_subs(record: Launch) -> set[str]:
    return set(
        CourseMember.objects.filter(
            platform=record.platform, context_id=record.context_id, status="Active"
        ).values_list("user_sub", flat=True)
    )
