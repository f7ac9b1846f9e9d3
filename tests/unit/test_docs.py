"""The documentation's links and pictures point at files that exist."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_every_local_link_and_picture_in_the_guides_exists():
    missing = []
    for page in [*DOCS.glob("*.md"), DOCS.parent / "README.md"]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            if not (page.parent / target).exists():
                missing.append(f"{page.name}: {target}")
    assert not missing, missing


def test_the_guides_show_real_screenshots():
    for guide in ("huong-dan-giao-vien.md", "huong-dan-giao-vien-cot-can.md", "huong-dan-thu-truong.md"):
        pictures = re.findall(r"!\[[^\]]*\]\((images/[^)]+\.png)\)", (DOCS / guide).read_text(encoding="utf-8"))
        assert pictures, guide
        for picture in pictures:
            assert (DOCS / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
