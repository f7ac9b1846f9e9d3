"""Test settings: the standalone site with the plugin's `test` settings, as the LMS test envs load them."""
import os
import tempfile

os.environ.setdefault("TEMIS_SETTINGS_TYPE", "test")
os.environ.setdefault("TEMIS_VAR_DIR", tempfile.mkdtemp(prefix="temis-test-"))

from temis_plugin.standalone.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user creation in tests
