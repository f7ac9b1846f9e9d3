"""Rate limits on the tool's endpoints, counted per client address in Redis (the LMS's shared cache).

Refused launches (forged, replayed or stale tokens) have a strict limit of their own; the other
limits are generous and per endpoint group. Another address is never affected.
"""

import logging
import uuid

import pytest

from lti.models import Launch

from .conftest import launch, login

ATTACKER, SCHOOL = "203.0.113.7", "198.51.100.20"


@pytest.fixture(autouse=True)
def redis_counts(settings):
    """Counts in Redis, under a prefix of this test's own, as the LMS keeps them in its shared cache."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/12",
            "KEY_PREFIX": f"temis-test-{uuid.uuid4().hex}",
        },
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit"
    yield
    from django.core.cache import caches

    caches["ratelimit"].clear()


def forged_launch(client, address):
    return client.post("/temis/lti/launch/", {"state": "forged", "id_token": "not-a-token"}, REMOTE_ADDR=address)


def valid_launch(client, open_edx, address):
    client.defaults["REMOTE_ADDR"] = address
    try:
        return launch(client, open_edx, login(client, open_edx))
    finally:
        client.defaults.pop("REMOTE_ADDR")


def test_refused_launches_are_limited_per_address_and_others_still_launch(client, open_edx, settings, caplog):
    limit = 30  # the default for refused launches
    for _ in range(limit):
        assert forged_launch(client, ATTACKER).status_code == 400
    caplog.set_level(logging.WARNING, logger="lti.throttle")
    blocked = forged_launch(client, ATTACKER)
    assert blocked.status_code == 429 and 1 <= int(blocked["Retry-After"]) <= 60
    assert b"Too many requests" in blocked.content and b"rate_limited" in blocked.content
    # Even a valid token is not looked at from that address until the minute has passed...
    login_page = client.get(
        "/temis/lti/login/", {"iss": "x", "login_hint": "y", "target_link_uri": "z"}, REMOTE_ADDR=ATTACKER
    )
    assert login_page.status_code == 429
    # ...while a school's address launches as usual, and its launch is recorded.
    assert valid_launch(client, open_edx, SCHOOL).status_code == 200
    assert Launch.objects.count() == 1
    # The log names the group, never the address.
    messages = [r.getMessage() for r in caplog.records if r.name == "lti.throttle"]
    assert messages == ["TEMIS LTI rate limit reached: refused_launch"] * 2
    assert not any(ATTACKER in r.getMessage() for r in caplog.records)


def test_successful_launches_do_not_count_as_refused(client, open_edx):
    for _ in range(35):  # more than the refused-launch limit
        assert valid_launch(client, open_edx, SCHOOL).status_code == 200
    assert Launch.objects.count() == 35


@pytest.mark.parametrize(
    "group, request_page",
    [
        (
            "login",
            lambda client, address: client.get(
                "/temis/lti/login/",
                {
                    "iss": "https://lms.so-gd-mau.example",
                    "login_hint": "u",
                    "target_link_uri": "http://testserver/temis/lti/launch/",
                },
                REMOTE_ADDR=address,
            ),
        ),
        ("jwks", lambda client, address: client.get("/temis/lti/jwks/", REMOTE_ADDR=address)),
    ],
)
def test_each_group_has_its_own_limit(client, open_edx, settings, group, request_page):
    settings.TEMIS_LTI_RATE_LIMITS = {group: "5/m"}
    statuses = [request_page(client, SCHOOL).status_code for _ in range(6)]
    assert statuses[:5] == [statuses[0]] * 5 and statuses[0] in (200, 302) and statuses[5] == 429
    assert request_page(client, ATTACKER).status_code == statuses[0]  # another address is not affected


def test_workspace_pages_and_forms_are_limited(client, open_edx, settings):
    settings.TEMIS_LTI_RATE_LIMITS = {"workspace": "4/m"}
    response = valid_launch(client, open_edx, SCHOOL)
    assert response.status_code == 200
    launch_id = Launch.objects.get().pk
    pages = [
        f"/temis/lti/workspace/{launch_id}/",
        f"/temis/lti/workspace/{launch_id}/activities/",
        f"/temis/lti/workspace/{launch_id}/scores/",
        f"/temis/lti/workspace/{launch_id}/subject-group/",
    ]
    statuses = [client.get(page, REMOTE_ADDR=SCHOOL).status_code for page in pages]
    assert 429 not in statuses
    assert client.get(pages[1], REMOTE_ADDR=SCHOOL).status_code == 429
    assert client.post(f"/temis/lti/workspace/{launch_id}/activities/new/", {}, REMOTE_ADDR=SCHOOL).status_code == 429


def test_a_group_set_to_none_has_no_limit(client, open_edx, settings):
    settings.TEMIS_LTI_RATE_LIMITS = {"refused_launch": None}
    assert all(forged_launch(client, ATTACKER).status_code == 400 for _ in range(40))


def test_counts_are_shared_by_every_worker_through_the_cache(client, open_edx, settings):
    """Two LMS workers share one count: a fresh cache connection (as in another process) sees it."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    settings.TEMIS_LTI_RATE_LIMITS = {"jwks": "3/m"}
    for _ in range(3):
        assert client.get("/temis/lti/jwks/", REMOTE_ADDR=SCHOOL).status_code == 200
    config = settings.CACHES["ratelimit"]
    other_worker = RedisCache(config["LOCATION"], {"KEY_PREFIX": config["KEY_PREFIX"]})
    counted = [key for key in other_worker._cache.get_client().keys(f"{config['KEY_PREFIX']}:*")]
    assert len(counted) == 1 and other_worker.get(counted[0].decode().split(":", 2)[2]) == 3
    caches["ratelimit"].close()  # the next request opens a new connection, as a new worker would
    assert client.get("/temis/lti/jwks/", REMOTE_ADDR=SCHOOL).status_code == 429


@pytest.mark.parametrize("fail_open, status", [(False, 503), (True, 200)])
def test_an_unreachable_cache_follows_ratelimit_fail_open_and_never_errors(
    client, open_edx, settings, caplog, fail_open, status
):
    settings.CACHES = {
        **settings.CACHES,
        "unreachable": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    settings.RATELIMIT_USE_CACHE, settings.RATELIMIT_FAIL_OPEN = "unreachable", fail_open
    caplog.set_level(logging.WARNING, logger="lti.throttle")
    response = client.get("/temis/lti/jwks/", REMOTE_ADDR=SCHOOL)
    assert response.status_code == status
    if status == 503:
        assert response["Retry-After"] == "60" and b"rate_limit_unavailable" in response.content
    assert [r.getMessage() for r in caplog.records if r.name == "lti.throttle"] == [
        "TEMIS LTI rate limit cache unavailable: ConnectionError"
    ]
    assert not any(SCHOOL in r.getMessage() for r in caplog.records)
