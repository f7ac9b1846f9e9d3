"""The mentor workspace after a real launch from Open edX: support log, export, opinions, the group head."""

import csv
import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from lti.models import Launch
from temis_plugin import api
from temis_plugin.models import MentorGroup, RoleAssignment, SupportActivity

from .conftest import educator_custom, launch, login

ALL_K = {n: "K" for n in range(1, 16)}


@pytest.fixture
def groups(cycle, people):
    g1 = MentorGroup.objects.create(cycle=cycle, code="G1", name="Nhóm Toán", mentor=people["t2"])
    g1.memberships.create(mentee=people["t1"])
    g1.memberships.create(mentee=people["t3"])
    g2 = MentorGroup.objects.create(cycle=cycle, code="G2", mentor=people["other"])
    g2.memberships.create(mentee=people["t3"])
    return {"G1": g1, "G2": g2}


@pytest.fixture
def workspace(client, open_edx, groups):
    """The mentor t2 launched from the LMS: the workspace's base URL and its first page."""
    response = launch(client, open_edx, login(client, open_edx, custom=educator_custom("ID-t2")))
    assert response.status_code == 200, response.content.decode()
    record = Launch.objects.get()
    client.cookies.clear()  # the iframe may get no cookie of ours: nothing below needs one
    return f"/temis/lti/workspace/{record.id}/"


def token(page) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)


def activity_post(page, people, **overrides):
    data = {
        "form_token": token(page),
        "group": "G1",
        "date": "2026-10-05",
        "duration_minutes": "45",
        "form": "in_person",
        "topic": "Dạy học phân hoá",
        "criteria": ["3", "4"],
        "mentee_ids": [str(people["t1"].pk), str(people["t3"].pk)],
        "notes": "Dự giờ",
        "next_steps": "Phiếu",
    }
    data.update(overrides)
    return data


def test_log_an_activity_edit_it_and_meet_a_conflict(client, workspace, people):
    form_page = client.get(workspace + "activities/new/")
    html = form_page.content.decode()
    assert form_page.status_code == 200 and '<html lang="en">' in html
    assert '<legend>Form <span aria-hidden="true">*</span>' in html and 'for="id_topic"' in html
    assert "X-Frame-Options" not in form_page

    created = client.post(workspace + "activities/new/", activity_post(form_page, people))
    assert created.status_code == 303 and created["Location"].endswith("activities/?notice=logged")
    log_page = client.get(created["Location"]).content.decode()
    assert "The activity was logged." in log_page and "Dạy học phân hoá" in log_page
    activity = SupportActivity.objects.get()
    assert activity.criteria == [3, 4] and activity.mentees.count() == 2

    edit_url = f"{workspace}activities/{activity.pk}/"
    edit_page = client.get(edit_url)
    assert 'name="version" value="1"' in edit_page.content.decode()
    saved = client.post(
        edit_url,
        activity_post(edit_page, people, notes="Dự giờ tiết 3", version="1", mentee_ids=[str(people["t1"].pk)]),
    )
    assert saved.status_code == 303
    activity.refresh_from_db()
    assert activity.version == 2 and activity.notes == "Dự giờ tiết 3" and activity.mentees.count() == 1

    stale = client.post(edit_url, activity_post(edit_page, people, notes="Bản cũ", version="1"))
    page = stale.content.decode()
    assert stale.status_code == 409 and "Someone else saved this activity" in page
    assert 'name="version" value="2"' in page and "Dự giờ tiết 3" in page  # the saved version, to apply again
    activity.refresh_from_db()
    assert activity.notes == "Dự giờ tiết 3"
    history = client.get(edit_url).content.decode()
    assert "Edit history" in history and "Logged" in history and "Mentees present, Notes" in history


def test_errors_are_tied_to_their_fields(client, workspace, people):
    page = client.get(workspace + "activities/new/")
    response = client.post(
        workspace + "activities/new/", activity_post(page, people, topic="", mentee_ids=[], duration_minutes="0")
    )
    html = response.content.decode()
    assert response.status_code == 400 and SupportActivity.objects.count() == 0
    assert 'id="id_topic-error"' in html and 'aria-describedby="id_topic-error"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_mentee_ids-error"' in html
    assert 'id="id_duration_minutes-error"' in html
    # A check only the plugin knows (the date is outside the cycle) lands on its field too.
    response = client.post(workspace + "activities/new/", activity_post(page, people, date="2027-07-01"))
    assert response.status_code == 400 and 'id="id_date-error"' in response.content.decode()


def test_export_downloads(client, workspace, people, settings):
    api.log_support_activity(
        people["t2"].user,
        "G1",
        date=datetime.date(2026, 10, 5),
        duration_minutes=30,
        form="online",
        topic="Kế hoạch bài dạy",
        criteria=[2],
        mentee_ids=[people["t1"].pk],
    )
    response = client.get(workspace + "activities/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:5] == ["2026-10-05", "G1", "30", "Online", "Kế hoạch bài dạy"]
    response = client.get(workspace + "activities/export.xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["E2"].value == "Kế hoạch bài dạy" and sheet["A1"].font.bold
    assert client.get(workspace + "activities/export.pdf").status_code == 404


def test_colleague_opinion_from_the_workspace(client, workspace, people):
    t1 = people["t1"].user
    evaluation = api.save_self_assessment(t1, api.get_or_create_evaluation(t1).id, 1, levels=ALL_K)
    api.submit_self_assessment(t1, evaluation.id, evaluation.version)
    home = client.get(workspace).content.decode()
    url = f"{workspace}opinions/{evaluation.id}/"
    assert url in home  # t1 is in t2's subject group; t3 is not, so no link for t3
    assert home.count("/opinions/") == 1

    page = client.get(url)
    html = page.content.decode()
    assert html.count("<fieldset") >= 15 and "<legend>Criterion 1." in html
    assert 'aria-describedby="id_level_1_3-descriptor"' in html and 'id="id_level_1_3-descriptor"' in html

    incomplete = {"form_token": token(page), **{f"level_{n}": "T" for n in range(1, 15)}}
    response = client.post(url, incomplete)
    assert response.status_code == 400 and 'id="id_level_15-error"' in response.content.decode()

    response = client.post(
        url,
        {
            "form_token": token(page),
            "strengths": "Tận tâm",
            "expected_version": "",
            **{f"level_{n}": "T" for n in range(1, 16)},
        },
    )
    assert response.status_code == 200 and "Your opinion was saved." in response.content.decode()
    opinions = api.list_opinions(t1, evaluation.id)  # the evaluated teacher sees the opinion
    assert [(o.colleague.full_name, o.rating, o.strengths) for o in opinions] == [("Người t2", "TOT", "Tận tâm")]
    assert api.get_evaluation(t1, evaluation.id).state == "opinions"
    # Revising names the version it started from; a stale one is a conflict.
    stale = client.post(
        url, {"form_token": token(page), "expected_version": "", **{f"level_{n}": "D" for n in range(1, 16)}}
    )
    assert stale.status_code == 409 and 'name="expected_version" value="1"' in stale.content.decode()


def test_opinion_on_someone_outside_the_subject_group_is_refused(client, workspace, people):
    t3 = people["t3"].user
    evaluation = api.save_self_assessment(t3, api.get_or_create_evaluation(t3).id, 1, levels=ALL_K)
    api.submit_self_assessment(t3, evaluation.id, evaluation.version)
    page = client.get(f"{workspace}opinions/{evaluation.id}/")  # t2 mentors t3: may read, not give an opinion
    assert page.status_code == 200 and "<fieldset" not in page.content.decode()
    response = client.post(
        f"{workspace}opinions/{evaluation.id}/",
        {"form_token": token(client.get(workspace + "activities/new/")), **{f"level_{n}": "T" for n in range(1, 16)}},
    )
    assert response.status_code == 403 and not api.list_opinions(t3, evaluation.id)


@pytest.mark.parametrize("forged", [None, "", "0" * 64, "other-launch"])
def test_missing_or_forged_form_token_is_refused(client, open_edx, workspace, people, forged):
    page = client.get(workspace + "activities/new/")
    data = activity_post(page, people)
    if forged == "other-launch":
        from lti.workspace_views import form_token

        other = Launch.objects.get()
        other.pk = None
        other.id = __import__("uuid").uuid4()
        other.save()
        data["form_token"] = form_token(other)
    elif forged is None:
        del data["form_token"]
    else:
        data["form_token"] = forged
    response = client.post(workspace + "activities/new/", data)
    assert response.status_code == 403 and "did not come from this workspace" in response.content.decode()
    assert SupportActivity.objects.count() == 0


def test_another_mentors_activity_is_not_found(client, workspace, people):
    theirs = api.log_support_activity(
        people["other"].user,
        "G2",
        date=datetime.date(2026, 10, 5),
        duration_minutes=30,
        form="online",
        topic="Riêng",
        criteria=[],
        mentee_ids=[people["t3"].pk],
    )
    url = f"{workspace}activities/{theirs.id}/"
    page = client.get(workspace + "activities/new/")
    assert client.get(url).status_code == 404
    assert client.post(url, activity_post(page, people, version="1")).status_code == 404
    assert "Riêng" not in client.get(workspace + "activities/").content.decode()
    assert client.get(f"{workspace}activities/999999/").status_code == 404


def test_expired_launch_is_not_found(client, workspace):
    Launch.objects.update(expires=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert client.get(workspace + "activities/").status_code == 404


def test_overview_shows_alerts(client, workspace, people, cycle):
    cycle.self_assessment_closes_on = datetime.date.today() + datetime.timedelta(days=5)
    cycle.starts_on = datetime.date.today() - datetime.timedelta(days=30)
    cycle.save()
    api.log_support_activity(
        people["t2"].user,
        "G1",
        date=datetime.date.today(),
        duration_minutes=30,
        form="online",
        topic="Hôm nay",
        criteria=[],
        mentee_ids=[people["t3"].pk],
    )
    html = client.get(workspace).content.decode()
    rows = dict(re.findall(r'data-mentee="(\d+)">(.*?)</tr>', html, re.S))
    assert 'data-alert="inactive"' in rows[str(people["t1"].pk)]  # nothing for 30 days
    assert 'data-alert="inactive"' not in rows[str(people["t3"].pk)]  # supported today
    assert all('data-alert="self_assessment_due"' in row for row in rows.values())
    assert "2 colleagues need attention." in html


def test_subject_group_head_view(client, workspace, people, school_tree):
    t1 = people["t1"].user
    evaluation = api.save_self_assessment(t1, api.get_or_create_evaluation(t1).id, 1, levels=ALL_K)
    api.submit_self_assessment(t1, evaluation.id, evaluation.version)
    api.add_colleague_opinion(people["t2"].user, evaluation.id, {n: "T" for n in range(1, 16)})
    assert client.get(workspace + "subject-group/").status_code == 403
    assert "subject-group/" not in client.get(workspace).content.decode()
    RoleAssignment.objects.create(user=people["t2"].user, role="subject_group_head", unit=school_tree["S1-TOAN"])
    assert "subject-group/" in client.get(workspace).content.decode()
    html = client.get(workspace + "subject-group/").content.decode()
    row = re.search(rf'data-teacher="{people["t1"].pk}">(.*?)</tr>', html, re.S).group(1)
    assert "Người t1" in row and "Good: 1" in row and "Criterion 1: Good: 1" in row


def test_pages_in_vietnamese(client, workspace):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    html = client.get(workspace + "activities/new/").content.decode()
    assert '<html lang="vi">' in html and "Ghi nhận hoạt động hỗ trợ" in html and "Trực tiếp" in html


def test_a_link_placed_for_the_support_log_opens_it(client, open_edx, groups, keyset_server, platform_pem):
    from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

    from lti.models import ToolKey

    from .conftest import CLIENT_ID, DEPLOYMENT, ISSUER, TOOL

    consumer = LtiAdvantageConsumer(
        iss=ISSUER,
        lti_oidc_url=TOOL + "login/",
        lti_launch_url=TOOL + "launch/?view=support_log",
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT,
        rsa_key=platform_pem,
        rsa_key_id="platform-key-1",
        redirect_uris=[TOOL + "launch/"],
        tool_key=ToolKey.signing_key().private_key_pem,
    )
    response = launch(client, consumer, login(client, consumer, custom=educator_custom("ID-t2")))
    record = Launch.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/temis/lti/workspace/{record.id}/activities/"
    assert client.get(f"/temis/lti/workspace/{record.id}/").status_code == 200  # the overview stays reachable
