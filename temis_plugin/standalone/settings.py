"""Settings of the standalone site: the plugin is found through its entry point, as in the LMS.

TEMIS_DB selects the database: "sqlite" (default, file in TEMIS_VAR_DIR) or "mysql" (MariaDB/MySQL,
database TEMIS_MYSQL_DB on TEMIS_MYSQL_HOST as root, the family Open edX runs on).
TEMIS_DEBUG=1 turns Django's debug mode on (tracebacks with settings to anyone): off unless asked for.
TEMIS_SECRET_KEY sets the secret key; without it, a random key is made once and kept in TEMIS_VAR_DIR.
"""

import os
from pathlib import Path

from django.core.management.utils import get_random_secret_key
from edx_django_utils.plugins import add_plugins, get_plugin_apps

VAR_DIR = Path(os.environ.get("TEMIS_VAR_DIR", Path.cwd() / "var"))


def _secret_key() -> str:
    """TEMIS_SECRET_KEY, else this installation's own random key (a key printed in the code signs nothing)."""
    if os.environ.get("TEMIS_SECRET_KEY"):
        return os.environ["TEMIS_SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(get_random_secret_key())
    except FileExistsError:  # made before, or by another process starting at the same time
        pass
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("TEMIS_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "temis_plugin.standalone.urls"
PLATFORM_NAME = "openedx-temis standalone"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The plugin's REST API (/temis/api/v1/); the LMS installs it too.
    "rest_framework",
]
# The xblock-sdk workbench's runtime shows the blocks as a learner sees them (/workbench/, see
# temis_plugin.standalone.workbench), when installed.
try:
    import workbench  # noqa: F401

    INSTALLED_APPS.append("workbench")
    WORKBENCH = {
        "reset_state_on_restart": False,
        "services": {"fs": "xblock.reference.plugins.FSService", "settings": "workbench.services.SettingsService"},
    }
except ImportError:
    pass
# The LMS's pattern for usage ids: other installed plugins (lti-consumer-xblock) build URLs from it
# when the plugin framework imports their URL modules.
USAGE_ID_PATTERN = r"(?P<usage_id>(?:i4x://?[^/]+/[^/]+/[^/]+/[^@]+(?:@[^/]+)?)|(?:[^/]+))"
# Only our plugin: other installed plugins (lti-consumer-xblock, ...) need the platform's settings.
INSTALLED_APPS.extend(app for app in get_plugin_apps("lms.djangoapp") if app.startswith(("temis_plugin.", "lti.")))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

if os.environ.get("TEMIS_DB", "sqlite") == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ.get("TEMIS_MYSQL_DB", "temis"),
            "USER": os.environ.get("TEMIS_MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("TEMIS_MYSQL_PASSWORD", ""),
            "HOST": os.environ.get("TEMIS_MYSQL_HOST", "127.0.0.1"),
            "PORT": os.environ.get("TEMIS_MYSQL_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }
else:
    # IMMEDIATE transactions make concurrent writers queue instead of failing on lock upgrade;
    # the test database is a file so that threads really use separate connections.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "temis.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            "TEST": {"NAME": VAR_DIR / "test-temis.sqlite3"},
        }
    }

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The plugin's catalogue also holds the XBlocks' strings (in the LMS the blocks fall back to Django's
# catalogues); listing it here lets makemessages, run from the repository root, write to it.
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "conf" / "locale"]
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Celery, as in the LMS: a Redis broker when TEMIS_CELERY_BROKER_URL is set (a worker must run:
# celery -A temis_plugin.standalone.celery worker); otherwise tasks run in the request (demo).
CELERY_BROKER_URL = os.environ.get("TEMIS_CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEMIS_CELERY_QUEUE", "temis")
CELERY_RESULT_BACKEND = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The plugin's own settings modules, applied the way the LMS applies them.
add_plugins(__name__, "lms.djangoapp", os.environ.get("TEMIS_SETTINGS_TYPE", "common"))
