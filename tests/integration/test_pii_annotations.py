"""Every model states what personal data it holds, in the form Open edX's code_annotations checks."""
import subprocess
import sys
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).parent.parent.parent


def test_every_model_is_annotated():
    for model in apps.get_app_config("temis_plugin").get_models():
        doc = model.__doc__ or ""
        assert ".. pii:" in doc or ".. no_pii:" in doc, model.__name__
        if ".. pii:" in doc:
            assert ".. pii_types:" in doc and ".. pii_retirement:" in doc, model.__name__


def test_code_annotations_lint_passes(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "code_annotations.cli", "static_find_annotations", "--config_file",
         str(ROOT / ".pii_annotations.yml"), "--source_path", str(ROOT / "temis_plugin" / "models"),
         "--lint", "--report_path", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
