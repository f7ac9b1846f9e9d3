"""Deep Linking 2.0 with Open edX's own platform code: the author picks, the platform accepts the item."""

import re
from html import unescape
from urllib.parse import urlparse

import pytest
from cryptography.hazmat.primitives import serialization
from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

from lti.models import ToolKey

from .conftest import CLIENT_ID, DEPLOYMENT, ISSUER, TOOL, launch

RETURN_URL = "https://lms.so-gd-mau.example/api/lti_consumer/v1/lti/1/lti-dl/response"


@pytest.fixture
def authoring_platform(open_edx, platform_pem):
    """The same registered platform, now able to verify our responses with the tool's public key."""
    tool = serialization.load_pem_private_key(ToolKey.signing_key().private_key_pem.encode(), None)
    public_pem = (
        tool.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    consumer = LtiAdvantageConsumer(
        iss=ISSUER,
        lti_oidc_url=TOOL + "login/",
        lti_launch_url=TOOL + "launch/",
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT,
        rsa_key=platform_pem,
        rsa_key_id="platform-key-1",
        redirect_uris=[TOOL + "launch/"],
        tool_key=public_pem,
    )
    consumer.enable_deep_linking(TOOL + "launch/", RETURN_URL)
    return consumer


def deep_linking_login(client, consumer, role):
    from urllib.parse import parse_qs

    from lti_consumer.data import Lti1p3LaunchData

    data = Lti1p3LaunchData(
        user_id="author-1",
        user_role=role,
        config_id="cfg",
        resource_link_id="block-1",
        message_type="LtiDeepLinkingRequest",
    )
    url = urlparse(consumer.prepare_preflight_url(data))
    response = client.get(url.path, {k: v[0] for k, v in parse_qs(url.query).items()})
    auth = {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}
    consumer.set_user_data(user_id="author-1", role=role)
    consumer.set_resource_link_claim("block-1")
    return auth


def picker_form(picker):
    page = picker.content.decode()
    return (
        re.search(r'action="([^"]+)"', page).group(1),
        re.search(r'name="form_token" value="([^"]+)"', page).group(1),
    )


def test_author_adds_the_support_log_and_open_edx_accepts_it(client, authoring_platform):
    picker = launch(client, authoring_platform, deep_linking_login(client, authoring_platform, "instructor"))
    assert picker.status_code == 200 and 'name="choice"' in picker.content.decode()
    action, token = picker_form(picker)
    answer = client.post(action, {"choice": "support_log", "form_token": token})
    page = answer.content.decode()
    assert answer.status_code == 200 and f'action="{RETURN_URL}"' in page
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', page).group(1))
    items = authoring_platform.check_and_decode_deep_linking_token(token)  # Open edX's own check
    assert items == [
        {
            "type": "ltiResourceLink",
            "title": "Support-activity log",
            "url": "http://testserver/temis/lti/launch/?view=support_log",
        }
    ]


def test_a_learner_cannot_place_content(client, authoring_platform):
    response = launch(client, authoring_platform, deep_linking_login(client, authoring_platform, "student"))
    assert response.status_code == 403 and "not_author" in response.content.decode()


def test_unknown_choice_is_refused(client, authoring_platform):
    picker = launch(client, authoring_platform, deep_linking_login(client, authoring_platform, "instructor"))
    action, token = picker_form(picker)
    response = client.post(action, {"choice": "file", "form_token": token})
    assert response.status_code == 400 and "bad_choice" in response.content.decode()


@pytest.mark.parametrize("token", [None, "", "0" * 64, "tampered"])
def test_a_response_without_the_pickers_token_is_refused(client, authoring_platform, token):
    picker = launch(client, authoring_platform, deep_linking_login(client, authoring_platform, "instructor"))
    action, real = picker_form(picker)
    if token == "tampered":
        token = real[:-1] + ("1" if real[-1] == "0" else "0")
    data = {"choice": "workspace"} | ({} if token is None else {"form_token": token})
    response = client.post(action, data)
    assert response.status_code == 403 and "bad_form_token" in response.content.decode()
    assert 'name="JWT"' not in response.content.decode()
