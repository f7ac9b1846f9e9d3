"""Test settings: small limits so tests of the limits stay fast."""

from . import common


def plugin_settings(settings):
    common.plugin_settings(settings)
    settings.TEMIS_EVIDENCE_MAX_BYTES = 1024 * 1024
