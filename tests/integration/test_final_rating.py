"""The final-rating pages of heads and superiors: list, one evaluation, bulk actions, evidence, scoping."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from temis_plugin import api
from temis_plugin.final_rating import listing_views
from temis_plugin.models import AuditEntry, EducatorProfile, Evaluation, RoleAssignment

ALL_K = {n: "K" for n in range(1, 16)}
LIST = "/temis/final/"
PDF = b"%PDF-1.4\n%%EOF\n"


def detail(evaluation_id):
    return f"/temis/final/{evaluation_id}/"


def submitted(educator, levels=ALL_K):
    user = educator.user
    evaluation = api.get_or_create_evaluation(user)
    evaluation = api.save_self_assessment(
        user, evaluation.id, evaluation.version, levels=levels, strengths="Nhiệt tình", plan={"goals": "Học CNTT"}
    )
    return api.submit_self_assessment(user, evaluation.id, evaluation.version)


@pytest.fixture
def school(cycle, people, school_tree, make_user):
    """S1: t1 and t3 submitted (t1 with a colleague opinion), t2 a draft; S2: its principal and teacher."""
    found = dict(people)
    found["principal2"] = EducatorProfile.objects.create(
        user=make_user("principal2"),
        national_id="ID-principal2",
        full_name="Người principal2",
        school=school_tree["S2"],
        position="principal",
        school_level="TH",
    )
    found["vice"] = EducatorProfile.objects.create(
        user=make_user("vice"),
        national_id="ID-vice",
        full_name="Người vice",
        school=school_tree["S1"],
        position="vice_principal",
        school_level="TH",
    )
    evaluations = {
        "t1": submitted(people["t1"], {**ALL_K, 1: "T"}),
        "t3": submitted(people["t3"]),
        "t2": api.get_or_create_evaluation(people["t2"].user),
        "other": submitted(people["other"]),
    }
    api.add_colleague_opinion(people["t2"].user, evaluations["t1"].id, {n: "T" for n in range(1, 16)})
    for key in ("principal", "principal2", "vice"):
        evaluations[key] = submitted(found[key], {n: "K" for n in range(1, 19)})
    return found, evaluations


@pytest.fixture
def officers(school_tree, make_user):
    commune, province = make_user("officer.x1"), make_user("officer.p1")
    RoleAssignment.objects.create(user=commune, role="commune_officer", unit=school_tree["X1"])
    RoleAssignment.objects.create(user=province, role="province_officer", unit=school_tree["P1"])
    return {"commune": commune, "province": province}


def row_ids(page) -> set[int]:
    return {int(i) for i in re.findall(r'data-evaluation="(\d+)"', page.content.decode())}


def test_principal_sees_the_teachers_of_their_school_only(school, client):
    people, evaluations = school
    client.force_login(people["principal"].user)
    page = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert row_ids(page) == {evaluations[k].id for k in ("t1", "t2", "t3")}
    html = page.content.decode()
    row = html[html.index(f'data-evaluation="{evaluations["t1"].id}"') :]
    row = row[: row.index("</tr>")]
    # Name, subject group, state, self rating, opinions with their distribution.
    assert "Người t1" in row and "S1-TOAN" in row and "Colleague opinions" in row and "Fair" in row
    assert "1 (Good: 1)" in row
    assert 'lang="en"' in html and 'name="csrfmiddlewaretoken"' in html


def test_superior_sees_the_principals_below_their_unit_only(school, officers, client):
    people, evaluations = school
    client.force_login(officers["commune"])
    assert row_ids(client.get(LIST)) == {evaluations["principal"].id, evaluations["vice"].id}
    client.force_login(officers["province"])
    page = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert row_ids(page) == {evaluations[k].id for k in ("principal", "vice", "principal2")}
    # Several schools: a school column and a school filter.
    assert row_ids(client.get(LIST, {"school": "S2"})) == {evaluations["principal2"].id}
    assert row_ids(client.get(LIST, {"state": "draft"})) == set()
    assert client.get(detail(evaluations["t1"].id)).status_code == 403  # oversight, but not the head


def test_teacher_is_refused_the_pages_and_other_schools_ids(school, client):
    people, evaluations = school
    client.force_login(people["t1"].user)
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"action": "accept", "evaluation": [evaluations["t3"].id]}).status_code == 403
    assert client.get(detail(evaluations["other"].id)).status_code == 404  # another school: as if missing
    assert client.get(detail(999999)).status_code == 404
    assert client.get(detail(evaluations["t1"].id)).status_code == 403  # their own: not theirs to rate
    assert client.post(detail(evaluations["t3"].id), {"action": "finalize"}).status_code in (403, 404)
    assert Evaluation.objects.get(pk=evaluations["t3"].id).state == "submitted"
    # A principal probing another school's evaluation gets the same answer as a missing one.
    client.force_login(people["principal"].user)
    assert client.get(detail(evaluations["other"].id)).status_code == 404
    assert client.get(detail(evaluations["principal"].id)).status_code == 403  # their own: rated by the commune
    client.logout()
    assert client.get(LIST).status_code == 302


def test_home_links_heads_to_the_page(school, officers, client):
    people, _ = school
    for user, linked in ((people["principal"].user, True), (officers["province"], True), (people["t1"].user, False)):
        client.force_login(user)
        assert ('href="/temis/final/"' in client.get("/temis/").content.decode()) is linked


def test_save_prefills_and_keeps_levels_and_comment(school, client):
    people, evaluations = school
    evaluation = evaluations["t1"]
    client.force_login(people["principal"].user)
    page = client.get(detail(evaluation.id), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Pre-filled from the self levels, with the overall rating they give.
    assert re.search(r'<input type="radio" name="level_1" value="T"[^>]*checked', page)
    assert "Overall rating with these levels: <strong>Fair</strong>" in page
    assert "Nhiệt tình" in page and "Học CNTT" in page  # reflection and learning plan
    form = {
        "action": "save",
        "expected_version": evaluation.version,
        "comment": "Cần bổ sung minh chứng",
        **{f"level_{n}": "K" for n in range(1, 16)},
        "level_2": "D",
    }
    response = client.post(detail(evaluation.id), form)
    assert response.status_code == 303 and response["Location"].endswith("?notice=saved")
    saved = Evaluation.objects.get(pk=evaluation.id)
    assert saved.final_levels[:3] == "KDK" and saved.final_comment == "Cần bổ sung minh chứng"
    assert saved.state == "opinions"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "were saved" in page and re.search(r'name="level_2" value="D"[^>]*checked', page)
    assert "Cần bổ sung minh chứng" in page


def test_finalize_names_each_missing_level_and_keeps_the_typing(school, client):
    people, evaluations = school
    evaluation = evaluations["t3"]
    client.force_login(people["principal"].user)
    form = {
        "action": "finalize",
        "expected_version": evaluation.version,
        "comment": "Hoàn thành tốt",
        **{f"level_{n}": "T" for n in range(1, 15)},
    }
    page = client.post(detail(evaluation.id), form, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    html = page.content.decode()
    assert 'aria-describedby="id_level_15-error"' in html and 'id="id_level_15-error"' in html
    assert 'href="#criterion-15"' in html and 'href="#criterion-14"' not in html
    assert "Hoàn thành tốt" in html and re.search(r'name="level_14" value="T"[^>]*checked', html)
    assert Evaluation.objects.get(pk=evaluation.id).state == "submitted"
    form["level_15"] = "T"
    response = client.post(detail(evaluation.id), form)
    assert response.status_code == 303
    final = Evaluation.objects.get(pk=evaluation.id)
    assert final.state == "finalized" and final.final_rating == "TOT" and final.final_comment == "Hoàn thành tốt"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-role="final-rating">Good<' in page and 'name="level_1"' not in page and "Reopen" in page


@pytest.fixture
def finalized(school, client):
    people, evaluations = school
    head = people["principal"].user
    evaluation = api.finalize_evaluation(head, evaluations["t3"].id, evaluations["t3"].version, levels=ALL_K)
    client.force_login(head)
    return evaluation


def test_reopen_needs_a_reason(finalized, client):
    for reason in ("", "   "):
        page = client.post(
            detail(finalized.id),
            {"action": "reopen", "mode": "reopen", "reason": reason, "expected_version": finalized.version},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert page.status_code == 400
        assert 'id="id_reason-error"' in page.content.decode()
    assert Evaluation.objects.get(pk=finalized.id).state == "finalized"
    assert not AuditEntry.objects.filter(action__in=["reopen", "return_to_draft"]).exists()


def test_reopen_with_a_reason_is_audited_and_shown(finalized, client):
    response = client.post(
        detail(finalized.id),
        {
            "action": "reopen",
            "mode": "reopen",
            "reason": "Nhập nhầm mức tiêu chí 3",
            "expected_version": finalized.version,
        },
    )
    assert response.status_code == 303
    evaluation = Evaluation.objects.get(pk=finalized.id)
    assert evaluation.state == "opinions" and evaluation.final_rating == ""
    assert AuditEntry.objects.get(evaluation=evaluation, action="reopen").reason == "Nhập nhầm mức tiêu chí 3"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reopened for the head" in page and "Nhập nhầm mức tiêu chí 3" in page and 'name="level_1"' in page
    # Back to the educator as a draft, from the head's stage.
    response = client.post(
        detail(finalized.id),
        {"action": "reopen", "mode": "draft", "reason": "Bổ sung minh chứng", "expected_version": evaluation.version},
    )
    assert response.status_code == 303 and Evaluation.objects.get(pk=finalized.id).state == "draft"
    assert AuditEntry.objects.get(evaluation=evaluation, action="return_to_draft").reason == "Bổ sung minh chứng"


def test_bulk_accept_then_finalize_reports_each_failure(school, client):
    people, evaluations = school
    head = people["principal"].user
    t1, t2, t3, other = (evaluations[k] for k in ("t1", "t2", "t3", "other"))
    # t3 already has a final level of its own: accepting must not overwrite it.
    t3 = api.save_final_levels(head, t3.id, t3.version, {1: "T"})
    client.force_login(head)
    selected = [t1.id, t2.id, t3.id, other.id]
    page = client.post(
        LIST, {"action": "accept", "evaluation": selected, f"version_{t1.id}": t1.version}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Self-assessed levels accepted as final for 1 of 4 selected evaluations." in html
    assert "Người t2</a>: the self-assessment has not been submitted yet." in html
    assert "Người t3</a>: final levels are already saved" in html
    assert f"Evaluation #{other.id}: not found, or not yours to rate." in html and "Người other" not in html
    assert Evaluation.objects.get(pk=t1.id).final_levels == "TKKKKKKKKKKKKKK"
    assert Evaluation.objects.get(pk=t3.id).final_levels == "T" + "-" * 14
    assert Evaluation.objects.get(pk=other.id).final_levels == ""
    page = client.post(LIST, {"action": "finalize", "evaluation": [t1.id, t2.id, t3.id]}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "1 of 3 selected evaluations finalized." in html
    assert "Người t3</a>: the final levels are not complete" in html
    assert "Người t2</a>: the self-assessment has not been submitted yet." in html
    assert Evaluation.objects.get(pk=t1.id).state == "finalized"
    assert Evaluation.objects.get(pk=t1.id).final_rating == "KHA"
    # The rows show the result.
    row = html[html.index(f'data-evaluation="{t1.id}"') :]
    assert "Finalized" in row[: row.index("</tr>")]
    page = client.post(LIST, {"action": "finalize", "evaluation": [t1.id]}, HTTP_ACCEPT_LANGUAGE="en")
    assert "0 of 1 selected evaluation finalized." in page.content.decode()
    assert "it is already finalized." in page.content.decode()


def test_bulk_refuses_rows_changed_since_the_list_was_shown(school, client):
    people, evaluations = school
    head, t1 = people["principal"].user, evaluations["t1"]
    client.force_login(head)
    stale = t1.version
    api.save_final_levels(head, t1.id, t1.version, {2: "D"})  # another tab
    page = client.post(
        LIST, {"action": "finalize", "evaluation": [t1.id], f"version_{t1.id}": stale}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "someone changed it after this list was shown" in page.content.decode()
    assert Evaluation.objects.get(pk=t1.id).state == "opinions"


def test_bulk_without_selection_says_so(school, client):
    people, _ = school
    client.force_login(people["principal"].user)
    page = client.post(LIST, {"action": "accept"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Select at least one evaluation." in page.content.decode()


@pytest.fixture
def forty(cycle, people, school_tree):
    """Forty submitted teachers in school S1, each with a colleague opinion."""
    teachers = []
    for i in range(40):
        user = type(people["t1"].user).objects.create_user(f"gv{i:03d}", f"gv{i:03d}@example.invalid", "pw")
        teachers.append(
            EducatorProfile.objects.create(
                user=user,
                national_id=f"ID-gv{i:03d}",
                full_name=f"Giáo viên {i:03d}",
                school=school_tree["S1"],
                subject_group=school_tree["S1-TOAN"],
                position="teacher",
                school_level="TH",
            )
        )
    evaluations = [submitted(t) for t in teachers]
    for evaluation in evaluations[:20]:
        api.add_colleague_opinion(people["t1"].user, evaluation.id, ALL_K)
    return evaluations


def test_a_list_of_forty_takes_a_bounded_number_of_queries(forty, people, client, django_assert_max_num_queries):
    client.force_login(people["principal"].user)
    with django_assert_max_num_queries(12):
        page = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert len(row_ids(page)) == 40
    assert page.content.decode().count("1 (Fair: 1)") == 20


def test_select_all_covers_every_page(forty, people, client, monkeypatch):
    monkeypatch.setattr(listing_views, "PAGE_SIZE", 15)
    client.force_login(people["principal"].user)
    page = client.get(LIST, {"page": 2}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(row_ids(page)) == 15 and "Page 2 of 3" in page.content.decode()
    page = client.post(LIST, {"action": "accept", "select_all": "1", "page": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "accepted as final for 40 of 40 selected evaluations" in page.content.decode()
    page = client.post(LIST, {"action": "finalize", "select_all": "1", "state": "submitted"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "20 of 20 selected evaluations finalized." in page.content.decode()  # the others have opinions
    assert Evaluation.objects.filter(state="finalized").count() == 20


def test_concurrent_edit_says_so_and_keeps_what_was_typed(school, client):
    people, evaluations = school
    head, evaluation = people["principal"].user, evaluations["t1"]
    client.force_login(head)
    opened = evaluation.version
    api.save_final_levels(head, evaluation.id, evaluation.version, {3: "D"}, comment="Bản của người khác")
    typed = {
        "action": "save",
        "expected_version": opened,
        "comment": "Nhận xét của tôi",
        **{f"level_{n}": "K" for n in range(1, 16)},
        "level_3": "T",
    }
    page = client.post(detail(evaluation.id), typed, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 409
    assert "Someone else changed this evaluation after you opened it" in html
    assert "Nhận xét của tôi" in html and re.search(r'name="level_3" value="T"[^>]*checked', html)
    assert "Saved by the other person: Meets" in html
    current = Evaluation.objects.get(pk=evaluation.id)
    assert current.final_comment == "Bản của người khác"
    assert f'name="expected_version" value="{current.version}"' in html
    # Saving again, having seen the other change, goes through.
    response = client.post(detail(evaluation.id), {**typed, "expected_version": current.version})
    assert response.status_code == 303
    assert Evaluation.objects.get(pk=evaluation.id).final_comment == "Nhận xét của tôi"


def test_finalized_meanwhile_shows_the_unsaved_comment(school, client):
    people, evaluations = school
    head, evaluation = people["principal"].user, evaluations["t3"]
    client.force_login(head)
    api.finalize_evaluation(head, evaluation.id, evaluation.version, levels=ALL_K)
    typed = {
        "action": "save",
        "expected_version": evaluation.version,
        "comment": "Chưa kịp lưu",
        **{f"level_{n}": "T" for n in range(1, 16)},
    }
    page = client.post(detail(evaluation.id), typed, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 409
    assert "Chưa kịp lưu" in page.content.decode() and "It is now: Finalized" in page.content.decode()


def test_evidence_opens_for_the_head_without_a_storage_path(school, client):
    people, evaluations = school
    teacher, head = people["t1"].user, people["principal"].user
    evaluation = api.get_evaluation(teacher, evaluations["t1"].id)
    api.reopen_evaluation(head, evaluation.id, evaluation.version, "Bổ sung minh chứng", to_draft=True)
    evaluation = api.get_evaluation(teacher, evaluation.id)
    evidence = api.add_evidence(
        teacher, "Kế hoạch bài dạy", file=SimpleUploadedFile("ke-hoach.pdf", PDF, "application/pdf")
    )
    unlinked = api.add_evidence(teacher, "Chưa gắn", file=SimpleUploadedFile("khac.pdf", PDF, "application/pdf"))
    evaluation = api.link_evidence(teacher, evaluation.id, evaluation.version, evidence.id, [4])
    api.submit_self_assessment(teacher, evaluation.id, evaluation.version)
    url = f"/temis/evidence/{evidence.id}/"
    client.force_login(head)
    page = client.get(detail(evaluation.id)).content.decode()
    assert f'href="{url}"' in page and "Kế hoạch bài dạy" in page and "/media/" not in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "ke-hoach.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    # Evidence that backs none of the head's evaluations stays the teacher's own.
    assert client.get(f"/temis/evidence/{unlinked.id}/").status_code == 404
    for outsider in (people["t3"].user, people["principal2"].user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(teacher)
    for own in (evidence, unlinked):
        assert client.get(f"/temis/evidence/{own.id}/").status_code == 200


def test_pages_in_vietnamese(school, client):
    people, evaluations = school
    client.force_login(people["principal"].user)
    page = client.get(detail(evaluations["t1"].id), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'lang="vi"' in page and "Đạo đức nhà giáo" in page and ">Khá</label>" in page
    assert "Khá" in client.get(LIST, HTTP_ACCEPT_LANGUAGE="vi").content.decode()


def test_demo_principal_has_submitted_evaluations_to_finalize(db, client):
    call_command("temis_demo_data")
    principal = EducatorProfile.objects.get(user__username="principal.s01")
    listing = api.list_evaluations_to_rate(principal.user)
    states = {row.state for row in listing.rows}
    assert {"submitted", "opinions", "finalized", "draft"} <= states
    assert all(row.educator.school_code == principal.school.code for row in listing.rows)
    officer = type(principal.user).objects.get(username="officer.province")
    rows = api.list_evaluations_to_rate(officer).rows
    assert rows and {row.educator.position for row in rows} == {"principal", "vice_principal"}


def test_preview_gives_the_rating_without_saving(school, client):
    people, evaluations = school
    evaluation = evaluations["t3"]
    client.force_login(people["principal"].user)
    form = {
        "action": "preview",
        "expected_version": evaluation.version,
        "comment": "Nháp",
        **{f"level_{n}": "T" for n in range(1, 16)},
    }
    html = client.post(detail(evaluation.id), form, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Overall rating with these levels: <strong>Good</strong>" in html and "Nháp" in html
    del form["level_9"]
    html = client.post(detail(evaluation.id), form, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "criteria 9 have no level" in html
    assert Evaluation.objects.get(pk=evaluation.id).final_levels == ""


def test_reopen_conflict_keeps_the_reason(finalized, school, client):
    people, _ = school
    api.reopen_evaluation(people["principal"].user, finalized.id, finalized.version, "Tab khác")
    page = client.post(
        detail(finalized.id),
        {"action": "reopen", "mode": "reopen", "reason": "Lý do của tôi", "expected_version": finalized.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = page.content.decode()
    assert page.status_code == 409 and "Someone else changed this evaluation" in html and "Lý do của tôi" in html
    assert AuditEntry.objects.filter(action="reopen").count() == 1
