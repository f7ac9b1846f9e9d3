"""The REST API of reports: what each role may see, the numbers it returns, files computed in the background."""

import codecs
import csv
import datetime
import io
import json
from urllib.parse import unquote

import openpyxl
import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from temis_plugin import api, standards
from temis_plugin.models import EducatorProfile, Evaluation, OrgUnit, ReportRun, RoleAssignment

pytestmark = pytest.mark.usefixtures("media_root")  # report files in a folder of each test's own

BASE = "/temis/api/v1"
TT20 = "TT20-2018"
SHEETS = {  # TT20 levels per criterion (15), packed, and the rating they give
    "TOT": "TTTTTTTTTTKKKKK",
    "KHA": "KKKKKKKKKKDDDDD",
    "DAT": "DDDDDDDDDDDDDDD",
    "CHUA_DAT": "CDDDDDDDDDDDDDD",
}
# school -> final ratings of its teachers (S1 and S2 primary, S3 lower secondary)
FINAL = {
    "S1": ["TOT", "TOT", "TOT", "KHA", "KHA", "DAT"],
    "S3": ["KHA", "DAT", "CHUA_DAT"],
    "S2": ["TOT", "KHA", "CHUA_DAT"],
}


@pytest.fixture
def data(school_tree, people, cycle, make_user):
    return build_data(school_tree, people, cycle, make_user)


def build_data(school_tree, people, cycle, make_user) -> dict:
    """12 evaluations final three days ago, one finalized an hour ago (after the cut-off), one submitted."""
    framework = standards.get_framework(TT20)
    units = dict(school_tree)
    units["S3"] = OrgUnit.objects.create(
        code="S3", name="Trường THCS S3", kind="school", parent=units["X1"], school_levels="THCS"
    )
    now = timezone.now()
    cut_off = now - datetime.timedelta(days=1)
    teachers = {"S1": [people["t1"], people["t2"], people["t3"]], "S2": [people["other"]], "S3": []}

    def teacher(school_code, number):
        existing = teachers[school_code]
        if number < len(existing):
            return existing[number]
        user = make_user(f"{school_code.lower()}-t{number}")
        return EducatorProfile.objects.create(
            user=user,
            national_id=f"ID-{school_code}-{number}",
            full_name=f"Giáo viên {school_code} {number}",
            school=units[school_code],
            position="teacher",
            school_level="THCS" if school_code == "S3" else "TH",
        )

    def evaluation(educator, school_code, rating=None, finalized_at=None, state="finalized"):
        sheet = SHEETS[rating] if rating else ""
        if rating:
            assert standards.evaluate(framework, standards.unpack_levels(sheet)).result == rating
        return Evaluation.objects.create(
            educator=educator,
            cycle=cycle,
            framework_code=TT20,
            school=units[school_code],
            school_level="THCS" if school_code == "S3" else "TH",
            framework_revision=framework.revision,
            legal_basis=framework.legal_basis.citation(),
            state=state,
            final_levels=sheet,
            final_rating=rating or "",
            finalized_at=finalized_at,
            self_rating=rating or "",
        )

    for school_code, ratings in FINAL.items():
        for number, rating in enumerate(ratings):
            evaluation(teacher(school_code, number), school_code, rating, now - datetime.timedelta(days=3))
    late = evaluation(teacher("S3", 3), "S3", "TOT", now - datetime.timedelta(hours=1))
    evaluation(teacher("S2", 3), "S2", state="submitted")

    users = {key: make_user(key) for key in ("province", "province2", "commune")}
    RoleAssignment.objects.create(user=users["province"], role="province_officer", unit=units["P1"])
    RoleAssignment.objects.create(user=users["province2"], role="province_officer", unit=units["P1"])
    RoleAssignment.objects.create(user=users["commune"], role="commune_officer", unit=units["X1"])
    users["principal"] = people["principal"].user
    users["teacher"] = people["t1"].user
    return {"cut_off": cut_off, "users": users, "units": units, "late": late, "cycle": cycle}


def client_for(user, **kwargs) -> APIClient:
    client = APIClient(**kwargs)
    client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def report_json(response) -> dict:
    assert response.status_code == 200, body(response)[:500]
    assert response["Content-Type"] == "application/json"
    return json.loads(body(response))


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith(codecs.BOM_UTF8.decode())
    return list(csv.reader(io.StringIO(text.removeprefix(codecs.BOM_UTF8.decode()))))


def table(report: dict, key: str) -> dict:
    return next(t for t in report["tables"] if t["key"] == key)


def by_first(rows, column=0) -> dict:
    return {row[column]: row for row in rows}


# ---------------------------------------------------------------------------------------------
# Catalogue


def test_catalogue_lists_kinds_templates_formats_and_the_officers_scope(data):
    response = client_for(data["users"]["province"]).get(f"{BASE}/reports/")

    assert response.status_code == 200
    catalogue = response.json()
    assert {kind["code"] for kind in catalogue["kinds"]} == {code for code, _title in api.report_kinds()}
    assert "TT20-ket-qua-giao-vien" in {template["code"] for template in catalogue["temis_templates"]}
    assert catalogue["scopes"] == [{"code": "P1", "name": "P1", "kind": "province"}]
    assert {framework["code"] for framework in catalogue["frameworks"]} == {"TT14-2018", TT20}
    assert catalogue["formats"] == {"now": ["json", "csv"], "file": ["xlsx", "csv", "json"]}


def test_catalogue_gives_a_teacher_no_scope(data):
    response = client_for(data["users"]["teacher"]).get(f"{BASE}/reports/")

    assert response.status_code == 200
    assert response.json()["scopes"] == []


# ---------------------------------------------------------------------------------------------
# Numbers


def aggregate(data, **params):
    query = {"scope": "P1", "framework": TT20, "cut_off": data["cut_off"].isoformat(), **params}
    return client_for(data["users"]["province"]).get(f"{BASE}/reports/aggregate/", query)


def test_aggregate_counts_ratings_per_unit_and_school_level_for_the_province(data):
    report = report_json(aggregate(data))

    by_unit = by_first(table(report, f"ratings_by_unit.{TT20}")["rows"])
    # unit code, name, evaluations, finalized, then (n, %) for Tốt, Khá, Đạt, Chưa đạt
    assert by_unit["X1"][2:] == [10, 9, 3, 33.3, 3, 33.3, 2, 22.2, 1, 11.1]
    assert by_unit["X2"][2:] == [4, 3, 1, 33.3, 1, 33.3, 0, 0.0, 1, 33.3]
    assert by_unit[""][2:] == [14, 12, 4, 33.3, 4, 33.3, 2, 16.7, 2, 16.7]
    by_level = by_first(table(report, f"ratings_by_level.{TT20}")["rows"])
    assert by_level["TH"][1:] == [10, 9, 4, 44.4, 3, 33.3, 1, 11.1, 1, 11.1]
    assert by_level["THCS"][1:] == [4, 3, 0, 0.0, 1, 33.3, 1, 33.3, 1, 33.3]
    assert report["stamp"]["scope"] == {"code": "P1", "name": "P1"}
    assert report["stamp"]["frameworks"][0]["code"] == TT20
    assert report["problems"] == []


def test_aggregate_counts_levels_per_criterion(data):
    report = report_json(aggregate(data))

    rows = table(report, f"criteria.{TT20}")["rows"]
    # finalized, then (n, %) for levels Tốt, Khá, Đạt, Chưa đạt
    assert rows[0][1:] == [12, 4, 33.3, 4, 33.3, 2, 16.7, 2, 16.7]
    assert rows[14][1:] == [12, 0, 0.0, 4, 33.3, 8, 66.7, 0, 0.0]
    assert [column["key"] for column in table(report, f"criteria.{TT20}")["columns"]][:4] == [
        "criterion",
        "rated",
        "T_n",
        "T_pct",
    ]


def test_level_columns_are_keyed_by_the_level_codes(data):
    report = report_json(aggregate(data))

    for key in (f"criteria.{TT20}", f"criteria_by_unit.{TT20}"):
        keys = [column["key"] for column in table(report, key)["columns"]]
        assert [k for k in keys if k.endswith(("_n", "_pct"))] == [
            "T_n",
            "T_pct",
            "K_n",
            "K_pct",
            "D_n",
            "D_pct",
            "CD_n",
            "CD_pct",
        ]
        assert "C_n" not in keys and "C_pct" not in keys  # the storage letter never names a column


def test_the_cut_off_leaves_out_what_was_finalized_later(data):
    later = report_json(
        client_for(data["users"]["province"]).get(f"{BASE}/reports/aggregate/", {"scope": "P1", "framework": TT20})
    )

    assert by_first(table(later, f"ratings_by_unit.{TT20}")["rows"])[""][3] == 13
    assert by_first(table(report_json(aggregate(data)), f"ratings_by_unit.{TT20}")["rows"])[""][3] == 12


@pytest.mark.parametrize("kind", [code for code, _title in api.report_kinds()])
def test_every_report_as_json_is_what_the_python_api_computes(data, kind):
    user = data["users"]["province"]
    response = client_for(user).get(
        f"{BASE}/reports/{kind}/", {"scope": "P1", "cut_off": data["cut_off"].isoformat()}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    served = report_json(response)

    with translation.override("vi"):
        expected = api.get_report(user, kind, scope_code="P1", cut_off=data["cut_off"])
        tables = [
            {
                "key": t.key,
                "title": t.title,
                "note": t.note,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind.value} for c in t.columns],
                "rows": json.loads(json.dumps([list(row) for row in t.iter_rows()], default=float)),
            }
            for t in expected.tables
        ]
    assert served["tables"] == tables
    stamp = expected.stamp.as_dict()
    assert datetime.datetime.fromisoformat(served["stamp"].pop("cut_off")) == data["cut_off"]
    assert {k: v for k, v in served["stamp"].items() if k != "generated_at"} == {
        k: v for k, v in stamp.items() if k not in ("generated_at", "cut_off")
    }
    assert "inline" in response["Content-Disposition"]


@pytest.mark.parametrize("kind", [code for code, _title in api.report_kinds()])
def test_every_report_as_csv_is_the_report_file(data, kind):
    from temis_plugin.reports.writers import write_report

    user = data["users"]["province"]
    response = client_for(user).get(
        f"{BASE}/reports/{kind}/",
        {"scope": "P1", "format": "csv", "cut_off": data["cut_off"].isoformat()},
        HTTP_ACCEPT_LANGUAGE="vi",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    with translation.override("vi"):
        expected = io.BytesIO()
        write_report(api.get_report(user, kind, scope_code="P1", cut_off=data["cut_off"]), "csv", expected)
        generated = (translation.gettext("Generated at"),)  # the one line that differs between two runs

    def comparable(raw):
        return [row for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) if not row or row[0] not in generated]

    assert comparable(body(response)) == comparable(expected.getvalue())
    assert response["Content-Disposition"].startswith(f'attachment; filename="{kind}-2026-2027-P1-')


def test_one_table_as_csv_has_its_header_and_rows_and_the_stamp_in_headers(data):
    response = aggregate(data, format="csv", table=f"ratings_by_unit.{TT20}")

    assert response.status_code == 200
    rows = csv_rows(response)
    labels = [c["label"] for c in table(report_json(aggregate(data)), f"ratings_by_unit.{TT20}")["columns"]]
    assert rows[0] == labels
    assert by_first(rows[1:])["X1"][2:] == ["10", "9", "3", "33.3", "3", "33.3", "2", "22.2", "1", "11.1"]
    assert datetime.datetime.fromisoformat(response["Temis-Cut-Off"]) == data["cut_off"]
    assert response["Temis-Scope"] == "P1"
    assert response["Temis-Cycle"] == "2026-2027"
    assert response["Temis-Frameworks"] == f"{TT20};revision=1"
    assert unquote(response["Temis-Legal-Basis"]).startswith("Thông tư 20/2018/TT-BGDĐT")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="aggregate-ratings_by_unit.{TT20}-2026-2027-P1-'
    )


def test_per_educator_rows_are_streamed_and_the_file_name_names_no_one(data):
    response = client_for(data["users"]["province"]).get(
        f"{BASE}/reports/school_summary/",
        {"scope": "P1", "framework": TT20, "format": "csv", "table": f"educators.{TT20}"},
    )

    assert response.streaming
    rows = csv_rows(response)
    assert len(rows) == 1 + 14
    assert "ID-t1" in {row[3] for row in rows}
    disposition = response["Content-Disposition"]
    assert "ID-" not in disposition and "Giáo viên" not in disposition and "Người" not in disposition


def test_invalid_parameters_are_refused_with_messages(data):
    client = client_for(data["users"]["province"])

    response = client.get(f"{BASE}/reports/aggregate/", {"scope": "P1", "format": "xml"})
    assert response.status_code == 400
    assert "format" in response.json()["errors"]
    response = client.get(f"{BASE}/reports/aggregate/", {"scope": "P1", "cut_off": "1999-12-31T00:00:00Z"})
    assert response.status_code == 400 and "cut_off" in response.json()["errors"]
    response = client.get(f"{BASE}/reports/aggregate/", {"scope": "P1", "table": "nope"})
    assert response.status_code == 400 and f"ratings_by_unit.{TT20}" in response.json()["errors"]["table"][0]
    assert client.get(f"{BASE}/reports/nope/").status_code == 404
    assert client.get(f"{BASE}/reports/aggregate/", {"cycle": "1999-2000"}).status_code == 404


# ---------------------------------------------------------------------------------------------
# Who sees what


@pytest.mark.parametrize("scope", ["P1", "X2", "S2", "BO", "NO-SUCH-UNIT"])
def test_a_commune_officer_cannot_see_units_outside_the_commune(data, scope):
    response = client_for(data["users"]["commune"]).get(f"{BASE}/reports/aggregate/", {"scope": scope})

    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_commune_officer_reports_on_the_commune_and_its_schools(data):
    client = client_for(data["users"]["commune"])

    own = report_json(
        client.get(f"{BASE}/reports/aggregate/", {"framework": TT20, "cut_off": data["cut_off"].isoformat()})
    )
    assert own["stamp"]["scope"]["code"] == "X1"
    assert by_first(table(own, f"ratings_by_unit.{TT20}")["rows"])[""][2:4] == [10, 9]
    school = report_json(client.get(f"{BASE}/reports/aggregate/", {"scope": "S1", "framework": TT20}))
    assert by_first(table(school, f"ratings_by_unit.{TT20}")["rows"])[""][2:4] == [6, 6]


def test_an_officer_of_several_units_names_one(data):
    RoleAssignment.objects.create(user=data["users"]["commune"], role="commune_officer", unit=data["units"]["X2"])
    client = client_for(data["users"]["commune"])

    response = client.get(f"{BASE}/reports/aggregate/")
    assert response.status_code == 400 and "scope" in response.json()["errors"]
    assert report_json(client.get(f"{BASE}/reports/aggregate/", {"scope": "X2"}))["stamp"]["scope"]["code"] == "X2"


def test_a_principal_sees_the_school_only(data):
    client = client_for(data["users"]["principal"])

    assert report_json(client.get(f"{BASE}/reports/aggregate/"))["stamp"]["scope"]["code"] == "S1"
    assert client.get(f"{BASE}/reports/aggregate/", {"scope": "X1"}).status_code == 404


def test_a_teacher_is_refused(data):
    client = client_for(data["users"]["teacher"])

    assert client.get(f"{BASE}/reports/aggregate/").status_code == 403
    assert client.get(f"{BASE}/temis-exports/TT20-ket-qua-giao-vien/").status_code == 403
    assert (
        client.post(f"{BASE}/report-runs/", {"kind": "aggregate", "format": "xlsx"}, format="json").status_code == 403
    )


def test_anonymous_requests_are_refused(data):
    client = APIClient()

    for url in ("/reports/", "/reports/aggregate/", "/temis-exports/TT20-ket-qua-giao-vien/", "/report-runs/"):
        assert client.get(BASE + url).status_code in (401, 403)


def test_inside_the_lms_a_jwt_authenticates_too(data, monkeypatch):
    from rest_framework.authentication import BaseAuthentication

    from temis_plugin.rest import base

    class JwtAuthentication(BaseAuthentication):
        """Stands in for edx-drf-extensions' class, which only the platform installs."""

        def authenticate(self, request):
            if request.META.get("HTTP_AUTHORIZATION") == "JWT officer":
                return data["users"]["province"], None
            return None

        def authenticate_header(self, request):
            return 'JWT realm="api"'

    monkeypatch.setattr(base, "jwt_authentication_class", lambda: JwtAuthentication)
    base.authentication_classes.cache_clear()
    try:
        assert APIClient().get(f"{BASE}/reports/").status_code == 401
        answer = APIClient().get(f"{BASE}/reports/", HTTP_AUTHORIZATION="JWT officer")
        assert answer.status_code == 200 and answer.json()["scopes"][0]["code"] == "P1"
    finally:
        base.authentication_classes.cache_clear()


def test_posting_without_the_csrf_token_is_refused(data):
    client = client_for(data["users"]["province"], enforce_csrf_checks=True)

    response = client.post(f"{BASE}/report-runs/", {"kind": "aggregate", "format": "xlsx"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# ---------------------------------------------------------------------------------------------
# TEMIS exports


def export(data, **params):
    query = {"scope": "P1", "cut_off": data["cut_off"].isoformat(), **params}
    return client_for(data["users"]["province"]).get(f"{BASE}/temis-exports/TT20-ket-qua-giao-vien/", query)


def test_an_export_with_a_missing_national_id_is_refused_with_its_problems(data):
    EducatorProfile.objects.filter(national_id="ID-t2").update(national_id=None)

    for file_format in ("json", "csv"):
        response = export(data, format=file_format)
        assert response.status_code == 422
        answer = response.json()
        assert any("Mã định danh" in problem for problem in answer["problems"])
        assert answer["stamp"]["report"] == "temis:TT20-ket-qua-giao-vien"
        assert "Content-Disposition" not in response


def test_a_valid_export_lists_each_final_evaluation_with_its_levels(data):
    report = report_json(export(data))

    assert report["problems"] == []
    (rows_table,) = report["tables"]
    assert len(rows_table["rows"]) == 12
    headers = [column["label"] for column in rows_table["columns"]]
    assert headers[:3] == ["STT", "Mã định danh", "Họ và tên"]
    row = next(r for r in rows_table["rows"] if r[1] == "ID-t1")
    assert row[headers.index("Xếp loại")] == "Tốt"

    csv_answer = export(data, format="csv")
    assert csv_answer.status_code == 200
    rows = csv_rows(csv_answer)
    assert rows[0] == headers and len(rows) == 13
    assert csv_answer["Temis-Report"] == "temis:TT20-ket-qua-giao-vien"


def test_an_unknown_template_is_not_found(data):
    response = client_for(data["users"]["province"]).get(f"{BASE}/temis-exports/nope/")

    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Report runs


def start_run(client, django_capture_on_commit_callbacks, **params):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/report-runs/", params, format="json")
    return response


def test_a_run_is_accepted_computed_and_its_workbook_downloaded(data, django_capture_on_commit_callbacks):
    client = client_for(data["users"]["province"])

    response = start_run(
        client,
        django_capture_on_commit_callbacks,
        kind="aggregate",
        format="xlsx",
        scope="P1",
        framework=TT20,
        cut_off=data["cut_off"].isoformat(),
    )

    assert response.status_code == 202
    run = response.json()
    assert response["Location"].endswith(f"{BASE}/report-runs/{run['id']}/")
    assert run["kind"] == "aggregate" and run["scope"]["code"] == "P1" and run["format"] == "xlsx"
    status = client.get(f"{BASE}/report-runs/{run['id']}/").json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["file_url"].endswith(f"{BASE}/report-runs/{run['id']}/file/")
    download = client.get(f"{BASE}/report-runs/{run['id']}/file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert download["Content-Disposition"].startswith('attachment; filename="aggregate-2026-2027-P1-')
    workbook = openpyxl.load_workbook(io.BytesIO(body(download)))
    assert len(workbook.sheetnames) == 1 + 4
    units = workbook.worksheets[2]
    values = [[cell.value for cell in row] for row in units.iter_rows()]
    assert ["X1", "X1", 10, 9, 3, 33.3, 3, 33.3, 2, 22.2, 1, 11.1] in values
    assert [r["id"] for r in client.get(f"{BASE}/report-runs/").json()] == [run["id"]]


def test_a_run_that_is_not_done_has_no_file_yet(data):
    client = client_for(data["users"]["province"])
    response = client.post(
        f"{BASE}/report-runs/", {"kind": "aggregate", "format": "csv", "scope": "X1"}, format="json"
    )  # the task would start on commit, which a test never reaches

    assert response.status_code == 202
    assert response.json()["status"] == "queued" and response.json()["file_url"] is None
    file_answer = client.get(f"{BASE}/report-runs/{response.json()['id']}/file/")
    assert file_answer.status_code == 409
    assert file_answer.json()["status"] == "queued"


def test_a_failed_run_is_retried(data, django_capture_on_commit_callbacks):
    client = client_for(data["users"]["province"])
    run = client.post(
        f"{BASE}/report-runs/", {"kind": "school_summary", "format": "csv", "scope": "P1"}, format="json"
    ).json()
    ReportRun.objects.filter(pk=run["id"]).update(status="failed", error="OperationalError")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/report-runs/{run['id']}/retry/")

    assert response.status_code == 202
    assert client.get(f"{BASE}/report-runs/{run['id']}/").json()["status"] == "done"
    download = client.get(f"{BASE}/report-runs/{run['id']}/file/")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert b"ID-t1" in body(download)
    assert client.post(f"{BASE}/report-runs/{run['id']}/retry/").status_code == 409


def test_an_invalid_export_run_lists_its_problems_and_has_no_file(data, django_capture_on_commit_callbacks):
    EducatorProfile.objects.filter(national_id="ID-t2").update(national_id=None)
    client = client_for(data["users"]["province"])

    response = start_run(
        client,
        django_capture_on_commit_callbacks,
        kind="temis_export",
        template="TT20-ket-qua-giao-vien",
        format="xlsx",
        scope="P1",
    )

    run = client.get(f"{BASE}/report-runs/{response.json()['id']}/").json()
    assert run["status"] == "invalid"
    assert any("Mã định danh" in problem for problem in run["problems"])
    assert client.get(f"{BASE}/report-runs/{run['id']}/file/").status_code == 409


def test_someone_elses_run_is_not_found(data, django_capture_on_commit_callbacks):
    mine = start_run(
        client_for(data["users"]["province"]),
        django_capture_on_commit_callbacks,
        kind="aggregate",
        format="json",
        scope="P1",
    ).json()
    other = client_for(data["users"]["province2"])

    for url in (f"/report-runs/{mine['id']}/", f"/report-runs/{mine['id']}/file/"):
        assert other.get(BASE + url).status_code == 404
    assert other.post(f"{BASE}/report-runs/{mine['id']}/retry/").status_code == 404
    assert other.get(f"{BASE}/report-runs/").json() == []
    assert other.get(f"{BASE}/report-runs/not-a-uuid/").status_code == 404


def test_run_requests_are_checked(data):
    client = client_for(data["users"]["province"])

    response = client.post(f"{BASE}/report-runs/", {"kind": "temis_export", "format": "xlsx"}, format="json")
    assert response.status_code == 400 and "template" in response.json()["errors"]
    response = client.post(f"{BASE}/report-runs/", {"kind": "aggregate", "format": "pdf"}, format="json")
    assert response.status_code == 400 and "format" in response.json()["errors"]
    response = client.post(f"{BASE}/report-runs/", ["aggregate"], format="json")
    assert response.status_code == 400
    response = client.post(f"{BASE}/report-runs/", {"kind": "aggregate", "format": "csv", "scope": "X9"}, format="json")
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Schema


def test_the_schema_describes_every_endpoint_with_its_parameters_and_errors(db):
    response = APIClient().get(f"{BASE}/schema/")

    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    assert set(paths) == {
        f"{BASE}{p}"
        for p in (
            "/reports/",
            "/reports/{kind}/",
            "/temis-exports/{template}/",
            "/report-runs/",
            "/report-runs/{run_id}/",
            "/report-runs/{run_id}/file/",
            "/report-runs/{run_id}/retry/",
        )
    }
    report = paths[f"{BASE}/reports/{{kind}}/"]["get"]
    parameters = {p["name"]: p for p in report["parameters"]}
    assert set(parameters["kind"]["schema"]["enum"]) == {code for code, _title in api.report_kinds()}
    assert parameters["format"]["schema"]["enum"] == ["json", "csv"]
    assert set(parameters["framework"]["schema"]["enum"]) == {"TT14-2018", TT20}
    assert {"200", "400", "401", "403", "404"} <= set(report["responses"])
    assert set(report["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert "Temis-Cut-Off" in report["responses"]["200"]["headers"]
    export = paths[f"{BASE}/temis-exports/{{template}}/"]["get"]
    template = next(p for p in export["parameters"] if p["name"] == "template")
    assert "TT20-ket-qua-giao-vien" in template["schema"]["enum"]
    assert "422" in export["responses"]
    assert "409" in paths[f"{BASE}/report-runs/{{run_id}}/file/"]["get"]["responses"]
    assert "202" in paths[f"{BASE}/report-runs/"]["post"]["responses"]
    assert "cookieAuth" in schema["components"]["securitySchemes"]
