"""Django app configuration, discovered by the LMS and CMS through the plugin framework."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TemisPluginConfig(AppConfig):
    name = "temis_plugin"
    label = "temis_plugin"
    verbose_name = _("TEMIS: teacher standards and mentoring")
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            "lms.djangoapp": {"namespace": "temis", "regex": r"^temis/", "relative_path": "urls"},
            "cms.djangoapp": {"namespace": "temis", "regex": r"^temis/", "relative_path": "urls"},
        },
        "settings_config": {
            project: {
                "common": {"relative_path": "settings.common"},
                "production": {"relative_path": "settings.production"},
                "test": {"relative_path": "settings.test"},
            }
            for project in ("lms.djangoapp", "cms.djangoapp")
        },
        "signals_config": {
            "lms.djangoapp": {
                "relative_path": "signals",
                "receivers": [
                    {
                        # A platform Django signal: connected by the platform's plugin loader, so this
                        # path is only imported inside edx-platform.
                        "receiver_func_name": "retire_educator_on_user_retirement",
                        "signal_path": "openedx.core.djangoapps.user_api.accounts.signals.USER_RETIRE_LMS_MISC",
                        "dispatch_uid": "temis_plugin.retire_educator",
                    }
                ],
            }
        },
    }

    def ready(self):
        # Connects the openedx-events receivers (@receiver). The platform's own signals are wired
        # through signals_config above, by the platform's plugin loader.
        from . import signals  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
