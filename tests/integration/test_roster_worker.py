"""Roster imports uploaded in the admin run on a real Celery worker (Redis broker, Redis cache shared
with the web process): the page shows progress while the worker reads, then the outcome."""

import re

import pytest

from temis_plugin.models import EducatorProfile, OrgUnit, RosterImport
from tests import roster_files as files
from tests.integration.test_report_worker import BROKER, broker, start_worker, wait_for  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
CACHE_URL = BROKER.rsplit("/", 1)[0] + "/13"


@pytest.fixture
def shared_cache(settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    monkeypatch.setenv("TEMIS_WORKER_CACHE_URL", CACHE_URL)


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def upload(client, data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post("/admin/temis_plugin/orgunit/import/", {"file": SimpleUploadedFile(name, data)})
    assert page.status_code == 302, page.content[:500]
    return page["Location"]


def test_the_worker_imports_while_the_page_shows_progress(shared_cache, admin_client, start_worker):
    worker = start_worker(["-m", "tests.workers.slow_worker"])
    status_url = upload(admin_client, files.xlsx(files.province(educators=3000)), "tinh-mau.xlsx")
    seen = set()

    def finished():
        page = admin_client.get(status_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        seen.update(int(p) for p in re.findall(r'<progress max="100" value="(\d+)"', page))
        return page if "The roster was imported" in page else None

    page = wait_for(finished, timeout=120, what="the roster import", log=worker.log_path)
    assert any(0 < percent < 100 for percent in seen), f"progress seen: {sorted(seen)}"
    assert EducatorProfile.objects.count() == 3000 and "3000 educators" in page
    run = RosterImport.objects.get()
    assert run.status == "done" and run.rows_read > 3000 and not run.file, "the upload is not kept"


def test_a_refused_roster_lists_its_problems_and_writes_nothing(shared_cache, admin_client, start_worker):
    worker = start_worker(["-m", "celery", "-A", "temis_plugin.standalone.celery", "worker"])
    status_url = upload(admin_client, files.xlsx(files.province(educators=600), numeric_ids="general"), "so.xlsx")

    def finished():
        page = admin_client.get(status_url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        return page if "errornote" in page else None

    page = wait_for(finished, what="the refusal", log=worker.log_path)
    assert "Danh sách bị từ chối: không có dữ liệu nào được nhập." in page and "Phát hiện 600 lỗi" in page
    assert "Định dạng ô" in page and page.count("<tr><td>") == 200  # the first 200 problems
    assert not EducatorProfile.objects.exists() and not OrgUnit.objects.exists()
    assert RosterImport.objects.get().problem_total == 600
