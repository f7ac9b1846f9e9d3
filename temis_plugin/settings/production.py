"""Production settings: operators may set any TEMIS_* value in the environment's YAML."""

from . import common


def plugin_settings(settings):
    common.plugin_settings(settings)
    env_tokens = getattr(settings, "ENV_TOKENS", {}) or {}
    for name in (
        "TEMIS_EVIDENCE_MAX_BYTES",
        "TEMIS_EVIDENCE_CONTENT_TYPES",
        "TEMIS_EVIDENCE_STORAGE",
        "TEMIS_ROSTER_MAX_BYTES",
        "TEMIS_TIME_ZONE",
        "TEMIS_REPORTS_STORAGE",
        "TEMIS_REPORT_RETENTION_DAYS",
        "TEMIS_CELERY_QUEUE",
        "TEMIS_LTI_RATE_LIMITS",
        "TEMIS_LTI_RETENTION_DAYS",
    ):
        if name in env_tokens:
            setattr(settings, name, env_tokens[name])
