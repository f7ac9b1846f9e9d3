"""A mentor's score reaches Open edX's own AGS endpoint (lti-consumer-xblock's DRF viewset), once."""

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from django.urls import reverse
from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer
from lti_consumer.models import Lti1p3Passport, LtiAgsLineItem, LtiAgsScore, LtiConfiguration
from opaque_keys.edx.keys import UsageKey

from lti import scoring
from lti.models import Deployment, Launch, Platform, ScoreSubmission, ToolKey
from lti.rotation import ensure_signing_key
from temis_plugin.models import MentorGroup

from .conftest import CLIENT_ID, DEPLOYMENT, ISSUER, educator_custom, rsa_pem

BLOCK = "block-v1:SoGD+MENTOR+2026+type@lti_consumer+block@practice"
COURSE = "course-v1:SoGD+MENTOR+2026"


@pytest.fixture
def lms(live_server, settings, keyset_server, cycle, people):
    """Open edX as the platform on a live server: its token, AGS endpoints and a line item."""
    settings.LTI_API_BASE = live_server.url
    settings.PLATFORM_NAME = "Sở GD&ĐT Mẫu"
    tool_key = ensure_signing_key()
    public_pem = (
        serialization.load_pem_private_key(tool_key.private_key_pem.encode(), None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    passport = Lti1p3Passport.objects.create(
        name="TEMIS", lti_1p3_tool_public_key=public_pem, lti_1p3_client_id=CLIENT_ID
    )
    passport.lti_1p3_public_jwk  # noqa: B018  the platform key is made on first use: make it now, once
    config = LtiConfiguration.objects.create(
        version=LtiConfiguration.LTI_1P3,
        config_store=LtiConfiguration.CONFIG_ON_DB,
        location=UsageKey.from_string(BLOCK),
        lti_1p3_passport=passport,
        lti_1p3_oidc_url=live_server.url + "/temis/lti/login/",
        lti_1p3_launch_url=live_server.url + "/temis/lti/launch/",
        lti_advantage_ags_mode=LtiConfiguration.LTI_ADVANTAGE_AGS_PROGRAMMATIC,
    )
    # Not linked to the block: linking makes lti-consumer push the grade into edx-platform's gradebook.
    line_item = LtiAgsLineItem.objects.create(
        lti_configuration=config,
        resource_id="practice-1",
        resource_link_id=None,
        label="Bài tập thực hành",
        score_maximum=10,
    )
    platform = Platform.objects.create(
        name="Open edX",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_login_url="https://lms.example/auth",
        auth_token_url=live_server.url
        + reverse("lti_consumer:lti_consumer.access_token", kwargs={"passport_id": passport.passport_id}),
        keyset_url=keyset_server.url,
    )
    Deployment.objects.create(platform=platform, deployment_id=DEPLOYMENT)
    group = MentorGroup.objects.create(cycle=cycle, code="G1", mentor=people["t2"])
    group.memberships.create(mentee=people["t1"])
    lineitem_url = live_server.url + reverse(
        "lti_consumer:lti-ags-view-detail", kwargs={"lti_config_id": config.id, "pk": line_item.id}
    )
    return {"line_item": line_item, "lineitem_url": lineitem_url, "platform": platform, "live": live_server}


def launch_as(client, keyset_server, lms, sub, educator_id, nrps_url=None):
    from .conftest import TOOL, launch, login

    consumer = LtiAdvantageConsumer(
        iss=ISSUER,
        lti_oidc_url=TOOL + "login/",
        lti_launch_url=TOOL + "launch/",
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT,
        rsa_key=PLATFORM_PEM,
        rsa_key_id="platform-key-1",
        redirect_uris=[TOOL + "launch/"],
    )
    keyset_server.keyset = consumer.get_public_keyset()
    consumer.enable_ags(lineitems_url=lms["lineitem_url"].rsplit("/", 1)[0], lineitem_url=lms["lineitem_url"])
    if nrps_url:
        consumer.enable_nrps(nrps_url)
    auth = login(client, consumer, user_id=sub, custom=educator_custom(educator_id))
    assert launch(client, consumer, auth).status_code == 200
    return Launch.objects.filter(sub=sub).latest("created")


PLATFORM_PEM = rsa_pem()


@pytest.mark.django_db(transaction=True)
def test_mentor_score_is_stored_by_open_edx_once(client, keyset_server, lms, people):
    launch_as(client, keyset_server, lms, "sub-of-t1", "ID-t1")  # the mentee opened the task
    mentor_launch = launch_as(client, keyset_server, lms, "sub-of-t2", "ID-t2")
    submission = scoring.record_score(mentor_launch, people["t1"].user, 8, 10, comment="Giờ dạy tốt")
    scoring.send(submission)
    stored = LtiAgsScore.objects.get(line_item=lms["line_item"])
    assert (stored.user_id, stored.score_given, stored.grading_progress) == ("sub-of-t1", 8.0, "FullyGraded")
    assert ScoreSubmission.objects.get().status == ScoreSubmission.SENT
    # The answer was lost and the same score is sent again: the platform keeps one score.
    submission.status = ScoreSubmission.PENDING
    submission.attempts = 1
    scoring.send(submission)
    assert LtiAgsScore.objects.count() == 1 and LtiAgsScore.objects.get().score_given == 8.0
    # A later score replaces it, with a strictly later timestamp.
    second = scoring.record_score(mentor_launch, people["t1"].user, 9, 10)
    assert second.timestamp > submission.timestamp
    scoring.send(second)
    assert LtiAgsScore.objects.get().score_given == 9.0


@pytest.mark.django_db(transaction=True)
def test_transient_failures_are_retried_with_back_off(client, keyset_server, lms, people):
    launch_as(client, keyset_server, lms, "sub-of-t1", "ID-t1")
    mentor_launch = launch_as(client, keyset_server, lms, "sub-of-t2", "ID-t2")
    submission = scoring.record_score(mentor_launch, people["t1"].user, 7, 10)

    class FlakySession(requests.Session):
        failures = 2

        def post(self, url, *args, **kwargs):
            if url.endswith("/scores") and FlakySession.failures:
                FlakySession.failures -= 1
                raise requests.ConnectionError("connection reset")
            return super().post(url, *args, **kwargs)

    delays = []
    scoring.send(submission, session=FlakySession(), sleep=delays.append)
    assert delays == [0.5, 1.0] and LtiAgsScore.objects.get().score_given == 7.0


@pytest.mark.django_db(transaction=True)
def test_mentee_who_never_launched_cannot_be_scored(client, keyset_server, lms, people):
    mentor_launch = launch_as(client, keyset_server, lms, "sub-of-t2", "ID-t2")
    with pytest.raises(scoring.ScoringError, match="has not opened the tool"):
        scoring.record_score(mentor_launch, people["t1"].user, 7, 10)
    assert not ScoreSubmission.objects.exists() and ToolKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_scores_page_sends_the_score_and_refuses_strangers(client, keyset_server, lms, people):
    import re

    launch_as(client, keyset_server, lms, "sub-of-t1", "ID-t1")
    mentor_launch = launch_as(client, keyset_server, lms, "sub-of-t2", "ID-t2")
    url = f"/temis/lti/workspace/{mentor_launch.id}/scores/"
    page = client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = client.post(
        url, {"form_token": token, "mentee": people["t1"].pk, "score": "9,5", "maximum": "10", "comment": "Tiến bộ rõ"}
    )
    assert response.status_code == 200 and "gradebook" in response.content.decode()
    assert LtiAgsScore.objects.get().score_given == 9.5
    stranger = client.post(url, {"form_token": token, "mentee": people["t3"].pk, "score": "5", "maximum": "10"})
    assert stranger.status_code == 400 and LtiAgsScore.objects.count() == 1
    forged = client.post(url, {"form_token": "forged", "mentee": people["t1"].pk, "score": "1", "maximum": "10"})
    assert forged.status_code == 403 and LtiAgsScore.objects.get().score_given == 9.5


@pytest.mark.django_db(transaction=True)
def test_roster_is_read_from_open_edx_nrps(client, keyset_server, lms, people):
    """NRPS through lti-consumer-xblock's memberships endpoint; only its two edx-platform lookups are replaced."""
    import re
    from types import SimpleNamespace
    from unittest import mock

    from lti.models import CourseMember

    nrps_url = lms["live"].url + reverse(
        "lti_consumer:lti-nrps-memberships-view-list", kwargs={"lti_config_id": lms["line_item"].lti_configuration.id}
    )
    LtiConfiguration.objects.filter(pk=lms["line_item"].lti_configuration.id).update(lti_advantage_enable_nrps=True)
    launch_as(client, keyset_server, lms, "ext-1", "ID-t1")
    mentor_launch = launch_as(client, keyset_server, lms, "sub-of-t2", "ID-t2", nrps_url=nrps_url)
    course_members = {
        1: {"id": 1, "username": "t1", "email": "t1@example.invalid", "name": "T1", "roles": ["student"]},
        2: {"id": 2, "username": "t2", "email": "t2@example.invalid", "name": "T2", "roles": ["staff"]},
    }
    with (
        mock.patch("lti_consumer.plugin.compat.get_course_members", return_value=course_members),
        mock.patch(
            "lti_consumer.plugin.compat.batch_get_or_create_externalids",
            side_effect=lambda users: {pk: SimpleNamespace(external_user_id=f"ext-{pk}") for pk in course_members},
        ),
    ):
        url = f"/temis/lti/workspace/{mentor_launch.id}/scores/"
        token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode()).group(1)
        page = client.post(url, {"form_token": token, "action": "sync_roster"}).content.decode()
    assert sorted(CourseMember.objects.values_list("user_sub", flat=True)) == ["ext-1", "ext-2"]
    assert "2 members" in page and "enrolled in this course" in page  # t1 launched as ext-1
