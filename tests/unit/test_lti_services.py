"""Retries of calls to the platform: back-off on transient failures, none on refusals."""

import datetime

import pytest

from lti.services import ServiceError, score_payload, with_retries


def test_transient_failures_are_retried_with_doubling_delays():
    calls, delays = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ServiceError("busy", 503, retryable=True)
        return "ok"

    assert with_retries(flaky, sleep=delays.append) == "ok"
    assert len(calls) == 3 and delays == [0.5, 1.0]


def test_refusals_are_not_retried():
    calls = []

    def refused():
        calls.append(1)
        raise ServiceError("forbidden", 403)

    with pytest.raises(ServiceError):
        with_retries(refused, sleep=lambda _: None)
    assert calls == [1]


def test_retries_give_up_after_the_last_attempt():
    with pytest.raises(ServiceError, match="down"):
        with_retries(
            lambda: (_ for _ in ()).throw(ServiceError("down", 502, retryable=True)), attempts=3, sleep=lambda _: None
        )


def test_score_is_final_with_a_precise_timestamp():
    at = datetime.datetime(2026, 11, 22, 8, 0, 0, 123, tzinfo=datetime.UTC)
    payload = score_payload("sub-1", 8, 10, at, comment="Tốt")
    assert payload["gradingProgress"] == "FullyGraded" and payload["activityProgress"] == "Completed"
    assert payload["timestamp"] == "2026-11-22T08:00:00.000123+00:00"


def test_roster_pages_follow_the_link_header():
    """A platform that pages its roster (lti-consumer-xblock does since 2026) is read to the last page."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import requests

    from lti.services import roster_pages

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            page = 2 if "page=2" in self.path else 1
            self.send_response(200)
            if page == 1:
                self.send_header("Link", f'<http://127.0.0.1:{self.server.server_port}/m?page=2>; rel="next"')
            self.end_headers()
            self.wfile.write(json.dumps({"members": [{"user_id": f"u{page}"}]}).encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        pages = list(roster_pages(requests.Session(), "token", f"http://127.0.0.1:{server.server_port}/m", limit=1))
    finally:
        server.shutdown()
        server.server_close()
    assert pages == [[{"user_id": "u1"}], [{"user_id": "u2"}]]
