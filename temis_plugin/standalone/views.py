"""The standalone site's start page: where the demo's pages are."""
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_noop

# Workbench scenario ids are the block tag and the scenario's index.
BLOCK_SCENARIOS = [
    ("temis_self_assessment.0", gettext_noop("Self-assessment (teachers, TT20)")),
    ("temis_self_assessment.1", gettext_noop("Self-assessment (principals, TT14)")),
    ("temis_programme_survey.0", gettext_noop("Programme satisfaction survey")),
]


def index(request):
    return render(request, "standalone/index.html", {
        "scenarios": BLOCK_SCENARIOS if "workbench" in settings.INSTALLED_APPS else [],
    })
