"""Clients of the platform's LTI Advantage services: OAuth2 tokens, AGS scores, NRPS rosters.

Plain Python over requests; the caller passes the tool key and the platform's URLs.
"""

import datetime
import time
import uuid
from dataclasses import dataclass

import requests

from temis_plugin.api import with_retries  # noqa: F401  (lti.roster and lti.scoring import it from here)

from .claims import DEPLOYMENT_ID_CLAIM
from .keys import sign

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
TIMEOUT = (5, 20)


class ServiceError(Exception):
    def __init__(self, message, status=None, retryable=False):
        self.status, self.retryable = status, retryable
        super().__init__(message)


@dataclass(frozen=True)
class ToolIdentity:
    client_id: str
    token_url: str
    deployment_id: str
    kid: str
    private_key_pem: str


def client_assertion(tool: ToolIdentity, now: float | None = None) -> str:
    """The JWT the tool signs to ask for a token (1EdTech Security Framework §4.1)."""
    now = int(now or time.time())
    return sign(
        {
            "iss": tool.client_id,
            "sub": tool.client_id,
            "aud": tool.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            DEPLOYMENT_ID_CLAIM: tool.deployment_id,
        },
        tool.private_key_pem,
        tool.kid,
    )


def fetch_token(session: requests.Session, tool: ToolIdentity, scopes) -> tuple[str, int]:
    """(access token, lifetime in seconds) for the scopes, by the client-credentials grant."""
    response = _send(
        session,
        "post",
        tool.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion(tool),
            "scope": " ".join(sorted(scopes)),
        },
    )
    body = response.json()
    if "access_token" not in body:
        raise ServiceError("the platform's token answer has no access_token", response.status_code)
    return body["access_token"], int(body.get("expires_in", 3600))


def score_payload(
    user_id: str,
    given: float,
    maximum: float,
    timestamp: datetime.datetime,
    comment: str = "",
    scorer: str | None = None,
) -> dict:
    """A final score: FullyGraded, which is the only progress platforms must take into the gradebook."""
    payload = {
        "userId": user_id,
        "scoreGiven": given,
        "scoreMaximum": maximum,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": timestamp.isoformat(timespec="microseconds"),
    }
    if comment:
        payload["comment"] = comment
    if scorer:
        payload["scoringUserId"] = scorer
    return payload


def post_score(session, token: str, lineitem_url: str, payload: dict) -> int:
    url = lineitem_url.split("?", 1)[0].rstrip("/") + "/scores"
    if "?" in lineitem_url:
        url += "?" + lineitem_url.split("?", 1)[1]
    response = _send(
        session,
        "post",
        url,
        json=payload,
        headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE},
    )
    return response.status_code


def roster_pages(session, token: str, memberships_url: str, limit: int = 100):
    """Yield NRPS member lists page by page, following the Link rel="next" header as given."""
    url, params = memberships_url, {"limit": limit}
    while url:
        response = _send(
            session, "get", url, params=params, headers={"Authorization": f"Bearer {token}", "Accept": NRPS_MEDIA_TYPE}
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        members = body.get("members", []) if isinstance(body, dict) else None
        if not isinstance(members, list):
            raise ServiceError("the platform's roster answer is not an NRPS member list", response.status_code)
        yield members
        url, params = response.links.get("next", {}).get("url"), None


def _send(session, method, url, **kwargs):
    try:
        response = getattr(session, method)(url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        raise ServiceError(f"the platform could not be reached ({exc.__class__.__name__})", retryable=True) from None
    if response.status_code >= 400:
        retryable = response.status_code >= 500 or response.status_code == 429
        raise ServiceError(f"the platform answered {response.status_code}", response.status_code, retryable)
    return response
