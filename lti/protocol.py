"""LTI 1.3 launch validation (1EdTech Security Framework 1.0 §5.1.3, LTI Core 1.3 §5). Plain Python.

Every refusal is a :class:`LaunchError` carrying an HTTP status and a reason code that the view
logs and shows; nothing here touches Django, the database or the network: the caller passes the
registration and a function that finds platform keys.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import jwt

from .claims import CLAIM, DL_CLAIM, MENTOR_ROLE, MESSAGE_TYPES, RESOURCE_LINK_REQUEST, ROLE_SCOPE_MENTOR
from .keys import ALGORITHM, public_key_from_jwk

LEEWAY_SECONDS = 60
# The longest sub, deployment_id, resource_link id and context id (LTI Core 1.3 §5.3.3, §5.3.5, §5.3.6, §5.4.1).
MAX_ID_LENGTH = 255
# Error codes a platform may post to the redirect URI in place of an id_token (OpenID Connect Core 1.0
# §3.1.2.6, OAuth 2.0 §4.1.2.1). The first four mean the platform could not sign the user in silently.
OIDC_SIGN_IN_ERRORS = ("login_required", "interaction_required", "account_selection_required", "consent_required")
OIDC_ERRORS = (
    *OIDC_SIGN_IN_ERRORS,
    "invalid_request",
    "invalid_request_uri",
    "invalid_request_object",
    "request_not_supported",
    "request_uri_not_supported",
    "registration_not_supported",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
)


class LaunchError(Exception):
    def __init__(self, status: int, reason: str, message: str):
        self.status, self.reason = status, reason
        super().__init__(message)


@dataclass(frozen=True)
class Registration:
    """What the tool knows of one platform client: its issuer, client id, deployments and keys."""

    issuer: str
    client_id: str
    deployment_ids: frozenset[str]
    find_key: Callable[[str, bool], dict | None]  # (kid, refresh) -> JWK or None
    trusted_audiences: frozenset[str] = field(default_factory=frozenset)


def oidc_error_reason(code) -> str:
    """The reason code of a platform's error response: its OIDC code when it is a known one, never free text."""
    return f"oidc_{code}" if code in OIDC_ERRORS else "oidc_error"


def unverified_parts(id_token) -> tuple[dict, dict]:
    """Header and claims, unverified: only to choose the registration and the key."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        raise LaunchError(400, "not_a_jwt", "the id_token is not a JWT")
    try:
        return jwt.get_unverified_header(id_token), jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise LaunchError(400, "not_a_jwt", "the id_token is not a readable JWT") from None


def audiences(claims: dict) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        return aud
    raise LaunchError(401, "bad_aud", "the id_token has no valid audience")


def validate_id_token(id_token: str, registration: Registration, *, nonce: str, target_link_uri: str) -> dict:
    """Verify signature and claims of a launch; return the claims or raise LaunchError."""
    header, _unverified = unverified_parts(id_token)
    if header.get("alg") != ALGORITHM:
        raise LaunchError(401, "bad_alg", f"the id_token must be signed with {ALGORITHM}, not {header.get('alg')!r}")
    kid = header.get("kid")
    if not kid:
        raise LaunchError(401, "no_kid", "the id_token header names no key (kid)")
    jwk = registration.find_key(kid, False) or registration.find_key(kid, True)  # one refresh for rotation
    if jwk is None:
        raise LaunchError(401, "unknown_kid", "the platform's key set has no key with this kid")
    try:
        claims = jwt.decode(
            id_token,
            public_key_from_jwk(jwk),
            algorithms=[ALGORITHM],
            issuer=registration.issuer,
            options={"verify_aud": False, "require": ["exp", "iat", "iss", "aud"]},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.InvalidSignatureError:
        raise LaunchError(401, "bad_signature", "the id_token signature does not verify") from None
    except jwt.ExpiredSignatureError:
        raise LaunchError(401, "expired", "the id_token has expired") from None
    except jwt.ImmatureSignatureError:  # iat (or nbf) later than now, beyond the leeway
        raise LaunchError(401, "iat_in_future", "the id_token was issued in the future") from None
    except jwt.InvalidIssuerError:
        raise LaunchError(401, "bad_iss", "the id_token's issuer is not the registered platform") from None
    except jwt.MissingRequiredClaimError as exc:
        raise LaunchError(401, "missing_claim", f"the id_token lacks the {exc.claim} claim") from None
    except jwt.PyJWTError as exc:
        raise LaunchError(401, "bad_token", f"the id_token is invalid: {exc.__class__.__name__}") from None
    _check_audience(claims, registration)
    if not claims.get("nonce"):
        raise LaunchError(401, "no_nonce", "the id_token has no nonce")
    if claims["nonce"] != nonce:
        raise LaunchError(401, "bad_nonce", "the id_token's nonce is not the one this login issued")
    _check_lti_claims(claims, registration, target_link_uri)
    return claims


def _check_audience(claims, registration):
    aud = audiences(claims)
    if registration.client_id not in aud:
        raise LaunchError(401, "bad_aud", "the id_token is not addressed to this tool")
    untrusted = set(aud) - {registration.client_id} - registration.trusted_audiences
    if untrusted:
        raise LaunchError(401, "untrusted_aud", "the id_token is also addressed to audiences this tool does not trust")
    azp = claims.get("azp")
    if len(aud) > 1 and not azp:
        raise LaunchError(401, "no_azp", "an id_token with several audiences must name its authorized party")
    if azp is not None and azp != registration.client_id:
        raise LaunchError(401, "bad_azp", "the id_token's authorized party is not this tool")


def _check_lti_claims(claims, registration, target_link_uri):
    if claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchError(400, "bad_version", "the launch is not LTI version 1.3.0")
    message_type = claims.get(CLAIM + "message_type")
    if message_type not in MESSAGE_TYPES:
        raise LaunchError(400, "bad_message_type", f"unsupported LTI message type {message_type!r}")
    deployment = claims.get(CLAIM + "deployment_id")
    _check_length(deployment, "deployment_id")
    if not isinstance(deployment, str) or deployment not in registration.deployment_ids:
        raise LaunchError(403, "unknown_deployment", "the launch's deployment is not registered with this tool")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        # LTI Core allows anonymous launches; the certification suite refuses them, and a mentor
        # workspace needs to know who is launching.
        raise LaunchError(400, "no_sub", "the launch does not identify the user (sub)")
    _check_length(claims["sub"], "sub")
    if not isinstance(claims.get(CLAIM + "roles"), list):
        raise LaunchError(400, "no_roles", "the launch has no roles claim (an empty list is allowed)")
    if message_type == RESOURCE_LINK_REQUEST and not resource_link_id(claims):
        raise LaunchError(400, "no_resource_link", "the launch has no resource_link id")
    _check_length(resource_link_id(claims), "resource_link id")
    context = claims.get(CLAIM + "context")
    if context is not None and (not isinstance(context, dict) or not isinstance(context.get("id", ""), str)):
        raise LaunchError(400, "bad_context", "the context claim must be an object whose id is text")
    _check_length(context_id(claims), "context id")
    if message_type != RESOURCE_LINK_REQUEST:
        settings_claim = claims.get(DL_CLAIM + "deep_linking_settings")
        if not isinstance(settings_claim, dict) or not all(
            settings_claim.get(key)
            for key in ("deep_link_return_url", "accept_types", "accept_presentation_document_targets")
        ):
            raise LaunchError(400, "bad_deep_linking", "the deep-linking request lacks its required settings")
    if claims.get(CLAIM + "target_link_uri") != target_link_uri:
        raise LaunchError(400, "bad_target_link_uri", "the signed target_link_uri is not the one the login asked for")
    custom = claims.get(CLAIM + "custom", {})
    if not isinstance(custom, dict):
        raise LaunchError(400, "bad_custom", "the custom claim must be an object")
    try:
        # Python's JSON reader takes NaN and Infinity, which JSON (and the databases' JSON columns) do not.
        json.dumps(claims, allow_nan=False)
    except ValueError:
        raise LaunchError(400, "bad_claim_value", "the id_token holds a number JSON does not allow") from None


def _check_length(value, name):
    if isinstance(value, str) and len(value) > MAX_ID_LENGTH:
        raise LaunchError(400, "too_long", f"the launch's {name} is longer than {MAX_ID_LENGTH} characters")


def resource_link_id(claims: dict) -> str:
    """The resource link's id, "" when the launch has none (a deep-linking request)."""
    link = claims.get(CLAIM + "resource_link")
    return link["id"] if isinstance(link, dict) and isinstance(link.get("id"), str) else ""


def context_id(claims: dict) -> str:
    """The context's (course's) id, "" when the launch names no context."""
    context = claims.get(CLAIM + "context")
    return context["id"] if isinstance(context, dict) and isinstance(context.get("id"), str) else ""


def mentor_scope(claims: dict) -> list[str]:
    """The users (platform sub values) a launching mentor may follow, when the platform says so."""
    roles = claims.get(CLAIM + "roles") or []
    if MENTOR_ROLE not in roles:
        return []
    for name in ROLE_SCOPE_MENTOR:
        if isinstance(claims.get(name), list):
            return [str(sub) for sub in claims[name]]
    return []
