"""Open edX's lti-consumer-xblock as an in-process LTI platform launching our tool.

The platform's key set is served over HTTP on loopback, as a real platform's keyset URL is.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

TOOL = "http://testserver/temis/lti/"
ISSUER = "https://lms.so-gd-mau.example"
CLIENT_ID = "temis-tool-client"
DEPLOYMENT = "1"


def rsa_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(autouse=True)
def english(client):
    """The tool's pages in English, so assertions read the messages the code writes."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(scope="session")
def platform_pem():
    return rsa_pem()


class KeysetServer:
    """Serves a JWKS document at /keyset; the document can be swapped to model a platform's rotation."""

    def __init__(self):
        self.keyset, self.requests = {"keys": []}, 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                owner.requests += 1
                body = json.dumps(owner.keyset).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/keyset"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def keyset_server():
    server = KeysetServer()
    yield server
    server.close()


@pytest.fixture
def open_edx(db, platform_pem, keyset_server, settings):
    """A registered Open edX platform (lti-consumer-xblock's LtiAdvantageConsumer) and our tool's key."""
    from django.core.cache import cache
    from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

    from lti.models import Deployment, Platform
    from lti.rotation import ensure_signing_key

    settings.PLATFORM_NAME = "Sở GD&ĐT Mẫu"
    cache.clear()
    tool_key = ensure_signing_key()
    consumer = LtiAdvantageConsumer(
        iss=ISSUER,
        lti_oidc_url=TOOL + "login/",
        lti_launch_url=TOOL + "launch/",
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT,
        rsa_key=platform_pem,
        rsa_key_id="platform-key-1",
        redirect_uris=[TOOL + "launch/"],
        tool_key=tool_key.private_key_pem,
    )
    keyset_server.keyset = consumer.get_public_keyset()
    platform = Platform.objects.create(
        name="Open edX Sở Mẫu",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_login_url="https://lms.so-gd-mau.example/api/lti_consumer/v1/launch/",
        keyset_url=keyset_server.url,
    )
    Deployment.objects.create(platform=platform, deployment_id=DEPLOYMENT)
    return consumer


RESOURCE_LINK = "block-v1:SoGD+MENTOR+2026+type@lti_consumer+block@ws"
COURSE = "course-v1:SoGD+MENTOR+2026"


def login(
    client,
    consumer,
    user_id="opaque-sub-1",
    custom=None,
    method="get",
    resource_link_id=RESOURCE_LINK,
    context_id=COURSE,
    person=None,
):
    """Run the OIDC login leg: the platform's preflight URL against our login view.

    ``person`` holds the name, email and username claims a block configured to share them sends
    (lti-consumer-xblock's full_name, email_address, preferred_username). Returns the auth-request
    parameters our tool sent back to the platform.
    """
    from lti_consumer.data import Lti1p3LaunchData

    launch_data = Lti1p3LaunchData(
        user_id=user_id,
        user_role="student",
        config_id="cfg-1",
        resource_link_id=resource_link_id,
        external_user_id=user_id,
        context_id=context_id,
    )
    url = consumer.prepare_preflight_url(launch_data)
    parsed = urlparse(url)
    params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    response = client.get(parsed.path, params) if method == "get" else client.post(parsed.path, params)
    assert response.status_code == 302, response.content
    redirect = urlparse(response["Location"])
    auth = {k: v[0] for k, v in parse_qs(redirect.query).items()}
    consumer.set_user_data(user_id=user_id, role="student", **(person or {}))
    consumer.set_resource_link_claim(launch_data.resource_link_id)
    consumer.set_context_claim(launch_data.context_id)
    consumer.set_custom_parameters(custom or {})
    return auth


def launch(client, consumer, auth):
    """The platform's answer: a signed id_token POSTed to the redirect_uri our tool asked for."""
    message = consumer.generate_launch_request(auth)
    return client.post(urlparse(auth["redirect_uri"]).path, message)


def educator_custom(reference):
    """The custom parameter the tool's parameter processor adds in the LMS: the identifier, signed."""
    from lti.identity import signed_educator_claim

    return {"temis_educator_id": signed_educator_claim(reference)}
