"""The XSS payloads of the free-text fields in a real browser: no script of theirs runs, their text is read as text.

The fields are written as in tests/integration/test_xss.py (roster import, block handlers, the mentor tool's
forms, the head's page); Chromium then opens the pages that show them: the self-assessment block on the
workbench, the head's final-rating page, and the mentor tool's opinion and support-log pages.
"""

import pytest

from tests.browser.conftest import sign_in
from tests.integration.test_final_rating import detail
from tests.integration.test_xss import VALUES, world  # noqa: F401  (fixture)
from tests.lti.conftest import keyset_server, open_edx, platform_pem  # noqa: F401  (fixtures)

WORKBENCH = "/workbench/scenario/temis_self_assessment.0/"


def texts(page, selector) -> str:
    return "\n".join(page.locator(selector).all_inner_texts())


@pytest.mark.django_db(transaction=True)
def test_no_payload_runs_and_each_reads_as_text(live_server, page, world):  # noqa: F811
    dialogs = []

    def record(dialog):
        dialogs.append(f"{page.url}: {dialog.type}({dialog.message!r})")
        dialog.dismiss()

    page.on("dialog", record)

    def visit(path):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")

    # The teacher's own draft in the self-assessment block: the texts in their fields, evidence by name.
    sign_in(page, live_server, "t2", password="pw", start=WORKBENCH)
    assert page.locator("[data-field=strengths]").input_value() == VALUES["evaluation.strengths"]
    assert page.locator("[data-plan=goals]").input_value() == VALUES["plan.goals"]
    assert VALUES["evidence.name"] in texts(page, "fieldset[data-criterion='1'] label")
    # A finalized one: the head's comment, and the evidence as links to their http(s) addresses.
    page.context.clear_cookies()
    sign_in(page, live_server, "t1", password="pw", start=WORKBENCH)
    assert VALUES["final.comment"] in texts(page, ".temis-readonly")
    assert page.locator(".temis-readonly a[href^='https:']").first.get_attribute("href") == VALUES["evidence.url"]

    # The head's page of the finalized evaluation.
    page.context.clear_cookies()
    sign_in(page, live_server, "principal", password="pw")
    visit(detail(world.evaluations["t1"].pk))
    shown = texts(page, "main")
    for field in (
        "teacher.full_name",
        "evaluation.strengths",
        "plan.conditions",
        "evidence.name",
        "evidence.description",
        "final.comment",
        "reopen.reason",
    ):
        assert VALUES[field] in shown, field
    page.locator("details summary").first.click()  # the colleagues' comments
    assert VALUES["opinion.strengths"] in texts(page, "main details")

    # The mentor tool: the opinion form with the opinion given, and the support log.
    visit(f"{world.workspace}opinions/{world.evaluations['t4'].pk}/")
    assert page.locator("#id_strengths").input_value() == VALUES["opinion.strengths"]
    assert VALUES["teacher.full_name"] in texts(page, "main")
    visit(f"{world.workspace}activities/")
    assert VALUES["support.topic"] in texts(page, "table")
    assert VALUES["teacher.full_name"] in texts(page, "table")

    assert dialogs == [], "a payload ran:\n" + "\n".join(dialogs)
