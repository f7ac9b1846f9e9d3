"""Display names of levels, overall ratings and evaluation states, for every screen that shows them.

No Django here: each screen translates a label in the language of its request
(:func:`temis_plugin.i18n.translated`); ``gettext_noop`` only marks the texts for the catalogue.
"""


def gettext_noop(message: str) -> str:
    """``message`` unchanged. ``makemessages`` extracts the calls by this name, as it does Django's own."""
    return message


LEVEL_LABELS = {
    "CD": gettext_noop("Not met"),
    "D": gettext_noop("Meets"),
    "K": gettext_noop("Fair"),
    "T": gettext_noop("Good"),
}
RATING_LABELS = {
    "CHUA_DAT": gettext_noop("Not met"),
    "DAT": gettext_noop("Meets"),
    "KHA": gettext_noop("Fair"),
    "TOT": gettext_noop("Good"),
}
STATE_LABELS = {
    "draft": gettext_noop("Draft"),
    "submitted": gettext_noop("Submitted"),
    "opinions": gettext_noop("Colleague opinions"),
    "finalized": gettext_noop("Finalized"),
}
