"""Course roster from the platform's Names and Role Provisioning Service (NRPS 2.0), page by page."""
import requests
from django.db import transaction
from django.utils import timezone

from .models import CourseMember, Launch
from .rotation import ensure_signing_key
from .services import NRPS_MEMBERSHIP, ServiceError, ToolIdentity, fetch_token, roster_pages, with_retries

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


class RosterError(Exception):
    pass


def sync_roster(record: Launch, session=None, page_size: int = 100) -> int:
    """Replace the stored roster of the launch's course with the platform's; returns the member count."""
    service = record.claims.get(NRPS_CLAIM) or {}
    url = service.get("context_memberships_url")
    if not url:
        raise RosterError("this link does not let the tool read the course roster (no NRPS)")
    session = session or requests.Session()
    key = ensure_signing_key()
    platform = record.platform
    tool = ToolIdentity(platform.client_id, platform.auth_token_url, record.deployment_id, key.kid,
                        key.private_key_pem)
    try:
        token, _lifetime = with_retries(lambda: fetch_token(session, tool, [NRPS_MEMBERSHIP]))
        members = [m for page in roster_pages(session, token, url, limit=page_size) for m in page]
    except ServiceError as exc:
        raise RosterError(f"the course roster could not be read: {exc}") from None
    now = timezone.now()
    rows = [CourseMember(platform=platform, context_id=record.context_id, user_sub=str(m["user_id"]),
                         roles=list(m.get("roles") or []), status=m.get("status", "Active"), name=m.get("name", "")[:255],
                         synced_at=now)
            for m in members if m.get("user_id")]
    with transaction.atomic():  # the old roster goes only when the new one is complete
        CourseMember.objects.filter(platform=platform, context_id=record.context_id).delete()
        CourseMember.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def enrolled_subs(record: Launch) -> set[str]:
    return set(CourseMember.objects.filter(platform=record.platform, context_id=record.context_id, status="Active")
               .values_list("user_sub", flat=True))
