"""A teacher fills in the self-assessment block in the workbench, in Vietnamese and in English."""

import pytest

from temis_plugin.models import Evaluation, EvidenceLink
from tests.browser.conftest import sign_in

SCENARIO = "/workbench/scenario/temis_self_assessment.0/"


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "ke-hoach-bai-day.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return path


def pdf_viewer_opened(viewer) -> bool:
    """Whether Chromium's PDF viewer (an extension's frame) opened in the page, within ten seconds."""
    for _attempt in range(100):
        if any(frame.url.startswith("chrome-extension://") for frame in viewer.frames):
            return True
        viewer.wait_for_timeout(100)
    return False


def fill_in(page, level_label, saved_text):
    for number in range(1, 16):
        page.locator(f"fieldset[data-criterion='{number}']").get_by_label(level_label, exact=True).check()
    page.locator("[data-field=strengths]").fill("Nhiệt tình, chủ động.")
    page.get_by_text(saved_text).wait_for()


def attach(page, pdf, name, add_label, added_text):
    section = page.locator(".temis-library")
    section.locator("[data-role=evidence-name]").fill(name)
    section.locator("[data-role=evidence-file]").set_input_files(str(pdf))
    section.get_by_role("button", name=add_label).click()
    page.get_by_text(added_text).wait_for()
    page.locator("fieldset[data-criterion='4']").get_by_label(name).check()


@pytest.mark.django_db(transaction=True)
def test_full_self_assessment_in_vietnamese(live_server, page, screenshot, cycle, people, pdf):
    sign_in(page, live_server, "t1", password="pw", start=SCENARIO)
    assert page.get_by_role("group", name="Tiêu chí 1. Đạo đức nhà giáo").count() == 1
    fill_in(page, "Khá", "Đã lưu bản nháp")
    page.reload()  # the draft survives a reload
    assert page.locator("fieldset[data-criterion='15']").get_by_label("Khá", exact=True).is_checked()
    attach(page, pdf, "Kế hoạch bài dạy", "Thêm minh chứng", "Đã thêm minh chứng.")
    page.get_by_text("Đã lưu bản nháp").wait_for()
    screenshot("self-assessment-draft-vi")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Gửi").click()
    page.locator("[data-role=self-rating]").wait_for()
    assert page.locator("[data-role=self-rating]").inner_text() == "Khá"
    assert page.get_by_role("link", name="Kế hoạch bài dạy").count() == 1
    screenshot("self-assessment-submitted-vi")
    # The file opens in the browser's PDF viewer, though in a sandbox: nothing in it runs in the site's origin.
    viewer = page.context.new_page()
    shown = viewer.goto(live_server.url + page.get_by_role("link", name="Kế hoạch bài dạy").get_attribute("href"))
    headers = shown.all_headers()
    assert headers["content-type"] == "application/pdf" and headers["content-security-policy"] == "sandbox"
    assert pdf_viewer_opened(viewer)
    viewer.close()
    evaluation = Evaluation.objects.get(educator=people["t1"])
    assert evaluation.state == "submitted" and evaluation.self_rating == "KHA"
    assert EvidenceLink.objects.filter(evaluation=evaluation, criterion=4).count() == 1
    # The same record in the plugin's admin and API.
    from django.contrib.auth import get_user_model
    from django.test import Client

    from temis_plugin import api

    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("root", "root@example.invalid", "pw"))
    admin_page = staff.get(f"/admin/temis_plugin/evaluation/{evaluation.pk}/change/").content.decode()
    assert "1:K 2:K" in admin_page and "15:K" in admin_page and "Khá" in admin_page
    assert api.get_evaluation(people["principal"].user, evaluation.pk).self_rating == "KHA"


@pytest.mark.django_db(transaction=True)
def test_full_self_assessment_in_english(live_server, browser, screenshot, cycle, people, pdf):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    try:
        sign_in(page, live_server, "t2", password="pw", start=SCENARIO)
        assert page.get_by_role("group", name="Criterion 1. Teacher ethics").count() == 1
        fill_in(page, "Good", "Draft saved")
        attach(page, pdf, "Lesson plan", "Add evidence", "Evidence added.")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Submit").click()
        page.locator("[data-role=self-rating]").wait_for()
        assert page.locator("[data-role=self-rating]").inner_text() == "Good"
        screenshot("self-assessment-submitted-en-phone", of_page=page)
    finally:
        context.close()


def test_submit_without_every_level_names_the_missing_criteria(live_server, page, cycle, people):
    sign_in(page, live_server, "t1", password="pw", start=SCENARIO)
    page.locator("fieldset[data-criterion='1']").get_by_label("Tốt", exact=True).check()
    page.get_by_role("button", name="Gửi").click()
    errors = page.locator("[data-role=errors]")
    assert "2, 3" in errors.inner_text()
    second = page.locator("fieldset[data-criterion='2']")
    assert second.get_attribute("aria-invalid") == "true"
    assert second.get_attribute("aria-describedby") == page.locator("[data-role=errors]").get_attribute("id")
    assert page.evaluate("document.activeElement.getAttribute('data-role')") == "errors"
