"""A principal gives the final ratings of the demo school: the list, bulk actions, one evaluation, reopening.

Controls are found by their form names and values, so the tests hold in both languages whatever the
wording; the level labels come from the catalogue in the page's language.
"""

import pytest
from django.core.management import call_command

from temis_plugin.models import AuditEntry, EducatorProfile, Evaluation
from tests.browser.conftest import sign_in

PHONE = {"width": 390, "height": 844}


def school_evaluations(username="principal.s01"):
    principal = EducatorProfile.objects.get(user__username=username)
    rows = Evaluation.objects.filter(educator__school=principal.school, educator__position="teacher")
    return {
        state: list(rows.filter(state=state).order_by("pk").values_list("pk", flat=True))
        for state in ("draft", "submitted", "opinions", "finalized")
    }


def click(page, action):
    page.locator(f"button[name=action][value={action}]").click()
    page.wait_for_load_state()


def bulk(page, ids, action):
    for pk in ids:
        page.locator(f"tr[data-evaluation='{pk}'] input[name=evaluation]").check()
    click(page, action)
    summary = page.locator("#bulk-summary")
    summary.wait_for()
    return summary


def rate_one(page, pk, good, saved_notice_class="notice"):
    """Open one evaluation, change criterion 1 to the top level, save, then finalize."""
    page.locator(f"tr[data-evaluation='{pk}'] th a").click()
    page.locator("fieldset[data-criterion='1']").wait_for()
    page.locator("fieldset[data-criterion='1']").get_by_label(good, exact=True).check()
    click(page, "save")
    assert page.locator(f"p.{saved_notice_class}[role=status]").count() == 1
    assert page.locator("fieldset[data-criterion='1']").get_by_label(good, exact=True).is_checked()


@pytest.mark.django_db(transaction=True)
def test_principal_rates_the_school_in_vietnamese(live_server, page, screenshot):
    call_command("temis_demo_data")
    sign_in(page, live_server, "principal.s01")
    page.locator("a[href='/temis/final/']").click()
    page.wait_for_url("**/temis/final/")
    assert page.locator("html").get_attribute("lang") == "vi"
    before = school_evaluations()
    assert len(page.locator("tr[data-evaluation]").all()) == sum(len(v) for v in before.values())
    screenshot("final-rating-list-vi")

    # Keep one evaluation with opinions aside for the single-evaluation page; a draft shows a failure.
    kept = before["opinions"][0]
    chosen = before["submitted"] + before["opinions"][1:] + before["draft"][:1]
    summary = bulk(page, chosen, "accept")
    assert summary.locator("li").count() == 1  # the draft, with its reason
    screenshot("final-rating-bulk-accepted-vi")
    summary = bulk(page, chosen, "finalize")
    assert summary.locator("li").count() == 1
    after = school_evaluations()
    assert set(chosen[:-1]) <= set(after["finalized"]) and after["opinions"] == [kept]
    screenshot("final-rating-bulk-finalized-vi")

    rate_one(page, kept, "Tốt")
    screenshot("final-rating-detail-vi")
    click(page, "finalize")
    page.locator("[data-role=final-rating]").wait_for()
    evaluation = Evaluation.objects.get(pk=kept)
    assert evaluation.state == "finalized" and evaluation.final_levels[0] == "T"
    screenshot("final-rating-finalized-vi")

    # Reopening without a reason is refused, with the error tied to the field; with one it is audited.
    page.locator("input[name=mode][value=reopen]").check()
    click(page, "reopen")
    assert page.locator("#id_reason").get_attribute("aria-describedby") == "id_reason-error"
    assert page.locator("#id_reason-error").is_visible()
    page.fill("#id_reason", "Nhập nhầm mức tiêu chí 1")
    page.locator("input[name=mode][value=reopen]").check()
    click(page, "reopen")
    page.locator("fieldset[data-criterion='1']").wait_for()
    assert Evaluation.objects.get(pk=kept).state == "opinions"
    assert AuditEntry.objects.get(evaluation_id=kept, action="reopen").reason == "Nhập nhầm mức tiêu chí 1"
    assert page.get_by_role("cell", name="Nhập nhầm mức tiêu chí 1").count() == 1
    screenshot("final-rating-reopened-vi")


@pytest.mark.django_db(transaction=True)
def test_principal_rates_in_english_with_the_keyboard(live_server, page, screenshot):
    call_command("temis_demo_data")
    sign_in(page, live_server, "principal.s01")
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.locator("header button[type=submit]").click()
    page.goto(f"{live_server.url}/temis/final/")
    assert page.locator("html").get_attribute("lang") == "en"
    before = school_evaluations()
    # "Select all on this page" (a script makes it appear), then both actions.
    page.locator("#select-page").check()
    summary = bulk(page, [], "accept")
    assert "accepted as final for" in summary.inner_text()
    page.locator("#select-page").check()
    summary = bulk(page, [], "finalize")
    finalized, total = len(before["submitted"]) + len(before["opinions"]), sum(len(v) for v in before.values())
    assert f"{finalized} of {total} selected evaluations finalized" in summary.inner_text()
    assert "the self-assessment has not been submitted yet." in summary.inner_text()
    screenshot("final-rating-list-en")

    # Reopen a finalized one for the head, then use the keyboard on the levels.
    pk = before["submitted"][0]
    page.locator(f"tr[data-evaluation='{pk}'] th a").click()
    page.get_by_label("Reopen for me, to change the final levels").check()
    page.get_by_label("Reason").fill("Re-check criterion 2")
    page.get_by_role("button", name="Reopen").click()
    page.get_by_role("group", name="Criterion 2. Teacher manner and style").wait_for()
    current = page.locator("fieldset[data-criterion='2'] input:checked")
    current.focus()
    page.keyboard.press("ArrowLeft")  # one level down, as a keyboard user moves in a radio group
    chosen = page.locator("fieldset[data-criterion='2'] input:checked").get_attribute("value")
    assert chosen != Evaluation.objects.get(pk=pk).final_levels[1]
    page.get_by_role("button", name="Preview the rating").click()
    assert "Overall rating with these levels" in page.locator("[data-role=preview]").inner_text()
    page.get_by_role("button", name="Finalize").click()
    page.locator("[data-role=final-rating]").wait_for()
    assert Evaluation.objects.get(pk=pk).final_levels[1] == {"CD": "C"}.get(chosen, chosen)
    screenshot("final-rating-detail-en")


@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone(live_server, browser, screenshot):
    call_command("temis_demo_data")
    context = browser.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, live_server, "principal.s01")
        page.goto(f"{live_server.url}/temis/final/")
        overflow = "document.documentElement.scrollWidth > window.innerWidth"
        assert not page.evaluate(overflow)
        row = page.locator("tr[data-evaluation]").first
        assert row.locator("td[data-label]").first.evaluate("e => getComputedStyle(e).display") == "block"
        screenshot("final-rating-list-en-phone", of_page=page)
        pk = school_evaluations()["opinions"][0]
        page.goto(f"{live_server.url}/temis/final/{pk}/")
        assert not page.evaluate(overflow)
        radio = page.locator("fieldset[data-criterion='1'] input[type=radio]").first
        assert radio.bounding_box()["width"] >= 18
        screenshot("final-rating-detail-en-phone", of_page=page)
    finally:
        context.close()
