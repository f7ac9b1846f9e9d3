"""A province officer opens every report, downloads it as .xlsx and .csv, follows the file's progress and
exports to TEMIS; in Vietnamese on a desktop and in English on a phone."""

import csv
import io
from pathlib import Path
from unittest import mock

import openpyxl
import pytest

from temis_plugin import api
from temis_plugin.models import OrgUnit, ReportRun
from temis_plugin.reports import runs
from tests.browser.conftest import sign_in
from tests.report_data import build_results, officer

PASSWORD = "demo-password"
# Report files in a folder of each test's own.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]


UNIT_NAMES = {
    "P1": "Tỉnh Mẫu",
    "X1": "Xã Mẫu 1",
    "X2": "Xã Mẫu 2",
    "S1": "Trường Tiểu học Xã Mẫu 1",
    "S2": "Trường Tiểu học Xã Mẫu 2",
}


@pytest.fixture
def province_officer(cycle, school_tree, make_user):
    """The demo's officer.province, on a small province whose numbers the integration tests check."""
    for code, name in UNIT_NAMES.items():
        OrgUnit.objects.filter(code=code).update(name=name)
    build_results(cycle, school_tree, make_user)
    return officer(make_user, school_tree["P1"], password=PASSWORD)


def stamp_values(page) -> list[str]:
    """The stamp's values, but the moment the page was made (the file is made later)."""
    return page.locator("[data-role=stamp] dd").all_inner_texts()[:-1]


def first_header(page) -> list[str]:
    heads = page.locator("[data-role=report-table] thead").first
    return heads.locator("th").all_inner_texts() if heads.count() else []


def file_rows(path: Path, file_format: str) -> list[list]:
    if file_format == "csv":
        return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = []
    for sheet in workbook.worksheets:
        for values in sheet.iter_rows(values_only=True):
            values = list(values)
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
    return rows


def follow_run(page, folder: Path, when_done=None):
    """On the file's page: wait for 100 %, then download the file into ``folder``."""
    page.wait_for_url("**/temis/reports/runs/*/")
    page.locator("[data-role=download]").wait_for()
    assert page.locator("[data-role=percent]").inner_text() == "100%"
    assert page.locator("#run-progress").evaluate("bar => bar.value") == 100
    if when_done:
        when_done()
    with page.expect_download() as info:
        page.locator("[data-role=download]").click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return download, path


def test_officer_downloads_every_report_in_vietnamese(live_server, page, screenshot, province_officer, tmp_path):
    sign_in(page, live_server, "officer.province", PASSWORD, start="/temis/reports/")
    assert page.locator("html").get_attribute("lang") == "vi"
    screenshot("reports-dashboard")
    kinds = dict(api.report_kinds())
    assert page.locator("a[data-kind]").count() == len(kinds)
    for kind in kinds:
        page.goto(f"{live_server.url}/temis/reports/")
        page.locator(f"a[data-kind={kind}]").click()
        page.wait_for_url(f"**/temis/reports/{kind}/**")
        title = page.locator("h1").inner_text()
        stamp, header = stamp_values(page), first_header(page)
        assert "Tỉnh Mẫu" in stamp and "Năm học 2026-2027" in stamp
        if kind == "aggregate":
            # Charts are images with a name (their title) for assistive technology.
            first_chart = page.locator("svg[role=img] title").first.text_content()
            assert page.locator("svg[role=img]").count() >= 3
            assert page.get_by_role("img", name=first_chart).count() >= 1
            screenshot("reports-aggregate")
        report_url = page.url
        for file_format in ("xlsx", "csv"):
            page.goto(report_url)
            # The file is made for the moment this page showed: the same stamp.
            stamp = stamp_values(page)
            page.locator(f"#download button[value={file_format}]").click()
            download, path = follow_run(
                page,
                tmp_path,
                when_done=lambda kind=kind, file_format=file_format: (
                    screenshot("reports-run") if (kind, file_format) == ("aggregate", "xlsx") else None
                ),
            )
            assert download.suggested_filename.startswith(f"{kind}-2026-2027-P1-")
            assert download.suggested_filename.endswith(f".{file_format}")
            rows = file_rows(path, file_format)
            cells = {str(value) for values in rows for value in values if value is not None}
            assert title in cells, (kind, file_format)
            assert set(stamp) <= cells, (kind, file_format, set(stamp) - cells)
            if header:
                assert header in rows, (kind, file_format, header)
    assert ReportRun.objects.filter(status="done").count() == 2 * len(kinds)
    # Every file is listed on the dashboard, with its link.
    page.goto(f"{live_server.url}/temis/reports/")
    assert page.locator("tr[data-run] a[href$='/file/']").count() == 2 * len(kinds)


def test_officer_exports_to_temis(live_server, page, province_officer, tmp_path):
    sign_in(page, live_server, "officer.province", PASSWORD, start="/temis/reports/")
    page.locator("input[name=template][value='TT20-ket-qua-giao-vien']").check()
    page.locator("#export-format").select_option("xlsx")
    page.locator("#temis-export button[type=submit]").click()
    download, path = follow_run(page, tmp_path)
    assert download.suggested_filename.startswith("TT20-ket-qua-giao-vien-2026-2027-P1-")
    rows = file_rows(path, "xlsx")
    header = next(values for values in rows if values[:3] == ["STT", "Mã định danh", "Họ và tên"])
    data = rows[rows.index(header) + 1 :]
    # Every finalized evaluation of the province: a, b, c (S1), e and f (S2).
    assert [values[1] for values in data] == [
        "079000000001",
        "079000000002",
        "079000000003",
        "079000000005",
        "079000000006",
    ]
    assert data[0][header.index("Xếp loại")] == "Tốt"


def test_the_file_page_shows_progress_until_done(live_server, page, province_officer, tmp_path):
    sign_in(page, live_server, "officer.province", PASSWORD, start="/temis/reports/")
    with mock.patch.object(runs, "enqueue"):  # as if no worker had taken it yet
        run = api.request_report_file(province_officer, "aggregate", "xlsx", scope_code="P1", language="vi")
    ReportRun.objects.filter(pk=run.id).update(status="running", progress=30)
    page.goto(f"{live_server.url}/temis/reports/runs/{run.id}/")
    assert page.locator("[data-role=percent]").inner_text() == "30%"
    ReportRun.objects.filter(pk=run.id).update(progress=70)
    # The page asks for the status every second and shows it without reloading.
    page.locator("[data-role=percent]", has_text="70%").wait_for(timeout=5000)
    assert page.locator("#run-progress").evaluate("bar => bar.value") == 70
    runs.execute_run(run.id, language="vi")
    # Done: the page loads again with the link.
    download, path = follow_run(page, tmp_path)
    assert download.suggested_filename.endswith(".xlsx") and path.stat().st_size > 0


def test_reports_in_english_on_a_phone(live_server, browser, screenshot, province_officer, tmp_path):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, "officer.province", PASSWORD, start="/temis/reports/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", name="Reports", exact=True).count() == 1
        page.get_by_role("link", name="Results by rating, criterion and level").click()
        assert page.locator("[data-role=stamp]").inner_text().startswith("Report")
        # The page itself never scrolls sideways: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.locator(".table-scroll").first.evaluate("box => getComputedStyle(box).overflowX") == "auto"
        screenshot("reports-aggregate-en-phone", of_page=page)
        page.get_by_role("button", name="Download as CSV (.csv)").click()
        _download, path = follow_run(page, tmp_path)
        rows = file_rows(path, "csv")
        assert ["Scope", "Tỉnh Mẫu"] in rows and ["Report", "Results by rating, criterion and level"] in rows
    finally:
        context.close()
