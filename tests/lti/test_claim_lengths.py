"""Every value the tool stores from a platform fits its column, or is refused with a 4xx: the same verdict
on SQLite (which does not enforce lengths) as on MariaDB (which refuses an over-long value)."""

import math

import pytest

from lti.models import Launch, LoginState, ScoreSubmission
from lti.protocol import MAX_ID_LENGTH

from .conftest import ISSUER, TOOL, educator_custom, launch, login
from .test_ags import launch_as, lms  # noqa: F401  (lms: Open edX's token, AGS and NRPS on a live server)
from .test_forged_tokens import CLAIM, base_claims, signed

TOO_LONG = "x" * (MAX_ID_LENGTH + 1)
# Vietnamese letters and a letter outside the BMP: MariaDB counts characters (utf8mb4), as Python does.
LONGEST = ("Nguyễn Thị Ánh Tuyết 𝔸" * 20)[:MAX_ID_LENGTH]


def test_the_columns_hold_the_lti_identifier_limit():
    for field in ("sub", "deployment_id", "context_id", "resource_link_id"):
        assert Launch._meta.get_field(field).max_length == MAX_ID_LENGTH, field


@pytest.mark.parametrize("field", ["user_id", "resource_link_id", "context_id"])
def test_an_identifier_longer_than_255_characters_is_refused(client, open_edx, field, caplog):
    response = launch(client, open_edx, login(client, open_edx, **{field: TOO_LONG}))
    page = response.content.decode()
    assert response.status_code == 400 and "too_long" in page, page
    assert TOO_LONG not in caplog.text
    assert not Launch.objects.exists()


def test_identifiers_of_255_characters_are_kept_whole(client, open_edx):
    auth = login(client, open_edx, user_id=LONGEST, resource_link_id=LONGEST, context_id=LONGEST)
    assert launch(client, open_edx, auth).status_code == 200
    record = Launch.objects.get()
    assert record.sub == record.resource_link_id == record.context_id == LONGEST


CASES = [
    # (id, change to the platform's claims, status, reason)
    ("deployment id too long", lambda c: c.__setitem__(CLAIM + "deployment_id", TOO_LONG), 400, "too_long"),
    ("deployment id not text", lambda c: c.__setitem__(CLAIM + "deployment_id", ["1"]), 403, "unknown_deployment"),
    ("context a list", lambda c: c.__setitem__(CLAIM + "context", ["course-v1:SoGD+MENTOR+2026"]), 400, "bad_context"),
    ("context id a number", lambda c: c.__setitem__(CLAIM + "context", {"id": 2026}), 400, "bad_context"),
    (
        "resource link id a list",
        lambda c: c.__setitem__(CLAIM + "resource_link", {"id": ["ws"]}),
        400,
        "no_resource_link",
    ),
    (
        "a role that is not a number JSON allows",
        lambda c: c.__setitem__(CLAIM + "roles", [math.nan]),
        400,
        "bad_claim_value",
    ),
    (
        "a mentor scope that is not a number JSON allows",
        lambda c: c.__setitem__(CLAIM + "role_scope_mentor", [math.inf]),
        400,
        "bad_claim_value",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_claims_the_columns_cannot_hold_are_refused(client, open_edx, platform_pem, case):
    _name, change, status, reason = case
    auth = login(client, open_edx)
    claims = base_claims(open_edx, auth)
    change(claims)
    response = client.post("/temis/lti/launch/", {"state": auth["state"], "id_token": signed(claims, platform_pem)})
    assert response.status_code == status and reason in response.content.decode(), response.content.decode()
    assert not Launch.objects.exists()


def test_a_target_link_uri_longer_than_its_column_is_refused_at_login(client, open_edx):
    limit = LoginState._meta.get_field("target_link_uri").max_length
    target = TOOL + "launch/?view=" + "a" * limit
    response = client.get("/temis/lti/login/", {"iss": ISSUER, "login_hint": "u", "target_link_uri": target})
    assert response.status_code == 400 and "too_long" in response.content.decode()
    assert not LoginState.objects.exists()


def test_a_line_item_url_longer_than_its_column_makes_scoring_unavailable_not_an_error(
    client, open_edx, cycle, people, platform_pem
):
    from lti.workspace_views import form_token
    from temis_plugin.models import MentorGroup

    group = MentorGroup.objects.create(cycle=cycle, code="G1", mentor=people["t2"])
    group.memberships.create(mentee=people["t1"])
    limit = ScoreSubmission._meta.get_field("lineitem_url").max_length
    lineitem = "https://lms.so-gd-mau.example/api/lti_consumer/v1/lti/1/lti-ags/1?" + "a" * limit
    for sub, educator in (("sub-t1", "ID-t1"), ("sub-t2", "ID-t2")):
        open_edx.enable_ags(
            lineitems_url="https://lms.so-gd-mau.example/api/lti_consumer/v1/lti/1/lti-ags", lineitem_url=lineitem
        )
        assert (
            launch(client, open_edx, login(client, open_edx, user_id=sub, custom=educator_custom(educator))).status_code
            == 200
        )
    mentor = Launch.objects.get(sub="sub-t2")
    url = f"/temis/lti/workspace/{mentor.pk}/scores/"
    page = client.get(url)
    assert page.status_code == 200 and "longer than the tool can keep" in page.content.decode()
    # The page offers no score form; a POST of one anyway (the form token is the launch's) stores nothing.
    response = client.post(
        url, {"form_token": form_token(mentor), "mentee": people["t1"].pk, "score": "8", "maximum": "10"}
    )
    assert response.status_code == 200 and not ScoreSubmission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_roster_member_id_longer_than_255_characters_refuses_the_roster_and_keeps_the_old_one(
    client, keyset_server, lms, people
):
    """NRPS through lti-consumer-xblock's memberships endpoint; only its two edx-platform lookups are replaced."""
    from types import SimpleNamespace
    from unittest import mock

    from django.urls import reverse
    from lti_consumer.models import LtiConfiguration

    from lti.models import CourseMember
    from lti.workspace_views import form_token

    config_id = lms["line_item"].lti_configuration.id
    LtiConfiguration.objects.filter(pk=config_id).update(lti_advantage_enable_nrps=True)
    nrps_url = lms["live"].url + reverse(
        "lti_consumer:lti-nrps-memberships-view-list", kwargs={"lti_config_id": config_id}
    )
    mentor = launch_as(client, keyset_server, lms, "sub-of-t2", "ID-t2", nrps_url=nrps_url)
    members = {1: {"id": 1, "username": "t1", "email": "t1@example.invalid", "name": "T1", "roles": ["student"]}}

    def sync(external_id):
        with (
            mock.patch("lti_consumer.plugin.compat.get_course_members", return_value=members),
            mock.patch(
                "lti_consumer.plugin.compat.batch_get_or_create_externalids",
                side_effect=lambda users: {1: SimpleNamespace(external_user_id=external_id)},
            ),
        ):
            return client.post(
                f"/temis/lti/workspace/{mentor.pk}/scores/", {"form_token": form_token(mentor), "action": "sync_roster"}
            )

    assert sync("ext-1").status_code == 200
    refused = sync(TOO_LONG)
    assert refused.status_code == 502 and "cannot read" in refused.content.decode()
    assert list(CourseMember.objects.values_list("user_sub", flat=True)) == ["ext-1"]
