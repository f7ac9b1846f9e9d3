"""Records only the workflow writes are read only in the admin, even for a superuser: no add page, no
change, no delete; their change page shows the values read only; a forged POST changes nothing."""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from lti.models import Deployment, Launch, Platform, ToolKey
from lti.rotation import ensure_signing_key
from temis_plugin import models

SHOWN = "Dự giờ tiết 3, lớp 4A"  # a value each record shows on its change page


@pytest.fixture
def superuser_client(client, make_user):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def records(cycle, people):
    """One record of each kind the workflow writes."""
    module = models.TrainingModule.objects.create(code="GVPT-09", name_vi="Mô đun 9", audience="teacher")
    evaluation = models.Evaluation.objects.create(
        educator=people["t1"],
        cycle=cycle,
        framework_code="TT20-2018",
        framework_revision=1,
        legal_basis="Thông tư 20/2018/TT-BGDĐT",
        school=people["t1"].school,
        state="opinions",
        self_levels="K" * 15,
        self_rating="KHA",
        strengths=SHOWN,
    )
    group = models.MentorGroup.objects.create(cycle=cycle, code="G1", mentor=people["t2"])
    platform = Platform.objects.create(
        name="Open edX",
        issuer="https://lms.example",
        client_id="c",
        auth_login_url="https://lms.example/auth",
        keyset_url="https://lms.example/k",
    )
    Deployment.objects.create(platform=platform, deployment_id="1")
    now = timezone.now()
    return {
        "temis_plugin/evaluation": evaluation,
        "temis_plugin/colleagueopinion": models.ColleagueOpinion.objects.create(
            evaluation=evaluation, colleague=people["t2"], levels="T" * 15, rating="TOT", strengths=SHOWN
        ),
        "temis_plugin/auditentry": models.AuditEntry.objects.create(
            evaluation=evaluation, actor=people["t1"].user, action="submit", reason=SHOWN
        ),
        "temis_plugin/trainingneed": models.TrainingNeed.objects.create(
            evaluation=evaluation, criterion=3, module=module
        ),
        "temis_plugin/evidence": models.Evidence.objects.create(
            owner=people["t1"], name=SHOWN, url="https://truong.example/giao-an"
        ),
        "temis_plugin/moduleresult": models.ModuleResult.objects.create(
            educator=people["t1"],
            module=module,
            course_key="course-v1:SoGD+GVPT09+2026",
            percent="0.8",
            passed=True,
            last_event_at=now,
        ),
        "temis_plugin/surveyresponse": models.SurveyResponse.objects.create(
            educator=people["t1"], module=module, answers={"content": 5}, comment=SHOWN
        ),
        "temis_plugin/supportactivity": models.SupportActivity.objects.create(
            mentor=people["t2"],
            group=group,
            date=datetime.date(2026, 10, 5),
            duration_minutes=45,
            form="in_person",
            topic=SHOWN,
        ),
        "temis_lti/launch": Launch.objects.create(
            platform=platform,
            deployment_id="1",
            sub=SHOWN,
            message_type="LtiResourceLinkRequest",
            expires=now + datetime.timedelta(hours=8),
        ),
    }


WORKFLOW_RECORDS = [
    "temis_plugin/evaluation",
    "temis_plugin/colleagueopinion",
    "temis_plugin/auditentry",
    "temis_plugin/trainingneed",
    "temis_plugin/evidence",
    "temis_plugin/moduleresult",
    "temis_plugin/surveyresponse",
    "temis_plugin/supportactivity",
    "temis_lti/launch",
]


def stored(record):
    return model_to_dict(type(record).objects.get(pk=record.pk))


@pytest.mark.parametrize("kind", WORKFLOW_RECORDS)
def test_a_workflow_record_has_no_add_page_and_a_posted_add_creates_nothing(superuser_client, records, kind):
    model = type(records[kind])
    count = model.objects.count()
    assert superuser_client.get(f"/admin/{kind}/add/").status_code == 403
    posted = superuser_client.post(
        f"/admin/{kind}/add/", {"evaluation": records["temis_plugin/evaluation"].pk, "strengths": "forged"}
    )
    assert posted.status_code == 403 and model.objects.count() == count
    listing = superuser_client.get(f"/admin/{kind}/").content.decode()
    assert f'href="/admin/{kind}/add/"' not in listing


@pytest.mark.parametrize("kind", WORKFLOW_RECORDS)
def test_a_workflow_records_change_page_is_read_only_and_a_post_changes_nothing(superuser_client, records, kind):
    record = records[kind]
    url = f"/admin/{kind}/{record.pk}/change/"
    page = superuser_client.get(url)
    html = page.content.decode()
    shown = {"temis_plugin/trainingneed": "Mô đun 9", "temis_plugin/moduleresult": "course-v1:SoGD+GVPT09+2026"}
    assert page.status_code == 200 and shown.get(kind, SHOWN) in html
    assert 'class="readonly"' in html and 'name="_save"' not in html and "<textarea" not in html
    before = stored(record)
    posted = superuser_client.post(
        url,
        {
            "strengths": "forged",
            "topic": "forged",
            "sub": "forged",
            "comment": "forged",
            "name": "forged",
            "reason": "forged",
            "_save": "Save",
        },
    )
    assert posted.status_code == 403 and stored(record) == before


@pytest.mark.parametrize("kind", WORKFLOW_RECORDS)
def test_a_workflow_record_cannot_be_deleted_in_the_admin(superuser_client, records, kind):
    record = records[kind]
    assert superuser_client.get(f"/admin/{kind}/{record.pk}/delete/").status_code == 403
    assert superuser_client.post(f"/admin/{kind}/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = superuser_client.post(
        f"/admin/{kind}/", {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302) and type(record).objects.filter(pk=record.pk).exists()


def test_the_colleague_opinion_add_form_no_longer_fails(superuser_client, records, people):
    """It answered 500 (IntegrityError): the form had no evaluation, colleague or levels to save."""
    response = superuser_client.post(
        "/admin/temis_plugin/colleagueopinion/add/", {"strengths": "Giờ dạy tốt", "improvements": ""}
    )
    assert response.status_code == 403 and models.ColleagueOpinion.objects.count() == 1


def test_the_evaluation_page_shows_its_opinions_evidence_and_audit_read_only(superuser_client, records):
    evaluation = records["temis_plugin/evaluation"]
    models.EvidenceLink.objects.create(evidence=records["temis_plugin/evidence"], evaluation=evaluation, criterion=1)
    html = superuser_client.get(f"/admin/temis_plugin/evaluation/{evaluation.pk}/change/").content.decode()
    assert "Người t2" in html and "submit" in html and SHOWN in html  # opinion, audit entry, evidence
    for field in (
        "opinions-0-strengths",
        "evidence_links-0-evidence",
        "evidence_links-0-criterion",
        "audit_entries-0-reason",
        "evidence_links-__prefix__-criterion",
    ):
        assert f'name="{field}"' not in html, field


def test_tool_keys_are_made_by_the_command_and_only_their_retirement_is_edited(superuser_client, db):
    key = ensure_signing_key()
    assert superuser_client.get("/admin/temis_lti/toolkey/add/").status_code == 403
    assert superuser_client.post(f"/admin/temis_lti/toolkey/{key.pk}/delete/", {"post": "yes"}).status_code == 403
    html = superuser_client.get(f"/admin/temis_lti/toolkey/{key.pk}/change/").content.decode()
    assert 'name="retires_at_0"' in html and 'name="kid"' not in html and "PRIVATE KEY" not in html
    retires = timezone.localtime() + datetime.timedelta(days=2)
    response = superuser_client.post(
        f"/admin/temis_lti/toolkey/{key.pk}/change/",
        {"retires_at_0": retires.strftime("%Y-%m-%d"), "retires_at_1": retires.strftime("%H:%M:%S"), "kid": "forged"},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    # Both dates in the site's time zone: the form was filled in local time, the database answers in UTC.
    assert key.kid != "forged" and timezone.localtime(key.retires_at).date() == retires.date()
    assert ToolKey.objects.count() == 1
