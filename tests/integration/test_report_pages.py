"""The reports dashboard: who may see what, the numbers and stamp on a report page, files and their runs."""

import csv
import io
import re
import uuid
from html.parser import HTMLParser

import openpyxl
import pytest
from django.test import Client

from temis_plugin import api
from temis_plugin.models import EducatorProfile, Evaluation, ReportRun
from temis_plugin.reports import page_tables
from tests.report_data import TT20, build_results, cut_off, officer

pytestmark = pytest.mark.usefixtures("media_root")  # report files in a folder of each test's own

DASHBOARD = "/temis/reports/"
START = "/temis/reports/runs/"


def report_url(kind="aggregate", **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/temis/reports/{kind}/" + (f"?{query}" if query else "")


class Tables(HTMLParser):
    """The rows of every <table> of a page, keyed by caption: [[cell text, ...], ...] with header rows."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.caption, self.row, self.cell, self.in_caption = {}, None, None, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.caption = None
        elif tag == "caption":
            self.in_caption, self.caption = True, ""
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
            self.tables[self.caption.strip()] = []
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.caption.strip()].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.in_caption:
            self.caption += data
        elif self.cell is not None:
            self.cell += data


def table(html, title_start) -> list[list[str]]:
    tables = Tables(html).tables
    [caption] = [caption for caption in tables if caption.startswith(title_start)]
    return tables[caption]


def row(rows, first) -> list[str]:
    [found] = [r for r in rows if first in r[:2]]
    return found


@pytest.fixture
def province(cycle, school_tree, make_user):
    return {"educators": build_results(cycle, school_tree, make_user), "officer": officer(make_user, school_tree["P1"])}


@pytest.fixture
def officer_client(province):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(province["officer"])
    return client


def cut_off_param():
    return cut_off().strftime("%Y-%m-%dT%H:%M")


# ---------------------------------------------------------------------------------------------
# Who sees what


def test_province_officer_sees_the_dashboard_of_their_province(officer_client):
    page = officer_client.get(DASHBOARD)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="P1" selected>P1</option>' in html
    # Drill-down to the communes; every report kind and TEMIS template is offered.
    assert "?cycle=2026-2027&amp;scope=X1" in html and "?cycle=2026-2027&amp;scope=X2" in html
    for code, _title in api.report_kinds():
        assert f'data-kind="{code}"' in html
    for code, _name in api.temis_export_templates():
        assert f'value="{code}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_commune_officer_sees_their_commune_and_nothing_beside_it(province, school_tree, make_user, client):
    client.force_login(officer(make_user, school_tree["X1"], role="commune_officer", username="officer.x1"))
    assert client.get(report_url(scope="X1")).status_code == 200
    assert client.get(report_url(scope="X2")).status_code == 404
    assert client.get(report_url(scope="P1")).status_code == 404
    assert client.get(DASHBOARD + "?scope=X2").status_code == 404
    # Without a scope the page is the commune's.
    html = client.get(report_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dt>Scope</dt><dd>X1</dd>" in html


def test_principal_sees_their_school(province, school_tree, make_user, client):
    principal = EducatorProfile.objects.create(
        user=make_user("principal"),
        national_id="079000000099",
        full_name="Hiệu trưởng",
        school=school_tree["S1"],
        position="principal",
        school_level="TH",
    )
    client.force_login(principal.user)
    html = client.get(report_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dt>Scope</dt><dd>S1</dd>" in html
    assert client.get(report_url(scope="S2")).status_code == 404


def test_teacher_is_refused_with_a_reason(province, client):
    client.force_login(province["educators"]["a"].user)
    for url in (DASHBOARD, report_url()):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 403
        assert "Reports are for heads of school" in page.content.decode()
    assert client.post(START, {"kind": "aggregate", "format": "csv"}).status_code == 403
    assert "/temis/reports/" not in client.get("/temis/").content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    for url in (DASHBOARD, report_url(), f"/temis/reports/runs/{uuid.uuid4()}/"):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


def test_home_links_to_the_reports_for_officers(officer_client):
    assert 'href="/temis/reports/"' in officer_client.get("/temis/").content.decode()


# ---------------------------------------------------------------------------------------------
# A report page


def test_aggregate_page_shows_the_stamp_and_the_numbers(officer_client):
    page = officer_client.get(report_url(cycle="2026-2027", scope="P1", framework=TT20, cut_off=cut_off_param()))
    assert page.status_code == 200
    html = page.content.decode()
    stamp = html[html.index('data-role="stamp"') : html.index("</dl>")]
    assert "<dt>Legal basis</dt><dd>Thông tư 20/2018/TT-BGDĐT, Điều 10 khoản 2 (framework TT20-2018" in stamp
    assert "<dt>Scope</dt><dd>P1</dd>" in stamp and "<dt>Cycle</dt><dd>Năm học 2026-2027</dd>" in stamp
    assert f"<dt>Data cut-off</dt><dd>{cut_off():%Y-%m-%d %H:%M}:00" in stamp and "Generated at" in stamp

    # f was finalized after the cut-off and d is not finalized: 6 evaluations, 4 final.
    by_level = table(html, "Overall rating by school level")
    assert by_level[0][:5] == ["School level", "Evaluations", "Finalized", "Good", "Good (%)"]
    assert row(by_level, "Total")[1:] == ["6", "4", "1", "25.0", "2", "50.0", "1", "25.0", "0", "0.0"]
    by_unit = table(html, "Overall rating by unit")
    assert row(by_unit, "X1")[2:] == ["4", "3", "1", "33.3", "2", "66.7", "0", "0.0", "0", "0.0"]
    assert row(by_unit, "X2")[2:] == ["2", "1", "0", "0.0", "0", "0.0", "1", "100.0", "0", "0.0"]
    criteria = table(html, "Levels per criterion —")
    assert criteria[1][:4] == ["Criterion 1. Teacher ethics", "4", "1", "25.0"]

    # Numbers to the right, headers with scope, a chart per hinted table with its text alternative.
    assert '<th scope="col" class="num">Good (%)</th>' in html and '<td class="num">25.0</td>' in html
    assert '<th scope="row">Total</th>' in html
    assert html.count('role="img"') == 3
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="chart-1-title chart-1-desc"', html)
    assert '<title id="chart-1-title">Overall rating by school level (%)</title>' in html
    assert "Stacked bar chart by School level, each bar split into: Good, Fair, Meets, Not met." in html
    # Drawn on the server: no script and nothing fetched from elsewhere.
    assert 'class="legend"' in html and "<script" not in html and "cdn" not in html.lower()


def test_pages_answer_in_vietnamese(officer_client):
    html = officer_client.get(report_url(), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="vi">' in html
    # Vietnamese number format: a decimal comma.
    assert '<td class="num">33,3</td>' in html


def test_a_later_cut_off_counts_later_finalizations(officer_client):
    html = officer_client.get(report_url(framework=TT20)).content.decode()
    assert row(table(html, "Overall rating by school level"), "Total")[1:4] == ["6", "5", "2"]


def test_a_unit_below_is_one_click_away(officer_client):
    html = officer_client.get(report_url(framework=TT20, cut_off=cut_off_param())).content.decode()
    link = re.search(r'href="(\?[^"]*scope=X1[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "cut_off=" in link
    html = officer_client.get(report_url() + link).content.decode()
    assert "<dt>Scope</dt><dd>X1</dd>" in html
    assert row(table(html, "Overall rating by unit"), "S1")[2:4] == ["4", "3"]


def test_per_educator_lists_show_only_their_first_rows(officer_client, monkeypatch):
    html = officer_client.get(report_url("school_summary", framework=TT20)).content.decode()
    assert len(table(html, "Evaluation results per educator")) == 7  # header + 6
    monkeypatch.setattr(page_tables, "PREVIEW_ROWS", 2)
    html = officer_client.get(report_url("school_summary", framework=TT20)).content.decode()
    rows = table(html, "Evaluation results per educator")
    assert len(rows) == 3 and rows[1][4] == "Bùi Thị An"
    assert "The first 2 of 6 rows are shown." in html


def test_every_report_kind_renders(officer_client):
    for code, title in api.report_kinds():
        page = officer_client.get(report_url(code))
        assert page.status_code == 200, code
        assert f"<h1>{title}</h1>" in page.content.decode()
    assert officer_client.get(report_url("no_such_report")).status_code == 404


def test_wrong_choices_fall_back_with_a_message(officer_client):
    html = officer_client.get(report_url(cycle="1999-2000", framework="XX", cut_off="yesterday")).content.decode()
    assert "There is no such cycle" in html and "There is no such standard" in html
    assert "The cut-off is not a date and time" in html
    assert officer_client.get(report_url(scope="NO-SUCH-UNIT")).status_code == 404


# ---------------------------------------------------------------------------------------------
# Files


def start(client, capture, **fields):
    with capture(execute=True):
        answer = client.post(START, {"cycle": "2026-2027", "scope": "P1", **fields})
    assert answer.status_code == 303, answer.content
    return answer["Location"]


def test_a_download_runs_and_the_file_has_the_stamp(officer_client, django_capture_on_commit_callbacks):
    run_url = start(
        officer_client,
        django_capture_on_commit_callbacks,
        kind="aggregate",
        format="xlsx",
        framework=TT20,
        cut_off=cut_off().isoformat(),
    )
    assert re.fullmatch(r"/temis/reports/runs/[0-9a-f-]{36}/", run_url)
    page = officer_client.get(run_url).content.decode()
    assert "Done" in page and 'value="100"' in page and f'href="{run_url}file/"' in page
    assert officer_client.get(run_url + "status/").json() == {
        "id": run_url.split("/")[-2],
        "status": "done",
        "status_label": "Done",
        "progress": 100,
        "rows_written": ReportRun.objects.get().rows_written,
        "finished": True,
        "file_url": f"{run_url}file/",
    }
    download = officer_client.get(run_url + "file/")
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # Named after the cut-off in the site's time zone, as the stamp inside gives it.
    assert (
        download["Content-Disposition"] == f'attachment; filename="aggregate-2026-2027-P1-{cut_off():%Y%m%d-%H%M}.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    about = [[cell for cell in r if cell is not None] for r in workbook.worksheets[0].iter_rows(values_only=True)]
    assert ["Scope", "P1"] in about
    assert any(r[0] == "Legal basis" and r[1].startswith("Thông tư 20/2018/TT-BGDĐT") for r in about if len(r) == 2)
    # The file counts what the page counted: the same cut-off.
    sheet = workbook.worksheets[1]
    values = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "Total"]
    assert values[0][1:5] == (6, 4, 1, 25.0)
    # The dashboard lists the file with its link.
    assert f'href="{run_url}file/"' in officer_client.get(DASHBOARD).content.decode()


def test_a_csv_download_follows_the_language_asked_in(officer_client, django_capture_on_commit_callbacks):
    officer_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    run_url = start(
        officer_client, django_capture_on_commit_callbacks, kind="school_summary", format="csv", framework=TT20
    )
    download = officer_client.get(run_url + "file/")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert ["Năm học", "Năm học 2026-2027"] in rows
    assert sum(1 for r in rows if r[:1] and r[0].isdigit()) == 6


def test_other_users_runs_are_not_found(
    officer_client, province, school_tree, make_user, django_capture_on_commit_callbacks
):
    run_url = start(officer_client, django_capture_on_commit_callbacks, kind="aggregate", format="json")
    other = Client()
    other.force_login(officer(make_user, school_tree["P1"], username="officer.other"))
    for suffix in ("", "status/", "file/"):
        assert other.get(run_url + suffix).status_code == 404
    assert other.post(run_url + "retry/").status_code == 404
    assert officer_client.get(f"/temis/reports/runs/{uuid.uuid4()}/").status_code == 404
    assert run_url not in other.get(DASHBOARD).content.decode()


def test_an_invalid_temis_export_lists_its_problems(
    officer_client, province, cycle, django_capture_on_commit_callbacks
):
    # A rating that does not follow from the levels.
    Evaluation.objects.filter(educator=province["educators"]["b"]).update(final_rating="TOT")
    run_url = start(
        officer_client,
        django_capture_on_commit_callbacks,
        kind="temis_export",
        format="xlsx",
        template="TT20-ket-qua-giao-vien",
    )
    page = officer_client.get(run_url)
    html = page.content.decode()
    assert "Not valid" in html and "The export was not made: 1 problem was found" in html
    problems = html[html.index('data-role="problems"') :]
    assert re.search(
        r"<li>Row \d: the final rating TOT does not follow from the levels \(expected KHA\)</li>", problems
    )
    assert f'action="{run_url}retry/"' in html and f"{run_url}file/" not in html
    # Corrected, the export is made on the second try.
    Evaluation.objects.filter(educator=province["educators"]["b"]).update(final_rating="KHA")
    with django_capture_on_commit_callbacks(execute=True):
        assert officer_client.post(run_url + "retry/").status_code == 303
    download = officer_client.get(run_url + "file/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert "Mã định danh" in [cell.value for row_cells in sheet.iter_rows(max_row=12) for cell in row_cells]


def test_a_failed_run_offers_to_try_again(officer_client, django_capture_on_commit_callbacks):
    run_url = start(officer_client, django_capture_on_commit_callbacks, kind="aggregate", format="csv")
    ReportRun.objects.update(status="failed", progress=40, file="")
    html = officer_client.get(run_url).content.decode()
    assert "The file could not be made" in html and f'action="{run_url}retry/"' in html
    assert officer_client.get(run_url + "file/")["Location"] == run_url
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(run_url + "retry/")
    assert ReportRun.objects.get().status == "done"


def test_a_running_run_refreshes_itself(officer_client, django_capture_on_commit_callbacks):
    run_url = start(officer_client, django_capture_on_commit_callbacks, kind="aggregate", format="csv")
    ReportRun.objects.update(status="running", progress=42)
    html = officer_client.get(run_url).content.decode()
    assert '<progress id="run-progress" max="100" value="42"' in html and ">42%</span>" in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert f'data-status-url="{run_url}status/"' in html and "setTimeout(poll, 1000)" in html
    assert officer_client.get(run_url + "status/").json()["finished"] is False


def test_a_bad_request_for_a_file_is_refused(officer_client):
    assert officer_client.post(START, {"kind": "aggregate", "format": "pdf"}).status_code == 400
    assert officer_client.post(START, {"kind": "temis_export", "format": "csv", "template": "x"}).status_code == 400
    assert officer_client.post(START, {"kind": "aggregate", "format": "csv", "scope": "X9"}).status_code == 404
    assert officer_client.get(START).status_code == 405
    assert not ReportRun.objects.exists()


def test_downloads_need_the_csrf_token(province):
    client = Client(enforce_csrf_checks=True)
    client.force_login(province["officer"])
    assert client.post(START, {"kind": "aggregate", "format": "csv"}).status_code == 403
    assert not ReportRun.objects.exists()


def test_without_a_cycle_the_dashboard_says_so(school_tree, make_user, client):
    client.force_login(officer(make_user, school_tree["P1"]))
    page = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "No evaluation cycle is set up yet." in page.content.decode()


def test_trying_a_finished_run_again_just_shows_it(officer_client, django_capture_on_commit_callbacks):
    run_url = start(officer_client, django_capture_on_commit_callbacks, kind="aggregate", format="csv")
    answer = officer_client.post(run_url + "retry/")
    assert answer.status_code == 303 and answer["Location"] == run_url
    assert ReportRun.objects.get().status == "done"
