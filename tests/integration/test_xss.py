"""XSS attempts in every free-text field, written through the entry point people use, then looked for in
every page, block fragment, JSON answer and file that shows the field.

Each field holds one value: a spreadsheet formula, the field's name in brackets (so that a finding names its
field), then every payload: a script element, an attribute break-out, a textarea break-out, a break-out of
JSON inside a <script>, a javascript: URL. A place passes when nothing of the value is live there (no raw
payload in the HTML, no event-handler attribute, no script that runs it, no javascript: link, JSON inside a
<script> that stays JSON, no formula in a spreadsheet cell) and when the value IS there, escaped, so that a
field missing from a place cannot pass for a safe one.
"""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

import lxml.html
import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils import translation
from lxml import etree
from webob import Request

from lti.models import Launch, Platform
from temis_plugin import api
from temis_plugin.catalog import load_training_modules
from temis_plugin.errors import InvalidInput
from temis_plugin.models import (
    AuditEntry,
    ColleagueOpinion,
    EducatorProfile,
    Evaluation,
    Evidence,
    RoleAssignment,
    SupportActivity,
    SurveyResponse,
    TrainingModule,
)
from tests.integration.test_final_rating import PDF, detail
from tests.integration.test_report_api import body
from tests.integration.test_report_pages import report_url, start
from tests.lti.conftest import educator_custom, keyset_server, launch, login, open_edx, platform_pem  # noqa: F401 (fixtures)
from tests.lti.test_workspace import token
from tests.report_data import TT20, officer
from tests.xblocks.conftest import BlockHarness

# ---------------------------------------------------------------------------------------------
# Payloads

HTML_PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "</script><script>alert(1)</script>",
)
SCRIPT_URL = "javascript:alert(1)"
# A spreadsheet runs a cell that starts with one of these as a formula (or a DDE command).
FORMULAS = (
    '=HYPERLINK("http://x.invalid/","y")',
    "+cmd|' /C calc'!A0",
    "-1+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A URL holds no spaces: a link carries its break-outs without them.
URL_PAYLOADS = ('"><svg/onload=alert(1)>', "</textarea><svg/onload=alert(1)>", "</script><script>alert(1)</script>")
RAW = HTML_PAYLOADS + URL_PAYLOADS


def text_value(field: str, formula: str) -> str:
    return f"{formula} [{field}] {' '.join(HTML_PAYLOADS)} {SCRIPT_URL}"


# ---------------------------------------------------------------------------------------------
# The inventory: every free-text field, and the entry point that writes it here

FIELDS = {
    # Organisation and people: the roster import (.csv files uploaded on the admin's roster page)
    "province.name": "roster import, units.name",
    "commune.name": "roster import, units.name",
    "school.name": "roster import, units.name",
    "subject_group.name": "roster import, units.name",
    "teacher.full_name": "roster import, educators.full_name",
    "mentor.full_name": "roster import, educators.full_name",
    "teacher.subject": "roster import, educators.subject",
    "mentor_group.name": "roster import, mentor_groups.group_name",
    # Set up in the admin
    "cycle.name": "admin, cycle change form",
    "module.name": "admin, training module change form (name_vi and name_en)",
    "module.legal_basis": "admin, training module change form",
    "platform.name": "admin, LTI platform change form",
    # The self-assessment block's handlers
    "evaluation.strengths": "self-assessment block, save_draft",
    "evaluation.improvements": "self-assessment block, save_draft",
    "plan.goals": "self-assessment block, save_draft",
    "plan.content": "self-assessment block, save_draft",
    "plan.timeline": "self-assessment block, save_draft",
    "plan.conditions": "self-assessment block, save_draft",
    "evidence.name": "self-assessment block, add_evidence",
    "evidence.description": "self-assessment block, add_evidence",
    "evidence.url": "self-assessment block, add_evidence (an http(s) link; script URLs are refused)",
    "evidence.filename": "self-assessment block, add_evidence (the uploaded file's name)",
    # Block settings, as Studio saves them (submit_studio_edits)
    "self_assessment.display_name": "Studio, self-assessment block settings",
    "self_assessment.instructions": "Studio, self-assessment block settings",
    "survey.display_name": "Studio, survey block settings",
    "survey.introduction": "Studio, survey block settings",
    # The satisfaction survey block's handler
    "survey.comment": "survey block, submit",
    # The mentor tool (LTI workspace forms)
    "opinion.strengths": "LTI colleague-opinion form",
    "opinion.improvements": "LTI colleague-opinion form",
    "support.topic": "LTI support-log form",
    "support.notes": "LTI support-log form",
    "support.next_steps": "LTI support-log form",
    "score.comment": "LTI scores form (sent to the platform; shown back when a score is refused)",
    # The head's final-rating page
    "final.comment": "final-rating page, save and finalize",
    "reopen.reason": "final-rating page, reopen",
}
# "=" starts a formula in .xlsx as in .csv; "+", "-" and "@" in .csv: each start reaches a file.
FORMULA_OF = {
    "province.name": 0,
    "commune.name": 0,
    "school.name": 0,
    "teacher.full_name": 0,
    "support.topic": 0,
    "mentor.full_name": 1,
    "module.name": 1,
    "support.notes": 1,
    "teacher.subject": 2,
    "support.next_steps": 2,
    "subject_group.name": 3,
    "mentor_group.name": 3,
}
VALUES = {
    field: text_value(field, FORMULAS[FORMULA_OF.get(field, index) % len(FORMULAS)])
    for index, field in enumerate(FIELDS)
}
VALUES["evidence.url"] = (
    "https://example.org/evidence.url/</textarea><svg/onload=alert(1)>"
    '?q="><svg/onload=alert(1)>#</script><script>alert(1)</script>'
)
# Only the last path component of a file name is kept, and the extension gives the type.
VALUES["evidence.filename"] = 'evidence.filename"><img src=x onerror=alert(1)>.pdf'
# A cycle's name and a subject hold 100 characters: the two break-outs that contain the other payloads.
VALUES["cycle.name"] = f"=1+1 [cycle.name] {HTML_PAYLOADS[3]} {HTML_PAYLOADS[1]}"
VALUES["teacher.subject"] = f"-2+3 [teacher.subject] {HTML_PAYLOADS[3]} {HTML_PAYLOADS[1]}"

# Every text column of the plugin's and the tool's models: the field above that covers it, or none (below).
COLUMNS = {
    "OrgUnit.name": "school.name",
    "Cycle.name": "cycle.name",
    "TrainingModule.name_vi": "module.name",
    "TrainingModule.name_en": "module.name",
    "TrainingModule.legal_basis": "module.legal_basis",
    "EducatorProfile.full_name": "teacher.full_name",
    "EducatorProfile.subject": "teacher.subject",
    "MentorGroup.name": "mentor_group.name",
    "Evaluation.strengths": "evaluation.strengths",
    "Evaluation.improvements": "evaluation.improvements",
    "Evaluation.plan_goals": "plan.goals",
    "Evaluation.plan_content": "plan.content",
    "Evaluation.plan_timeline": "plan.timeline",
    "Evaluation.plan_conditions": "plan.conditions",
    "Evaluation.final_comment": "final.comment",
    "Evidence.name": "evidence.name",
    "Evidence.description": "evidence.description",
    "Evidence.url": "evidence.url",
    "Evidence.original_filename": "evidence.filename",
    "ColleagueOpinion.strengths": "opinion.strengths",
    "ColleagueOpinion.improvements": "opinion.improvements",
    "AuditEntry.reason": "reopen.reason",
    "SupportActivity.topic": "support.topic",
    "SupportActivity.notes": "support.notes",
    "SupportActivity.next_steps": "support.next_steps",
    "SurveyResponse.comment": "survey.comment",
    "Platform.name": "platform.name",
    "ScoreSubmission.comment": "score.comment",
}
NOT_FREE_TEXT = {
    # Codes and identifiers (of units, people, courses, other systems' records)
    "OrgUnit.code",
    "Cycle.code",
    "TrainingModule.code",
    "EducatorProfile.national_id",
    "MentorGroup.code",
    "CourseModule.course_key",
    "ModuleResult.course_key",
    "Platform.issuer",
    "Platform.client_id",
    "Deployment.deployment_id",
    "LoginState.state",
    "LoginState.nonce",
    "Launch.deployment_id",
    "Launch.sub",
    "Launch.context_id",
    "Launch.resource_link_id",
    "ScoreSubmission.deployment_id",
    "ScoreSubmission.user_sub",
    "CourseMember.context_id",
    "CourseMember.user_sub",
    "ToolKey.kid",
    # Values the code writes or checks against a closed list: paths, packed levels, framework data, states
    "OrgUnit.path",
    "OrgUnit.school_levels",
    "TrainingModule.status",
    "Evaluation.framework_code",
    "Evaluation.legal_basis",
    "Evaluation.self_levels",
    "Evaluation.final_levels",
    "Evidence.content_type",
    "ColleagueOpinion.levels",
    "AuditEntry.action",
    "AuditEntry.target",
    "ReportRun.kind",
    "ReportRun.file_format",
    "ReportRun.framework_code",
    "ReportRun.template_code",
    "ReportRun.sha256",
    "ReportRun.error",
    "RosterImport.table",
    "RosterImport.language",
    "RosterImport.error",
    # The name of an uploaded roster file, shown only to the staff member who uploaded it, by the
    # admin's auto-escaping templates (the file's own cells are checked through the refusal page).
    "RosterImport.file_name",
    "ToolKey.private_key_pem",
    "ScoreSubmission.last_error",
    "CourseMember.status",
    "Launch.message_type",
    # Endpoints of a platform, typed by an administrator and called by the tool
    "Platform.auth_login_url",
    "Platform.auth_token_url",
    "Platform.keyset_url",
    "LoginState.target_link_uri",
    "ScoreSubmission.lineitem_url",
    # The platform's name for a course member: kept to match the roster, shown on no page
    "CourseMember.name",
}


# ---------------------------------------------------------------------------------------------
# Writing every field through its entry point

SA_OLX = '<temis_self_assessment display_name="Tự đánh giá" framework_code="TT20-2018"/>'
SURVEY_OLX = '<temis_programme_survey module_code="GVPT-09"/>'
ANSWERS = {"content": 5, "materials": 4, "support": 3, "usefulness": 5}
ALL_T = {str(n): "T" for n in range(1, 16)}
ALL_K = {str(n): "K" for n in range(1, 16)}
ADMIN_IMPORT = "/admin/temis_plugin/orgunit/import/"


def csv_file(name, header, rows) -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8"), "text/csv")


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def import_roster(staff, cycle):
    """Units, educators and a mentor group with the payloads as names, uploaded on the admin's roster page."""
    v = VALUES
    files = [
        csv_file(
            "units.csv",
            ["code", "name", "kind", "parent_code", "school_levels"],
            [
                ["P1", v["province.name"], "province", "BO", ""],
                ["X1", v["commune.name"], "commune", "P1", ""],
                ["S1", v["school.name"], "school", "X1", "TH,THCS"],
                ["S1-TOAN", v["subject_group.name"], "subject_group", "S1", ""],
            ],
        ),
        csv_file(
            "educators.csv",
            [
                "national_id",
                "full_name",
                "username",
                "school_code",
                "subject_group_code",
                "position",
                "subject",
                "school_level",
                "level_start_date",
                "is_core_teacher",
            ],
            [
                [
                    "ID-t1",
                    v["teacher.full_name"],
                    "",
                    "S1",
                    "S1-TOAN",
                    "teacher",
                    v["teacher.subject"],
                    "TH",
                    "2010-09-05",
                    "",
                ],
                ["ID-t2", v["mentor.full_name"], "", "S1", "S1-TOAN", "teacher", "Toán", "TH", "2012-09-05", "x"],
                ["ID-t4", v["teacher.full_name"], "t4", "S1", "S1-TOAN", "teacher", "Toán", "TH", "", ""],
            ],
        ),
        csv_file(
            "mentor_groups.csv",
            ["cycle", "group_code", "group_name", "mentor_national_id", "member_national_id"],
            [
                [cycle.code, "MG1", v["mentor_group.name"], "ID-t2", "ID-t1"],
                [cycle.code, "MG1", v["mentor_group.name"], "ID-t2", "ID-t4"],
            ],
        ),
    ]
    from django.test import TestCase

    for upload in files:
        # The upload starts a background import (in-process here) whose page tells the outcome.
        with TestCase.captureOnCommitCallbacks(execute=True):
            page = staff.post(ADMIN_IMPORT, {"file": upload})
        assert page.status_code == 302, upload.name
        page = staff.get(page["Location"])
        assert page.status_code == 200 and "The roster was imported." in page.content.decode(), upload.name


def admin_save(staff, path, data):
    """Post an admin form and follow it to the list, where the admin names what it saved."""
    response = staff.post(f"/admin/{path}", {**data, "_save": "Save"}, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    return response


def save_cycle(staff, cycle):
    return admin_save(
        staff,
        f"temis_plugin/cycle/{cycle.pk}/change/",
        {
            "code": cycle.code,
            "name": VALUES["cycle.name"],
            "starts_on": cycle.starts_on.isoformat(),
            "ends_on": cycle.ends_on.isoformat(),
            "self_assessment_closes_on": "",
            "is_current": "on",
        },
    )


def set_up_in_admin(staff, cycle):
    """The cycle's, a training module's and the LTI platform's texts, through their admin forms."""
    save_cycle(staff, cycle)
    module = TrainingModule.objects.get(code="GVPT-09")
    admin_save(
        staff,
        f"temis_plugin/trainingmodule/{module.pk}/change/",
        {
            "code": module.code,
            "name_vi": VALUES["module.name"],
            "name_en": VALUES["module.name"],
            "audience": module.audience,
            "hours": module.hours or "",
            "legal_basis": VALUES["module.legal_basis"],
            "criteria": json.dumps(module.criteria),
            "status": module.status,
        },
    )
    admin_save(
        staff, "temis_plugin/coursemodule/add/", {"course_key": "course-v1:SoGD+GVPT09+2026", "module": module.pk}
    )
    platform = Platform.objects.get()
    deployment = platform.deployments.get()
    admin_save(
        staff,
        f"temis_lti/platform/{platform.pk}/change/",
        {
            "name": VALUES["platform.name"],
            "issuer": platform.issuer,
            "client_id": platform.client_id,
            "auth_login_url": platform.auth_login_url,
            "auth_token_url": platform.auth_token_url,
            "keyset_url": platform.keyset_url,
            "deployments-TOTAL_FORMS": "1",
            "deployments-INITIAL_FORMS": "1",
            "deployments-MIN_NUM_FORMS": "0",
            "deployments-MAX_NUM_FORMS": "1000",
            "deployments-0-id": deployment.pk,
            "deployments-0-platform": platform.pk,
            "deployments-0-deployment_id": deployment.deployment_id,
        },
    )


def ok(answer):
    status, data = answer
    assert status == 200, data
    return data


def self_assessment(username, *, levels, texts=True, evidence=(), submit=False, settings=False) -> BlockHarness:
    """A teacher's self-assessment through the block's handlers (with ``settings``, its Studio settings too)."""
    block = BlockHarness(SA_OLX, username)
    if settings:
        ok(
            block.json(
                "submit_studio_edits",
                {
                    "values": {
                        "display_name": VALUES["self_assessment.display_name"],
                        "instructions": VALUES["self_assessment.instructions"],
                    },
                    "defaults": [],
                },
            )
        )
    block.html()  # opening the block creates the evaluation
    evaluation = Evaluation.objects.get(pk=block.block.evaluation_id)
    version = evaluation.version
    for kind in evidence:
        fields = {"name": VALUES["evidence.name"], "description": VALUES["evidence.description"]}
        if kind == "link":
            item = ok(block.upload("add_evidence", {**fields, "url": VALUES["evidence.url"]}))
        else:
            item = ok(block.upload("add_evidence", fields, (VALUES["evidence.filename"], PDF)))
        version = ok(
            block.json(
                "link_evidence",
                {"id": evaluation.id, "version": version, "evidence_id": item["id"], "criteria": [1, 2]},
            )
        )["version"]
    draft = {"id": evaluation.id, "version": version, "levels": levels}
    if texts:
        draft.update(
            {
                "strengths": VALUES["evaluation.strengths"],
                "improvements": VALUES["evaluation.improvements"],
                "plan": {key: VALUES[f"plan.{key}"] for key in ("goals", "content", "timeline", "conditions")},
                "need_criteria": [1],
                "need_modules": ["GVPT-09"],
            }
        )
    version = ok(block.json("save_draft", draft))["version"]
    if submit:
        ok(block.json("submit", {"id": evaluation.id, "version": version}))
    return block


def survey_block(username) -> BlockHarness:
    block = BlockHarness(SURVEY_OLX, username)
    ok(
        block.json(
            "submit_studio_edits",
            {
                "values": {
                    "display_name": VALUES["survey.display_name"],
                    "introduction": VALUES["survey.introduction"],
                },
                "defaults": [],
            },
        )
    )
    ok(block.json("submit", {"answers": ANSWERS, "comment": VALUES["survey.comment"]}))
    return block


def launch_workspace(client, consumer) -> str:
    """The core teacher t2 opens the tool from the LMS, on a link with a gradebook line item (scores)."""
    consumer.enable_ags(
        lineitems_url="https://lms.so-gd-mau.example/ags/lineitems",
        lineitem_url="https://lms.so-gd-mau.example/ags/lineitems/1",
    )
    response = launch(client, consumer, login(client, consumer, custom=educator_custom("ID-t2")))
    assert response.status_code == 200, response.content.decode()[:2000]
    client.cookies.clear()  # the iframe may get no cookie of ours: nothing below needs one
    return f"/temis/lti/workspace/{Launch.objects.latest('created').id}/"


def give_opinion(client, workspace, evaluation_id):
    url = f"{workspace}opinions/{evaluation_id}/"
    response = client.post(
        url,
        {
            "form_token": token(client.get(url)),
            "expected_version": "",
            "strengths": VALUES["opinion.strengths"],
            "improvements": VALUES["opinion.improvements"],
            **{f"level_{n}": "T" for n in range(1, 16)},
        },
    )
    assert response.status_code == 200 and "Your opinion was saved." in response.content.decode()


def log_activity(client, workspace, mentee_ids):
    url = workspace + "activities/new/"
    response = client.post(
        url,
        {
            "form_token": token(client.get(url)),
            "group": "MG1",
            "date": "2026-10-05",
            "duration_minutes": "45",
            "form": "in_person",
            "topic": VALUES["support.topic"],
            "criteria": ["3", "4"],
            "mentee_ids": [str(pk) for pk in mentee_ids],
            "notes": VALUES["support.notes"],
            "next_steps": VALUES["support.next_steps"],
        },
    )
    assert response.status_code == 303, response.content.decode()[:3000]


def head_post(head, evaluation_id, action, **fields):
    version = Evaluation.objects.get(pk=evaluation_id).version
    response = head.post(detail(evaluation_id), {"action": action, "expected_version": version, **fields})
    assert response.status_code == 303, response.content.decode()[:3000]


@dataclass
class World:
    people: dict
    evaluations: dict  # t1 finalized (after a reopening), t4 with the head's saved comment, t2 a draft
    blocks: dict
    workspace: str  # the URL of t2's launch
    lti: Client  # cookie-less, as in the LMS's iframe
    clients: dict  # signed in: head, officer, staff, t1, t2
    capture: Callable  # django_capture_on_commit_callbacks: report files are made on commit


@pytest.fixture
def world(cycle, people, school_tree, make_user, open_edx, client, media_root, django_capture_on_commit_callbacks):
    """Every field of the inventory written with its payload value, by the people who write it."""
    from workbench import scenarios

    scenarios.init_scenarios()  # the workbench keeps its scenarios' settings in rows of this test's database
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    load_training_modules()
    staff = signed_in(make_user("root", is_staff=True, is_superuser=True))
    make_user("t4")
    import_roster(staff, cycle)
    set_up_in_admin(staff, cycle)
    people = {key: EducatorProfile.objects.get(pk=p.pk) for key, p in people.items()}
    people["t4"] = EducatorProfile.objects.get(national_id="ID-t4")
    RoleAssignment.objects.create(user=people["t2"].user, role="subject_group_head", unit=school_tree["S1-TOAN"])

    blocks = {
        "t1": self_assessment("t1", levels=ALL_T, evidence=("link", "file"), submit=True),
        "t4": self_assessment("t4", levels=ALL_K, texts=False, submit=True),
        "t2": self_assessment("t2", levels={"1": "T"}, evidence=("link",), settings=True),
        "survey": survey_block("t1"),
    }
    evaluations = {key: blocks[key].block.evaluation_id for key in ("t1", "t2", "t4")}

    workspace = launch_workspace(client, open_edx)
    give_opinion(client, workspace, evaluations["t1"])
    give_opinion(client, workspace, evaluations["t4"])
    log_activity(client, workspace, [people["t1"].pk, people["t4"].pk])

    head = signed_in(people["principal"].user)
    all_t = {f"level_{n}": "T" for n in range(1, 16)}
    head_post(head, evaluations["t1"], "finalize", comment=VALUES["final.comment"], **all_t)
    head_post(head, evaluations["t1"], "reopen", mode="reopen", reason=VALUES["reopen.reason"])
    head_post(head, evaluations["t1"], "finalize", comment=VALUES["final.comment"], **all_t)
    head_post(
        head, evaluations["t4"], "save", comment=VALUES["final.comment"], **{f"level_{n}": "K" for n in range(1, 16)}
    )
    evaluations = {key: Evaluation.objects.get(pk=pk) for key, pk in evaluations.items()}
    assert [evaluations[key].state for key in ("t1", "t4", "t2")] == ["finalized", "opinions", "draft"]

    return World(
        people=people,
        evaluations=evaluations,
        blocks=blocks,
        workspace=workspace,
        lti=client,
        clients={
            "head": head,
            "officer": signed_in(officer(make_user, school_tree["P1"])),
            "staff": staff,
            "t1": signed_in(people["t1"].user),
            "t2": signed_in(people["t2"].user),
        },
        capture=django_capture_on_commit_callbacks,
    )


# ---------------------------------------------------------------------------------------------
# What a place shows, and what is checked there

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
JSON_SCRIPT_TYPES = {"application/json", "json/xblock-args", "application/ld+json"}


@dataclass
class Html:
    text: str


@dataclass
class Json:
    text: str
    content_type: str | None = None  # None: data handed to a runtime, not an HTTP answer
    content_type_options: str | None = None


@dataclass
class Rows:
    rows: list


@dataclass
class Workbook:
    data: bytes


@dataclass
class Download:
    response: object


def page(response, status=200) -> Html:
    assert response.status_code == status, (response.status_code, response.content.decode()[:300])
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    return Html(response.content.decode())


def answer(response) -> Json:
    assert response.status_code == 200, (response.status_code, body(response)[:300])
    return Json(body(response).decode(), response["Content-Type"], response.get("X-Content-Type-Options", ""))


def csv_rows(data: bytes) -> Rows:
    return Rows(list(csv.reader(io.StringIO(data.decode("utf-8-sig")))))


def marked(text) -> bool:
    """Whether a text carries a payload value (each names its field)."""
    return isinstance(text, str) and any(field in text for field in FIELDS)


def field_before(text: str, at: int) -> str:
    """The field whose value holds the text at ``at``: the nearest field name before it."""
    window = text[max(0, at - 400) : at]
    return max(FIELDS, key=lambda field: window.rfind(field)) if marked(window) else "?"


def html_problems(html: str, fields) -> list[str]:
    found = []
    for fragment in RAW:
        at = html.find(fragment)
        if at >= 0:
            found.append(f"{field_before(html, at)}: raw {fragment!r} in …{html[max(0, at - 100) : at]}…")
    root = lxml.html.document_fromstring(html)
    shown = []
    for element in root.iter(etree.Element):
        for name, value in element.attrib.items():
            shown.append(value)
            if name.lower().startswith("on"):
                found.append(f"<{element.tag} {name}={value!r}>: an event handler from the data")
            if name.lower() in URL_ATTRIBUTES and "".join(value.split()).lower().startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                found.append(f"<{element.tag} {name}={value!r}>: a script URL")
    for script in root.iter("script"):
        code = script.text or ""
        if "alert(" not in code:
            continue
        if (script.get("type") or "").lower() not in JSON_SCRIPT_TYPES:
            found.append(f"<script> runs {code[:160]!r}")
            continue
        if "<" in code:  # "</script" ends the element, "<!--" changes how it is read
            found.append(f"JSON in <script> keeps a raw '<': {code[max(0, code.find('<') - 80) :][:200]!r}")
        try:
            json.loads(code)
        except ValueError:
            found.append(f"JSON in <script> is cut short: {code[-160:]!r}")
    text = lxml.html.document_fromstring(html)
    etree.strip_elements(text, "script", "style", with_tail=False)
    shown.append(text.text_content())
    shown = "\n".join(shown)
    return list(dict.fromkeys(found)) + [f"{field}: not shown" for field in fields if VALUES[field] not in shown]


def strings_in(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(data, (list, tuple)):
        for value in data:
            yield from strings_in(value)


def json_problems(shown: Json, fields) -> list[str]:
    found = []
    if shown.content_type is not None:
        if shown.content_type.split(";")[0].strip() != "application/json":
            found.append(f"Content-Type {shown.content_type!r}, not application/json")
        if shown.content_type_options is not None and shown.content_type_options != "nosniff":
            found.append("no X-Content-Type-Options: nosniff (a browser may read the JSON as HTML)")
    strings = list(strings_in(json.loads(shown.text)))
    return found + [f"{field}: not in the JSON" for field in fields if not any(VALUES[field] in s for s in strings)]


def rows_problems(rows, fields) -> list[str]:
    cells = [cell for row in rows for cell in row]
    found = [
        f"cell {cell[:60]!r}: a spreadsheet formula"
        for cell in cells
        if marked(cell) and cell.startswith(FORMULA_STARTS)
    ]
    return found + [f"{field}: not in the file" for field in fields if not any(VALUES[field] in c for c in cells)]


def workbook_problems(data: bytes, fields) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    formulas, texts = {}, []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if marked(cell.value) and cell.data_type == "f":
                        formulas.setdefault((sheet.title, cell.value), []).append(cell.coordinate)
    found = [
        f"sheet {title!r} {cells[0]}{f' and {len(cells) - 1} more' if len(cells) > 1 else ''}: "
        f"{value[:60]!r} is a formula"
        for (title, value), cells in formulas.items()
    ]
    return found + [f"{field}: not in the workbook" for field in fields if not any(VALUES[field] in t for t in texts)]


def download_problems(response, fields) -> list[str]:
    found = [] if response.get("X-Content-Type-Options") == "nosniff" else ["no X-Content-Type-Options: nosniff"]
    header = Message()
    header["Content-Disposition"] = response["Content-Disposition"]
    return found + [
        f"{field}: Content-Disposition {response['Content-Disposition']!r} does not quote it"
        for field in fields
        if header.get_filename() != VALUES[field]
    ]


def problems(shown, fields) -> list[str]:
    check = {
        Html: lambda: html_problems(shown.text, fields),
        Json: lambda: json_problems(shown, fields),
        Rows: lambda: rows_problems(shown.rows, fields),
        Workbook: lambda: workbook_problems(shown.data, fields),
        Download: lambda: download_problems(shown.response, fields),
    }[type(shown)]
    return check()


# ---------------------------------------------------------------------------------------------
# How each place is reached

WORKBENCH = "/workbench/scenario/{}/"
LIST = "/temis/final/"
EXPORT = "temis-exports/TT20-ket-qua-giao-vien/"
TEMIS_TEMPLATE = "TT20-ket-qua-giao-vien"
EDUCATORS_TABLE = f"educators.{TT20}"
SELF_TEXTS = (
    "evaluation.strengths",
    "evaluation.improvements",
    "plan.goals",
    "plan.content",
    "plan.timeline",
    "plan.conditions",
)
EVIDENCE = ("evidence.name", "evidence.description", "evidence.url")
OPINION = ("opinion.strengths", "opinion.improvements")
SUPPORT = ("support.topic", "support.notes", "support.next_steps")
UNITS = ("province.name", "commune.name", "school.name", "subject_group.name")
STAMP = ("province.name", "cycle.name")  # a report is stamped with its scope's and its cycle's names
PEOPLE = ("teacher.full_name", "mentor.full_name", "school.name", "teacher.subject")


def view(block, name="student_view") -> Html:
    """The block's view as the runtime hands it over: the fragment, wrapped with its initialize_js JSON."""
    with translation.override("en"):
        return Html(block.block.render(name, {}).content)


def handler(block, name) -> Json:
    response = block.block.handle(name, Request.blank("/"))
    assert response.status_code == 200, response.body[:300]
    return Json(response.body.decode(), response.content_type)


def workbench(scenario, student) -> Html:
    """The block's page on the demo's workbench, for ``student`` signed in."""
    from django.contrib.auth import get_user_model

    return page(signed_in(get_user_model().objects.get(username=student)).get(WORKBENCH.format(scenario)))


def evaluation_id(world, key) -> int:
    return world.evaluations[key].pk


def head_conflict(world, key, data) -> Html:
    """The head posts on a page opened before the evaluation changed: what was typed is shown back."""
    version = Evaluation.objects.get(pk=evaluation_id(world, key)).version
    return page(
        world.clients["head"].post(detail(evaluation_id(world, key)), {**data, "expected_version": version}), status=409
    )


def evidence_file(world) -> Download:
    evidence = Evidence.objects.get(owner=world.people["t1"], url="")
    return Download(world.clients["head"].get(f"/temis/evidence/{evidence.pk}/"))


def workspace(world, path="") -> Html:
    return page(world.lti.get(world.workspace + path))


def refused_score(world) -> Html:
    url = world.workspace + "scores/"
    return page(
        world.lti.post(
            url,
            {
                "form_token": token(world.lti.get(url)),
                "mentee": world.people["t1"].pk,
                "score": "eight",
                "maximum": "10",
                "comment": VALUES["score.comment"],
            },
        ),
        status=400,
    )


def officer_page(world, url) -> Html:
    return page(world.clients["officer"].get(url))


def api_get(world, path, **params):
    response = world.clients["officer"].get(f"/temis/api/v1/{path}", params)
    assert response.status_code == 200, body(response)[:300]
    return response


def run_page(world) -> Html:
    return officer_page(world, start(world.clients["officer"], world.capture, kind="aggregate", format="json"))


def run_file(world, kind, file_format, **fields):
    run_url = start(world.clients["officer"], world.capture, kind=kind, format=file_format, **fields)
    response = world.clients["officer"].get(run_url + "file/")
    assert response.status_code == 200, (kind, file_format, response.status_code)
    return Workbook(body(response)) if file_format == "xlsx" else csv_rows(body(response))


def admin(world, path) -> Html:
    return page(world.clients["staff"].get(f"/admin/{path}"))


def roster_refusal(world) -> Html:
    """A refused roster lists each problem with the text of the row."""
    upload = csv_file(
        "units.csv",
        ["code", "name", "kind", "parent_code", "school_levels"],
        [["S9", "Trường S9", "school", VALUES["province.name"], "TH"]],
    )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        started = world.clients["staff"].post(ADMIN_IMPORT, {"file": upload})
    html = page(world.clients["staff"].get(started["Location"]))
    assert "The roster was refused" in html.text
    return html


@dataclass(frozen=True)
class Place:
    surface: str
    name: str
    fields: tuple
    render: Callable


PLACES = [
    # The blocks' views as the runtime hands them over (the fragment, with its JSON for initialize_js)
    Place(
        "XBlock views",
        "self-assessment student_view, the teacher's draft",
        (
            "self_assessment.display_name",
            "self_assessment.instructions",
            *SELF_TEXTS,
            "evidence.name",
            "evidence.url",
            "module.name",
        ),
        lambda w: view(w.blocks["t2"]),
    ),
    Place(
        "XBlock views",
        "self-assessment student_view, finalized",
        ("evidence.name", "evidence.url", "final.comment"),
        lambda w: view(w.blocks["t1"]),
    ),
    Place(
        "XBlock views",
        "survey student_view",
        ("survey.display_name", "survey.introduction", "survey.comment", "module.name"),
        lambda w: view(w.blocks["survey"]),
    ),
    Place(
        "XBlock views",
        "self-assessment student_view_data (mobile apps)",
        ("self_assessment.display_name", "self_assessment.instructions"),
        lambda w: Json(json.dumps(w.blocks["t2"].block.student_view_data())),
    ),
    Place(
        "XBlock views",
        "self-assessment student_view_user_state handler (mobile apps)",
        (
            "teacher.full_name",
            "teacher.subject",
            "school.name",
            *SELF_TEXTS,
            *EVIDENCE,
            "evidence.filename",
            "final.comment",
        ),
        lambda w: handler(w.blocks["t1"], "student_view_user_state"),
    ),
    # The blocks in Studio
    Place(
        "Studio",
        "self-assessment author_view",
        ("self_assessment.display_name",),
        lambda w: view(w.blocks["t2"], "author_view"),
    ),
    Place(
        "Studio",
        "self-assessment studio_view (the settings editor)",
        ("self_assessment.display_name", "self_assessment.instructions"),
        lambda w: view(w.blocks["t2"], "studio_view"),
    ),
    Place(
        "Studio",
        "survey studio_view (the settings editor)",
        ("survey.display_name", "survey.introduction"),
        lambda w: view(w.blocks["survey"], "studio_view"),
    ),
    # The blocks on the standalone site's workbench pages
    Place(
        "workbench",
        "self-assessment, the teacher's draft",
        (*SELF_TEXTS, "evidence.name", "evidence.url", "module.name"),
        lambda w: workbench("temis_self_assessment.0", "t2"),
    ),
    Place(
        "workbench",
        "self-assessment, finalized",
        ("evidence.name", "evidence.url", "final.comment"),
        lambda w: workbench("temis_self_assessment.0", "t1"),
    ),
    Place(
        "workbench", "survey", ("survey.comment", "module.name"), lambda w: workbench("temis_programme_survey.0", "t1")
    ),
    # The head's final-rating pages
    Place(
        "final rating",
        "list",
        ("teacher.full_name", "mentor.full_name", "subject_group.name", "cycle.name"),
        lambda w: page(w.clients["head"].get(LIST)),
    ),
    Place(
        "final rating",
        "list, after a bulk action that names who was left unchanged",
        ("mentor.full_name", "teacher.full_name", "subject_group.name", "cycle.name"),
        lambda w: page(w.clients["head"].post(LIST, {"action": "finalize", "evaluation": [evaluation_id(w, "t2")]})),
    ),
    Place(
        "final rating",
        "detail, finalized after a reopening",
        (
            "teacher.full_name",
            "school.name",
            *SELF_TEXTS,
            *EVIDENCE,
            *OPINION,
            "mentor.full_name",
            "final.comment",
            "reopen.reason",
        ),
        lambda w: page(w.clients["head"].get(detail(evaluation_id(w, "t1")))),
    ),
    Place(
        "final rating",
        "detail, the head's form with a saved comment",
        ("teacher.full_name", "school.name", *OPINION, "mentor.full_name", "final.comment"),
        lambda w: page(w.clients["head"].get(detail(evaluation_id(w, "t4")))),
    ),
    Place(
        "final rating",
        "detail, a comment shown back after a conflict",
        ("final.comment",),
        lambda w: head_conflict(
            w, "t1", {"action": "save", "comment": VALUES["final.comment"], **{f"level_{n}": "K" for n in range(1, 16)}}
        ),
    ),
    Place(
        "final rating",
        "detail, a reason shown back after a conflict",
        ("reopen.reason",),
        lambda w: head_conflict(w, "t2", {"action": "reopen", "mode": "reopen", "reason": VALUES["reopen.reason"]}),
    ),
    Place("final rating", "evidence file download", ("evidence.filename",), evidence_file),
    # The mentor tool (LTI workspace)
    Place(
        "mentor workspace", "overview", ("mentor.full_name", "school.name", "teacher.full_name"), lambda w: workspace(w)
    ),
    Place(
        "mentor workspace", "support log", ("support.topic", "teacher.full_name"), lambda w: workspace(w, "activities/")
    ),
    Place(
        "mentor workspace",
        "support activity, edit form",
        (*SUPPORT, "teacher.full_name"),
        lambda w: workspace(w, f"activities/{SupportActivity.objects.get().pk}/"),
    ),
    Place(
        "mentor workspace",
        "support activity, new form",
        ("mentor_group.name", "teacher.full_name"),
        lambda w: workspace(w, "activities/new/"),
    ),
    Place(
        "mentor workspace",
        "colleague opinion form",
        ("teacher.full_name", *OPINION),
        lambda w: workspace(w, f"opinions/{evaluation_id(w, 't4')}/"),
    ),
    Place(
        "mentor workspace",
        "colleague opinion, finalized",
        ("teacher.full_name",),
        lambda w: workspace(w, f"opinions/{evaluation_id(w, 't1')}/"),
    ),
    Place("mentor workspace", "subject group", ("teacher.full_name",), lambda w: workspace(w, "subject-group/")),
    Place("mentor workspace", "scores", ("teacher.full_name",), lambda w: workspace(w, "scores/")),
    Place(
        "mentor workspace",
        "scores, a refused score with its comment shown back",
        ("teacher.full_name", "score.comment"),
        refused_score,
    ),
    Place(
        "mentor workspace",
        "support log as .csv",
        (*SUPPORT, "teacher.full_name"),
        lambda w: csv_rows(w.lti.get(w.workspace + "activities/export.csv").content),
    ),
    Place(
        "mentor workspace",
        "support log as .xlsx",
        (*SUPPORT, "teacher.full_name"),
        lambda w: Workbook(w.lti.get(w.workspace + "activities/export.xlsx").content),
    ),
    # The educator's home page
    Place(
        "home",
        "core teacher",
        ("mentor.full_name", "school.name", "teacher.full_name"),
        lambda w: page(w.clients["t2"].get("/temis/")),
    ),
    Place("home", "teacher", ("teacher.full_name", "school.name"), lambda w: page(w.clients["t1"].get("/temis/"))),
    # Report pages
    Place(
        "report pages",
        "dashboard",
        ("province.name", "commune.name", "cycle.name"),
        lambda w: officer_page(w, "/temis/reports/"),
    ),
    Place(
        "report pages",
        "aggregate, province",
        (*STAMP, "commune.name"),
        lambda w: officer_page(w, report_url("aggregate", scope="P1")),
    ),
    Place(
        "report pages",
        "aggregate, commune",
        ("commune.name", "cycle.name", "school.name"),
        lambda w: officer_page(w, report_url("aggregate", scope="X1")),
    ),
    Place(
        "report pages",
        "per-educator summary",
        (*STAMP, *PEOPLE, "commune.name"),
        lambda w: officer_page(w, report_url("school_summary", scope="P1")),
    ),
    Place(
        "report pages",
        "training needs",
        (*STAMP, "module.name", "commune.name"),
        lambda w: officer_page(w, report_url("training_needs", scope="P1")),
    ),
    Place(
        "report pages",
        "training-module results",
        (*STAMP, "commune.name"),
        lambda w: officer_page(w, report_url("module_results", scope="P1")),
    ),
    Place(
        "report pages",
        "mentoring",
        (*STAMP, "mentor.full_name", "school.name", "commune.name"),
        lambda w: officer_page(w, report_url("mentoring", scope="P1")),
    ),
    Place(
        "report pages",
        "satisfaction",
        (*STAMP, "module.name", "commune.name"),
        lambda w: officer_page(w, report_url("satisfaction", scope="P1")),
    ),
    Place(
        "report pages",
        "core-teacher eligibility",
        (*STAMP, "teacher.full_name", "school.name", "commune.name"),
        lambda w: officer_page(w, report_url("core_eligibility", scope="P1")),
    ),
    Place("report pages", "report file page", ("province.name",), run_page),
    # The REST API
    Place("report API", "catalogue", ("province.name",), lambda w: answer(api_get(w, "reports/"))),
    Place(
        "report API",
        "aggregate as JSON",
        (*STAMP, "commune.name"),
        lambda w: answer(api_get(w, "reports/aggregate/", scope="P1", format="json")),
    ),
    Place(
        "report API",
        "per-educator summary as JSON",
        (*STAMP, *PEOPLE),
        lambda w: answer(api_get(w, "reports/school_summary/", scope="P1", format="json")),
    ),
    Place(
        "report API",
        "mentoring as JSON",
        (*STAMP, "mentor.full_name", "school.name", "commune.name"),
        lambda w: answer(api_get(w, "reports/mentoring/", scope="P1", format="json")),
    ),
    Place(
        "report API",
        "TEMIS export as JSON",
        (*STAMP, "teacher.full_name", "teacher.subject", "school.name"),
        lambda w: answer(api_get(w, EXPORT, scope="P1", format="json")),
    ),
    Place(
        "report API",
        "aggregate as .csv",
        (*STAMP, "commune.name"),
        lambda w: csv_rows(body(api_get(w, "reports/aggregate/", scope="P1", format="csv"))),
    ),
    Place(
        "report API",
        "per-educator table as .csv",
        PEOPLE,
        lambda w: csv_rows(
            body(api_get(w, "reports/school_summary/", scope="P1", format="csv", table=EDUCATORS_TABLE))
        ),
    ),
    Place(
        "report API",
        "TEMIS export as .csv",
        ("teacher.full_name", "teacher.subject", "school.name"),
        lambda w: csv_rows(body(api_get(w, EXPORT, scope="P1", format="csv"))),
    ),
    # Report files, made in the background
    Place("report files", "aggregate .xlsx", (*STAMP, "commune.name"), lambda w: run_file(w, "aggregate", "xlsx")),
    Place("report files", "aggregate .csv", (*STAMP, "commune.name"), lambda w: run_file(w, "aggregate", "csv")),
    Place(
        "report files",
        "mentoring .xlsx",
        (*STAMP, "mentor.full_name", "school.name", "commune.name"),
        lambda w: run_file(w, "mentoring", "xlsx"),
    ),
    Place(
        "report files", "per-educator summary .xlsx", (*STAMP, *PEOPLE), lambda w: run_file(w, "school_summary", "xlsx")
    ),
    Place(
        "report files", "per-educator summary .csv", (*STAMP, *PEOPLE), lambda w: run_file(w, "school_summary", "csv")
    ),
    Place(
        "report files",
        "TEMIS export .xlsx",
        (*STAMP, "teacher.full_name", "teacher.subject", "school.name"),
        lambda w: run_file(w, "temis_export", "xlsx", template=TEMIS_TEMPLATE),
    ),
    Place(
        "report files",
        "TEMIS export .csv",
        (*STAMP, "teacher.full_name", "teacher.subject", "school.name"),
        lambda w: run_file(w, "temis_export", "csv", template=TEMIS_TEMPLATE),
    ),
    # The admin
    Place(
        "admin",
        "a cycle saved: the message and the list",
        ("cycle.name",),
        lambda w: Html(save_cycle(w.clients["staff"], w.evaluations["t1"].cycle).content.decode()),
    ),
    Place(
        "admin",
        "educators",
        ("teacher.full_name", "mentor.full_name", "school.name"),
        lambda w: admin(w, "temis_plugin/educatorprofile/"),
    ),
    Place("admin", "organisation units", UNITS, lambda w: admin(w, "temis_plugin/orgunit/")),
    Place(
        "admin",
        "mentor groups",
        ("mentor_group.name", "mentor.full_name", "cycle.name"),
        lambda w: admin(w, "temis_plugin/mentorgroup/"),
    ),
    Place("admin", "training modules", ("module.name",), lambda w: admin(w, "temis_plugin/trainingmodule/")),
    Place(
        "admin",
        "training module",
        ("module.name", "module.legal_basis"),
        lambda w: admin(w, f"temis_plugin/trainingmodule/{TrainingModule.objects.get(code='GVPT-09').pk}/change/"),
    ),
    Place(
        "admin",
        "courses of training modules",
        ("module.name", "module.legal_basis"),
        lambda w: admin(w, "temis_plugin/coursemodule/"),
    ),
    Place(
        "admin",
        "evaluations",
        ("teacher.full_name", "mentor.full_name", "cycle.name"),
        lambda w: admin(w, "temis_plugin/evaluation/"),
    ),
    Place(
        "admin",
        "evaluation",
        (
            "teacher.full_name",
            "school.name",
            "cycle.name",
            *SELF_TEXTS,
            "final.comment",
            "evidence.name",
            *OPINION,
            "mentor.full_name",
            "reopen.reason",
        ),
        lambda w: admin(w, f"temis_plugin/evaluation/{evaluation_id(w, 't1')}/change/"),
    ),
    Place(
        "admin",
        "evidence",
        ("evidence.name", "teacher.full_name", "mentor.full_name"),
        lambda w: admin(w, "temis_plugin/evidence/"),
    ),
    Place(
        "admin",
        "evidence item",
        (*EVIDENCE, "teacher.full_name"),
        lambda w: admin(w, f"temis_plugin/evidence/{Evidence.objects.get(owner=w.people['t1'], file='').pk}/change/"),
    ),
    Place(
        "admin",
        "colleague opinions",
        ("teacher.full_name", "mentor.full_name", "cycle.name"),
        lambda w: admin(w, "temis_plugin/colleagueopinion/"),
    ),
    Place(
        "admin",
        "colleague opinion",
        (*OPINION, "teacher.full_name", "mentor.full_name", "cycle.name"),
        lambda w: admin(
            w,
            f"temis_plugin/colleagueopinion/{ColleagueOpinion.objects.get(evaluation=w.evaluations['t1']).pk}/change/",
        ),
    ),
    Place(
        "admin",
        "audit entry of the reopening",
        ("reopen.reason", "teacher.full_name", "cycle.name"),
        lambda w: admin(w, f"temis_plugin/auditentry/{AuditEntry.objects.get(action='reopen').pk}/change/"),
    ),
    Place(
        "admin",
        "support activities",
        ("mentor_group.name", "mentor.full_name"),
        lambda w: admin(w, "temis_plugin/supportactivity/"),
    ),
    Place(
        "admin",
        "support activity",
        (*SUPPORT, "mentor_group.name", "mentor.full_name", "teacher.full_name"),
        lambda w: admin(w, f"temis_plugin/supportactivity/{SupportActivity.objects.get().pk}/change/"),
    ),
    Place(
        "admin",
        "survey responses",
        ("teacher.full_name", "module.name"),
        lambda w: admin(w, "temis_plugin/surveyresponse/"),
    ),
    Place(
        "admin",
        "survey response",
        ("survey.comment", "teacher.full_name", "module.name"),
        lambda w: admin(w, f"temis_plugin/surveyresponse/{SurveyResponse.objects.get().pk}/change/"),
    ),
    Place("admin", "LTI platforms", ("platform.name",), lambda w: admin(w, "temis_lti/platform/")),
    Place("admin", "LTI launches", ("platform.name",), lambda w: admin(w, "temis_lti/launch/")),
    Place("admin", "roster import, a refused row's text", ("province.name",), roster_refusal),
]
SURFACES = list(dict.fromkeys(place.surface for place in PLACES))


# ---------------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("surface", SURFACES)
def test_free_text_is_inert_wherever_it_is_shown(world, surface):
    found = []
    for place in PLACES:
        if place.surface == surface:
            found += [f"{place.name}: {problem}" for problem in problems(place.render(world), place.fields)]
    assert not found, "\n".join(found)


SCRIPT_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "//example.org/x",
    "ftp://example.org/x",
]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_a_link_that_is_not_http_is_refused_as_evidence(cycle, people, url):
    # The block's handler, as the teacher's browser calls it, then the plugin API that every screen uses.
    status, data = BlockHarness(SA_OLX, "t1").upload("add_evidence", {"name": "Minh chứng", "url": url})
    assert status == 400 and data["error"]
    with pytest.raises(InvalidInput):
        api.add_evidence(people["t1"].user, "Minh chứng", url=url)
    assert not Evidence.objects.exists()


def test_every_text_column_is_in_the_inventory_or_says_why_not():
    columns = {
        f"{model.__name__}.{field.name}": field
        for label in ("temis_plugin", "temis_lti")
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices
    }
    assert set(columns) - set(COLUMNS) - NOT_FREE_TEXT == set(), "a text column neither checked nor excluded"
    # Each value fits its column (MariaDB refuses a longer one where SQLite would keep it).
    assert [
        column for column, field in COLUMNS.items() if (columns[column].max_length or 10000) < len(VALUES[field])
    ] == []
    assert set(COLUMNS.values()) <= set(FIELDS)
    assert {field for place in PLACES for field in place.fields} == set(FIELDS), "a field shown nowhere"
