"""Launches from Open edX's own LTI platform code: the flow, identity, keys and the key set."""

import pytest

from lti.models import Launch, LoginState, ToolKey
from lti.protocol import mentor_scope
from temis_plugin.models import MentorGroup

from .conftest import TOOL, educator_custom, launch, login


@pytest.fixture
def mentor_setup(cycle, people):
    group = MentorGroup.objects.create(cycle=cycle, code="G1", mentor=people["t2"])
    group.memberships.create(mentee=people["t1"])
    group.memberships.create(mentee=people["t3"])
    return people


@pytest.mark.parametrize("method", ["get", "post"])
def test_login_then_launch_opens_the_mentor_workspace(client, open_edx, mentor_setup, method):
    auth = login(client, open_edx, custom=educator_custom("ID-t2"), method=method)
    assert auth["response_type"] == "id_token" and auth["response_mode"] == "form_post"
    assert auth["redirect_uri"] == TOOL + "launch/" and auth["prompt"] == "none" and auth["lti_message_hint"]
    response = launch(client, open_edx, auth)
    assert response.status_code == 200, response.content.decode()
    page = response.content.decode()
    assert "Người t1" in page and "Người t3" in page  # the mentees of t2
    assert "X-Frame-Options" not in response  # works inside the LMS's iframe
    record = Launch.objects.get()
    assert record.user == mentor_setup["t2"].user and record.sub == "opaque-sub-1"
    # No cookie is needed: the new-window link carries the launch id.
    assert f"/temis/lti/workspace/{record.id}/" in page
    assert client.get(f"/temis/lti/workspace/{record.id}/").status_code == 200


def test_launch_without_a_known_educator_says_so(client, open_edx, mentor_setup):
    response = launch(client, open_edx, login(client, open_edx))
    assert response.status_code == 200 and "parameter processor" in response.content.decode()


def test_state_is_kept_on_the_server_not_in_a_cookie(client, open_edx, mentor_setup):
    auth = login(client, open_edx, custom=educator_custom("ID-t2"))
    client.cookies.clear()  # the cross-site POST into the iframe arrives without our cookies
    assert launch(client, open_edx, auth).status_code == 200
    assert LoginState.objects.get().consumed_at is not None


def test_jwks_publishes_the_tool_keys(client, open_edx):
    keys = client.get("/temis/lti/jwks/").json()["keys"]
    assert [k["kid"] for k in keys] == [ToolKey.objects.get().kid]
    assert {"kty", "n", "e", "alg", "use"} <= set(keys[0]) and "d" not in keys[0]


def test_rotation_publishes_before_signing_and_keeps_the_old_key(client, open_edx):
    import datetime

    from django.core.management import call_command

    old = ToolKey.signing_key()
    call_command("temis_lti_rotate_keys", "--publish-ahead", "3600", "--overlap", "86400")
    new = ToolKey.objects.exclude(pk=old.pk).get()
    kids = [k["kid"] for k in client.get("/temis/lti/jwks/").json()["keys"]]
    assert kids == [old.kid, new.kid]  # published at once
    assert ToolKey.signing_key() == old  # but the old key still signs
    old.refresh_from_db()
    assert old.retires_at == new.signs_from + datetime.timedelta(days=1)


def test_platform_key_rotation_is_followed_after_one_refresh(client, open_edx, keyset_server, platform_pem):
    from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

    from .conftest import CLIENT_ID, DEPLOYMENT, ISSUER, rsa_pem

    auth = login(client, open_edx, custom=educator_custom("ID-t2"))
    assert launch(client, open_edx, auth).status_code == 200  # key set cached now
    rotated = LtiAdvantageConsumer(
        iss=ISSUER,
        lti_oidc_url=TOOL + "login/",
        lti_launch_url=TOOL + "launch/",
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT,
        rsa_key=rsa_pem(),
        rsa_key_id="platform-key-2",
        redirect_uris=[TOOL + "launch/"],
    )
    keyset_server.keyset = {"keys": open_edx.get_public_keyset()["keys"] + rotated.get_public_keyset()["keys"]}
    before = keyset_server.requests
    response = launch(client, rotated, login(client, rotated))
    assert response.status_code == 200 and keyset_server.requests == before + 1


def test_mentor_scope_reads_both_spellings_of_the_claim():
    mentor = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
    roles = "https://purl.imsglobal.org/spec/lti/claim/roles"
    assert mentor_scope({roles: [mentor], "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor": ["a"]}) == [
        "a"
    ]
    assert mentor_scope({roles: [mentor], "https://purlimsglobal.org/spec/lti/claim/role_scope_mentor": ["b"]}) == ["b"]
    assert mentor_scope({roles: [], "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor": ["a"]}) == []


def test_management_command_registers_several_deployments(db):
    from django.core.management import call_command

    from lti.models import Platform

    args = [
        "--name",
        "Moodle",
        "--issuer",
        "https://moodle.example",
        "--client-id",
        "abc",
        "--auth-login-url",
        "https://moodle.example/mod/lti/auth.php",
        "--keyset-url",
        "https://moodle.example/mod/lti/certs.php",
        "--deployment-id",
        "7",
        "--deployment-id",
        "8",
    ]
    call_command("temis_lti_register", *args)
    call_command("temis_lti_register", *args)  # again: updates, no duplicate
    platform = Platform.objects.get()
    assert sorted(platform.deployments.values_list("deployment_id", flat=True)) == ["7", "8"]
    assert not platform.trusts_educator_claim  # only when the operator says so
    call_command("temis_lti_register", *args, "--trust-educator-claim")
    platform.refresh_from_db()
    assert platform.trusts_educator_claim


@pytest.mark.parametrize(
    "claim",
    [
        "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor",
        "https://purlimsglobal.org/spec/lti/claim/role_scope_mentor",
    ],
)
def test_mentor_role_scope_from_another_platform_lists_the_learners(
    client, open_edx, mentor_setup, platform_pem, claim
):
    import time

    import jwt

    assert (
        launch(client, open_edx, login(client, open_edx, user_id="sub-t1", custom=educator_custom("ID-t1"))).status_code
        == 200
    )
    auth = login(client, open_edx, user_id="sub-t2", custom=educator_custom("ID-t2"))
    claims = open_edx.get_lti_launch_message()
    now = int(time.time())
    claims.update(
        {
            "nonce": auth["nonce"],
            "iat": now,
            "exp": now + 600,
            claim: ["sub-t1", "sub-unknown"],
            "https://purl.imsglobal.org/spec/lti/claim/roles": [
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
            ],
        }
    )
    token = jwt.encode(claims, platform_pem, algorithm="RS256", headers={"kid": "platform-key-1"})
    page = client.post("/temis/lti/launch/", {"state": auth["state"], "id_token": token}).content.decode()
    section = page.split('data-role="platform-scope"')[1]
    assert "Người t1" in section and "1 learner has not opened the tool yet" in section


def edited(claim, reference):
    """A signed claim whose identifier was swapped, its timestamp and signature kept."""
    import json

    from django.core import signing

    _payload, timestamp, signature = claim.rsplit(":", 2)
    return ":".join([signing.b64_encode(json.dumps(reference).encode()).decode(), timestamp, signature])


@pytest.mark.parametrize(
    "claim, why",
    [
        ("ID-t2", "a plain identifier, as a course author can type into an LTI block's custom parameters"),
        (lambda: edited(educator_custom("ID-t1")["temis_educator_id"], "ID-t2"), "a signed claim edited"),
        (
            lambda: __import__("django.core.signing", fromlist=["x"]).dumps("ID-t2", salt="another.salt"),
            "signed for another purpose",
        ),
    ],
)
def test_an_educator_claim_not_signed_by_the_lms_refuses_the_launch(client, open_edx, mentor_setup, claim, why):
    value = claim() if callable(claim) else claim
    response = launch(
        client, open_edx, login(client, open_edx, user_id="opaque-sub-author", custom={"temis_educator_id": value})
    )
    assert response.status_code == 401 and b"bad_educator_claim" in response.content, why
    assert not Launch.objects.exists()


def test_an_expired_educator_claim_refuses_the_launch(client, open_edx, mentor_setup):
    import time
    from unittest import mock

    from lti.identity import MAX_AGE_SECONDS

    with mock.patch("time.time", return_value=time.time() - MAX_AGE_SECONDS - 5):
        stale = educator_custom("ID-t2")  # signed eleven minutes ago, e.g. copied from an old launch
    response = launch(client, open_edx, login(client, open_edx, custom=stale))
    assert response.status_code == 401 and b"expired" in response.content
    assert not Launch.objects.exists()


def test_a_platform_trusted_by_the_operator_may_send_the_plain_identifier(client, open_edx, mentor_setup):
    from lti.models import Platform

    Platform.objects.update(trusts_educator_claim=True)
    response = launch(client, open_edx, login(client, open_edx, custom={"temis_educator_id": "ID-t2"}))
    assert response.status_code == 200 and Launch.objects.get().user == mentor_setup["t2"].user
