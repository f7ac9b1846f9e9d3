"""The demo data command, the admin pages (roster import included) and the home page."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from temis_plugin import models
from temis_plugin.standards import rate, unpack_levels

SAMPLES = Path(__file__).parent.parent.parent / "fixtures" / "roster"


@pytest.fixture
def demo(db):
    call_command("temis_demo_data")


def test_demo_has_every_state_and_engine_ratings(demo):
    evaluations = models.Evaluation.objects.all()
    assert set(evaluations.values_list("state", flat=True)) == {"draft", "submitted", "opinions", "finalized"}
    assert models.EducatorProfile.objects.count() >= 190
    assert models.MentorGroup.objects.count() > 0 and models.Evidence.objects.count() > 0
    for evaluation in evaluations.filter(state="finalized"):
        levels = {n: lv.value for n, lv in unpack_levels(evaluation.final_levels).items()}
        assert evaluation.final_rating == rate(evaluation.framework_code, levels)
    results = models.ModuleResult.objects.all()
    assert results.filter(passed=True).exists() and results.filter(passed=False).exists()
    assert set(results.values_list("module__code", flat=True)) == {"GVPT-09"}
    call_command("temis_demo_data")  # a second run changes nothing
    assert models.Evaluation.objects.count() == evaluations.count()


def test_admin_lists_every_record(demo, client):
    client.force_login(get_user_model().objects.get(username="admin"))
    for model in (
        "orgunit",
        "cycle",
        "trainingmodule",
        "educatorprofile",
        "roleassignment",
        "mentorgroup",
        "evaluation",
        "evidence",
        "colleagueopinion",
        "trainingneed",
        "auditentry",
    ):
        assert client.get(f"/admin/temis_plugin/{model}/").status_code == 200, model
    evaluation = models.Evaluation.objects.filter(state="finalized").first()
    page = client.get(f"/admin/temis_plugin/evaluation/{evaluation.pk}/change/")
    assert page.status_code == 200 and evaluation.legal_basis in page.content.decode()


def test_admin_roster_import_page(cycle, client, make_user, django_capture_on_commit_callbacks):
    """The upload becomes a background import (run in-process here: no broker is configured) whose page
    shows the problems or the summary; tests/integration/test_roster_worker.py uses a real worker."""
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/temis_plugin/orgunit/import/").status_code == 200
    with open(SAMPLES / "educators.csv", "rb") as handle, django_capture_on_commit_callbacks(execute=True):
        page = client.post("/admin/temis_plugin/orgunit/import/", {"file": handle})
    assert page.status_code == 302
    page = client.get(page["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "school_code" in page.content.decode() and not models.EducatorProfile.objects.exists()
    with open(SAMPLES / "sample_roster.xlsx", "rb") as handle, django_capture_on_commit_callbacks(execute=True):
        page = client.post("/admin/temis_plugin/orgunit/import/", {"file": handle})
    page = client.get(page["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and models.EducatorProfile.objects.count() == 5
    assert "The roster was imported" in page.content.decode()


def test_home_page_in_vietnamese_and_english(demo, client):
    client.force_login(get_user_model().objects.get(username="gv0003"))
    page = client.get("/temis/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200 and 'lang="vi"' in page.content.decode()
    assert "Thông tư 20/2018/TT-BGDĐT" in page.content.decode()
    page = client.get("/temis/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Professional standards" in page.content.decode()


def test_home_page_lists_module_results(demo, client):
    result = models.ModuleResult.objects.filter(passed=True).select_related("educator__user").first()
    client.force_login(result.educator.user)
    page = client.get("/temis/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My training modules" in page and "GVPT-09" in page and f"{round(result.percent * 100)}%" in page


def test_start_page_links_to_the_blocks_for_the_signed_in_teacher(demo, client):
    client.force_login(get_user_model().objects.get(username="gv0003"))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The block acts for whoever is signed in: no learner in the link.
    assert 'href="/workbench/scenario/temis_self_assessment.0/"' in page and "student=" not in page
    html = client.get("/workbench/scenario/temis_self_assessment.0/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Thông tư 20/2018/TT-BGDĐT" in html and "Đạo đức nhà giáo" in html and "gv0003" in html


def test_the_demo_province_officer_downloads_every_report_as_xlsx_and_csv_and_through_the_api(
    demo, django_capture_on_commit_callbacks, media_root
):
    import csv
    import io
    import json

    from django.contrib.auth import get_user_model
    from django.test import Client
    from openpyxl import load_workbook

    from temis_plugin import api

    officer = get_user_model().objects.get(username="officer.province")
    kinds = [code for code, _title in api.report_kinds()]
    for kind in kinds:
        for file_format in ("xlsx", "csv"):
            with django_capture_on_commit_callbacks(execute=True):  # the Celery task runs in-process here
                run = api.request_report_file(officer, kind, file_format)
            run = api.get_report_run(officer, run.id)
            assert run.status == "done" and run.scope.code == "DEMO-P01", (kind, file_format, run)
            handle, _name, _type = api.open_report_file(officer, run.id)
            with handle:
                data = handle.read()
            if file_format == "xlsx":
                assert load_workbook(io.BytesIO(data), read_only=True).worksheets
            else:
                assert any(row[:1] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        client = Client()
        client.force_login(officer)
        response = client.get(f"/temis/api/v1/reports/{kind}/", {"format": "json"})
        assert response.status_code == 200, (kind, response.status_code)
        document = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
        assert document["stamp"]["scope"]["code"] == "DEMO-P01" and document["tables"], kind
    assert len(kinds) == 7
