"""The active language, as Django's translation machinery sets it for a request: choosing between the
Vietnamese and English texts a record carries, and translating the labels of :mod:`temis_plugin.labels`."""

from django.utils.translation import get_language, gettext


def is_vietnamese() -> bool:
    """Whether the active language is Vietnamese (the default when no language is active)."""
    return (get_language() or "vi").startswith("vi")


def localized(text_vi: str, text_en: str) -> str:
    """The Vietnamese or the English text, in the active language; English falls back to Vietnamese."""
    return text_vi if is_vietnamese() else (text_en or text_vi)


def translated(labels: dict, code) -> str:
    """The label of ``code`` (a level, rating, state...) in the active language, or "" when there is none."""
    return gettext(labels[code]) if code in labels else ""
