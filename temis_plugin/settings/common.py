"""Settings every deployment gets; operators override them in their own settings."""


def plugin_settings(settings):
    # Evidence uploads: what a teacher may attach as minh chứng.
    settings.TEMIS_EVIDENCE_MAX_BYTES = getattr(settings, "TEMIS_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
    settings.TEMIS_EVIDENCE_CONTENT_TYPES = getattr(
        settings,
        "TEMIS_EVIDENCE_CONTENT_TYPES",
        [
            "application/pdf",
            "image/jpeg",
            "image/png",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "video/mp4",
        ],
    )
    # The STORAGES alias for evidence files (the default storage if unset): point it at a private
    # bucket, since files are served only through the plugin's permission-checked route.
    settings.TEMIS_EVIDENCE_STORAGE = getattr(settings, "TEMIS_EVIDENCE_STORAGE", None)
    # Rate limits of the LTI tool's endpoint groups, per client address ("count/period"), merged over
    # lti.throttle.DEFAULT_RATES; a group set to None has no limit. Counted in RATELIMIT_USE_CACHE.
    settings.TEMIS_LTI_RATE_LIMITS = getattr(settings, "TEMIS_LTI_RATE_LIMITS", {})
    # Days the LTI tool keeps login states and launches after they end (temis_lti_expire, or the Celery
    # task temis_lti.expire_launches); each educator's latest launch in a course stays, without its claims.
    settings.TEMIS_LTI_RETENTION_DAYS = getattr(settings, "TEMIS_LTI_RETENTION_DAYS", 7)
    # Roster files larger than this are refused before parsing.
    settings.TEMIS_ROSTER_MAX_BYTES = getattr(settings, "TEMIS_ROSTER_MAX_BYTES", 50 * 1024 * 1024)
    # The calendar in which a training module's pass date (ModuleResult.passed_on) is counted.
    settings.TEMIS_TIME_ZONE = getattr(settings, "TEMIS_TIME_ZONE", "Asia/Ho_Chi_Minh")
    # OAuth2 client (client-credentials grant, a DOT application whose user has staff access to the
    # training courses) with which temis_backfill_grades --api reads the LMS's Grades API.
    settings.TEMIS_GRADES_API_CLIENT_ID = getattr(settings, "TEMIS_GRADES_API_CLIENT_ID", "")
    settings.TEMIS_GRADES_API_CLIENT_SECRET = getattr(settings, "TEMIS_GRADES_API_CLIENT_SECRET", "")
    # Reports: the STORAGES alias for report files (default storage if unset), how long files are kept,
    # and the Celery queue of report tasks (the LMS's default queue if unset).
    settings.TEMIS_REPORTS_STORAGE = getattr(settings, "TEMIS_REPORTS_STORAGE", None)
    settings.TEMIS_REPORT_RETENTION_DAYS = getattr(settings, "TEMIS_REPORT_RETENTION_DAYS", 30)
    settings.TEMIS_CELERY_QUEUE = getattr(settings, "TEMIS_CELERY_QUEUE", None)
