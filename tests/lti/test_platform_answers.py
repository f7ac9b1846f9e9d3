"""What platforms really post to the launch URL besides a good id_token: nothing at all, or an OpenID
Connect error response (Canvas and Moodle answer ``error=login_required`` when the user's LMS session
has ended). Each gets a refusal page in the reader's language, a log line without personal data, and
counts toward the refused-launch limit; none is a server error."""

import logging

import pytest

from lti.models import Launch

from .conftest import educator_custom, login

# What the platform's error_description may carry: never to be logged.
DESCRIPTION = "Người dùng nguyen.van.a@truong.example chưa đăng nhập"


def refused_log(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "lti.views"]


@pytest.mark.parametrize(
    "language, says",
    [("en", "without the signed launch (id_token)"), ("vi", "không kèm thông điệp khởi chạy đã ký (id_token)")],
)
def test_a_launch_without_an_id_token_is_refused_with_a_page(client, open_edx, caplog, language, says):
    auth = login(client, open_edx, custom=educator_custom("ID-t2"))
    caplog.set_level(logging.WARNING, logger="lti.views")
    response = client.post("/temis/lti/launch/", {"state": auth["state"]}, HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 400 and says in page and "no_id_token" in page
    assert refused_log(caplog) == ["TEMIS LTI refused /temis/lti/launch/: no_id_token"]
    assert not Launch.objects.exists()


@pytest.mark.parametrize(
    "error, status, reason, language, says",
    [
        ("login_required", 401, "oidc_login_required", "en", "Sign in to the course again"),
        ("login_required", 401, "oidc_login_required", "vi", "Hãy đăng nhập lại vào khóa học"),
        ("consent_required", 401, "oidc_consent_required", "en", "Sign in to the course again"),
        ("server_error", 400, "oidc_server_error", "en", "could not open the tool"),
        ("<script>alert(1)</script>", 400, "oidc_error", "vi", "không mở được công cụ"),
    ],
)
def test_an_openid_connect_error_response_is_refused_with_a_page(
    client, open_edx, caplog, error, status, reason, language, says
):
    auth = login(client, open_edx)
    caplog.set_level(logging.WARNING, logger="lti.views")
    response = client.post(
        "/temis/lti/launch/",
        {"error": error, "error_description": DESCRIPTION, "state": auth["state"]},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = response.content.decode()
    assert response.status_code == status and says in page and reason in page
    assert "<script>" not in page  # an unknown code is neither shown nor logged
    # The reason code only: not the platform's description (a name or an address), not the state.
    assert refused_log(caplog) == [f"TEMIS LTI refused /temis/lti/launch/: {reason}"]
    assert DESCRIPTION not in caplog.text and auth["state"] not in caplog.text
    assert not Launch.objects.exists()


def test_an_error_response_without_a_state_is_refused_too(client, open_edx):
    response = client.post("/temis/lti/launch/", {"error": "login_required"})
    assert response.status_code == 401 and "oidc_login_required" in response.content.decode()


def test_empty_launch_posts_and_error_responses_count_toward_the_refused_launch_limit(client, open_edx, settings):
    settings.TEMIS_LTI_RATE_LIMITS = {"refused_launch": "4/m"}
    auth = login(client, open_edx)
    statuses = [
        client.post("/temis/lti/launch/", data).status_code
        for data in (
            {"state": auth["state"]},
            {},
            {"error": "login_required", "state": auth["state"]},
            {"error": "access_denied"},
            {"state": auth["state"]},
        )
    ]
    assert statuses == [400, 400, 401, 400, 429]
    # Past the limit, that address is not even let in to log in until the minute is over.
    assert client.get("/temis/lti/login/", {"iss": "x", "login_hint": "y", "target_link_uri": "z"}).status_code == 429
