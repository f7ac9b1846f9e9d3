"""The self-assessment block on the real XBlock runtime: views, handlers, events, OLX and reports."""

import datetime
import json

import pytest
from django.utils import timezone
from lxml import etree

from temis_plugin import api, standards
from temis_plugin.models import Evaluation, Evidence

OLX = '<temis_self_assessment display_name="Tự đánh giá" framework_code="TT20-2018"/>'
ALL_K = {str(n): "K" for n in range(1, 16)}


@pytest.fixture
def block(harness, cycle, people):
    return harness(OLX, "t1")


def test_student_view_shows_descriptors_in_vietnamese(harness, cycle, people):
    html = harness(OLX, "t1", language="vi").html()
    assert "Thông tư 20/2018/TT-BGDĐT" in html and "Đạo đức nhà giáo" in html
    assert html.count('type="radio"') == 15 * 4
    tt20 = standards.get_framework("TT20-2018")
    assert tt20.criteria[0].descriptors_vi["T"] in html  # the Tốt descriptor of criterion 1
    assert '<fieldset class="temis-criterion"' in html and "<legend>Tiêu chí 1. Đạo đức nhà giáo</legend>" in html


def test_english_view(block):
    html = block.html()
    assert "Teacher ethics" in html and "Save draft" in html


def test_save_draft_submit_publishes_completion(block):
    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    status, data = block.json(
        "save_draft",
        {"id": evaluation.id, "version": evaluation.version, "levels": {"1": "T"}, "strengths": "Chủ động"},
    )
    assert status == 200 and data["self_levels"] == {"1": "T"}
    status, data = block.json("save_draft", {"id": evaluation.id, "version": data["version"], "levels": ALL_K})
    status, data = block.json("submit", {"id": evaluation.id, "version": data["version"]})
    assert status == 200 and data["state"] == "submitted" and data["self_rating"] == "KHA"
    assert block.events == [("completion", {"completion": 1.0})]
    html = block.html()
    assert 'data-role="self-rating"' in html and 'type="radio"' not in html  # read-only now


def test_grade_published_when_the_author_asks(harness, cycle, people):
    block = harness(OLX.replace("/>", ' publish_grade="true"/>'), "t1")
    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    _, data = block.json("save_draft", {"id": evaluation.id, "version": evaluation.version, "levels": ALL_K})
    block.json("submit", {"id": evaluation.id, "version": data["version"]})
    assert ("grade", {"value": 1, "max_value": 1}) in block.events and block.block.has_score


def _evaluation_id(block):
    block.html()  # opening the block creates the evaluation and remembers it
    return block.block.evaluation_id


@pytest.mark.parametrize(
    "payload, status",
    [
        ({"levels": {"99": "T"}}, 400),
        ({"levels": {"1": "X"}}, 400),
        ({"levels": "TTT"}, 400),
        ({"plan": {"goals": 5}}, 400),
    ],
)
def test_tampered_payloads_get_4xx_and_change_nothing(block, payload, status):
    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    code, data = block.json("save_draft", {"id": evaluation.id, "version": evaluation.version, **payload})
    assert code == status and data["error"]
    assert Evaluation.objects.get(pk=evaluation.pk).version == evaluation.version


def test_another_users_evaluation_is_not_found(harness, block, people):
    evaluation_id = _evaluation_id(block)
    other = harness(OLX, "t3")  # other subject group: no relation at all
    code, _ = other.json("save_draft", {"id": evaluation_id, "version": 1, "levels": {"1": "T"}})
    assert code == 404


def test_second_tab_gets_409_and_nothing_is_lost(block):
    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    _, first = block.json("save_draft", {"id": evaluation.id, "version": evaluation.version, "levels": {"1": "T"}})
    code, second = block.json("save_draft", {"id": evaluation.id, "version": evaluation.version, "levels": {"1": "D"}})
    assert code == 409 and "reload" in second["error"]
    assert Evaluation.objects.get(pk=evaluation.pk).self_levels.startswith("T")


def test_submit_twice_and_after_close_are_refused(harness, cycle, people):
    block = harness(OLX, "t1")
    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    _, data = block.json("save_draft", {"id": evaluation.id, "version": evaluation.version, "levels": ALL_K})
    _, data = block.json("submit", {"id": evaluation.id, "version": data["version"]})
    code, _ = block.json("submit", {"id": evaluation.id, "version": data["version"]})
    assert code == 409
    closed = harness(OLX, "t2")
    closed.block.closes_at = timezone.now() - datetime.timedelta(days=1)
    evaluation = Evaluation.objects.get(pk=_evaluation_id(closed))
    code, data = closed.json("save_draft", {"id": evaluation.id, "version": evaluation.version, "levels": ALL_K})
    assert code == 403 and "closed" in data["error"]


def test_evidence_upload_link_and_limits(block, settings):
    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    code, evidence = block.upload("add_evidence", {"name": "Giáo án"}, ("giao-an.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert code == 200 and evidence["kind"] == "file"
    code, data = block.json(
        "link_evidence",
        {"id": evaluation.id, "version": evaluation.version, "evidence_id": evidence["id"], "criteria": [4, 5]},
    )
    assert code == 200 and "Giáo án" in block.html()
    # The block links the file through the checked route, not its storage URL.
    assert f'href="/temis/evidence/{evidence["id"]}/"' in block.html() and "/media/" not in block.html()
    code, data = block.upload("add_evidence", {"name": "x"}, ("x.exe", b"MZ"))
    assert code == 400 and "type of file" in data["error"]
    big = b"0" * (settings.TEMIS_EVIDENCE_MAX_BYTES + 1)
    code, data = block.upload("add_evidence", {"name": "x"}, ("big.pdf", big))
    assert code == 400 and "larger" in data["error"]
    code, data = block.upload("add_evidence", {"name": "link", "url": "https://example.org/video"})
    assert code == 200 and data["kind"] == "link"
    assert Evidence.objects.count() == 2


def test_student_view_data_and_user_state_for_mobile(block):
    data = block.block.student_view_data()
    assert data["framework"] == "TT20-2018" and len(data["standards"]) == 5
    assert data["standards"][0]["criteria"][0]["descriptors_vi"]["D"]
    from webob import Request

    response = block.block.handle("student_view_user_state", Request.blank("/"))
    assert response.status_code == 200 and response.json["state"] == "draft"


def test_olx_round_trip(harness, cycle, people):
    olx = (
        '<temis_self_assessment display_name="Năm học" framework_code="TT14-2018" cycle_code="2026-2027" '
        'show_rating="false" publish_grade="true" instructions="Hãy đọc kỹ."/>'
    )
    block = harness(olx, "t1").block
    node = etree.Element("root")
    block.add_xml_to_node(node)
    assert node.get("framework_code") == "TT14-2018" and node.get("cycle_code") == "2026-2027"
    again = harness(etree.tostring(node, encoding="unicode"), "t1").block
    for field in ("display_name", "framework_code", "cycle_code", "show_rating", "publish_grade", "instructions"):
        assert getattr(again, field) == getattr(block, field), field


def test_report_rows_for_problem_responses(block):
    evaluation_id = _evaluation_id(block)
    evaluation = Evaluation.objects.get(pk=evaluation_id)
    block.json("save_draft", {"id": evaluation.id, "version": evaluation.version, "levels": {"1": "T", "2": "K"}})

    class State:
        username, state = "t1", {"evaluation_id": evaluation_id}

    rows = list(block.block.generate_report_data(iter([State()])))
    assert rows == [
        (
            "t1",
            {
                "framework": "TT20-2018",
                "legal_basis": "Thông tư 20/2018/TT-BGDĐT, Điều 10 khoản 2",
                "state": "draft",
                "self_rating": "",
                "final_rating": "",
                "criterion 1": "T",
                "criterion 2": "K",
            },
        )
    ]


def test_no_educator_profile_gets_a_clear_message(harness, cycle, make_user):
    make_user("stranger")
    assert "not linked to an educator profile" in harness(OLX, "stranger").html()


def test_principal_in_a_teachers_block_is_told_so(harness, cycle, people):
    assert "does not apply to your position" in harness(OLX, "principal").html()


def test_studio_editor_saves_the_settings(block):
    from webob import Request

    assert "framework_code" in block.block.render("studio_view", {}).content
    body = {"values": {"framework_code": "TT14-2018", "show_rating": False, "instructions": "Đọc kỹ"}, "defaults": []}
    response = block.block.handle(
        "submit_studio_edits",
        Request.blank("/", method="POST", body=json.dumps(body).encode(), content_type="application/json"),
    )
    assert response.status_code == 200
    assert (block.block.framework_code, block.block.show_rating, block.block.instructions) == (
        "TT14-2018",
        False,
        "Đọc kỹ",
    )


def test_later_views_show_opinions_summary_and_final_rating(block, people):
    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    _, data = block.json("save_draft", {"id": evaluation.id, "version": evaluation.version, "levels": ALL_K})
    block.json("submit", {"id": evaluation.id, "version": data["version"]})
    api.add_colleague_opinion(people["t2"].user, evaluation.id, {n: "T" for n in range(1, 16)})
    html = block.html()
    assert "Colleague opinions received: 1" in html and "Good: 1" in html and "final-rating" not in html
    current = api.get_evaluation(people["principal"].user, evaluation.id)
    api.finalize_evaluation(
        people["principal"].user,
        evaluation.id,
        current.version,
        levels={n: "T" for n in range(1, 16)},
        comment="Rất tốt",
    )
    html = block.html()
    assert 'data-role="final-rating">Good<' in html and "Rất tốt" in html


def test_linking_another_teachers_evidence_is_refused(harness, block, people):
    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    theirs = api.add_evidence(people["t2"].user, "Của đồng nghiệp", url="https://example.org/x")
    code, data = block.json(
        "link_evidence", {"id": evaluation.id, "version": evaluation.version, "evidence_id": theirs.id, "criteria": [1]}
    )
    assert code == 404 and not Evaluation.objects.get(pk=evaluation.pk).evidence_links.exists()


def test_training_needs_choose_modules_and_criteria(block):
    from temis_plugin.catalog import load_training_modules

    load_training_modules()
    assert "GVPT-09" in block.html()  # the teachers' modules are offered
    evaluation = Evaluation.objects.get(pk=block.block.evaluation_id)
    code, _ = block.json(
        "save_draft",
        {"id": evaluation.id, "version": evaluation.version, "need_criteria": [15], "need_modules": ["GVPT-09"]},
    )
    assert code == 200
    needs = {(n.criterion, n.module.code if n.module else None) for n in evaluation.training_needs.all()}
    assert needs == {(15, None), (None, "GVPT-09")}
    code, data = block.json(
        "save_draft", {"id": evaluation.id, "version": evaluation.version + 1, "need_modules": ["NO-SUCH"]}
    )
    assert code == 400 and "unknown training modules" in data["error"]


def test_the_heads_draft_rating_stays_with_the_head_until_finalized(block, people):
    # The page shows the final levels and comment once the evaluation is finalized; the block's data for the
    # mobile apps, and the API the LTI tool reads, show no more than the page.
    from webob import Request

    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    _, data = block.json("save_draft", {"id": evaluation.id, "version": evaluation.version, "levels": ALL_K})
    block.json("submit", {"id": evaluation.id, "version": data["version"]})
    head, t1 = people["principal"].user, people["t1"].user
    current = api.get_evaluation(head, evaluation.id)
    api.save_final_levels(
        head, evaluation.id, current.version, {n: "T" for n in range(1, 16)}, comment="Bản nháp của hiệu trưởng"
    )

    def user_state():
        response = block.block.handle("student_view_user_state", Request.blank("/"))
        assert response.status_code == 200
        return response.json

    state = user_state()
    assert (state["final_levels"], state["final_comment"], state["final_rating"]) == ({}, "", None)
    assert "Bản nháp của hiệu trưởng" not in block.html()
    assert api.get_evaluation(t1, evaluation.id).final_levels == {}
    assert api.get_evaluation(head, evaluation.id).final_comment == "Bản nháp của hiệu trưởng"  # the head's own
    current = api.get_evaluation(head, evaluation.id)
    api.finalize_evaluation(head, evaluation.id, current.version)
    state = user_state()
    assert state["final_levels"]["1"] == "T" and state["final_comment"] == "Bản nháp của hiệu trưởng"
    assert state["final_rating"] == "TOT"


def test_training_needs_of_the_wrong_shape_are_refused(block):
    evaluation = Evaluation.objects.get(pk=_evaluation_id(block))
    for needs in (
        {"need_criteria": 5},
        {"need_modules": "GVPT-09"},
        {"need_criteria": [None]},
        {"need_criteria": {"1": 2}},
        {"need_modules": [5]},
    ):
        code, data = block.json("save_draft", {"id": evaluation.id, "version": evaluation.version, **needs})
        assert code == 400 and data["error"], needs
    assert Evaluation.objects.get(pk=evaluation.pk).version == evaluation.version
