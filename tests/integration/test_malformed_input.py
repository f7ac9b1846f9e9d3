"""Malformed input to every page of the plugin, every handler of its blocks and the demo site's pages:
a 4xx that says what is wrong, or the request's own answer; never a server error.

Each parameter (query value, form field, JSON member, path segment) of a request that works is sent,
one at a time, with values of the wrong type, out of range, empty, and left out; and each request with
a parameter it does not know. The REST API has its own generated requests (test_api_schemathesis.py);
the LTI tool's views are tested in tests/lti.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from temis_plugin.catalog import load_training_modules
from temis_plugin.models import Evaluation
from temis_plugin.survey import SURVEY_ITEMS
from tests.integration.test_access_matrix import SELF_ASSESSMENT, SURVEY, handler_url, no_rate_limit_counts, world  # noqa: F401 (fixtures)
from tests.integration.test_final_rating import officers, school  # noqa: F401 (fixtures)
from tests.integration.test_report_api import body

# As a browser or a script could send them in a query string or a form.
TEXTS = [
    "",
    " ",
    "x",
    "-1",
    "0",
    "1.5",
    "1e999",
    "99999999999999999999999",
    "0001-01-01T00:00",
    "9999-12-31T23:59:59",
    "2026-02-30T25:61",
    "2026-11-01T10:00+25:00",
    "\x00",
    "<b>",
    "😀",
    "a" * 20000,
]
# As a script could send them in a JSON body.
VALUES = [
    None,
    True,
    0,
    -1,
    5,
    2**70,
    1.5,
    math.nan,
    math.inf,
    "",
    "x",
    "\x00",
    "0001-01-01T00:00",
    [],
    [5],
    ["x"],
    [None],
    [[1]],
    {},
    {"1": 2},
    {"x": {"y": []}},
    "a" * 20000,
]
LEFT_OUT = object()
EXTRA = "unexpected"


@dataclass(frozen=True)
class Page:
    actor: str
    method: str
    url: Callable  # world -> the URL of a request that works
    params: Callable = lambda w: {}  # world -> its query values or form fields
    path: str = ""  # the URL with {} for its path parameter
    path_values: tuple = ("0", "99999999999999999999999", "x", "-1", "1.5", "%00", "..")


def version(w, key):
    return str(Evaluation.objects.get(pk=w.evaluations[key]).version)


RUN_IDS = (
    "00000000-0000-0000-0000-000000000000",
    "x",
    "99999999999999999999999",
    "%00",
    "ffffffff-ffff-ffff-ffff-ffffffffffffff",
)
REPORT_CHOICE = {"cycle": "2026-2027", "scope": "P1", "framework": "TT20-2018", "cut_off": "2026-11-01T10:00"}
PAGES = {
    "home": Page("t1", "GET", lambda w: reverse("temis:home")),
    "evidence-file": Page(
        "t1", "GET", lambda w: reverse("temis:evidence_file", args=[w.evidence]), path="/temis/evidence/{}/"
    ),
    "final-list": Page(
        "principal",
        "GET",
        lambda w: reverse("temis:final_rating"),
        lambda w: {"cycle": "2026-2027", "school": "S1", "state": "submitted", "page": "1"},
    ),
    "final-list-bulk": Page(
        "principal",
        "POST",
        lambda w: reverse("temis:final_rating"),
        lambda w: {
            "action": "accept",
            "evaluation": [str(w.evaluations["t3"])],
            f"version_{w.evaluations['t3']}": version(w, "t3"),
            "select_all": "",
            "cycle": "2026-2027",
            "school": "S1",
            "state": "submitted",
            "page": "1",
        },
    ),
    "final-detail": Page(
        "principal",
        "GET",
        lambda w: reverse("temis:final_rating_detail", args=[w.evaluations["t1"]]),
        lambda w: {"notice": "saved"},
        path="/temis/final/{}/",
    ),
    "final-detail-save": Page(
        "principal",
        "POST",
        lambda w: reverse("temis:final_rating_detail", args=[w.evaluations["t1"]]),
        lambda w: {
            "action": "save",
            "expected_version": version(w, "t1"),
            "comment": "Ghi chú",
            "level_1": "T",
            "level_15": "K",
        },
        path="/temis/final/{}/",
    ),
    "final-detail-reopen": Page(
        "principal",
        "POST",
        lambda w: reverse("temis:final_rating_detail", args=[w.evaluations["t1"]]),
        lambda w: {"action": "reopen", "mode": "draft", "reason": "Nhập nhầm", "expected_version": version(w, "t1")},
    ),
    "reports": Page("officer.p1", "GET", lambda w: reverse("temis:reports"), lambda w: REPORT_CHOICE),
    "report": Page(
        "officer.p1",
        "GET",
        lambda w: reverse("temis:report", args=["aggregate"]),
        lambda w: REPORT_CHOICE,
        path="/temis/reports/{}/",
        path_values=("x", "0", "%00", "a" * 300, "runs"),
    ),
    "per-educator-report": Page(
        "officer.p1", "GET", lambda w: reverse("temis:report", args=["school_summary"]), lambda w: REPORT_CHOICE
    ),
    "report-run-start": Page(
        "officer.p1",
        "POST",
        lambda w: reverse("temis:report_run_start"),
        lambda w: {**REPORT_CHOICE, "kind": "temis_export", "template": "TT20-ket-qua-giao-vien", "format": "csv"},
    ),
    "report-run": Page(
        "officer.p1",
        "GET",
        lambda w: reverse("temis:report_run", args=[w.run]),
        path="/temis/reports/runs/{}/",
        path_values=RUN_IDS,
    ),
    "report-run-status": Page(
        "officer.p1",
        "GET",
        lambda w: reverse("temis:report_run_status", args=[w.run]),
        path="/temis/reports/runs/{}/status/",
        path_values=RUN_IDS,
    ),
    "report-run-file": Page(
        "officer.p1",
        "GET",
        lambda w: reverse("temis:report_run_file", args=[w.run]),
        path="/temis/reports/runs/{}/file/",
        path_values=RUN_IDS,
    ),
    "report-run-retry": Page(
        "officer.p1",
        "POST",
        lambda w: reverse("temis:report_run_retry", args=[w.run]),
        path="/temis/reports/runs/{}/retry/",
        path_values=RUN_IDS,
    ),
    "start-page": Page("t1", "GET", lambda w: "/"),
    "block-page": Page(
        "t1",
        "GET",
        lambda w: f"/workbench/scenario/{SELF_ASSESSMENT}/",
        lambda w: {"student": "t1"},
        path="/workbench/scenario/{}/",
        path_values=("x", "temis_self_assessment.9", "%00", ".."),
    ),
}


def variants(params: Callable, values):
    """(what, parameters): those of ``params()`` with one more, and with each in turn changed or left out.

    ``params`` is called for each request, so that each starts from the data as it is now (the version
    saved last, for instance) and reaches the checks past it.
    """
    yield f"{EXTRA}=x", {**params(), EXTRA: "x"}
    for name in params():
        for value in [LEFT_OUT, *values]:
            changed = {key: item for key, item in params().items() if key != name}
            if value is not LEFT_OUT:
                changed[name] = value
            yield f"{name}={'left out' if value is LEFT_OUT else repr(value)[:40]}", changed


def record(failures, what, call):
    """Send one request, in a savepoint of its own: a database error it causes cannot spoil the next ones."""
    with transaction.atomic():
        response = call()
    if problem(response):
        failures.append(f"{what}: {problem(response)}")


def problem(response) -> str:
    """Why an answer fails the rule (empty: it keeps it)."""
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if 400 <= response.status_code < 500 and not body(response).strip():
        return f"{response.status_code} without a message"
    return ""


@pytest.fixture
def site(world, workbench_scenarios):
    load_training_modules()
    return world


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_answers_malformed_parameters_without_a_server_error(site, name):
    page = PAGES[name]
    client, failures = client_of(site.users[page.actor]), []

    def check(what, url, params):
        record(failures, what, lambda: client.get(url, params) if page.method == "GET" else client.post(url, params))

    assert not problem(
        client.get(page.url(site), page.params(site))
        if page.method == "GET"
        else client.post(page.url(site), page.params(site))
    )
    for what, params in variants(lambda: page.params(site), TEXTS):
        check(what, page.url(site), params)
    for value in page.path_values if page.path else ():
        check(f"path {value!r}", page.path.format(value), page.params(site))
    assert failures == [], "\n".join(failures)


@dataclass(frozen=True)
class Handler:
    scenario: str
    name: str
    data: Callable = None  # (world, t2's evaluation) -> the JSON body (a form for uploads) of a call that works
    form: bool = False
    bodies: tuple = field(default=(b"", b"{", b"[]", b"null", b'"x"', b"5", b"\xff\xfe", b"[" * 5000))


def evaluation_form(evaluation):
    return {"id": evaluation.pk, "version": evaluation.version}


HANDLERS = {
    "save-draft": Handler(
        SELF_ASSESSMENT,
        "save_draft",
        lambda w, e: {
            **evaluation_form(e),
            "levels": {"1": "T"},
            "strengths": "Chủ động",
            "improvements": "",
            "plan": {"goals": "Học CNTT", "content": "", "timeline": "", "conditions": ""},
            "need_criteria": [15],
            "need_modules": ["GVPT-09"],
        },
    ),
    "link-evidence": Handler(
        SELF_ASSESSMENT, "link_evidence", lambda w, e: {**evaluation_form(e), "evidence_id": w.t2_link, "criteria": [4]}
    ),
    "submit": Handler(SELF_ASSESSMENT, "submit", lambda w, e: evaluation_form(e)),
    "add-evidence": Handler(
        SELF_ASSESSMENT,
        "add_evidence",
        lambda w, e: {"name": "Liên kết", "description": "", "url": "https://example.org/x"},
        form=True,
        bodies=(),
    ),
    "user-state": Handler(SELF_ASSESSMENT, "student_view_user_state", bodies=()),
    "survey": Handler(SURVEY, "submit", lambda w, e: {"answers": dict.fromkeys(SURVEY_ITEMS, 4), "comment": ""}),
}


@pytest.mark.parametrize("name", list(HANDLERS))
def test_every_block_handler_answers_malformed_input_without_a_server_error(site, name):
    from temis_plugin import api

    spec, teacher = HANDLERS[name], site.users["t2"]
    site.t2_link = api.add_evidence(teacher, "Liên kết của t2", url="https://example.org/t2").id
    client, failures = client_of(teacher), []
    url = handler_url(spec.scenario, spec.name, student="t2")  # the learner the workbench once took from the URL

    def check(what, call):
        record(failures, what, call)

    def send(data):
        if spec.form:
            return client.post(url, {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()})
        return client.post(url, json.dumps(data), content_type="application/json")

    def evaluation():
        return Evaluation.objects.get(pk=site.evaluations["t2"])

    if spec.data is None:
        check("GET", lambda: client.get(url))
        check(f"GET {EXTRA}=x", lambda: client.get(url, {EXTRA: "x"}))
        check("POST", lambda: client.post(url))
    else:
        assert not problem(send(spec.data(site, evaluation())))
        for what, data in variants(lambda: spec.data(site, evaluation()), VALUES):
            check(what, lambda data=data: send(data))
    for raw in spec.bodies:
        check(f"body {raw[:20]!r}", lambda raw=raw: client.post(url, raw, content_type="application/json"))
    check("GET of a POST handler" if spec.data else "PUT", lambda: client.get(url) if spec.data else client.put(url))
    for bad in (
        handler_url(spec.scenario, "no_such_handler"),
        handler_url(spec.scenario, "__init__"),
        handler_url(spec.scenario, "generate_report_data"),
        url.replace(spec.scenario, "x.0"),
        f"/workbench/handler/no.such.usage/{spec.name}/",
        f"/workbench/handler/%00/{spec.name}/",
    ):
        check(f"url {bad}", lambda bad=bad: client.post(bad, "{}", content_type="application/json"))
    assert failures == [], "\n".join(failures)
