"""One teacher's visit to the self-assessment block over HTTP, made the way the block's page script makes it."""

import json
import re
import time

import requests
from django.conf import settings

SCENARIO = "/workbench/scenario/temis_self_assessment.0/"
BLOCK_ARGS = re.compile(r'<script type="json/xblock-args" class="xblock_json_init_args">(.*?)</script>', re.S)
USAGE_ID = re.compile(r"data-usage='([^']+)'")
CONFLICT = 409  # the handlers' answer to a stale version: the page asks the teacher to reload
RELOADS = 2


class UnexpectedResponse(Exception):
    pass


class TeacherVisit:
    """Load the block, autosave each form state in ``saves`` with the version last read, then submit.

    Timings are (request type, seconds) pairs; a conflict is answered as the page answers it, by
    loading the block again and repeating the write with the version read then.
    """

    def __init__(self, base_url, username, session_key, saves, timeout):
        self.base_url, self.username, self.saves, self.timeout = base_url, username, saves, timeout
        self.session_key = session_key  # the teacher's signed-in session
        self.timings, self.errors, self.conflicts = [], [], 0
        self.session = self.evaluation_id = self.version = self.usage_id = None

    def run(self, barrier):
        with requests.Session() as self.session:
            self.session.cookies.set(settings.SESSION_COOKIE_NAME, self.session_key)
            barrier.wait()
            try:
                self.load()
                for form in self.saves:
                    self.write("save_draft", form)
                self.write("submit", {})
            except UnexpectedResponse as exc:
                self.errors.append(str(exc))
            except requests.RequestException as exc:
                self.errors.append(f"{self.username}: {exc!r}")

    def load(self):
        response = self._request("load", "GET", f"{self.base_url}{SCENARIO}")
        self._expect_ok("load", response)
        args, usage = BLOCK_ARGS.search(response.text), USAGE_ID.search(response.text)
        if not args or not usage or not json.loads(args.group(1)).get("evaluation"):
            raise UnexpectedResponse(f"{self.username} load: no self-assessment form on the page")
        evaluation = json.loads(args.group(1))["evaluation"]
        self.evaluation_id, self.version, self.usage_id = evaluation["id"], evaluation["version"], usage.group(1)

    def write(self, handler, form):
        url = f"{self.base_url}/workbench/handler/{self.usage_id}/{handler}/"
        for _attempt in range(RELOADS + 1):
            body = json.dumps({**form, "id": self.evaluation_id, "version": self.version})
            response = self._request(
                handler,
                "POST",
                url,
                data=body.encode("utf-8"),
                headers={
                    "Content-Type": "application/json",
                    "X-Requested-With": "XMLHttpRequest",
                    "X-CSRFToken": self.session.cookies.get("csrftoken", ""),
                },
            )
            if response.status_code != CONFLICT:
                self._expect_ok(handler, response)
                self.version = response.json()["version"]
                return
            self.conflicts += 1
            self.load()
        raise UnexpectedResponse(f"{self.username} {handler}: still a conflict after {RELOADS} reloads")

    def _request(self, kind, method, url, **kwargs):
        start = time.perf_counter()
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        finally:
            self.timings.append((kind, time.perf_counter() - start))

    def _expect_ok(self, kind, response):
        if response.status_code != 200:
            raise UnexpectedResponse(f"{self.username} {kind}: HTTP {response.status_code} {response.text[:300]!r}")
