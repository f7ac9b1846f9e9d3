"""Tutor hooks for openedx-temis: install it into the openedx image, configure it, run its init tasks."""

import types

from tutor import hooks

from temis_plugin import __version__
from temis_plugin.settings import common as plugin_settings_common

# Settings only the LMS and its workers read (reports, the Grades API client): the secret goes no
# further than it must. Their defaults here serve until temis_plugin/settings/common.py defines them.
LMS_SETTING_DEFAULTS = {
    "TEMIS_REPORTS_STORAGE": None,
    "TEMIS_REPORT_RETENTION_DAYS": 30,
    "TEMIS_CELERY_QUEUE": None,
    "TEMIS_GRADES_API_CLIENT_ID": None,
    "TEMIS_GRADES_API_CLIENT_SECRET": None,
}


def plugin_setting_defaults() -> dict:
    """The defaults the Django plugin applies, read from its settings module so the two never differ."""
    settings = types.SimpleNamespace()
    plugin_settings_common.plugin_settings(settings)
    return {name: value for name, value in vars(settings).items() if name.startswith("TEMIS_")}


# Every Django setting an operator may set through Tutor config, with its default.
SETTING_DEFAULTS = {**LMS_SETTING_DEFAULTS, **plugin_setting_defaults()}
SETTINGS_BY_PATCH = {
    "openedx-common-settings": [name for name in SETTING_DEFAULTS if name not in LMS_SETTING_DEFAULTS],
    "openedx-lms-common-settings": list(LMS_SETTING_DEFAULTS),
}

CONFIG_DEFAULTS = {
    # What the openedx image installs: a release from PyPI by default, or any pip requirement
    # (a wheel URL, a git URL) an operator prefers.
    "TEMIS_PIP_SPEC": f"openedx-temis=={__version__}",
    **SETTING_DEFAULTS,
}

# Config values are YAML data (numbers, strings, lists, mappings); repr() writes them as Python literals.
PYTHON_LITERAL_FILTER = "temis_python"


def settings_patch(names) -> str:
    """Jinja lines assigning each named setting its config value. A setting without a value (None or
    empty) is not written, so the plugin's own default applies and no empty secret shows."""
    return "".join(
        "{% if "
        + name
        + " is not none and "
        + name
        + " != '' %}"
        + name
        + " = {{ "
        + name
        + "|"
        + PYTHON_LITERAL_FILTER
        + " }}\n{% endif %}"
        for name in names
    )


# Open edX sends no Mentor role to LTI 1.3 tools; this parameter processor adds the launching
# educator's identifier instead (for LTI blocks with "Enable processors" ticked). The LMS only:
# Studio has no temis_lti app to import it from.
LTI_PARAMETER_PROCESSOR = "lti.parameter_processors:educator_claims"
LTI_SETTINGS = f"""
_temis_lti_processors = XBLOCK_SETTINGS.setdefault("lti_consumer", {{}}).setdefault("parameter_processors", [])
if "{LTI_PARAMETER_PROCESSOR}" not in _temis_lti_processors:
    _temis_lti_processors.append("{LTI_PARAMETER_PROCESSOR}")
"""

LMS_URL = "{% if ENABLE_HTTPS %}https{% else %}http{% endif %}://{{ LMS_HOST }}"

# Printed at the end of init: the tool's URLs and the command that registers an LTI platform,
# with this deployment's LMS URL filled in.
REGISTRATION_HINT = f"""cat <<'EOF'
The TEMIS mentor tool (LTI 1.3) is served by the LMS:
  login:   {LMS_URL}/temis/lti/login/
  launch:  {LMS_URL}/temis/lti/launch/
  key set: {LMS_URL}/temis/lti/jwks/
Register each LTI 1.3 platform with the client id, deployment id and URLs it shows
(an Open edX LTI Consumer block shows them in Studio), for example:
  tutor local run lms ./manage.py lms temis_lti_register --name "Open edX" \\
    --issuer {LMS_URL} --client-id <client id> --deployment-id <deployment id> \\
    --auth-login-url {LMS_URL}/api/lti_consumer/v1/launch/ \\
    --keyset-url {LMS_URL}/api/lti_consumer/v1/public_keysets/<passport id> \\
    --auth-token-url {LMS_URL}/api/lti_consumer/v1/token/<passport id>
EOF"""

INIT_TASKS = [
    # Listed although the core LMS init migrates everything: `do init --limit=temis` runs only these.
    ("lms", "./manage.py lms migrate temis_plugin"),
    ("lms", "./manage.py lms migrate temis_lti"),
    # The first signing key of the LTI tool; later inits keep it (rotate with temis_lti_rotate_keys).
    ("lms", "./manage.py lms temis_lti_rotate_keys --if-missing"),
    ("lms", REGISTRATION_HINT),
]

hooks.Filters.CONFIG_DEFAULTS.add_items(list(CONFIG_DEFAULTS.items()))
hooks.Filters.ENV_TEMPLATE_FILTERS.add_item((PYTHON_LITERAL_FILTER, repr))
hooks.Filters.ENV_PATCHES.add_items(
    [
        ("openedx-dockerfile-post-python-requirements", "RUN $PIP_COMMAND install '{{ TEMIS_PIP_SPEC }}'"),
        *[(patch, settings_patch(names)) for patch, names in SETTINGS_BY_PATCH.items()],
        ("openedx-lms-common-settings", LTI_SETTINGS),
    ]
)
hooks.Filters.CLI_DO_INIT_TASKS.add_items(INIT_TASKS)
