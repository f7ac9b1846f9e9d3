"""The programme satisfaction survey block on the real XBlock runtime."""

import pytest
from lxml import etree

from temis_plugin.catalog import load_training_modules
from temis_plugin.models import SurveyResponse

OLX = '<temis_programme_survey module_code="GVPT-09"/>'
ANSWERS = {"content": 5, "materials": 4, "support": 3, "usefulness": 5}


@pytest.fixture
def survey(harness, cycle, people):
    load_training_modules()
    return harness(OLX, "t1")


def test_view_lists_items_and_the_module(survey):
    html = survey.html()
    assert "GVPT-09" in html and html.count('type="radio"') == 4 * 5
    assert "<legend>" in html


def test_submit_saves_one_response_and_completes(survey):
    code, data = survey.json("submit", {"answers": ANSWERS, "comment": "Hữu ích"})
    assert code == 200 and data["answers"] == ANSWERS
    assert survey.events == [("completion", {"completion": 1.0})]
    code, _ = survey.json("submit", {"answers": {**ANSWERS, "support": 5}})
    assert code == 200
    response = SurveyResponse.objects.get()
    assert response.answers["support"] == 5 and response.module.code == "GVPT-09"
    assert "checked" in survey.html()


@pytest.mark.parametrize(
    "answers",
    [
        {**ANSWERS, "support": 0},
        {**ANSWERS, "support": 6},
        {**ANSWERS, "support": "5"},
        {k: v for k, v in ANSWERS.items() if k != "support"},
        {**ANSWERS, "price": 3},
        "5555",
    ],
)
def test_invalid_answers_get_400_and_nothing_is_stored(survey, answers):
    code, data = survey.json("submit", {"answers": answers})
    assert code == 400 and data["error"]
    assert not SurveyResponse.objects.exists()


def test_unlinked_survey_explains_itself(harness, cycle, people):
    load_training_modules()
    block = harness("<temis_programme_survey/>", "t1")  # no module, and the workbench has no course
    assert "not linked to a training module" in block.html()
    code, _ = block.json("submit", {"answers": ANSWERS})
    assert code == 400


def test_olx_round_trip(harness, cycle, people):
    block = harness('<temis_programme_survey module_code="GVPT-02" introduction="Xin cảm ơn"/>', "t1").block
    node = etree.Element("root")
    block.add_xml_to_node(node)
    again = harness(etree.tostring(node, encoding="unicode"), "t1").block
    assert (again.module_code, again.introduction) == ("GVPT-02", "Xin cảm ơn")
