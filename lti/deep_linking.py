"""Deep Linking 2.0 responses (the tool's answer to LtiDeepLinkingRequest). Plain Python.

Open edX accepts ltiResourceLink, link, html and image items, and refuses file items; the tool only
ever returns ltiResourceLink items pointing back at its own launch URL.
"""

import secrets
import time

from .claims import CLAIM, DEEP_LINKING_RESPONSE, DEPLOYMENT_ID_CLAIM, DL_CLAIM
from .protocol import LaunchError

RESOURCE_LINK = "ltiResourceLink"
# Roles that may place content (platforms send deep-linking requests to course authors only).
AUTHOR_ROLES = (
    "membership#Instructor",
    "membership#Administrator",
    "membership#ContentDeveloper",
    "institution/person#Administrator",
    "system/person#Administrator",
)


def is_author(roles) -> bool:
    return any(isinstance(role, str) and role.endswith(AUTHOR_ROLES) for role in roles or [])


def resource_link(title: str, url: str, text: str = "") -> dict:
    item = {"type": RESOURCE_LINK, "title": title, "url": url}
    if text:
        item["text"] = text
    return item


def response_claims(request_claims: dict, client_id: str, items: list[dict], now: float | None = None) -> dict:
    """The claims of an LtiDeepLinkingResponse answering ``request_claims`` (a validated request)."""
    settings_claim = request_claims[DL_CLAIM + "deep_linking_settings"]
    accepted = settings_claim.get("accept_types") or []
    if any(item["type"] not in accepted for item in items):
        raise LaunchError(400, "type_not_accepted", "the platform does not accept LTI resource links here")
    if len(items) > 1 and not settings_claim.get("accept_multiple"):
        raise LaunchError(400, "multiple_not_accepted", "the platform accepts a single item here")
    now = int(now or time.time())
    claims = {
        "iss": client_id,
        "aud": request_claims["iss"],
        "iat": now,
        "exp": now + 600,
        "nonce": secrets.token_urlsafe(16),
        DEPLOYMENT_ID_CLAIM: request_claims[DEPLOYMENT_ID_CLAIM],
        CLAIM + "message_type": DEEP_LINKING_RESPONSE,
        CLAIM + "version": "1.3.0",
        DL_CLAIM + "content_items": items,
    }
    if "data" in settings_claim:
        claims[DL_CLAIM + "data"] = settings_claim["data"]  # opaque to the tool, echoed back unchanged
    return claims
