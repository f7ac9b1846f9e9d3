"""Every forged or invalid launch is refused with the right status, logged, and leaves no launch behind;
the valid variants of the certification suite are accepted."""

import time

import jwt
import pytest

from lti.models import Launch

from .conftest import CLIENT_ID, TOOL, login, rsa_pem

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
OTHER_KEY = rsa_pem()


def signed(claims, key, kid="platform-key-1", alg="RS256", headers=None):
    header = {"kid": kid} if kid else {}
    header.update(headers or {})
    return jwt.encode(claims, key, algorithm=alg, headers=header)


def base_claims(consumer, auth):
    claims = consumer.get_lti_launch_message()
    now = int(time.time())
    claims.update({"nonce": auth["nonce"], "iat": now, "exp": now + 600})
    return claims


def drop(name):
    return lambda c: c.pop(name)


def set_(name, value):
    return lambda c: c.__setitem__(name, value)


CASES = [
    # (id, change to claims, how to sign, expected status, reason)
    ("bad signature", None, "other_key", 401, "bad_signature"),
    ("alg none", None, "none", 401, "bad_alg"),
    ("alg HS256", None, "hs256", 401, "bad_alg"),
    ("no kid", None, "no_kid", 401, "no_kid"),
    ("unknown kid", None, "unknown_kid", 401, "unknown_kid"),
    ("wrong iss", set_("iss", "https://evil.example"), "platform", 401, "bad_iss"),
    ("aud without client", set_("aud", "someone-else"), "platform", 401, "bad_aud"),
    ("untrusted extra aud", set_("aud", [CLIENT_ID, "someone-else"]), "platform", 401, "untrusted_aud"),
    ("azp mismatch", set_("azp", "someone-else"), "platform", 401, "bad_azp"),
    (
        "expired",
        lambda c: c.update(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "platform",
        401,
        "expired",
    ),
    ("iat in future", set_("iat", int(time.time()) + 3600), "platform", 401, "iat_in_future"),
    ("no nonce", drop("nonce"), "platform", 401, "no_nonce"),
    ("other nonce", set_("nonce", "not-the-login-nonce"), "platform", 401, "bad_nonce"),
    ("wrong version", set_(CLAIM + "version", "1.1"), "platform", 400, "bad_version"),
    ("no version", drop(CLAIM + "version"), "platform", 400, "bad_version"),
    ("wrong message type", set_(CLAIM + "message_type", "LtiStartProctoring"), "platform", 400, "bad_message_type"),
    ("unknown deployment", set_(CLAIM + "deployment_id", "99"), "platform", 403, "unknown_deployment"),
    ("no resource link id", set_(CLAIM + "resource_link", {"title": "x"}), "platform", 400, "no_resource_link"),
    ("no roles", drop(CLAIM + "roles"), "platform", 400, "no_roles"),
    ("no sub", drop("sub"), "platform", 400, "no_sub"),
    (
        "foreign target",
        set_(CLAIM + "target_link_uri", "https://evil.example/"),
        "platform",
        400,
        "bad_target_link_uri",
    ),
    ("no exp", drop("exp"), "platform", 401, "missing_claim"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_forged_launch_is_refused(client, open_edx, platform_pem, case, caplog):
    _name, change, signing, status, reason = case
    auth = login(client, open_edx)
    claims = base_claims(open_edx, auth)
    if change:
        change(claims)
    token = {
        "platform": lambda: signed(claims, platform_pem),
        "other_key": lambda: signed(claims, OTHER_KEY),
        "none": lambda: signed(claims, None, alg="none"),
        "hs256": lambda: signed(claims, "shared-secret", alg="HS256"),
        "no_kid": lambda: signed(claims, platform_pem, kid=None),
        "unknown_kid": lambda: signed(claims, OTHER_KEY, kid="never-published"),
    }[signing]()
    response = client.post("/temis/lti/launch/", {"state": auth["state"], "id_token": token})
    assert response.status_code == status, response.content.decode()
    assert reason in response.content.decode()
    assert reason in caplog.text and token not in caplog.text  # logged, without the token
    assert not Launch.objects.exists()


def test_not_a_jwt(client, open_edx):
    auth = login(client, open_edx)
    response = client.post("/temis/lti/launch/", {"state": auth["state"], "id_token": "not.a-jwt"})
    assert response.status_code == 400 and "not_a_jwt" in response.content.decode()


@pytest.mark.parametrize("state, reason", [(None, "no_state"), ("forged-state", "bad_state")])
def test_missing_or_foreign_state(client, open_edx, platform_pem, state, reason):
    auth = login(client, open_edx)
    data = {"id_token": signed(base_claims(open_edx, auth), platform_pem)}
    if state:
        data["state"] = state
    response = client.post("/temis/lti/launch/", data)
    assert response.status_code == 400 and reason in response.content.decode()


def test_replayed_launch_is_refused(client, open_edx, platform_pem):
    auth = login(client, open_edx)
    data = {"state": auth["state"], "id_token": signed(base_claims(open_edx, auth), platform_pem)}
    assert client.post("/temis/lti/launch/", data).status_code == 200
    response = client.post("/temis/lti/launch/", data)
    assert response.status_code == 400 and "replayed" in response.content.decode()
    assert Launch.objects.count() == 1


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"login_hint": "u", "target_link_uri": TOOL + "launch/"}, "bad_login"),  # no iss
        (
            {"iss": "https://unknown.example", "login_hint": "u", "target_link_uri": TOOL + "launch/"},
            "unknown_platform",
        ),
        (
            {"iss": "https://lms.so-gd-mau.example", "login_hint": "u", "target_link_uri": "https://evil.example/"},
            "foreign_target",
        ),
        (
            {
                "iss": "https://lms.so-gd-mau.example",
                "login_hint": "u",
                "target_link_uri": TOOL + "launch/",
                "lti_deployment_id": "99",
            },
            "unknown_deployment",
        ),
    ],
)
def test_bad_login_initiation(client, open_edx, params, reason):
    response = client.get("/temis/lti/login/", params)
    assert response.status_code in (400, 403) and reason in response.content.decode()


@pytest.mark.parametrize(
    "roles",
    [
        [],
        ["Learner"],
        ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner", "urn:example:unknown-role"],
        [
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty",
        ],
    ],
    ids=["empty roles", "short role", "unknown role", "several roles"],
)
def test_valid_certification_variants_are_accepted(client, open_edx, platform_pem, roles):
    auth = login(client, open_edx)
    claims = base_claims(open_edx, auth)
    claims[CLAIM + "roles"] = roles
    for pii in ("name", "email", "given_name", "family_name", "preferred_username"):
        claims.pop(pii, None)  # no PII at all, as Open edX sends by default
    response = client.post("/temis/lti/launch/", {"state": auth["state"], "id_token": signed(claims, platform_pem)})
    assert response.status_code == 200, response.content.decode()
