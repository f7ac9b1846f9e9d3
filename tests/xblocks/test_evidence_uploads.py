"""Evidence uploads: checked by type (name, declared and content), by size and by name, through the
block's handler and the plugin API, and served back only through the checked route."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from temis_plugin import api
from temis_plugin.errors import InvalidInput
from temis_plugin.models import Evidence

OLX = '<temis_self_assessment display_name="Tự đánh giá" framework_code="TT20-2018"/>'

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 16
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"


def office_package(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(main_part, "<root/>")
    return buffer.getvalue()


def workbook() -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "Minh chứng"
    book.save(buffer)
    return buffer.getvalue()


DOCX = office_package("word/document.xml")
PPTX = office_package("ppt/presentation.xml")
XLSX = workbook()


@pytest.fixture
def block(harness, cycle, people, media_root):
    return harness(OLX, "t1")


def stored_files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("giao-an.pdf", PDF, "application/pdf"),
        ("anh-tiet-day.jpg", JPEG, "image/jpeg"),
        ("so-do.png", PNG, "image/png"),
        ("tiet-day.mp4", MP4, "video/mp4"),
        ("ke-hoach.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("diem.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("bai-giang.pptx", PPTX, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ],
)
def test_every_accepted_type_uploads_and_comes_back_only_through_the_checked_route(
    block, people, media_root, client, name, content, content_type
):
    code, evidence = block.upload("add_evidence", {"name": "Minh chứng"}, (name, content))
    assert code == 200, evidence
    row = Evidence.objects.get(pk=evidence["id"])
    assert row.content_type == content_type and row.size == len(content) and row.original_filename == name
    # The handler answers with the checked route, never the storage path.
    assert evidence["url"] == f"/temis/evidence/{row.id}/" and "media" not in evidence["url"]
    client.force_login(people["t1"].user)
    response = client.get(evidence["url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert response["Content-Type"] == content_type and response["X-Content-Type-Options"] == "nosniff"
    # The media folder itself is not served.
    assert client.get(f"/media/{row.file.name}").status_code == 404


@pytest.mark.parametrize(
    "name, content, why",
    [
        ("giao-an.pdf", HTML, "a web page named .pdf"),
        ("giao-an.pdf", b"<!-- %PDF-1.4 -->" + HTML, "a web page with the PDF header in a comment"),
        ("giao-an.pdf", b" %PDF-1.4\n%%EOF\n", "the PDF header after the start"),
        ("giao-an.pdf", EXE, "a program named .pdf"),
        ("anh.png", JPEG, "a JPEG named .png"),
        ("anh.jpg", PNG, "a PNG named .jpg"),
        ("tiet-day.mp4", HTML, "a web page named .mp4"),
        ("ke-hoach.docx", XLSX, "a workbook named .docx"),
        ("ke-hoach.docx", b"PK\x03\x04 not really a zip", "a broken package"),
        ("diem.xlsx", DOCX, "a document named .xlsx"),
        ("bai-giang.pptx", EXE, "a program named .pptx"),
    ],
)
def test_content_that_does_not_match_its_type_is_refused_and_nothing_is_stored(block, media_root, name, content, why):
    code, data = block.upload("add_evidence", {"name": why}, (name, content))
    assert code == 400 and "content does not match" in data["error"], why
    assert Evidence.objects.count() == 0 and stored_files(media_root) == []


@pytest.mark.parametrize("name", ["virus.exe", "trang.html", "trang.svg", "giao-an.pdf.exe", "khong-duoi", ".pdf"])
def test_types_outside_the_list_are_refused(block, media_root, name):
    code, data = block.upload("add_evidence", {"name": "x"}, (name, PDF))
    assert code == 400 and "type of file" in data["error"]
    assert Evidence.objects.count() == 0 and stored_files(media_root) == []


def test_a_declared_type_that_differs_from_the_name_is_refused(cycle, people, media_root):
    for declared in ("text/html", "application/x-msdownload", "image/svg+xml"):
        with pytest.raises(InvalidInput, match="type of file"):
            api.add_evidence(people["t1"].user, "x", file=SimpleUploadedFile("giao-an.pdf", PDF, declared))
    assert Evidence.objects.count() == 0 and stored_files(media_root) == []


def test_the_size_limit_is_exact(block, media_root, settings):
    settings.TEMIS_EVIDENCE_MAX_BYTES = 64 * 1024
    at_limit = PDF + b"0" * (settings.TEMIS_EVIDENCE_MAX_BYTES - len(PDF))
    code, data = block.upload("add_evidence", {"name": "vừa đủ"}, ("vua.pdf", at_limit))
    assert code == 200
    code, data = block.upload("add_evidence", {"name": "quá"}, ("qua.pdf", at_limit + b"0"))
    assert code == 400 and "larger than the limit" in data["error"]
    assert Evidence.objects.count() == 1 and len(stored_files(media_root)) == 1


@pytest.mark.parametrize(
    "name, kept",
    [
        ("../../../../etc/cron.d/giao-an.pdf", "giao-an.pdf"),
        ("..\\..\\Windows\\System32\\giao-an.pdf", "giao-an.pdf"),
        ("/var/www/giao an.pdf", "giao an.pdf"),
        ("C:\\Users\\gv\\Giáo án tuần 1.pdf", "Giáo án tuần 1.pdf"),
        ("....//....//giao-an.pdf", "giao-an.pdf"),
        ("giao-an.exe.pdf", "giao-an.exe.pdf"),
    ],
)
def test_file_names_cannot_reach_outside_the_evidence_folder(block, media_root, name, kept):
    code, evidence = block.upload("add_evidence", {"name": "Giáo án"}, (name, PDF))
    assert code == 200, evidence
    row = Evidence.objects.get(pk=evidence["id"])
    # Stored under a random name in the evidence folder; the teacher's name is kept for downloads only.
    files = stored_files(media_root)
    assert files == [row.file.name] and row.original_filename == kept
    folder, stored = row.file.name.rsplit("/", 1)
    assert folder == "temis/evidence" and len(stored) == len("0" * 32 + ".pdf") and stored.endswith(".pdf")


def test_a_name_with_a_nul_byte_is_refused_cleanly(cycle, people, media_root):
    with pytest.raises(InvalidInput):
        api.add_evidence(people["t1"].user, "x", file=SimpleUploadedFile("giao-an.pdf\x00.html", PDF, ""))
    assert Evidence.objects.count() == 0 and stored_files(media_root) == []


def test_a_file_that_is_not_linked_is_only_its_owners(block, people, media_root, client):
    code, evidence = block.upload("add_evidence", {"name": "Riêng"}, ("rieng.pdf", PDF))
    assert code == 200
    for other in ("t2", "principal", "other"):
        client.force_login(people[other].user)
        response = client.get(evidence["url"])
        assert response.status_code == 404 and PDF not in response.content
    client.logout()
    assert client.get(evidence["url"]).status_code == 302  # to the sign-in page


@pytest.mark.parametrize(
    "name, content", [("giao-an.pdf", PDF), ("anh.png", PNG), ("anh.jpg", JPEG), ("tiet-day.mp4", MP4)]
)
def test_files_shown_in_the_browser_open_in_a_sandbox(block, people, media_root, client, name, content):
    code, evidence = block.upload("add_evidence", {"name": "Minh chứng"}, (name, content))
    assert code == 200
    client.force_login(people["t1"].user)
    response = client.get(evidence["url"])
    assert response["Content-Disposition"].startswith("inline") and response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_downloads_other_than_pdf_images_and_video_are_attachments_in_a_sandbox(block, people, media_root, client):
    code, evidence = block.upload("add_evidence", {"name": "Kế hoạch"}, ("ke-hoach.docx", DOCX))
    assert code == 200
    client.force_login(people["t1"].user)
    response = client.get(evidence["url"])
    assert response["Content-Disposition"].startswith("attachment") and response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"
