"""The Tutor plugin, run by Tutor itself in this process: `tutor plugins enable temis` and
`tutor config save` render the openedx image and the LMS/CMS settings; the init tasks are declared
for `tutor local do init --limit=temis`. No Docker and no network: Tutor only writes files.
"""

import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner
from tutor import config as tutor_config
from tutor import env as tutor_env
from tutor import hooks
from tutor.commands.cli import cli
from tutor.core.hooks import contexts

import temis_plugin
from temis_plugin.settings import common as plugin_settings_common

PLUGIN_MODULE = "temis_plugin.tutor.plugin"
TEST_CONTEXT = "temis-tutor-plugin-tests"
# Where Tutor keeps what plugins declare; emptied between tests, since Tutor's hooks are global.
HOOK_CONTEXTS = [
    hooks.Contexts.PLUGINS.name,
    hooks.Contexts.PLUGINS_V0_ENTRYPOINT.name,
    hooks.Contexts.PLUGINS_V0_YAML.name,
    TEST_CONTEXT,
]
SETTINGS_FILES = {
    (app, mode): f"env/apps/openedx/settings/{app}/{mode}.py"
    for app in ("lms", "cms")
    for mode in ("production", "development")
}
LMS_SETTINGS_FILES = [path for (app, _), path in SETTINGS_FILES.items() if app == "lms"]
CMS_SETTINGS_FILES = [path for (app, _), path in SETTINGS_FILES.items() if app == "cms"]


def forget_plugins():
    for context in HOOK_CONTEXTS:
        hooks.clear_all(context=context)
    # Tutor imports a plugin's module to load it; a cached module would declare nothing the next time.
    sys.modules.pop(PLUGIN_MODULE, None)


class Project:
    """One Tutor project root, driven through Tutor's own command line."""

    def __init__(self, root: Path):
        self.root = root

    def tutor(self, *args):
        result = CliRunner().invoke(cli, ["--root", str(self.root), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    def read(self, path):
        return (self.root / path).read_text(encoding="utf-8")

    def config(self):
        return tutor_config.load_full(str(self.root))

    def render(self, template):
        return tutor_env.render_str(self.config(), template)

    def init_tasks(self):
        """(service, rendered script) of the tasks `tutor local do init --limit=temis` runs."""
        limited = hooks.Filters.CLI_DO_INIT_TASKS.iterate_from_context(hooks.Contexts.app("temis").name)
        return [(service, self.render(script)) for service, script in limited]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fresh Tutor root with the plugin enabled; user plugins of the machine are not seen."""
    for name in ("TUTOR_IGNORE_ENTRYPOINT_PLUGINS", "TUTOR_ROOT"):
        monkeypatch.delenv(name, raising=False)
    empty_plugins_root = tmp_path / "tutor-plugins"
    empty_plugins_root.mkdir()
    monkeypatch.setattr("tutor.plugins.v0.PLUGINS_ROOT", str(empty_plugins_root))
    monkeypatch.setattr("tutor.plugins.v1.PLUGINS_ROOT", str(empty_plugins_root))
    # Tutor's CLI enables the project's plugins once per process; each test has its own project.
    monkeypatch.setattr(cli, "IS_ROOT_READY", False, raising=False)
    forget_plugins()
    with contexts.enter(TEST_CONTEXT):
        hooks.Actions.CORE_READY.do()
        project = Project(tmp_path / "tutor-root")
        project.tutor("plugins", "enable", "temis")
        yield project
    forget_plugins()


def settings_namespace(source, xblock_settings=None):
    """The names a rendered settings patch defines, run as the platform's settings module would."""
    namespace = {"XBLOCK_SETTINGS": xblock_settings if xblock_settings is not None else {}}
    exec(compile(source, "<settings patch>", "exec"), namespace)  # noqa: S102  (our own rendered file)
    return namespace


def test_enabling_the_plugin_installs_this_release_into_the_openedx_image(project):
    dockerfile = project.read("env/build/openedx/Dockerfile")
    assert f"RUN $PIP_COMMAND install 'openedx-temis=={temis_plugin.__version__}'" in dockerfile


def test_plugin_settings_reach_lms_and_cms_in_production_and_development(project):
    for path in SETTINGS_FILES.values():
        text = project.read(path)
        assert "TEMIS_EVIDENCE_MAX_BYTES = 20971520" in text, path
        assert "TEMIS_TIME_ZONE = 'Asia/Ho_Chi_Minh'" in text, path
        assert "TEMIS_ROSTER_MAX_BYTES = 52428800" in text, path
        assert "TEMIS_EVIDENCE_CONTENT_TYPES = ['application/pdf'," in text, path
    for path in LMS_SETTINGS_FILES:
        text = project.read(path)
        assert "TEMIS_REPORT_RETENTION_DAYS = 30" in text, path
        assert "lti.parameter_processors:educator_claims" in text, path
    for path in CMS_SETTINGS_FILES:
        text = project.read(path)
        assert "TEMIS_REPORT_RETENTION_DAYS" not in text, path  # reports run in the LMS
        assert "lti.parameter_processors" not in text, path  # Studio has no temis_lti app


def test_rendered_settings_files_are_python(project):
    for path in SETTINGS_FILES.values():
        compile(project.read(path), path, "exec")


def test_settings_without_a_value_are_not_written(project):
    for path in SETTINGS_FILES.values():
        text = project.read(path)
        for name in (
            "TEMIS_REPORTS_STORAGE",
            "TEMIS_CELERY_QUEUE",
            "TEMIS_GRADES_API_CLIENT_ID",
            "TEMIS_GRADES_API_CLIENT_SECRET",
        ):
            assert name not in text, (name, path)


def test_config_defaults_are_the_django_plugin_defaults(project):
    django_defaults = types.SimpleNamespace()
    plugin_settings_common.plugin_settings(django_defaults)
    config = project.config()
    assert {name: config[name] for name in vars(django_defaults)} == vars(django_defaults)
    assert config["TEMIS_PIP_SPEC"] == f"openedx-temis=={temis_plugin.__version__}"
    assert config["TEMIS_REPORT_RETENTION_DAYS"] == 30


def test_config_values_change_the_image_and_the_settings(project):
    wheel = "openedx-temis @ https://files.example.invalid/openedx_temis-9.9.9-py3-none-any.whl"
    storage = (
        '{"BACKEND": "storages.backends.s3.S3Storage",'
        ' "OPTIONS": {"bucket_name": "temis-reports", "querystring_auth": false}}'
    )
    project.tutor(
        "config",
        "save",
        "--set",
        f"TEMIS_PIP_SPEC={wheel}",
        "--set",
        "TEMIS_EVIDENCE_MAX_BYTES=5242880",
        "--set",
        "TEMIS_TIME_ZONE=UTC",
        "--set",
        "TEMIS_CELERY_QUEUE=edx.lms.core.high_mem",
        "--set",
        f"TEMIS_REPORTS_STORAGE={storage}",
        "--set",
        "TEMIS_GRADES_API_CLIENT_ID=temis-grades",
        "--set",
        "TEMIS_GRADES_API_CLIENT_SECRET=not-a-real-secret",
    )

    dockerfile = project.read("env/build/openedx/Dockerfile")
    assert f"RUN $PIP_COMMAND install '{wheel}'" in dockerfile
    assert "openedx-temis==" not in dockerfile

    for path in SETTINGS_FILES.values():
        text = project.read(path)
        assert "TEMIS_EVIDENCE_MAX_BYTES = 5242880" in text and "TEMIS_TIME_ZONE = 'UTC'" in text, path
    for path in LMS_SETTINGS_FILES:
        text = project.read(path)
        assert "TEMIS_CELERY_QUEUE = 'edx.lms.core.high_mem'" in text, path
        assert "TEMIS_GRADES_API_CLIENT_SECRET = 'not-a-real-secret'" in text, path
    for path in CMS_SETTINGS_FILES:
        assert "not-a-real-secret" not in project.read(path), path  # the secret stays in the LMS

    lms_patch = settings_namespace(project.render('{{ patch("openedx-lms-common-settings") }}'))
    assert lms_patch["TEMIS_REPORTS_STORAGE"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "temis-reports", "querystring_auth": False},
    }
    assert lms_patch["TEMIS_GRADES_API_CLIENT_ID"] == "temis-grades"


def test_lms_settings_add_the_parameter_processor_and_keep_the_operators_own(project):
    patch = project.render('{{ patch("openedx-lms-common-settings") }}')
    own = "my_plugin.processors:extra_claims"
    namespace = settings_namespace(patch, {"lti_consumer": {"parameter_processors": [own]}, "VideoBlock": {}})
    assert namespace["XBLOCK_SETTINGS"]["lti_consumer"]["parameter_processors"] == [
        own,
        "lti.parameter_processors:educator_claims",
    ]
    assert "VideoBlock" in namespace["XBLOCK_SETTINGS"]


def test_init_migrates_both_apps_and_creates_the_first_tool_key(project):
    tasks = project.init_tasks()
    assert all(service == "lms" for service, _ in tasks)
    scripts = [script for _, script in tasks]
    assert scripts[:3] == [
        "./manage.py lms migrate temis_plugin",
        "./manage.py lms migrate temis_lti",
        "./manage.py lms temis_lti_rotate_keys --if-missing",
    ]
    # The last task tells the operator how to register a platform, with this LMS's URLs.
    hint = scripts[-1]
    assert "temis_lti_register" in hint
    assert "http://local.openedx.io/temis/lti/jwks/" in hint


def test_registration_hint_follows_the_lms_host_and_https(project):
    project.tutor("config", "save", "--set", "LMS_HOST=lms.temis.example", "--set", "ENABLE_HTTPS=true")
    hint = project.init_tasks()[-1][1]
    assert "--issuer https://lms.temis.example " in hint
    assert "https://lms.temis.example/temis/lti/login/" in hint
    assert "https://lms.temis.example/api/lti_consumer/v1/token/<passport id>" in hint


def test_core_init_tasks_are_not_part_of_the_temis_limit(project):
    everything = list(hooks.Filters.CLI_DO_INIT_TASKS.iterate())
    ours = list(hooks.Filters.CLI_DO_INIT_TASKS.iterate_from_context(hooks.Contexts.app("temis").name))
    assert len(everything) > len(ours) == 4
