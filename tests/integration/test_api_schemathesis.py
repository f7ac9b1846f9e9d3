"""Requests generated from the REST API's OpenAPI schema, sent as a province officer.

Every answer must be documented (status, content type, headers, body) and none may be a server error.
"""

import hashlib

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from temis_plugin import api
from temis_plugin.models import ReportRun, RoleAssignment

from .test_report_api import build_data

pytestmark = pytest.mark.usefixtures("media_root")  # report files in a folder of each test's own

SCHEMA_URL = "/temis/api/v1/schema/"
# A CSRF secret of our own, sent as cookie and header, as a browser page of the LMS does.
CSRF_TOKEN = "schemathesisschemathesisschemat0"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def officer_cookies(transactional_db, school_tree, people, cycle, make_user):
    # Committed data: the real WSGI handler closes the database connection after each request, and
    # report runs start when their request commits, as in production.
    build_data(school_tree, people, cycle, make_user)
    client = Client()
    client.force_login(
        RoleAssignment.objects.get(role="province_officer", unit__code="P1", user__username="province").user
    )
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_TOKEN}


@pytest.fixture
def run_ids(officer_cookies):
    """Runs of the officer in every state, and one of another officer, for the operations on a run."""
    officer = RoleAssignment.objects.get(user__username="province").user
    other = RoleAssignment.objects.get(user__username="province2").user
    ids = []
    for user, kind, file_format in [
        (officer, "aggregate", "xlsx"),
        (officer, "aggregate", "json"),
        (officer, "school_summary", "csv"),
        (officer, "mentoring", "csv"),
        (officer, "satisfaction", "csv"),
        (other, "aggregate", "csv"),
    ]:
        # Committed at once: the task runs before the call returns (no broker in the tests).
        ids.append(api.request_report_file(user, kind, file_format, scope_code="P1").id)
    ReportRun.objects.filter(pk=ids[3]).update(status=ReportRun.Status.FAILED)
    ReportRun.objects.filter(pk=ids[4]).update(status=ReportRun.Status.QUEUED)
    return ids


def with_known_run(case, run_ids):
    """Most generated run ids name no run; send most cases to a real one instead, chosen by the generated id."""
    generated = (case.path_parameters or {}).get("run_id")
    if generated is not None:
        choice = int(hashlib.sha256(str(generated).encode()).hexdigest(), 16) % (len(run_ids) + 1)
        if choice < len(run_ids):
            case.path_parameters["run_id"] = run_ids[choice]
    return case


# The schema is served by the site itself (no database needed), read once when the tests are collected.
schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())
# Bounded: the schema's examples and 25 generated cases per operation, not every boundary combination.
schema.config.phases.coverage.enabled = False


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_generated_requests_get_documented_answers_and_no_server_error(case, officer_cookies, run_ids):
    response = with_known_run(case, run_ids).call(cookies=officer_cookies, headers={"X-CSRFToken": CSRF_TOKEN})
    case.validate_response(response, checks=CHECKS)
