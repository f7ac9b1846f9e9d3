"""The whole LTI launch in headless Chromium, inside an iframe of a course page served from another origin.

The platform here is Open edX's own LtiAdvantageConsumer behind a small HTTP server on loopback: it
serves the course page with the iframe, the OIDC authorisation endpoint (answering with the auto-posted
id_token form, as the LMS does) and its key set. The tool is the live Django server on "localhost", the
platform on "127.0.0.1": two sites, so the browser treats the tool's cookies as third-party.
"""

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from temis_plugin.models import MentorGroup
from tests.lti.conftest import CLIENT_ID, DEPLOYMENT, educator_custom, rsa_pem

ISSUER = "https://lms.so-gd-mau.example"


class CoursePlatform:
    def __init__(self, tool_base):
        from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.consumer = LtiAdvantageConsumer(
            iss=ISSUER,
            lti_oidc_url=f"{tool_base}/temis/lti/login/",
            lti_launch_url=f"{tool_base}/temis/lti/launch/",
            client_id=CLIENT_ID,
            deployment_id=DEPLOYMENT,
            rsa_key=rsa_pem(),
            rsa_key_id="platform-key-1",
            redirect_uris=[f"{tool_base}/temis/lti/launch/"],
        )
        self.preflight_url = None
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                if url.path == "/course":
                    body = (
                        f'<!DOCTYPE html><html lang="vi"><body><h1>Khóa học: Hỗ trợ đồng nghiệp</h1>'
                        f'<iframe title="TEMIS" src="{html.escape(platform.preflight_url)}" width="900" '
                        f'height="600"></iframe></body></html>'
                    )
                elif url.path == "/auth":
                    auth = {k: v[0] for k, v in parse_qs(url.query).items()}
                    message = platform.consumer.generate_launch_request(auth)
                    body = (
                        f'<!DOCTYPE html><html><body><form id="f" method="post" '
                        f'action="{html.escape(auth["redirect_uri"])}">'
                        + "".join(
                            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in message.items()
                        )
                        + '</form><script>document.getElementById("f").submit()</script></body></html>'
                    )
                elif url.path == "/keyset":
                    body = json.dumps(platform.consumer.get_public_keyset())
                else:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header(
                    "Content-Type", "application/json" if url.path == "/keyset" else "text/html; charset=utf-8"
                )
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.django_db(transaction=True)
def test_launch_in_an_iframe_of_another_origin(live_server, page, screenshot, cycle, people, settings):
    from lti_consumer.data import Lti1p3LaunchData

    from lti.models import Deployment, Launch, Platform
    from lti.rotation import ensure_signing_key

    settings.PLATFORM_NAME = "Sở GD&ĐT Mẫu"
    group = MentorGroup.objects.create(cycle=cycle, code="G1", mentor=people["t2"])
    group.memberships.create(mentee=people["t1"])
    ensure_signing_key()
    platform = CoursePlatform(live_server.url)
    try:
        registered = Platform.objects.create(
            name="Open edX",
            issuer=ISSUER,
            client_id=CLIENT_ID,
            auth_login_url=f"{platform.origin}/auth",
            keyset_url=f"{platform.origin}/keyset",
        )
        Deployment.objects.create(platform=registered, deployment_id=DEPLOYMENT)
        consumer = platform.consumer
        launch_data = Lti1p3LaunchData(
            user_id="opaque-sub-9",
            user_role="student",
            config_id="cfg",
            resource_link_id="block-v1:SoGD+MENTOR+2026+type@lti_consumer+block@ws",
            external_user_id="opaque-sub-9",
        )
        platform.preflight_url = consumer.prepare_preflight_url(launch_data)
        consumer.set_user_data(user_id="opaque-sub-9", role="student")
        consumer.set_resource_link_claim(launch_data.resource_link_id)
        consumer.set_custom_parameters(educator_custom("ID-t2"))  # what our parameter processor adds

        page.goto(f"{platform.origin}/course")
        frame = page.frame_locator("iframe[title=TEMIS]")
        frame.get_by_role("heading", name="Không gian làm việc của giáo viên cốt cán").wait_for()
        assert frame.get_by_text("Người t1").count() == 1
        assert frame.get_by_role("link", name="Mở trong cửa sổ mới").count() == 1
        screenshot("lti-workspace-in-iframe")
        record = Launch.objects.get()
        assert record.user == people["t2"].user
        assert page.context.cookies(live_server.url) == []  # nothing of ours had to be stored
    finally:
        platform.close()
