"""The LTI tool's Django app, discovered by the LMS like the plugin itself."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TemisLtiConfig(AppConfig):
    name = "lti"
    label = "temis_lti"
    verbose_name = _("TEMIS mentor tool (LTI 1.3)")
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {"lms.djangoapp": {"namespace": "temis_lti", "regex": r"^temis/lti/", "relative_path": "urls"}},
        "signals_config": {
            "lms.djangoapp": {
                "relative_path": "signals",
                "receivers": [
                    {
                        "receiver_func_name": "retire_launches",
                        "signal_path": "openedx.core.djangoapps.user_api.accounts.signals.USER_RETIRE_LMS_MISC",
                        "dispatch_uid": "temis_lti.retire_launches",
                    }
                ],
            }
        },
    }
