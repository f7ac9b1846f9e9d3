"""Display names of levels, overall ratings and evaluation states, for every screen that shows them.

Marked with gettext_noop: each screen translates them in the language of its request.
"""
from django.utils.translation import gettext_noop

LEVEL_LABELS = {"CD": gettext_noop("Not met"), "D": gettext_noop("Meets"), "K": gettext_noop("Fair"),
                "T": gettext_noop("Good")}
RATING_LABELS = {"CHUA_DAT": gettext_noop("Not met"), "DAT": gettext_noop("Meets"), "KHA": gettext_noop("Fair"),
                 "TOT": gettext_noop("Good")}
STATE_LABELS = {"draft": gettext_noop("Draft"), "submitted": gettext_noop("Submitted"),
                "opinions": gettext_noop("Colleague opinions"), "finalized": gettext_noop("Finalized")}
