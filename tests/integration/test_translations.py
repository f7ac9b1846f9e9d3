"""The Vietnamese catalogue translates every string it holds: none empty, none fuzzy (guessed)."""

import subprocess
from pathlib import Path

import pytest

CATALOGUE = (
    Path(__file__).parent.parent.parent / "temis_plugin" / "conf" / "locale" / "vi" / "LC_MESSAGES" / "django.po"
)


@pytest.mark.parametrize("flag", ["--untranslated", "--only-fuzzy"])
def test_catalogue_is_complete(flag):
    result = subprocess.run(
        ["msgattrib", flag, "--no-wrap", str(CATALOGUE)], capture_output=True, text=True, check=True
    )
    entries = [line for line in result.stdout.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    assert entries == [], entries


def test_catalogue_compiles_cleanly():
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(CATALOGUE)], check=True)
