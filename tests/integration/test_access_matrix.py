"""Who may open what, for every route of the plugin (``temis``) and of the LTI tool (``temis_lti``).

ROUTES lists each named route with the guard in front of it and the methods it accepts. One test walks
the URL resolver and fails on any route missing from ROUTES (or listed there but gone), so a new view
cannot ship without its place in this file. The others check, from the same tables:

* anonymous callers: plugin pages send them to sign in, the REST API refuses them, a workspace route
  answers 404 without a live launch id, and the few public routes say why they are public;
* methods outside a route's list are refused (405), so a route cannot start taking POSTs unnoticed;
* IDOR: ids and scopes of other people, schools, communes and launches are answered as the code
  answers a missing id (404), or refused (403), with nothing of the victim in the answer; where the
  same request by the rightful user shows that data, the check proves it could have leaked; and a
  launch by one user of a platform does not open another educator's workspace;
* CSRF: every form of the plugin's pages refuses a POST without Django's token and changes nothing,
  and works with it; the API's session POSTs need the token too; the LTI workspace's forms need the
  per-launch form token (lti.workspace_views.form_token) instead, since its iframe may get no cookie.
"""

import datetime
import io
import json as json_module
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import openpyxl
import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from lti.models import Launch, Platform, ScoreSubmission
from lti.workspace_views import form_token
from temis_plugin import api
from temis_plugin.errors import NotFound
from temis_plugin.models import (
    AuditEntry,
    ColleagueOpinion,
    Evaluation,
    Evidence,
    EvidenceLink,
    OrgUnit,
    ReportRun,
    SupportActivity,
    SurveyResponse,
)
from temis_plugin.survey import SURVEY_ITEMS
from tests.integration.test_final_rating import ALL_K, officers, school  # noqa: F401 (fixtures)
from tests.integration.test_report_api import body
from tests.lti.conftest import KeysetServer, launch, login, open_edx, platform_pem  # noqa: F401 (fixtures)
from tests.lti.test_workspace import activity_post, groups, token, workspace  # noqa: F401 (fixtures)
from tests.report_data import officer

# ---------------------------------------------------------------------------------------------
# The matrix

PAGE = "page"  # login_required; then the API answers 404 for what is not yours, 403 for a missing role
API = "api"  # DRF, IsAuthenticated (session here, a JWT too inside the LMS); same 404/403 rules
LAUNCH = "launch"  # LTI: the live launch id in the URL stands in for the session (lti.workspace_views)
PUBLIC = "public"  # no sign-in by design; the reason is stated with the route

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")


@dataclass(frozen=True)
class Guard:
    kind: str
    methods: tuple[str, ...]
    reason: str = ""  # why a public route is public


ROUTES = {
    # A POST to the home page shows it again (no method check there); the CSRF middleware still applies.
    "temis:home": Guard(PAGE, BOTH),
    "temis:evidence_file": Guard(PAGE, GET),
    "temis:final_rating": Guard(PAGE, BOTH),
    "temis:final_rating_detail": Guard(PAGE, BOTH),
    "temis:reports": Guard(PAGE, GET),
    "temis:report": Guard(PAGE, GET),
    "temis:report_run_start": Guard(PAGE, POST),
    "temis:report_run": Guard(PAGE, GET),
    "temis:report_run_status": Guard(PAGE, GET),
    "temis:report_run_file": Guard(PAGE, GET),
    "temis:report_run_retry": Guard(PAGE, POST),
    "temis:api:reports": Guard(API, GET),
    "temis:api:report": Guard(API, GET),
    "temis:api:temis-export": Guard(API, GET),
    "temis:api:report-runs": Guard(API, BOTH),
    "temis:api:report-run": Guard(API, GET),
    "temis:api:report-run-file": Guard(API, GET),
    "temis:api:report-run-retry": Guard(API, POST),
    "temis:api:schema": Guard(
        PUBLIC,
        GET,
        "the OpenAPI description names endpoints, parameters and error "
        "codes, never data, like the platform's own API docs",
    ),
    "temis_lti:login": Guard(
        PUBLIC,
        BOTH,
        "OIDC login initiation: the platform sends the browser here before "
        "any identity exists; it only records a state for a registered "
        "platform and redirects to that platform",
    ),
    "temis_lti:launch": Guard(
        PUBLIC, POST, "the platform's id_token POST: its signature, nonce and the state issued at login authenticate it"
    ),
    "temis_lti:jwks": Guard(PUBLIC, GET, "the tool's public keys, which platforms fetch to verify its messages"),
    "temis_lti:deep_link_response": Guard(LAUNCH, POST),
    "temis_lti:workspace": Guard(LAUNCH, GET),
    "temis_lti:activities": Guard(LAUNCH, GET),
    "temis_lti:activity_new": Guard(LAUNCH, BOTH),
    "temis_lti:activity_edit": Guard(LAUNCH, BOTH),
    "temis_lti:activity_export": Guard(LAUNCH, GET),
    "temis_lti:opinion": Guard(LAUNCH, BOTH),
    "temis_lti:subject_group": Guard(LAUNCH, GET),
    "temis_lti:scores": Guard(LAUNCH, BOTH),
}

# What an anonymous caller gets from each public route: (method, status); none sends them to sign in.
PUBLIC_ANSWERS = {
    ("temis:api:schema", "GET"): 200,
    ("temis_lti:login", "GET"): 400,  # without iss, login_hint and target_link_uri
    ("temis_lti:login", "POST"): 400,
    ("temis_lti:launch", "POST"): 400,  # without the state issued at login
    ("temis_lti:jwks", "GET"): 200,
}
OUR_NAMESPACES = ("temis", "temis_lti")


def declared_routes() -> dict[str, str]:
    """Every route under our namespaces, by full name, with its path; unnamed routes get a name that fails."""
    found: dict[str, list[str]] = {}

    def walk(patterns, namespaces, prefix):
        for pattern in patterns:
            path = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, namespaces + ([pattern.namespace] if pattern.namespace else []), path)
            elif namespaces and namespaces[0] in OUR_NAMESPACES:
                name = ":".join(namespaces + [pattern.name or f"<unnamed {path}>"])
                found.setdefault(name, []).append(path)

    walk(get_resolver().url_patterns, [], "")
    duplicated = {name: paths for name, paths in found.items() if len(paths) > 1}
    assert not duplicated, f"one name for several routes: reverse() reaches only one of them: {duplicated}"
    return {name: paths[0] for name, paths in found.items()}


def test_every_route_is_in_the_matrix():
    routes = declared_routes()
    assert {name.split(":")[0] for name in routes} == set(OUR_NAMESPACES)
    assert sorted(set(routes) - set(ROUTES)) == [], "routes without a permission test: add them to ROUTES"
    assert sorted(set(ROUTES) - set(routes)) == [], "ROUTES names routes that no longer exist"
    for name, guard in ROUTES.items():
        assert guard.kind in (PAGE, API, LAUNCH, PUBLIC) and guard.methods, name
        assert (guard.kind == PUBLIC) == bool(guard.reason), f"{name}: a public route, and only one, says why"
    assert {
        (name, method) for name, guard in ROUTES.items() if guard.kind == PUBLIC for method in guard.methods
    } == set(PUBLIC_ANSWERS)


# ---------------------------------------------------------------------------------------------
# The people and data every test probes


@pytest.fixture(autouse=True)
def no_rate_limit_counts():
    """Every test client here has the same address: counts left by earlier tests must not turn an answer
    into a 429 (the LTI tool's rate limits are tested in tests/lti/test_rate_limits.py)."""
    caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")].clear()


SECRET_PDF = b"%PDF-1.4\n% minh-chung-rieng-cua-t1\n%%EOF\n"
PRINCIPAL_PDF = b"%PDF-1.4\n% minh-chung-rieng-cua-hieu-truong\n%%EOF\n"
# Distinct unit names, so a leak of another commune or province is visible in a page.
UNIT_NAMES = {"P1": "Tỉnh Mẫu Một", "X1": "Xã Mẫu Một", "X2": "Xã Bí Mật Hai", "S2": "Trường Bí Mật Hai"}


@dataclass
class World:
    users: dict  # "t1", "principal", "officer.x1" ... -> User
    people: dict  # educators: "t1", "principal", "principal2" ... -> EducatorProfile
    evaluations: dict  # the same keys -> evaluation id
    evidence: int  # t1's file, backing t1's evaluation
    unlinked: int  # another file of t1, backing nothing
    principal_evidence: int  # the principal's file, backing the principal's evaluation
    run: str  # a finished report file of officer.p1 on P1

    def version(self, key) -> int:
        return Evaluation.objects.get(pk=self.evaluations[key]).version


@pytest.fixture
def world(
    school,
    officers,
    school_tree,
    make_user,
    media_root,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """S1 (commune X1): principal, vice, t1..t3, a school administrator; S2 (commune X2): principal2, other;
    officers of X1, X2, P1."""
    people, evaluations = school
    users = {key: profile.user for key, profile in people.items()}
    users["officer.x1"], users["officer.p1"] = officers["commune"], officers["province"]
    users["officer.x2"] = officer(make_user, school_tree["X2"], role="commune_officer", username="officer.x2")
    users["officer.p1b"] = officer(make_user, school_tree["P1"], username="officer.p1b")
    users["admin.s1"] = officer(make_user, school_tree["S1"], role="school_admin", username="admin.s1")
    for code, name in UNIT_NAMES.items():
        OrgUnit.objects.filter(code=code).update(name=name)

    # t1's evaluation goes back to draft to get an evidence file, then is submitted again.
    teacher, head = users["t1"], users["principal"]
    evaluation = api.get_evaluation(teacher, evaluations["t1"].id)
    api.reopen_evaluation(head, evaluation.id, evaluation.version, "Bổ sung minh chứng", to_draft=True)
    evaluation = api.get_evaluation(teacher, evaluation.id)
    evidence = api.add_evidence(
        teacher, "Minh chứng của t1", file=SimpleUploadedFile("bi-mat-t1.pdf", SECRET_PDF, "application/pdf")
    )
    unlinked = api.add_evidence(
        teacher, "Chưa gắn", file=SimpleUploadedFile("chua-gan.pdf", SECRET_PDF, "application/pdf")
    )
    evaluation = api.link_evidence(teacher, evaluation.id, evaluation.version, evidence.id, [4])
    api.submit_self_assessment(teacher, evaluation.id, evaluation.version)
    # The principal's evaluation goes back to draft (by the superior) for a file of its own.
    principal, superior = users["principal"], users["officer.x1"]
    evaluation = api.get_evaluation(superior, evaluations["principal"].id)
    api.reopen_evaluation(superior, evaluation.id, evaluation.version, "Bổ sung minh chứng", to_draft=True)
    evaluation = api.get_evaluation(principal, evaluation.id)
    principal_evidence = api.add_evidence(
        principal,
        "Minh chứng của hiệu trưởng",
        file=SimpleUploadedFile("bi-mat-hieu-truong.pdf", PRINCIPAL_PDF, "application/pdf"),
    )
    evaluation = api.link_evidence(principal, evaluation.id, evaluation.version, principal_evidence.id, [4])
    api.submit_self_assessment(principal, evaluation.id, evaluation.version)

    with django_capture_on_commit_callbacks(execute=True):
        run = api.request_report_file(users["officer.p1"], "aggregate", "csv", scope_code="P1")
    assert ReportRun.objects.get(pk=run.id).status == "done"
    return World(
        users=users,
        people=people,
        evaluations={key: e.id for key, e in evaluations.items()},
        evidence=evidence.id,
        unlinked=unlinked.id,
        principal_evidence=principal_evidence.id,
        run=str(run.id),
    )


def snapshot():
    """What a refused request must leave as it was."""
    return (
        list(Evaluation.objects.order_by("pk").values_list("pk", "state", "version", "final_levels", "final_comment")),
        AuditEntry.objects.count(),
        list(ColleagueOpinion.objects.order_by("pk").values_list("pk", "version")),
        list(ReportRun.objects.order_by("pk").values_list("pk", "status")),
        list(SupportActivity.objects.order_by("pk").values_list("pk", "version")),
        ScoreSubmission.objects.count(),
    )


def text(response) -> str:
    """What an answer says: its text, or the cells of a workbook (compressed, so not readable as bytes)."""
    raw = body(response)
    if "spreadsheetml" in response.get("Content-Type", ""):
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return raw.decode("utf-8", "replace")


def signed_in(user, cls=Client, **kwargs):
    client = cls(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    client.force_login(user)
    return client


def route_args(name) -> list:
    """Placeholder arguments to reverse ``name`` with, for checks made before anything is looked up."""
    launch_id, run = uuid.uuid4(), str(uuid.uuid4())
    return {
        "temis:evidence_file": [1],
        "temis:final_rating_detail": [1],
        "temis:report": ["aggregate"],
        "temis:report_run": [run],
        "temis:report_run_status": [run],
        "temis:report_run_file": [run],
        "temis:report_run_retry": [run],
        "temis:api:report": ["aggregate"],
        "temis:api:temis-export": ["TT20-ket-qua-giao-vien"],
        "temis:api:report-run": [run],
        "temis:api:report-run-file": [run],
        "temis:api:report-run-retry": [run],
        "temis_lti:deep_link_response": [launch_id],
        "temis_lti:workspace": [launch_id],
        "temis_lti:activities": [launch_id],
        "temis_lti:activity_new": [launch_id],
        "temis_lti:activity_edit": [launch_id, 1],
        "temis_lti:activity_export": [launch_id, "csv"],
        "temis_lti:opinion": [launch_id, 1],
        "temis_lti:subject_group": [launch_id],
        "temis_lti:scores": [launch_id],
    }.get(name, [])


def send(client, method, url, data=None, *, json=False):
    if method == "GET":
        return client.get(url, data or {})
    if json:
        return client.post(url, data or {}, content_type="application/json")
    return client.post(url, data or {})


# ---------------------------------------------------------------------------------------------
# Anonymous callers and methods


ROUTE_METHODS = [(name, method) for name, guard in ROUTES.items() for method in guard.methods]


@pytest.mark.parametrize("name, method", ROUTE_METHODS, ids=[f"{n}-{m}" for n, m in ROUTE_METHODS])
def test_anonymous_callers_get_nothing(db, request, name, method):
    guard = ROUTES[name]
    if guard.kind == LAUNCH:
        return check_launch_ids(request.getfixturevalue("world"), request.getfixturevalue("lti"), name, method)
    # Sign-in is checked before anything is looked up, so placeholder ids stand for any id here.
    url = reverse(name, args=route_args(name))
    before = snapshot()
    form = {"kind": "aggregate", "format": "csv", "scope": "P1"} if method == "POST" else None
    response = send(Client(HTTP_ACCEPT_LANGUAGE="en"), method, url, form, json=guard.kind == API)
    if guard.kind == PAGE:
        assert response.status_code == 302 and response.content == b""
        assert response["Location"] == f"{settings.LOGIN_URL}?next={quote(url, safe='/')}"
    elif guard.kind == API:
        # SessionAuthentication sends no WWW-Authenticate, so DRF answers 403 (401 inside the LMS, where
        # the JWT authentication comes first and names its scheme).
        assert response.status_code == 403
        assert response.json() == {"detail": "Authentication credentials were not provided."}
    else:
        assert response.status_code == PUBLIC_ANSWERS[name, method]
        assert "Location" not in response or not response["Location"].startswith(settings.LOGIN_URL)
    assert snapshot() == before


def check_launch_ids(world, lti, name, method):
    """No session is involved: a made-up launch id, or one that expired, opens nothing; the live one does."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    def call(record):
        return send(
            client,
            method,
            reverse(name, args=launch_args(name, record, lti, world)),
            {"form_token": form_token(record), "choice": "workspace"} if method == "POST" else None,
        )

    assert call(lti.mine).status_code != 404  # the same request reaches the view with the live launch
    before = snapshot()
    assert call(Launch(pk=uuid.uuid4())).status_code == 404
    Launch.objects.filter(pk=lti.mine.pk).update(expires=timezone.now() - datetime.timedelta(seconds=1))
    expired = call(lti.mine)
    assert expired.status_code == 404 and "Người t1" not in text(expired)
    assert snapshot() == before


def test_public_routes_give_only_what_is_public(db):
    from lti.rotation import ensure_signing_key

    client = Client()
    schema = client.get(reverse("temis:api:schema")).json()
    assert schema["openapi"].startswith("3.") and all(path.startswith("/temis/api/v1/") for path in schema["paths"])
    ensure_signing_key()
    keys = client.get(reverse("temis_lti:jwks")).json()["keys"]
    assert keys and all(key["kty"] == "RSA" and key["n"] for key in keys)
    # Public halves only: none of an RSA private key's members.
    assert not [member for key in keys for member in ("d", "p", "q", "dp", "dq", "qi") if member in key]


OTHER_METHODS = [
    (name, method) for name, guard in ROUTES.items() for method in ("GET", "POST") if method not in guard.methods
]


@pytest.mark.parametrize("name, method", OTHER_METHODS, ids=[f"{n}-{m}" for n, m in OTHER_METHODS])
def test_methods_outside_the_matrix_are_refused(make_user, name, method):
    # Signed in (pages check the method after sign-in, the API after authentication); placeholder ids are
    # enough, since the method is checked before anything is looked up.
    client = signed_in(make_user("someone"))
    before = snapshot()
    response = send(client, method, reverse(name, args=route_args(name)), json=ROUTES[name].kind == API)
    assert response.status_code == 405
    assert snapshot() == before


# ---------------------------------------------------------------------------------------------
# IDOR: other people's evaluations, evidence, scopes and report runs


@dataclass(frozen=True)
class Probe:
    actor: str  # a key of World.users
    method: str
    route: str
    args: Callable  # world -> reverse() args
    status: int  # what the code answers (404 where it hides that the object exists)
    secrets: Callable  # world -> what must not be in the answer
    data: Callable = lambda w: {}  # world -> query string (GET) or form (POST)
    owner: str = ""  # who gets the secret from the same GET: proof that there was something to leak


def ev(key):
    return lambda w: [w.evaluations[key]]


def levels_form(key, action, **extra):
    return lambda w: {
        "action": action,
        "expected_version": w.version(key),
        "comment": "Ghi chú",
        **{f"level_{n}": "T" for n in range(1, 19)},
        **extra,
    }


def bulk(action, *keys):
    return lambda w: {"action": action, "evaluation": [w.evaluations[k] for k in keys]}


def names(*keys):
    return lambda w: [f"Người {key}" for key in keys]


RUN = lambda w: [w.run]  # noqa: E731
RUN_SECRETS = lambda w: [w.run, "aggregate-2026-2027-P1"]  # noqa: E731
FILE_SECRETS = lambda w: ["minh-chung-rieng-cua-t1", "bi-mat-t1.pdf", "Minh chứng của t1"]  # noqa: E731
PRINCIPAL_FILE = lambda w: [w.principal_evidence]  # noqa: E731
PRINCIPAL_FILE_SECRETS = lambda w: ["minh-chung-rieng-cua-hieu-truong", "bi-mat-hieu-truong.pdf"]  # noqa: E731
OTHER_UNITS = lambda w: [UNIT_NAMES["X2"], UNIT_NAMES["S2"], "Người other", "Người principal2"]  # noqa: E731
KINDS = [code for code, _title in api.report_kinds()]
TEMPLATES = [code for code, _name in api.temis_export_templates()]

PROBES = [
    # Final rating: a head of school rates their own school's teachers, a superior the principals below them.
    pytest.param(
        Probe("principal", "GET", "temis:final_rating_detail", ev("other"), 404, names("other"), owner="principal2"),
        id="principal-S1-opens-an-S2-evaluation",
    ),
    pytest.param(
        Probe(
            "principal",
            "POST",
            "temis:final_rating_detail",
            ev("other"),
            404,
            names("other"),
            levels_form("other", "finalize"),
        ),
        id="principal-S1-finalizes-an-S2-evaluation",
    ),
    pytest.param(
        Probe(
            "principal",
            "POST",
            "temis:final_rating_detail",
            ev("other"),
            404,
            names("other"),
            levels_form("other", "save"),
        ),
        id="principal-S1-saves-levels-of-an-S2-evaluation",
    ),
    pytest.param(
        Probe(
            "principal",
            "POST",
            "temis:final_rating",
            lambda w: [],
            200,
            names("other", "principal2"),
            bulk("accept", "other"),
        ),
        id="principal-S1-bulk-accepts-an-S2-evaluation",
    ),
    pytest.param(
        Probe(
            "principal",
            "POST",
            "temis:final_rating",
            lambda w: [],
            200,
            names("other", "principal2"),
            bulk("finalize", "other", "principal2"),
        ),
        id="principal-S1-bulk-finalizes-S2",
    ),
    pytest.param(
        Probe(
            "principal",
            "GET",
            "temis:final_rating",
            lambda w: [],
            200,
            names("other", "principal2"),
            lambda w: {"school": "S2"},
        ),
        id="principal-S1-lists-school-S2",
    ),
    pytest.param(
        Probe("principal2", "GET", "temis:final_rating_detail", ev("t1"), 404, names("t1"), owner="principal"),
        id="principal-S2-opens-an-S1-evaluation",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "GET",
            "temis:final_rating_detail",
            ev("principal2"),
            404,
            names("principal2"),
            owner="officer.x2",
        ),
        id="commune-X1-opens-a-principal-of-X2",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "POST",
            "temis:final_rating_detail",
            ev("principal2"),
            404,
            names("principal2"),
            levels_form("principal2", "finalize"),
        ),
        id="commune-X1-finalizes-a-principal-of-X2",
    ),
    pytest.param(
        Probe(
            "officer.x2",
            "GET",
            "temis:final_rating_detail",
            ev("principal"),
            404,
            names("principal"),
            owner="officer.x1",
        ),
        id="commune-X2-opens-a-principal-of-X1",
    ),
    pytest.param(
        Probe("officer.x1", "GET", "temis:final_rating", lambda w: [], 200, names("principal2"), owner="officer.x2"),
        id="commune-X1-lists-principals",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "GET",
            "temis:final_rating",
            lambda w: [],
            200,
            names("principal2"),
            lambda w: {"school": "S2"},
        ),
        id="commune-X1-lists-school-S2",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "POST",
            "temis:final_rating",
            lambda w: [],
            200,
            names("principal2"),
            bulk("accept", "principal2"),
        ),
        id="commune-X1-bulk-accepts-a-principal-of-X2",
    ),
    pytest.param(
        Probe("t1", "GET", "temis:final_rating_detail", ev("t3"), 404, names("t3"), owner="principal"),
        id="teacher-opens-a-colleague-of-another-group",
    ),
    pytest.param(
        Probe("t1", "GET", "temis:final_rating_detail", ev("t2"), 403, names("t2"), owner="principal"),
        id="teacher-opens-a-colleague-of-the-same-group",
    ),
    pytest.param(
        Probe("t1", "POST", "temis:final_rating_detail", ev("t3"), 404, names("t3"), levels_form("t3", "finalize")),
        id="teacher-finalizes-a-colleague",
    ),
    pytest.param(
        Probe("t1", "GET", "temis:final_rating", lambda w: [], 403, names("t2", "t3")), id="teacher-opens-the-list"
    ),
    pytest.param(
        Probe("t1", "POST", "temis:final_rating", lambda w: [], 403, names("t3"), bulk("accept", "t3")),
        id="teacher-bulk-accepts",
    ),
    # Evidence files: the owner, and whoever may read an evaluation the file backs; others get a 404.
    pytest.param(
        Probe("t3", "GET", "temis:evidence_file", lambda w: [w.evidence], 404, FILE_SECRETS, owner="t1"),
        id="teacher-of-another-group-opens-an-evidence-file",
    ),
    pytest.param(
        Probe("principal2", "GET", "temis:evidence_file", lambda w: [w.evidence], 404, FILE_SECRETS, owner="principal"),
        id="principal-of-another-school-opens-an-evidence-file",
    ),
    pytest.param(
        Probe(
            "officer.x2", "GET", "temis:evidence_file", lambda w: [w.evidence], 404, FILE_SECRETS, owner="officer.x1"
        ),
        id="officer-of-another-commune-opens-an-evidence-file",
    ),
    pytest.param(
        Probe("other", "GET", "temis:evidence_file", lambda w: [w.evidence], 404, FILE_SECRETS, owner="officer.p1"),
        id="teacher-of-another-school-opens-an-evidence-file",
    ),
    pytest.param(
        Probe("principal", "GET", "temis:evidence_file", lambda w: [w.unlinked], 404, FILE_SECRETS, owner="t1"),
        id="head-opens-a-file-that-backs-no-evaluation",
    ),
    # A principal's evaluation is read above the school (see PRINCIPAL_READERS): not by the school's staff.
    pytest.param(
        Probe(
            "admin.s1", "GET", "temis:evidence_file", PRINCIPAL_FILE, 404, PRINCIPAL_FILE_SECRETS, owner="officer.x1"
        ),
        id="school-admin-opens-the-principals-evidence-file",
    ),
    pytest.param(
        Probe(
            "admin.s1", "GET", "temis:final_rating_detail", ev("principal"), 404, names("principal"), owner="officer.x1"
        ),
        id="school-admin-opens-the-principals-evaluation",
    ),
    pytest.param(
        Probe(
            "admin.s1",
            "POST",
            "temis:final_rating_detail",
            ev("principal"),
            404,
            names("principal"),
            levels_form("principal", "save"),
        ),
        id="school-admin-saves-levels-of-the-principal",
    ),
    pytest.param(
        Probe("vice", "GET", "temis:evidence_file", PRINCIPAL_FILE, 404, PRINCIPAL_FILE_SECRETS, owner="principal"),
        id="vice-principal-opens-the-principals-evidence-file",
    ),
    pytest.param(
        Probe("t1", "GET", "temis:evidence_file", PRINCIPAL_FILE, 404, PRINCIPAL_FILE_SECRETS, owner="officer.p1"),
        id="teacher-opens-the-principals-evidence-file",
    ),
    # Reports: units outside the user's scopes answer as an unknown unit does.
    pytest.param(
        Probe(
            "officer.x1",
            "GET",
            "temis:report",
            lambda w: ["aggregate"],
            404,
            OTHER_UNITS,
            lambda w: {"scope": "X2"},
            owner="officer.x2",
        ),
        id="commune-X1-page-of-X2-as-X2-sees-it",
    ),
    pytest.param(
        Probe(
            "officer.x1", "GET", "temis:report", lambda w: ["aggregate"], 404, OTHER_UNITS, lambda w: {"scope": "S2"}
        ),
        id="commune-X1-page-of-a-school-of-X2",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "GET",
            "temis:report",
            lambda w: ["school_summary"],
            404,
            OTHER_UNITS,
            lambda w: {"scope": "P1"},
        ),
        id="commune-X1-page-of-the-province",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "GET",
            "temis:reports",
            lambda w: [],
            404,
            OTHER_UNITS,
            lambda w: {"scope": "X2"},
            owner="officer.x2",
        ),
        id="commune-X1-dashboard-of-X2",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "GET",
            "temis:reports",
            lambda w: [],
            404,
            lambda w: [UNIT_NAMES["P1"], UNIT_NAMES["X2"]],
            lambda w: {"scope": "P1"},
        ),
        id="commune-X1-dashboard-of-the-province",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "POST",
            "temis:report_run_start",
            lambda w: [],
            404,
            OTHER_UNITS,
            lambda w: {"kind": "aggregate", "format": "csv", "scope": "X2"},
        ),
        id="commune-X1-file-of-X2",
    ),
    pytest.param(
        Probe(
            "principal",
            "GET",
            "temis:report",
            lambda w: ["school_summary"],
            404,
            OTHER_UNITS,
            lambda w: {"scope": "S2"},
        ),
        id="principal-S1-page-of-S2",
    ),
    # Report files: only whoever asked for one sees it, even with the same scope.
    pytest.param(
        Probe("officer.p1b", "GET", "temis:report_run", RUN, 404, RUN_SECRETS, owner="officer.p1"),
        id="another-officers-run-page",
    ),
    pytest.param(
        Probe("officer.p1b", "GET", "temis:report_run_status", RUN, 404, RUN_SECRETS, owner="officer.p1"),
        id="another-officers-run-status",
    ),
    pytest.param(
        Probe("officer.p1b", "GET", "temis:report_run_file", RUN, 404, RUN_SECRETS), id="another-officers-run-file"
    ),
    pytest.param(
        Probe("officer.p1b", "POST", "temis:report_run_retry", RUN, 404, RUN_SECRETS), id="another-officers-run-retry"
    ),
    pytest.param(
        Probe("officer.p1b", "GET", "temis:reports", lambda w: [], 200, RUN_SECRETS, owner="officer.p1"),
        id="another-officers-runs-on-the-dashboard",
    ),
    # The REST API: the same rules.
    pytest.param(
        Probe(
            "officer.x1",
            "GET",
            "temis:api:report",
            lambda w: ["school_summary"],
            404,
            OTHER_UNITS,
            lambda w: {"scope": "X2"},
            owner="officer.x2",
        ),
        id="api-commune-X1-of-X2-as-X2-sees-it",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "GET",
            "temis:api:report",
            lambda w: ["aggregate"],
            404,
            OTHER_UNITS,
            lambda w: {"scope": "P1"},
        ),
        id="api-commune-X1-report-of-the-province",
    ),
    pytest.param(
        Probe(
            "principal",
            "GET",
            "temis:api:report",
            lambda w: ["school_summary"],
            404,
            OTHER_UNITS,
            lambda w: {"scope": "S2"},
        ),
        id="api-principal-S1-report-of-S2",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "GET",
            "temis:api:temis-export",
            lambda w: ["TT20-ket-qua-giao-vien"],
            404,
            OTHER_UNITS,
            lambda w: {"scope": "X2"},
        ),
        id="api-commune-X1-export-of-X2",
    ),
    pytest.param(
        Probe(
            "officer.x1",
            "POST",
            "temis:api:report-runs",
            lambda w: [],
            404,
            OTHER_UNITS,
            lambda w: {"kind": "aggregate", "format": "csv", "scope": "X2"},
        ),
        id="api-commune-X1-file-of-X2",
    ),
    pytest.param(
        Probe("officer.x1", "GET", "temis:api:reports", lambda w: [], 200, OTHER_UNITS, owner="officer.x2"),
        id="api-catalogue-names-only-own-scopes",
    ),
    pytest.param(
        Probe("officer.p1b", "GET", "temis:api:report-run", RUN, 404, RUN_SECRETS, owner="officer.p1"),
        id="api-another-officers-run",
    ),
    pytest.param(
        Probe("officer.p1b", "GET", "temis:api:report-run-file", RUN, 404, RUN_SECRETS),
        id="api-another-officers-run-file",
    ),
    pytest.param(
        Probe("officer.p1b", "POST", "temis:api:report-run-retry", RUN, 404, RUN_SECRETS),
        id="api-another-officers-run-retry",
    ),
    pytest.param(
        Probe("officer.p1b", "GET", "temis:api:report-runs", lambda w: [], 200, RUN_SECRETS, owner="officer.p1"),
        id="api-another-officers-runs-listed",
    ),
]


@pytest.mark.parametrize("probe", PROBES)
def test_other_peoples_data_is_not_reachable_by_id_or_scope(world, probe):
    url = reverse(probe.route, args=probe.args(world))
    is_api = ROUTES[probe.route].kind == API
    client = signed_in(world.users[probe.actor], APIClient if is_api else Client)
    before = snapshot()
    response = send(client, probe.method, url, probe.data(world), json=is_api)
    assert response.status_code == probe.status, text(response)[:500]
    assert "Content-Disposition" not in response
    page = text(response)
    for secret in probe.secrets(world):
        assert secret not in page
    assert snapshot() == before
    if probe.owner:
        assert probe.method == "GET"
        shown = text(
            send(signed_in(world.users[probe.owner], APIClient if is_api else Client), "GET", url, probe.data(world))
        )
        assert any(secret in shown for secret in probe.secrets(world)), "the rightful user sees none of it"


def test_every_report_and_export_refuses_units_outside_the_scope(world):
    # The scope check is shared, but each kind builds its own query: none may skip the check.
    pages, rest = signed_in(world.users["officer.x1"]), signed_in(world.users["officer.x1"], APIClient)
    for scope in ("X2", "S2", "P1", "BO"):
        answers = [pages.get(reverse("temis:report", args=[kind]), {"scope": scope}) for kind in KINDS]
        answers += [rest.get(reverse("temis:api:report", args=[kind]), {"scope": scope}) for kind in KINDS]
        answers += [
            rest.get(reverse("temis:api:temis-export", args=[template]), {"scope": scope}) for template in TEMPLATES
        ]
        for answer in answers:
            assert answer.status_code == 404, (answer.wsgi_request.get_full_path(), text(answer)[:300])
            assert not [secret for secret in OTHER_UNITS(world) if secret in text(answer)]
    # Their own commune, for contrast.
    assert all(pages.get(reverse("temis:report", args=[kind]), {"scope": "X1"}).status_code == 200 for kind in KINDS)


def test_evidence_file_opens_for_its_owner_and_the_readers_of_its_evaluation(world):
    url = reverse("temis:evidence_file", args=[world.evidence])
    for reader in ("t1", "principal", "admin.s1", "officer.x1", "officer.p1"):
        response = signed_in(world.users[reader]).get(url)
        assert response.status_code == 200, reader
        assert body(response) == SECRET_PDF and response["Cache-Control"] == "private, no-store"
    assert signed_in(world.users["t1"]).get(reverse("temis:evidence_file", args=[world.unlinked])).status_code == 200
    assert signed_in(world.users["t1"]).get(reverse("temis:evidence_file", args=[999999])).status_code == 404
    # The head's page links the checked route, never the file's place in storage (which no check guards).
    page = text(
        signed_in(world.users["principal"]).get(reverse("temis:final_rating_detail", args=[world.evaluations["t1"]]))
    )
    assert f'href="{url}"' in page
    assert Evidence.objects.get(pk=world.evidence).file.name not in page and settings.MEDIA_URL not in page


# Who reads a principal's (or vice-principal's) evaluation, TT14 Điều 10: the educator; the superior who
# rates it and the oversight roles, both on units above the school; and, to give their opinion, the
# school's teachers, who see the self-assessment but not the evidence files. Nobody whose role is on
# the school itself: a school administrator works for the principal. (reader: (evaluation, evidence file))
PRINCIPAL_READERS = {
    "principal": (True, True),
    "officer.x1": (True, True),
    "officer.p1": (True, True),
    "t1": (True, False),
    "admin.s1": (False, False),
    "vice": (False, False),
    "principal2": (False, False),
    "officer.x2": (False, False),
}


@pytest.mark.parametrize("reader", list(PRINCIPAL_READERS))
def test_a_principals_evaluation_is_read_above_the_school(world, reader):
    reads, opens_files = PRINCIPAL_READERS[reader]
    user = world.users[reader]
    if reads:
        assert api.get_evaluation(user, world.evaluations["principal"]).educator.full_name == "Người principal"
    else:
        with pytest.raises(NotFound):
            api.get_evaluation(user, world.evaluations["principal"])
    response = signed_in(user).get(reverse("temis:evidence_file", args=[world.principal_evidence]))
    assert response.status_code == (200 if opens_files else 404)
    assert (PRINCIPAL_PDF in body(response)) == opens_files


# Reports follow the same rule: on a school, the readers whose reach is the school itself (its
# administrator, its principal) get its teachers' results; principals' results go to the units above.
@pytest.mark.parametrize(
    "reader, counted", [("admin.s1", False), ("principal", False), ("officer.x1", True), ("officer.p1", True)]
)
def test_reports_on_a_school_count_its_principals_for_readers_above_it(
    world, reader, counted, media_root, django_capture_on_commit_callbacks
):
    user, principals = world.users[reader], "educators.TT14-2018"
    report = api.get_report(user, "school_summary", scope_code="S1")
    assert (principals in {table.key for table in report.tables}) == counted
    assert "educators.TT20-2018" in {table.key for table in report.tables}
    page = text(signed_in(user).get(reverse("temis:report", args=["school_summary"]), {"scope": "S1"}))
    assert ("Người principal" in page) == counted and "Người t1" in page
    with django_capture_on_commit_callbacks(execute=True):
        run = api.request_report_file(user, "school_summary", "csv", scope_code="S1")
    handle, _name, _type = api.open_report_file(user, run.id)
    with handle:
        assert ("Người principal".encode() in handle.read()) == counted
    by_name = signed_in(user).get(
        reverse("temis:report", args=["school_summary"]), {"scope": "S1", "framework": "TT14-2018"}
    )
    export = signed_in(user, APIClient).get(
        reverse("temis:api:temis-export", args=["TT14-ket-qua-hieu-truong"]), {"scope": "S1"}
    )
    dashboard = text(signed_in(user).get(reverse("temis:reports"), {"scope": "S1"}))
    if counted:
        assert by_name.status_code == 200 and export.status_code == 200 and "TT14-ket-qua-hieu-truong" in dashboard
    else:
        assert by_name.status_code == 400 and "Người principal" not in text(by_name)
        assert export.status_code == 400 and "Người principal" not in text(export)
        assert "TT14-ket-qua-hieu-truong" not in dashboard and 'value="TT14-2018"' not in dashboard


# ---------------------------------------------------------------------------------------------
# The standalone site around the plugin (what `make demo` serves): its own routes, the xblock-sdk
# workbench showing the blocks, and the media folder, which no route serves

STAFF = "staff"  # Django's admin site: its own sign-in, staff only
HANDLER = "handler"  # a block's handler on the workbench: acts for the signed-in user, refuses anyone else

SITE_ROUTES = {
    "": Guard(PUBLIC, GET, "the start page: links to the other pages and says who is signed in"),
    "admin/": Guard(STAFF, BOTH),
    "i18n/setlang/": Guard(
        PUBLIC, POST, "the language switch sets a cookie of the caller's own; Django's CSRF check guards it"
    ),
    "accounts/login/": Guard(PUBLIC, BOTH, "the sign-in page"),
    "accounts/logout/": Guard(PUBLIC, POST, "signing out ends the caller's own session; Django's CSRF check guards it"),
    "workbench/scenario/<str:scenario_id>/": Guard(PAGE, GET),
    "workbench/handler/<str:usage_id>/<str:handler>/": Guard(HANDLER, BOTH),
}
SITE_PUBLIC_ANSWERS = {
    ("", "GET"): 200,
    ("i18n/setlang/", "POST"): 302,
    ("accounts/login/", "GET"): 200,
    ("accounts/login/", "POST"): 200,
    ("accounts/logout/", "POST"): 302,
}
SELF_ASSESSMENT, SURVEY = "temis_self_assessment.0", "temis_programme_survey.0"


def site_routes() -> dict[str, object]:
    """The standalone site's routes outside our namespaces, by path; the admin site counts as one route."""
    found = {}

    def walk(patterns, prefix):
        for pattern in patterns:
            path = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.namespace in OUR_NAMESPACES:
                    continue
                if pattern.namespace == "admin":
                    found[path] = pattern
                else:
                    walk(pattern.url_patterns, path)
            else:
                found[path] = pattern

    walk(get_resolver("temis_plugin.standalone.urls").url_patterns, "")
    return found


def test_every_route_of_the_site_is_in_the_matrix():
    routes = site_routes()
    assert sorted(set(routes) - set(SITE_ROUTES)) == [], "site routes without a permission test: add them"
    assert sorted(set(SITE_ROUTES) - set(routes)) == [], "SITE_ROUTES names routes that no longer exist"
    for path, guard in SITE_ROUTES.items():
        assert (guard.kind == PUBLIC) == bool(guard.reason), f"{path}: a public route, and only one, says why"
    assert {
        (path, method) for path, guard in SITE_ROUTES.items() if guard.kind == PUBLIC for method in guard.methods
    } == set(SITE_PUBLIC_ANSWERS)


def handler_url(scenario, handler, student=None) -> str:
    """A block's handler on the workbench; ``student`` is the query value that once chose the learner."""
    from workbench.scenarios import get_scenarios

    url = f"/workbench/handler/{get_scenarios()[scenario].usage_id}/{handler}/"
    return f"{url}?student={quote(student)}" if student else url


def site_url(path) -> str:
    from workbench.scenarios import get_scenarios

    return "/" + path.replace("<str:scenario_id>", SELF_ASSESSMENT).replace(
        "<str:usage_id>/<str:handler>", f"{get_scenarios()[SELF_ASSESSMENT].usage_id}/student_view_user_state"
    )


SITE_METHODS = [(path, method) for path, guard in SITE_ROUTES.items() for method in guard.methods]


@pytest.mark.parametrize("path, method", SITE_METHODS, ids=[f"/{p}-{m}" for p, m in SITE_METHODS])
def test_anonymous_callers_get_nothing_from_the_site(world, workbench_scenarios, path, method):
    guard, url = SITE_ROUTES[path], site_url(path)
    before = snapshot()
    response = send(Client(HTTP_ACCEPT_LANGUAGE="en"), method, url, {"language": "en"} if method == "POST" else None)
    assert "Người t1" not in text(response) and "Người t2" not in text(response)
    if guard.kind == PAGE:
        assert response.status_code == 302 and response["Location"] == f"{settings.LOGIN_URL}?next={quote(url)}"
    elif guard.kind == STAFF:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    elif guard.kind == HANDLER:
        assert response.status_code == 403
    else:
        assert response.status_code == SITE_PUBLIC_ANSWERS[path, method]
    assert snapshot() == before


def csrf_client(user=None) -> Client:
    """A browser with the CSRF cookie a page of the site hands out (the sign-in page, to anyone)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(settings.LOGIN_URL)
    return client


def call_handler(client, scenario, handler, data, student=None):
    """A handler called as the block's page script calls it: JSON (a form for uploads), with the CSRF header."""
    url, token = handler_url(scenario, handler, student), client.cookies["csrftoken"].value
    if data is None:
        return client.get(url)
    if handler == "add_evidence":
        return client.post(url, data, HTTP_X_CSRFTOKEN=token)
    return client.post(url, json_module.dumps(data), content_type="application/json", HTTP_X_CSRFTOKEN=token)


def t2_form(w):
    evaluation = Evaluation.objects.get(pk=w.evaluations["t2"])
    return {"id": evaluation.pk, "version": evaluation.version}


# What each handler of the blocks is sent, aimed at t2's draft (whose levels are complete, so t2 could submit it).
HANDLER_CALLS = {
    "user-state": (SELF_ASSESSMENT, "student_view_user_state", lambda w: None),
    "save-draft": (
        SELF_ASSESSMENT,
        "save_draft",
        lambda w: {**t2_form(w), "levels": {"1": "D"}, "strengths": "Ghi đè"},
    ),
    "submit": (SELF_ASSESSMENT, "submit", t2_form),
    "add-evidence": (SELF_ASSESSMENT, "add_evidence", lambda w: {"name": "Ghi đè", "url": "https://example.org/x"}),
    "link-evidence": (
        SELF_ASSESSMENT,
        "link_evidence",
        lambda w: {**t2_form(w), "evidence_id": w.t2_evidence, "criteria": [1, 2]},
    ),
    "survey": (SURVEY, "submit", lambda w: {"answers": dict.fromkeys(SURVEY_ITEMS, 1), "comment": "Ghi đè"}),
}


@pytest.fixture
def t2_ready(world, workbench_scenarios):
    """t2's draft with every level chosen and a link of its own, and the survey's training module."""
    from temis_plugin.catalog import load_training_modules

    load_training_modules()
    teacher = world.users["t2"]
    evaluation = api.get_evaluation(teacher, world.evaluations["t2"])
    api.save_self_assessment(teacher, evaluation.id, evaluation.version, levels={n: "K" for n in range(1, 16)})
    world.t2_evidence = api.add_evidence(teacher, "Liên kết của t2", url="https://example.org/t2").id
    return world


def workbench_state():
    """What a refused handler call must leave as it was, besides snapshot()."""
    return (
        snapshot(),
        list(Evidence.objects.order_by("pk").values_list("pk", "owner_id", "name")),
        list(EvidenceLink.objects.order_by("pk").values_list("pk", "criterion")),
        list(SurveyResponse.objects.order_by("pk").values_list("pk", "educator_id", "comment")),
    )


@pytest.mark.parametrize("call", list(HANDLER_CALLS))
def test_an_anonymous_caller_naming_a_teacher_gets_nothing_of_theirs(t2_ready, call):
    scenario, handler, data = HANDLER_CALLS[call]
    client, before = csrf_client(), workbench_state()
    response = call_handler(client, scenario, handler, data(t2_ready), student="t2")
    assert response.status_code == 403, text(response)[:300]
    assert "Người t2" not in text(response) and '"self_levels"' not in text(response)
    assert workbench_state() == before


@pytest.mark.parametrize("call", list(HANDLER_CALLS))
def test_the_workbench_acts_for_the_signed_in_user_whatever_student_says(t2_ready, call):
    scenario, handler, data = HANDLER_CALLS[call]
    people, t2_before = t2_ready.people, Evaluation.objects.get(pk=t2_ready.evaluations["t2"])
    last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = call_handler(csrf_client(t2_ready.users["t3"]), scenario, handler, data(t2_ready), student="t2")
    assert "Người t2" not in text(response)
    t2_after = Evaluation.objects.get(pk=t2_ready.evaluations["t2"])
    assert (t2_after.version, t2_after.self_levels, t2_after.strengths, t2_after.state) == (
        t2_before.version,
        t2_before.self_levels,
        t2_before.strengths,
        t2_before.state,
    )
    assert not AuditEntry.objects.filter(pk__gt=last_entry, actor=t2_ready.users["t2"]).exists()
    assert not EvidenceLink.objects.filter(evidence_id=t2_ready.t2_evidence).exists()
    assert not Evidence.objects.filter(owner=people["t2"], name="Ghi đè").exists()
    assert not SurveyResponse.objects.filter(educator=people["t2"]).exists()
    if call == "user-state":  # t3's own evaluation
        assert response.status_code == 200 and response.json()["educator"]["full_name"] == "Người t3"
    elif call == "add-evidence":  # t3's own evidence
        assert response.status_code == 200 and Evidence.objects.filter(owner=people["t3"], name="Ghi đè").exists()
    elif call == "survey":  # t3's own answer
        assert response.status_code == 200 and SurveyResponse.objects.filter(educator=people["t3"]).exists()
    else:  # t2's evaluation, which t3 may not change: answered as if it did not exist
        assert response.status_code == 404, text(response)[:300]


def test_a_teachers_own_change_is_audited_as_theirs(t2_ready):
    teacher = t2_ready.users["t2"]
    response = call_handler(
        csrf_client(teacher), SELF_ASSESSMENT, "save_draft", {**t2_form(t2_ready), "strengths": "Của chính t2"}
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(evaluation_id=t2_ready.evaluations["t2"]).latest("at", "id")
    assert entry.actor == teacher and entry.after == {"strengths": "Của chính t2"}


# The workbench's other routes: its index, other blocks' scenarios, raw views, the learner list, its
# reset of all state, unauthenticated and aside handlers, package files, its copy of the admin.
UNMOUNTED = [
    "/workbench/",
    "/workbench/reset_state",
    "/workbench/userlist/",
    f"/workbench/view/{SELF_ASSESSMENT}/",
    "/workbench/scenario/thumbs.0/",
    "/workbench/scenario/" + SELF_ASSESSMENT + "/studio_view/",
    "/workbench/unauth_handler/x/y/",
    "/workbench/aside_handler/x/y/",
    "/workbench/resource/temis_self_assessment/static/self_assessment.js",
    "/workbench/jsi18n/",
    "/workbench/admin/",
]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_workbench_mounts_only_the_block_pages_and_handlers(world, workbench_scenarios, method):
    from workbench.models import XBlockState

    for user in (None, world.users["t1"], world.users["admin.s1"]):
        client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_REFERER="/")
        if user is not None:
            client.force_login(user)
        rows = XBlockState.objects.count()
        for path in UNMOUNTED:
            response = send(client, method, path)
            if re.fullmatch(r"/workbench/scenario/[^/]+/", path):  # sign-in, then the method, before the lookup
                if user is None:
                    assert response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL), path
                else:
                    assert response.status_code == (404 if method == "GET" else 405), path
            else:
                assert response.status_code == 404, path
        assert XBlockState.objects.count() == rows  # reset_state would have emptied it


def test_a_learners_page_cannot_call_the_studio_editor(world, workbench_scenarios):
    # The Studio editor's handler changes the block's settings for every learner (its dates, its standard).
    from workbench.models import XBlockState

    before = list(XBlockState.objects.order_by("pk").values_list("pk", "state"))
    response = call_handler(
        csrf_client(world.users["admin.s1"]),
        SELF_ASSESSMENT,
        "submit_studio_edits",
        {"values": {"framework_code": "TT14-2018", "closes_at": "2020-01-01"}, "defaults": []},
    )
    assert response.status_code == 404
    assert list(XBlockState.objects.order_by("pk").values_list("pk", "state")) == before


def test_the_scenario_page_takes_no_post(world, workbench_scenarios):
    assert signed_in(world.users["t1"]).post(site_url("workbench/scenario/<str:scenario_id>/")).status_code == 405


def stored_files(w) -> dict[str, bytes]:
    """Storage name -> a secret in the file, for t1's and the principal's evidence and officer.p1's report."""
    run = ReportRun.objects.get(pk=w.run)
    return {
        Evidence.objects.get(pk=w.evidence).file.name: b"minh-chung-rieng-cua-t1",
        Evidence.objects.get(pk=w.principal_evidence).file.name: b"minh-chung-rieng-cua-hieu-truong",
        run.file.name: run.file.open("rb").read()[-200:],
    }


def test_no_route_serves_the_media_folder(world, workbench_scenarios):
    from django.urls import Resolver404, resolve

    run = ReportRun.objects.get(pk=world.run)
    clients = [
        Client(),
        signed_in(world.users["t1"]),
        signed_in(world.users["officer.p1"]),
        signed_in(world.users["principal"]),
    ]
    for name, secret in stored_files(world).items():
        paths = [
            settings.MEDIA_URL + name,
            "/workbench" + settings.MEDIA_URL + name,
            "/workbench/media/" + name,
            "/static/" + name,
            "/" + name,
        ]
        paths += [f"/workbench/media/temis/reports/{run.pk.hex}.csv", f"{settings.MEDIA_URL}temis/reports/{run.pk}.csv"]
        for path in paths:
            with pytest.raises(Resolver404):
                resolve(path)
            for client in clients:
                response = client.get(path)
                assert response.status_code == 404 and secret not in body(response), path


def test_storage_names_say_nothing_an_url_carries(world):
    # A report file is named by its run id in no form, nor an evidence file by its id: with a name, a
    # misconfigured public bucket or media route would still give nothing away.
    run = ReportRun.objects.get(pk=world.run)
    assert run.file.name and run.pk.hex not in run.file.name.replace("-", "") and str(run.pk) not in run.file.name
    for evidence_id in (world.evidence, world.principal_evidence):
        name = Evidence.objects.get(pk=evidence_id).file.name
        assert name.rsplit("/", 1)[-1].split(".")[0] not in (str(evidence_id), f"{evidence_id:032x}")


# ---------------------------------------------------------------------------------------------
# The LTI workspace: the launch id is the session; each launch reaches its own user's data only


@dataclass
class Launches:
    mine: Launch  # t2 (a mentor of t1 and t3), launched from the registered platform
    other: Launch  # "other" (S2), the mentor of group G2
    foreign: Launch  # t2 again, launched from another registered platform
    anonymous: Launch  # a launch whose claims name no educator
    activity: int  # t2's own activity
    theirs: int  # other's activity


SECRET_TOPIC = "Hoạt động riêng của other"


@pytest.fixture(scope="module")
def keyset_server():
    """One key-set server for the module (open_edx puts each test's platform keys in it): stopping a
    server waits for its poll interval, which would cost every test here half a second."""
    server = KeysetServer()
    yield server
    server.close()


@pytest.fixture
def lti(world, workspace, open_edx):  # noqa: F811
    """t2's real launch from Open edX, copies of it for other users and another platform, and in each
    user's name an activity and a score, so that a page showing the wrong user's data is caught."""
    mine = Launch.objects.get()

    def copy(**changes):
        record = Launch.objects.get(pk=mine.pk)
        record.pk = uuid.uuid4()
        for key, value in changes.items():
            setattr(record, key, value)
        record.save()
        return record

    platform = Platform.objects.create(
        name="Open edX Sở Khác",
        issuer="https://lms.so-khac.example",
        client_id="temis-khac",
        auth_login_url="https://lms.so-khac.example/auth",
        keyset_url="https://lms.so-khac.example/keyset",
    )
    users = world.users
    day = datetime.date(2026, 10, 5)
    own = api.log_support_activity(
        users["t2"],
        "G1",
        date=day,
        duration_minutes=30,
        form="online",
        topic="Hoạt động của t2",
        criteria=[],
        mentee_ids=[world.people["t1"].pk],
    )
    theirs = api.log_support_activity(
        users["other"],
        "G2",
        date=day,
        duration_minutes=30,
        form="online",
        topic=SECRET_TOPIC,
        criteria=[],
        mentee_ids=[world.people["t3"].pk],
        notes="Ghi chép riêng của other",
    )
    for scorer, given in ((users["other"], "7.77"), (users["t2"], "9.25")):
        ScoreSubmission.objects.create(
            platform=mine.platform,
            deployment_id=mine.deployment_id,
            lineitem_url="https://lms.so-gd-mau.example/lineitem/1",
            user_sub="sub-x",
            score_given=given,
            score_maximum="10",
            timestamp=timezone.now(),
            scorer=scorer,
        )
    return Launches(
        mine=mine,
        other=copy(user=users["other"], sub="opaque-sub-other"),
        foreign=copy(platform=platform),
        anonymous=copy(user=None, sub="opaque-sub-unknown"),
        activity=own.id,
        theirs=theirs.id,
    )


@dataclass(frozen=True)
class LaunchProbe:
    launch: str  # an attribute of Launches
    method: str
    route: str
    extra: Callable  # (world, launches) -> reverse() args after the launch id
    status: int
    secrets: tuple
    owner: str = ""  # the launch that sees the secret with the same GET
    data: Callable = lambda w, launches, page: {}


def opinion_form(w, launches, page):
    return {"form_token": token(page), "expected_version": "", **{f"level_{n}": "T" for n in range(1, 16)}}


def theirs(w, launches):
    return [launches.theirs]


def evaluation_of(key):
    return lambda w, launches: [w.evaluations[key]]


def no_args(w, launches):
    return []


SECRET_SCORE = "7.77/10"
LAUNCH_PROBES = [
    pytest.param(
        LaunchProbe("mine", "GET", "temis_lti:activity_edit", theirs, 404, (SECRET_TOPIC,), owner="other"),
        id="mentor-opens-another-mentors-activity",
    ),
    pytest.param(
        LaunchProbe(
            "mine",
            "POST",
            "temis_lti:activity_edit",
            theirs,
            404,
            (SECRET_TOPIC,),
            data=lambda w, launches, page: activity_post(page, w.people, version="1", topic="Đã sửa"),
        ),
        id="mentor-edits-another-mentors-activity",
    ),
    pytest.param(
        LaunchProbe(
            "other",
            "GET",
            "temis_lti:activity_edit",
            lambda w, launches: [launches.activity],
            404,
            ("Hoạt động của t2",),
            owner="mine",
        ),
        id="other-opens-t2s-activity",
    ),
    pytest.param(
        LaunchProbe("mine", "GET", "temis_lti:activities", no_args, 200, (SECRET_TOPIC,), owner="other"),
        id="support-log-lists-own-activities-only",
    ),
    pytest.param(
        LaunchProbe(
            "mine", "GET", "temis_lti:activity_export", lambda w, launches: ["csv"], 200, (SECRET_TOPIC,), owner="other"
        ),
        id="csv-export-has-own-activities-only",
    ),
    pytest.param(
        LaunchProbe(
            "mine",
            "GET",
            "temis_lti:activity_export",
            lambda w, launches: ["xlsx"],
            200,
            (SECRET_TOPIC,),
            owner="other",
        ),
        id="xlsx-export-has-own-activities-only",
    ),
    pytest.param(
        LaunchProbe("mine", "GET", "temis_lti:opinion", evaluation_of("other"), 404, ("Người other",), owner="other"),
        id="opinion-page-of-an-unrelated-teacher",
    ),
    pytest.param(
        LaunchProbe(
            "mine", "POST", "temis_lti:opinion", evaluation_of("other"), 404, ("Người other",), data=opinion_form
        ),
        id="opinion-on-an-unrelated-teacher",
    ),
    pytest.param(
        LaunchProbe("mine", "GET", "temis_lti:opinion", evaluation_of("principal2"), 404, ("Người principal2",)),
        id="opinion-page-of-another-schools-principal",
    ),
    pytest.param(
        LaunchProbe("other", "GET", "temis_lti:opinion", evaluation_of("t1"), 404, ("Người t1",), owner="mine"),
        id="opinion-page-of-another-schools-teacher",
    ),
    pytest.param(
        LaunchProbe("mine", "GET", "temis_lti:scores", no_args, 200, (SECRET_SCORE,), owner="other"),
        id="scores-show-own-submissions-only",
    ),
    pytest.param(
        LaunchProbe("foreign", "GET", "temis_lti:scores", no_args, 200, ("9.25/10",), owner="mine"),
        id="scores-of-another-registration-stay-there",
    ),
    pytest.param(
        LaunchProbe("mine", "GET", "temis_lti:workspace", no_args, 200, ("Người principal2",)),
        id="overview-lists-own-mentees-only",
    ),
    pytest.param(
        LaunchProbe("other", "GET", "temis_lti:workspace", no_args, 200, ("Người t1",), owner="mine"),
        id="overview-of-another-mentor",
    ),
    pytest.param(
        LaunchProbe("mine", "GET", "temis_lti:subject_group", no_args, 403, ("Người t1", "Người t3")),
        id="group-view-for-a-mentor-who-heads-no-group",
    ),
    pytest.param(
        LaunchProbe(
            "mine",
            "POST",
            "temis_lti:deep_link_response",
            no_args,
            403,
            ('name="JWT"',),
            data=lambda w, launches, page: {"choice": "workspace"},
        ),
        id="deep-link-response-from-a-resource-launch",
    ),
    *[
        pytest.param(
            LaunchProbe("anonymous", "GET", route, extra, 403, ("Hoạt động của t2", "Người t1")),
            id=f"launch-without-educator-{route.split(':')[1]}",
        )
        for route, extra in (
            ("temis_lti:activities", no_args),
            ("temis_lti:activity_edit", lambda w, launches: [launches.activity]),
            ("temis_lti:activity_export", lambda w, launches: ["csv"]),
            ("temis_lti:opinion", evaluation_of("t1")),
            ("temis_lti:scores", no_args),
            ("temis_lti:subject_group", no_args),
        )
    ],
]


@pytest.mark.parametrize("probe", LAUNCH_PROBES)
def test_a_launch_reaches_its_own_users_data_only(world, lti, probe):
    record = getattr(lti, probe.launch)
    url = reverse(probe.route, args=[record.pk, *probe.extra(world, lti)])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("temis_lti:activity_new", args=[lti.mine.pk]))  # a form of t2's launch
    before = snapshot()
    data = probe.data(world, lti, page)
    if probe.method == "POST" and probe.launch != "mine":
        data["form_token"] = form_token(record)
    response = send(client, probe.method, url, data)
    assert response.status_code == probe.status, text(response)[:500]
    shown = text(response)
    for secret in probe.secrets:
        assert secret not in shown
    assert snapshot() == before
    if probe.owner:
        owner_url = reverse(probe.route, args=[getattr(lti, probe.owner).pk, *probe.extra(world, lti)])
        seen = text(client.get(owner_url))
        assert any(secret in seen for secret in probe.secrets), "the rightful launch sees none of it"


def test_a_launch_cannot_name_an_educator_the_platform_knows_as_another_user(world, lti, client, open_edx):
    # t2 launched as platform user "opaque-sub-1". Another user of the same platform launches with the
    # custom parameter naming t2, as any course author can make an LTI block send: lti-consumer-xblock
    # sends a block's custom parameters (editable in Studio) after, and over, the parameter processor's.
    # Whatever ties launches to educators, this launch must not open t2's workspace.
    assert lti.mine.sub == "opaque-sub-1" and lti.mine.user == world.users["t2"]
    response = launch(
        client, open_edx, login(client, open_edx, user_id="opaque-sub-author", custom={"temis_educator_id": "ID-t2"})
    )
    assert response.status_code < 500, text(response)[:300]
    record = Launch.objects.filter(sub="opaque-sub-author").first()
    if record is not None:  # else the launch was refused, which is fine
        log = text(client.get(reverse("temis_lti:activities", args=[record.pk])))
        assert "Hoạt động của t2" not in log, "another user of the platform reads t2's support log"
        assert record.user != world.users["t2"], "a launch by another user of the platform was taken for t2"


def launch_args(name, record, lti, world) -> list:
    return {
        "temis_lti:activity_edit": [record.pk, lti.activity],
        "temis_lti:activity_export": [record.pk, "csv"],
        "temis_lti:opinion": [record.pk, world.evaluations["t1"]],
    }.get(name, [record.pk])


# ---------------------------------------------------------------------------------------------
# CSRF: Django's token on the plugin's forms and the API's session POSTs


@dataclass(frozen=True)
class Form:
    actor: str
    page: Callable  # world -> URL of the page that shows the form (and its token)
    action: Callable  # world -> URL the form posts to
    data: Callable  # world -> the form's fields
    status: int  # the answer once the token is there
    done: Callable  # (world, response) -> whether the POST had its effect
    prepare: Callable = lambda w: None


def detail_url(key):
    return lambda w: reverse("temis:final_rating_detail", args=[w.evaluations[key]])


def state_of(w, key) -> Evaluation:
    return Evaluation.objects.get(pk=w.evaluations[key])


def finalize_t3(w):
    api.finalize_evaluation(w.users["principal"], w.evaluations["t3"], w.version("t3"), levels=ALL_K)


def accept_t3(w):
    api.accept_self_levels_as_final(w.users["principal"], [w.evaluations["t3"]])


def fail_the_run(w):
    ReportRun.objects.filter(pk=w.run).update(status="failed", progress=40)


LIST_URL = lambda w: reverse("temis:final_rating")  # noqa: E731
FORMS = [
    pytest.param(
        Form(
            "principal",
            LIST_URL,
            LIST_URL,
            bulk("accept", "t3"),
            200,
            lambda w, r: state_of(w, "t3").final_levels != "",
        ),
        id="final-list-bulk-accept",
    ),
    pytest.param(
        Form(
            "principal",
            LIST_URL,
            LIST_URL,
            bulk("finalize", "t3"),
            200,
            lambda w, r: state_of(w, "t3").state == "finalized",
            prepare=accept_t3,
        ),
        id="final-list-bulk-finalize",
    ),
    pytest.param(
        Form(
            "principal",
            detail_url("t1"),
            detail_url("t1"),
            levels_form("t1", "save"),
            303,
            lambda w, r: state_of(w, "t1").final_comment == "Ghi chú",
        ),
        id="final-detail-save",
    ),
    pytest.param(
        Form(
            "principal",
            detail_url("t1"),
            detail_url("t1"),
            levels_form("t1", "finalize"),
            303,
            lambda w, r: state_of(w, "t1").state == "finalized",
        ),
        id="final-detail-finalize",
    ),
    pytest.param(
        Form(
            "principal",
            detail_url("t3"),
            detail_url("t3"),
            lambda w: {
                "action": "reopen",
                "mode": "reopen",
                "reason": "Nhập nhầm",
                "expected_version": w.version("t3"),
            },
            303,
            lambda w, r: state_of(w, "t3").state != "finalized",
            prepare=finalize_t3,
        ),
        id="final-detail-reopen",
    ),
    pytest.param(
        Form(
            "officer.x1",
            detail_url("principal"),
            detail_url("principal"),
            levels_form("principal", "finalize"),
            303,
            lambda w, r: state_of(w, "principal").state == "finalized",
        ),
        id="final-detail-by-a-superior",
    ),
    pytest.param(
        Form(
            "officer.p1",
            lambda w: reverse("temis:reports"),
            lambda w: reverse("temis:report_run_start"),
            lambda w: {"kind": "aggregate", "format": "csv", "scope": "X1"},
            303,
            lambda w, r: ReportRun.objects.count() == 2,
        ),
        id="report-run-start",
    ),
    pytest.param(
        Form(
            "officer.p1",
            lambda w: reverse("temis:report_run", args=[w.run]),
            lambda w: reverse("temis:report_run_retry", args=[w.run]),
            lambda w: {},
            303,
            lambda w, r: ReportRun.objects.get(pk=w.run).status == "queued",
            prepare=fail_the_run,
        ),
        id="report-run-retry",
    ),
    # The home page takes a POST too (it has no method check): the CSRF middleware refuses it unsigned.
    pytest.param(
        Form(
            "t1",
            lambda w: reverse("temis:home"),
            lambda w: reverse("temis:home"),
            lambda w: {},
            200,
            lambda w, r: "Người t1" in text(r),
        ),
        id="home",
    ),
    # Not a view of ours, but the language switch on every page of ours posts to it.
    pytest.param(
        Form(
            "t1",
            lambda w: reverse("temis:home"),
            lambda w: reverse("set_language"),
            lambda w: {"language": "en", "next": reverse("temis:home")},
            302,
            lambda w, r: (
                r.cookies.get(settings.LANGUAGE_COOKIE_NAME) is not None
                and r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
            ),
        ),
        id="language-switch",
    ),
]


def csrf_token_of(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(page)).group(1)


@pytest.mark.parametrize("form", FORMS)
def test_every_form_needs_the_csrf_token(world, form):
    client = signed_in(world.users[form.actor], enforce_csrf_checks=True)
    form.prepare(world)
    page = client.get(form.page(world))
    assert page.status_code == 200
    csrf = csrf_token_of(page)
    action, data = form.action(world), form.data(world)
    before = snapshot()
    for forged in (None, "x" * 64):
        response = client.post(action, data if forged is None else {**data, "csrfmiddlewaretoken": forged})
        assert response.status_code == 403 and b"CSRF" in response.content
        assert snapshot() == before and not form.done(world, response)
    response = client.post(action, {**data, "csrfmiddlewaretoken": csrf})
    assert response.status_code == form.status, text(response)[:500]
    assert form.done(world, response)


@pytest.mark.parametrize("route", ["temis:api:report-runs", "temis:api:report-run-retry"])
def test_api_posts_with_a_session_need_the_csrf_token(world, route):
    client = signed_in(world.users["officer.p1"], APIClient, enforce_csrf_checks=True)
    fail_the_run(world)
    url = reverse(route, args=[world.run] if route.endswith("retry") else [])
    data = {"kind": "aggregate", "format": "csv", "scope": "P1"} if route.endswith("runs") else None
    before = snapshot()
    for header in ({}, {"HTTP_X_CSRFTOKEN": "x" * 64}):
        response = client.post(url, data, format="json", **header)
        assert response.status_code == 403 and "CSRF" in response.json()["detail"]
        assert snapshot() == before
    csrf = csrf_token_of(client.get(reverse("temis:reports")))
    response = client.post(url, data, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 202 and response.json()["status"] == "queued"


# ---------------------------------------------------------------------------------------------
# The LTI workspace's forms: the per-launch form token instead of the CSRF cookie


def edit_form(w, launches, page):
    return activity_post(page, w.people, version="1", mentee_ids=[str(w.people["t1"].pk)], notes="Sửa ghi chú")


def new_form(w, launches, page):
    return activity_post(page, w.people, mentee_ids=[str(w.people["t1"].pk)], topic="Hoạt động mới")


def revised_opinion(w, launches, page):
    version = re.search(r'name="expected_version" value="(\d*)"', text(page)).group(1)
    return {"form_token": token(page), "expected_version": version, **{f"level_{n}": "D" for n in range(1, 16)}}


def score_form(w, launches, page):
    # Without an AGS claim the page shows no score form, so the token is the one its other forms carry.
    return {"form_token": form_token(launches.mine), "mentee": str(w.people["t1"].pk), "score": "8", "maximum": "10"}


@dataclass(frozen=True)
class LaunchForm:
    route: str
    extra: Callable  # (world, launches) -> reverse() args after the launch id
    data: Callable  # (world, launches, page) -> the form with its token
    status: int  # the answer with the right token
    done: Callable  # (world, launches, answer) -> whether the POST had its effect


LAUNCH_FORMS = {
    "activity_new": LaunchForm(
        "temis_lti:activity_new",
        no_args,
        new_form,
        303,
        lambda w, launches, r: SupportActivity.objects.filter(topic="Hoạt động mới").exists(),
    ),
    "activity_edit": LaunchForm(
        "temis_lti:activity_edit",
        lambda w, launches: [launches.activity],
        edit_form,
        303,
        lambda w, launches, r: SupportActivity.objects.get(pk=launches.activity).notes == "Sửa ghi chú",
    ),
    "opinion": LaunchForm(
        "temis_lti:opinion",
        evaluation_of("t1"),
        revised_opinion,
        200,
        lambda w, launches, r: ColleagueOpinion.objects.filter(
            evaluation_id=w.evaluations["t1"], levels__startswith="D"
        ).exists(),
    ),
    # This launch has no AGS claim, so it cannot send scores: with its token the view answers that, and
    # records nothing.
    "scores": LaunchForm(
        "temis_lti:scores",
        no_args,
        score_form,
        200,
        lambda w, launches, r: "does not let the tool send scores" in text(r),
    ),
}


def forgeries(real: str, lti) -> dict:
    """The form token as a forger could send it (None: left out)."""
    return {
        "missing": None,
        "empty": "",
        "tampered": real[:-1] + ("1" if real.endswith("0") else "0"),
        "from another launch": form_token(lti.other),
        "the launch id itself": str(lti.mine.pk),
    }


@pytest.mark.parametrize("form", list(LAUNCH_FORMS))
def test_workspace_forms_need_this_launchs_form_token(world, lti, form):
    spec = LAUNCH_FORMS[form]
    url = reverse(spec.route, args=[lti.mine.pk, *spec.extra(world, lti)])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(url)
    assert page.status_code == 200
    data = spec.data(world, lti, page)
    assert data["form_token"] == form_token(lti.mine)
    before = snapshot()
    for forgery, value in forgeries(data["form_token"], lti).items():
        forged = {key: item for key, item in data.items() if key != "form_token"}
        if value is not None:
            forged["form_token"] = value
        response = client.post(url, forged)
        assert response.status_code == 403 and "did not come from this workspace" in text(response), forgery
        assert snapshot() == before and not spec.done(world, lti, response), forgery
    response = client.post(url, data)
    assert response.status_code == spec.status, text(response)[:500]
    assert spec.done(world, lti, response)
