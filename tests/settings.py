"""Test settings: the standalone site with the plugin's `test` settings, as the LMS test envs load them."""

import os
import tempfile

os.environ.setdefault("TEMIS_SETTINGS_TYPE", "test")
os.environ.setdefault("TEMIS_VAR_DIR", tempfile.mkdtemp(prefix="temis-test-"))

from temis_plugin.standalone.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user creation in tests

# Open edX's lti-consumer-xblock runs in the test site as the LTI platform (token, AGS and NRPS
# endpoints), mounted under /api/ as in the LMS.
# (rest_framework, which it also needs, is already installed in the standalone site.)
INSTALLED_APPS += ["django_filters", "config_models", "lti_consumer"]  # noqa: F405
ROOT_URLCONF = "tests.urls"
OPENEDX_TELEMETRY = []
