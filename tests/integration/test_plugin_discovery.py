"""The plugin is found, configured, routed and wired exactly the way the LMS does it."""

import sys
from pathlib import Path

from django.conf import settings
from django.urls import resolve, reverse
from edx_django_utils.plugins import get_plugin_apps, get_plugin_url_patterns
from edx_django_utils.plugins.plugin_signals import connect_plugin_receivers


def test_entry_points_name_our_app_for_lms_and_cms():
    assert "temis_plugin.apps.TemisPluginConfig" in get_plugin_apps("lms.djangoapp")
    assert "lti.apps.TemisLtiConfig" in get_plugin_apps("lms.djangoapp")
    assert "temis_plugin.apps.TemisPluginConfig" in get_plugin_apps("cms.djangoapp")


def test_settings_were_applied_by_add_plugins():
    assert "temis_plugin.apps.TemisPluginConfig" in settings.INSTALLED_APPS
    # settings/test.py lowers the evidence limit; settings/common.py sets the content types.
    assert settings.TEMIS_EVIDENCE_MAX_BYTES == 1024 * 1024
    assert "application/pdf" in settings.TEMIS_EVIDENCE_CONTENT_TYPES


def test_production_settings_read_env_tokens():
    from temis_plugin.settings import production

    class FakeSettings:
        ENV_TOKENS = {"TEMIS_EVIDENCE_MAX_BYTES": 5}

    production.plugin_settings(FakeSettings)
    assert FakeSettings.TEMIS_EVIDENCE_MAX_BYTES == 5 and FakeSettings.TEMIS_ROSTER_MAX_BYTES > 0


def test_urls_mount_under_temis_namespace():
    patterns = get_plugin_url_patterns("lms.djangoapp")
    assert any(str(p.pattern) == "^temis/" for p in patterns)
    assert reverse("temis:home") == "/temis/"
    assert resolve("/temis/").namespace == "temis"


def test_retirement_receiver_is_wired_through_signals_config(db, make_user, school_tree):
    # The platform module is replaced by a stand-in that declares the same signal object.
    standins = str(Path(__file__).parent.parent / "platform_standins")
    sys.path.insert(0, standins)
    try:
        connect_plugin_receivers("lms.djangoapp")
        from openedx.core.djangoapps.user_api.accounts.signals import USER_RETIRE_LMS_MISC

        from temis_plugin.models import EducatorProfile

        user = make_user("leaving")
        EducatorProfile.objects.create(
            user=user, national_id="079123456789", full_name="Nguyễn Văn A", school=school_tree["S1"], school_level="TH"
        )
        from lti.models import Launch, Platform

        platform = Platform.objects.create(
            name="p",
            issuer="https://p.example",
            client_id="c",
            auth_login_url="https://p.example/a",
            keyset_url="https://p.example/k",
        )
        Launch.objects.create(
            platform=platform,
            deployment_id="1",
            sub="s",
            message_type="LtiResourceLinkRequest",
            user=user,
            expires=user.date_joined,
        )
        USER_RETIRE_LMS_MISC.send(sender=None, user=user)
        assert not Launch.objects.exists()  # the tool's receiver, wired the same way
        profile = EducatorProfile.objects.get()
        assert profile.user is None and profile.national_id is None and profile.full_name == ""
        assert profile.retired_at is not None
    finally:
        sys.path.remove(standins)
        for name in [m for m in sys.modules if m == "openedx" or m.startswith("openedx.")]:
            del sys.modules[name]
