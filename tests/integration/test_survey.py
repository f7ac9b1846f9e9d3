"""The programme satisfaction survey: one response per educator and module, strict validation, retirement."""

import pytest

from temis_plugin import api
from temis_plugin.errors import InvalidInput, NotFound
from temis_plugin.models import SurveyResponse, TrainingModule
from temis_plugin.retirement import retire_user
from temis_plugin.survey import COMMENT_MAX_CHARS, SURVEY_ITEM_LABELS, SURVEY_ITEMS

GOOD = {"content": 5, "materials": 4, "support": 3, "usefulness": 5}


@pytest.fixture
def module(db):
    return TrainingModule.objects.create(code="GVPT-01", name_vi="Mô đun 1", audience="teacher", hours=40)


def test_every_item_has_a_label():
    assert tuple(SURVEY_ITEM_LABELS) == SURVEY_ITEMS


def test_save_then_get(module, people):
    user = people["t1"].user
    assert api.get_survey_response(user, "GVPT-01") is None
    saved = api.save_survey_response(user, "GVPT-01", GOOD, "Tài liệu rất hữu ích")
    assert saved.module_code == "GVPT-01" and saved.answers == GOOD and saved.comment == "Tài liệu rất hữu ích"
    assert api.get_survey_response(user, "GVPT-01") == saved
    assert api.get_survey_response(people["t2"].user, "GVPT-01") is None


def test_second_save_updates_the_one_response(module, people):
    user = people["t1"].user
    first = api.save_survey_response(user, "GVPT-01", GOOD, "Lần đầu")
    second = api.save_survey_response(user, "GVPT-01", {**GOOD, "support": 1})
    assert SurveyResponse.objects.count() == 1
    assert second.answers["support"] == 1 and second.comment == ""
    assert second.created == first.created and second.modified >= first.modified
    assert api.get_survey_response(user, "GVPT-01") == second


def test_longest_comment_is_accepted(module, people):
    saved = api.save_survey_response(people["t1"].user, "GVPT-01", GOOD, "ý" * COMMENT_MAX_CHARS)
    assert len(saved.comment) == COMMENT_MAX_CHARS


@pytest.mark.parametrize(
    "answers, comment",
    [
        ({k: v for k, v in GOOD.items() if k != "support"}, ""),  # an item missing
        ({**GOOD, "content": 0}, ""),
        ({**GOOD, "content": 6}, ""),
        ({**GOOD, "content": -1}, ""),
        ({**GOOD, "content": "5"}, ""),  # a number as text
        ({**GOOD, "content": 4.5}, ""),
        ({**GOOD, "content": 5.0}, ""),
        ({**GOOD, "content": True}, ""),
        ({**GOOD, "content": None}, ""),
        ({**GOOD, "pace": 3}, ""),  # an unknown item
        ({}, ""),
        ([5, 4, 3, 5], ""),
        ("content=5", ""),
        (GOOD, "x" * (COMMENT_MAX_CHARS + 1)),  # too long a comment
        (GOOD, None),
    ],
)
def test_invalid_payload_is_refused_and_nothing_changes(module, people, answers, comment):
    user = people["t1"].user
    before = api.save_survey_response(user, "GVPT-01", GOOD, "Giữ nguyên")
    with pytest.raises(InvalidInput):
        api.save_survey_response(user, "GVPT-01", answers, comment)
    assert api.get_survey_response(user, "GVPT-01") == before
    assert SurveyResponse.objects.count() == 1
    with pytest.raises(InvalidInput):
        api.save_survey_response(people["t2"].user, "GVPT-01", answers, comment)
    assert api.get_survey_response(people["t2"].user, "GVPT-01") is None


def test_unknown_module_and_account_without_profile(module, people, make_user):
    with pytest.raises(NotFound):
        api.save_survey_response(people["t1"].user, "NO-SUCH", GOOD)
    with pytest.raises(NotFound):
        api.get_survey_response(people["t1"].user, "NO-SUCH")
    learner = make_user("learner")
    with pytest.raises(NotFound, match="educator profile"):
        api.save_survey_response(learner, "GVPT-01", GOOD)
    assert api.get_survey_response(learner, "GVPT-01") is None
    assert not SurveyResponse.objects.exists()


def test_retirement_blanks_comments_and_keeps_ratings(module, people):
    user = people["t1"].user
    api.save_survey_response(user, "GVPT-01", GOOD, "Tôi là Người t1, trường S1")
    api.save_survey_response(people["t2"].user, "GVPT-01", GOOD, "Của người khác")
    assert retire_user(user)
    retired = SurveyResponse.objects.get(educator=people["t1"])
    assert retired.comment == "" and retired.answers == GOOD
    assert SurveyResponse.objects.get(educator=people["t2"]).comment == "Của người khác"
    assert api.get_survey_response(user, "GVPT-01") is None  # the account no longer has a profile


def test_admin_shows_answers_read_only(module, people, client, make_user):
    api.save_survey_response(people["t1"].user, "GVPT-01", GOOD, "Góp ý")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    response = SurveyResponse.objects.get()
    page = client.get(f"/admin/temis_plugin/surveyresponse/{response.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Góp ý" in page.content.decode()
    assert (
        client.post(f"/admin/temis_plugin/surveyresponse/{response.pk}/change/", {"comment": "sửa"}).status_code == 403
    )
    assert SurveyResponse.objects.get().comment == "Góp ý"
