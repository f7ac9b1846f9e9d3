"""Every model states what personal data it holds, in the form Open edX's code_annotations checks."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).parent.parent.parent


def test_every_model_is_annotated():
    models = [*apps.get_app_config("temis_plugin").get_models(), *apps.get_app_config("temis_lti").get_models()]
    for model in models:
        doc = model.__doc__ or ""
        assert ".. pii:" in doc or ".. no_pii:" in doc, model.__name__
        if ".. pii:" in doc:
            assert ".. pii_types:" in doc and ".. pii_retirement:" in doc, model.__name__


CODE_ANNOTATIONS = str(Path(sys.executable).parent / "code_annotations")


def lint(source, report_dir):
    return subprocess.run(
        [
            CODE_ANNOTATIONS,
            "static_find_annotations",
            "--config_file",
            str(ROOT / ".pii_annotations.yml"),
            "--source_path",
            str(source),
            "--lint",
            "--report",
            "--report_path",
            str(report_dir),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.parametrize("source", ["temis_plugin/models", "lti/models.py"])
def test_code_annotations_lint_passes(tmp_path, source):
    result = lint(ROOT / source, tmp_path)
    assert result.returncode == 0 and "Linting passed" in result.stdout, result.stdout + result.stderr
    assert int(result.stdout.split("Search found ")[1].split()[0]) >= 5


def test_code_annotations_lint_catches_a_wrong_annotation(tmp_path):
    bad = tmp_path / "bad_models.py"
    bad.write_text(
        'class Thing:\n    """\n    .. pii: A name.\n    .. pii_types: shoe_size\n'
        '    .. pii_retirement: local_api\n    """\n',
        "utf-8",
    )
    result = lint(bad, tmp_path / "report")
    assert result.returncode != 0 and "shoe_size" in result.stdout + result.stderr
