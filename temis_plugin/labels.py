"""Display names of levels, overall ratings and evaluation states, for every screen that shows them.

Marked with gettext_noop: each screen translates them in the language of its request.
"""
from django.utils.translation import get_language, gettext, gettext_noop

LEVEL_LABELS = {"CD": gettext_noop("Not met"), "D": gettext_noop("Meets"), "K": gettext_noop("Fair"),
                "T": gettext_noop("Good")}
RATING_LABELS = {"CHUA_DAT": gettext_noop("Not met"), "DAT": gettext_noop("Meets"), "KHA": gettext_noop("Fair"),
                 "TOT": gettext_noop("Good")}
STATE_LABELS = {"draft": gettext_noop("Draft"), "submitted": gettext_noop("Submitted"),
                "opinions": gettext_noop("Colleague opinions"), "finalized": gettext_noop("Finalized")}


def is_vietnamese() -> bool:
    """Whether the active language is Vietnamese (the default when no language is active)."""
    return (get_language() or "vi").startswith("vi")


def localized(text_vi: str, text_en: str) -> str:
    """The Vietnamese or the English text, in the active language; English falls back to Vietnamese."""
    return text_vi if is_vietnamese() else (text_en or text_vi)


def translated(labels: dict, code) -> str:
    """The label of ``code`` (a level, rating, state...) in the active language, or "" when there is none."""
    return gettext(labels[code]) if code in labels else ""
