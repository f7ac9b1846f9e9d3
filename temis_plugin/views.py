"""Pages of the plugin that are not in the admin."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render

from . import api, standards
from .errors import NotFound
from .i18n import is_vietnamese
from .models.evaluation import RATING_CHOICES, STATE_CHOICES
from .pages import signed_in_page

STATE_LABELS, RATING_LABELS = dict(STATE_CHOICES), dict(RATING_CHOICES)


@login_required
def home(request):
    """What the signed-in user has in TEMIS: their evaluation, their mentees, the frameworks."""
    educator = api.get_educator(request.user)
    vietnamese = is_vietnamese()
    try:
        evaluation = api.get_or_create_evaluation(request.user) if educator else None
    except NotFound:  # no current cycle set up yet
        evaluation = None
    context = {
        "educator": educator,
        "evaluation": evaluation,
        "state_label": STATE_LABELS.get(evaluation.state) if evaluation else None,
        "mentees": [
            {
                "name": m.educator.full_name,
                "group": m.group_code,
                "state": STATE_LABELS.get(m.evaluation_state),
                "rating": RATING_LABELS.get(m.self_rating),
            }
            for m in (api.list_mentees(request.user) if evaluation else [])
        ],
        "module_results": [
            {
                "code": r.module.code,
                "name": r.module.name_vi if vietnamese else (r.module.name_en or r.module.name_vi),
                "percent": round(r.percent * 100) if r.percent is not None else None,
                "passed": r.passed,
                "passed_on": r.passed_on,
            }
            for r in api.list_module_results(request.user)
        ]
        if educator
        else [],
        "frameworks": sorted(standards.all_frameworks().values(), key=lambda f: f.code),
    }
    return render(request, "temis_plugin/home.html", context)


# Shown in the browser; anything else is downloaded.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png", "video/mp4"}


@signed_in_page()
def evidence_file(request, evidence_id):
    """An evidence file, for its owner and whoever may read an evaluation it backs.

    Files are served only here, never by their storage URL, so the check applies to every reader.
    """
    evidence, handle = api.open_evidence_file(request.user, evidence_id)
    content_type = evidence.content_type or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=evidence.original_filename or f"evidence-{evidence.id}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Whatever a browser makes of the file, nothing in it runs in our origin (no script, no form, no
    # plugin, no same-origin access), shown inline or opened after a download.
    response["Content-Security-Policy"] = "sandbox"
    return response
