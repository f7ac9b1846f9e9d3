"""Settings every deployment gets; operators override them in their own settings."""


def plugin_settings(settings):
    # Evidence uploads: what a teacher may attach as minh chứng.
    settings.TEMIS_EVIDENCE_MAX_BYTES = getattr(settings, "TEMIS_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
    settings.TEMIS_EVIDENCE_CONTENT_TYPES = getattr(settings, "TEMIS_EVIDENCE_CONTENT_TYPES", [
        "application/pdf", "image/jpeg", "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "video/mp4",
    ])
    # Roster files larger than this are refused before parsing.
    settings.TEMIS_ROSTER_MAX_BYTES = getattr(settings, "TEMIS_ROSTER_MAX_BYTES", 50 * 1024 * 1024)
    # The calendar in which a training module's pass date (ModuleResult.passed_on) is counted.
    settings.TEMIS_TIME_ZONE = getattr(settings, "TEMIS_TIME_ZONE", "Asia/Ho_Chi_Minh")
    # OAuth2 client (client-credentials grant, a DOT application whose user has staff access to the
    # training courses) with which temis_backfill_grades --api reads the LMS's Grades API.
    settings.TEMIS_GRADES_API_CLIENT_ID = getattr(settings, "TEMIS_GRADES_API_CLIENT_ID", "")
    settings.TEMIS_GRADES_API_CLIENT_SECRET = getattr(settings, "TEMIS_GRADES_API_CLIENT_SECRET", "")
