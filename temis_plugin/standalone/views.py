"""The standalone site's start page: where the demo's pages are."""

from django.conf import settings
from django.shortcuts import render


def index(request):
    scenarios = []
    if "workbench" in settings.INSTALLED_APPS:
        from .workbench import SCENARIOS

        scenarios = list(SCENARIOS.items())
    return render(request, "standalone/index.html", {"scenarios": scenarios})
