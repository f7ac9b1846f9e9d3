"""Benchmark: LTI launches per second (OIDC login + launch) next to the raw RS256 verification floor.

Run with `make bench`. Uses the standalone site on a throw-away SQLite database (TEMIS_DB=mysql for
MariaDB), Open edX's LtiAdvantageConsumer as the platform, and Django's test client in process, so the
figure is the tool's own cost per launch: two requests, the database writes and the page.
"""

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TEMIS_VAR_DIR", tempfile.mkdtemp(prefix="temis-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEMIS_MYSQL_DB", "temis_bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

LAUNCHES = int(os.environ.get("TEMIS_BENCH_LAUNCHES", "300"))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    if settings.DATABASES["default"]["ENGINE"].endswith("mysql"):
        from MySQLdb import connect

        connection = connect(
            host=settings.DATABASES["default"]["HOST"],
            user=settings.DATABASES["default"]["USER"],
            passwd=settings.DATABASES["default"]["PASSWORD"],
        )
        name = settings.DATABASES["default"]["NAME"]
        connection.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        connection.close()
    call_command("migrate", verbosity=0)

    import jwt
    from django.test import Client
    from django.test.utils import setup_test_environment
    from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

    from lti.keys import public_key_from_jwk
    from lti.models import Deployment, Platform
    from lti.rotation import ensure_signing_key
    from tests.lti.conftest import CLIENT_ID, DEPLOYMENT, ISSUER, TOOL, KeysetServer, login, rsa_pem

    setup_test_environment()
    settings.PLATFORM_NAME = "Benchmark"
    # One client makes every launch here: the limits stay counted (their cost is measured) but high.
    settings.TEMIS_LTI_RATE_LIMITS = {"login": "1000000/m", "launch": "1000000/m", "workspace": "1000000/m"}
    ensure_signing_key()
    keyset_server = KeysetServer()
    consumer = LtiAdvantageConsumer(
        iss=ISSUER,
        lti_oidc_url=TOOL + "login/",
        lti_launch_url=TOOL + "launch/",
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT,
        rsa_key=rsa_pem(),
        rsa_key_id="platform-key-1",
        redirect_uris=[TOOL + "launch/"],
    )
    keyset_server.keyset = consumer.get_public_keyset()
    platform = Platform.objects.create(
        name="bench",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_login_url="https://lms.example/auth",
        keyset_url=keyset_server.url,
    )
    Deployment.objects.create(platform=platform, deployment_id=DEPLOYMENT)
    client = Client()

    def one_launch():
        """Tool-side seconds of one login + launch (the platform's signing is not counted)."""
        started = time.perf_counter()
        auth = login(client, consumer, custom={})
        tool_login = time.perf_counter() - started
        message = consumer.generate_launch_request(auth)
        started = time.perf_counter()
        response = client.post("/temis/lti/launch/", message)
        tool_launch = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return tool_login + tool_launch, message["id_token"]

    for _ in range(20):  # warm-up: caches, key set, imports
        one_launch()
    durations, token = [], None
    for _ in range(LAUNCHES):
        seconds, token = one_launch()
        durations.append(seconds)

    # Floor: the RS256 signature check alone, on the same token and key, in the same process.
    key = public_key_from_jwk(consumer.get_public_keyset()["keys"][0])
    verify = []
    for _ in range(LAUNCHES):
        started = time.perf_counter()
        jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False, "verify_exp": False})
        verify.append(time.perf_counter() - started)
    keyset_server.close()

    mean, floor = statistics.mean(durations), statistics.mean(verify)
    print(
        f"LTI launch benchmark ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"{LAUNCHES} launches, one process, {os.cpu_count()} cores)"
    )
    print(
        f"  login + launch : {1 / mean:8.1f} launches/s   p50 {percentile(durations, 0.5) * 1000:6.2f} ms   "
        f"p99 {percentile(durations, 0.99) * 1000:6.2f} ms"
    )
    print(f"  RS256 verify   : {1 / floor:8.1f} verifications/s   mean {floor * 1000:6.3f} ms (the floor)")
    print(f"  ratio          : one launch costs {mean / floor:6.1f} x one signature check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
