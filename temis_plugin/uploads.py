"""Does an uploaded file's content match the type its name and the browser claim?

A renamed executable or HTML page must not pass as a PDF: the evidence route serves files with
their recorded type, so the type has to be the truth. The checks read the format's own signature
(and, for Office files, the package's parts). No file-type sniffing library ships with the LMS
(libmagic is a system library), and these few formats need no more than their signatures.
"""

import zipfile

_OOXML_MAIN_PART = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/document.xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/workbook.xml",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "ppt/presentation.xml",
}


def _pdf(head: bytes) -> bool:
    # PDF readers accept the header anywhere in the first 1024 bytes, but then a web page with the header
    # in a comment would pass: a PDF of ours starts with it, as every writer makes them.
    return head.startswith(b"%PDF-")


def _jpeg(head: bytes) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _png(head: bytes) -> bool:
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _mp4(head: bytes) -> bool:
    # ISO base media: the first box is "ftyp" (its 4-byte size comes first).
    return head[4:8] == b"ftyp"


_HEAD_CHECKS = {"application/pdf": _pdf, "image/jpeg": _jpeg, "image/png": _png, "video/mp4": _mp4}


def content_matches(content_type: str, file) -> bool:
    """True when ``file`` (seekable, binary) holds what ``content_type`` says.

    Types without a known signature (an operator may allow more) are taken on their name and
    declared type alone. The file is left at its start.
    """
    try:
        if content_type in _HEAD_CHECKS:
            file.seek(0)
            return _HEAD_CHECKS[content_type](file.read(1024))
        if content_type in _OOXML_MAIN_PART:
            file.seek(0)
            try:
                with zipfile.ZipFile(file) as package:
                    names = set(package.namelist())
            except (zipfile.BadZipFile, OSError, ValueError):
                return False
            return {"[Content_Types].xml", _OOXML_MAIN_PART[content_type]} <= names
        return True
    finally:
        file.seek(0)
