"""The list of the evaluations a head rates in a cycle, with bulk actions on the selected ones."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from .. import api
from ..errors import InvalidInput, NotFound
from ..i18n import translated
from ..labels import RATING_LABELS, STATE_LABELS
from .common import head_page

# Why a bulk action left an evaluation unchanged (codes from api.BULK_REASONS).
BULK_FAILURES = {
    "not_found": gettext_noop("not found, or not yours to rate."),
    "not_allowed": gettext_noop("you do not give the final rating for this evaluation."),
    "own_evaluation": gettext_noop("this is your own evaluation."),
    "changed": gettext_noop("someone changed it after this list was shown; open it to check."),
    "has_final_levels": gettext_noop("final levels are already saved; open it to review them."),
    "self_levels_incomplete": gettext_noop("the self-assessment does not give a level for every criterion."),
    "final_levels_incomplete": gettext_noop(
        "the final levels are not complete; accept the self-assessed levels or open it to choose them."
    ),
    "invalid": gettext_noop("the change was refused."),
}
WRONG_STATE = {
    "draft": gettext_noop("the self-assessment has not been submitted yet."),
    "finalized": gettext_noop("it is already finalized."),
}
PAGE_SIZE = 50


@head_page(("GET", "POST"))
def rating_list(request):
    """The evaluations the signed-in head rates in a cycle, with "accept self levels" and "finalize" on many."""
    params = request.POST if request.method == "POST" else request.GET
    cycles = api.list_cycles()
    problems = []
    cycle_code = params.get("cycle") or None
    if cycle_code and cycle_code not in {c.code for c in cycles}:
        problems.append(_("There is no such cycle; the current one is shown."))
        cycle_code = None
    state = params.get("state") or None
    if state and state not in STATE_LABELS:
        problems.append(_("There is no such state; every state is shown."))
        state = None
    school = (params.get("school") or "").strip() or None
    try:
        page = max(1, int(params.get("page") or 1))
    except ValueError:
        page = 1
    filters = {"cycle_code": cycle_code, "school_code": school, "state": state}
    try:
        listing = api.list_evaluations_to_rate(request.user, page=page, page_size=PAGE_SIZE, **filters)
    except NotFound:
        if api.rates_evaluations(request.user):  # no cycle is set up yet
            return render(
                request, "temis_plugin/final_message.html", {"message": _("No evaluation cycle is set up yet.")}
            )
        raise
    outcome = None
    if request.method == "POST":
        outcome, problem = _bulk_action(request, listing, filters)
        if problem:
            problems.append(problem)
        if outcome is not None:  # show the rows as they are now
            listing = api.list_evaluations_to_rate(request.user, page=page, page_size=PAGE_SIZE, **filters)
    pages = max(1, -(-listing.total // listing.page_size))
    query = {k: v for k, v in (("cycle", cycle_code), ("school", school), ("state", state)) if v}
    return render(
        request,
        "temis_plugin/final_list.html",
        {
            "listing": listing,
            "cycles": cycles,
            "cycle_code": listing.cycle.code,
            "school": school or "",
            "state": state or "",
            "states": [(code, _(label)) for code, label in STATE_LABELS.items()],
            "rows": [_row_context(row) for row in listing.rows],
            "several_schools": listing.schools is None or len(listing.schools) > 1,
            "problems": problems,
            "outcome": outcome,
            "page": listing.page,
            "pages": pages,
            "previous_url": _list_url(query, listing.page - 1) if listing.page > 1 else "",
            "next_url": _list_url(query, listing.page + 1) if listing.page < pages else "",
            "bulk_max": api.BULK_MAX,
        },
    )


def _list_url(query, page) -> str:
    return f"{reverse('temis:final_rating')}?{urlencode({**query, 'page': page})}"


def _row_context(row) -> dict:
    if row.final_rating:
        final = translated(RATING_LABELS, row.final_rating)
    elif row.final_preview:
        final = _("%(rating)s (not finalized)") % {"rating": translated(RATING_LABELS, row.final_preview)}
    elif row.final_levels_count:
        final = _("%(count)s of %(total)s levels chosen") % {
            "count": row.final_levels_count,
            "total": row.criterion_count,
        }
    else:
        final = ""
    if row.educator.subject_group_code:
        group = row.subject_group_name or row.educator.subject_group_code
    else:
        group = {"principal": _("Principal"), "vice_principal": _("Vice-principal")}.get(row.educator.position, "")
    return {
        "row": row,
        "name": row.educator.full_name or _("Educator #%(id)s") % {"id": row.educator.id},
        "group": group,
        "state_label": translated(STATE_LABELS, row.state),
        "self_rating": translated(RATING_LABELS, row.self_rating),
        "opinions": ", ".join(f"{translated(RATING_LABELS, r)}: {n}" for r, n in row.opinion_ratings.items()),
        "final": final,
        "url": reverse("temis:final_rating_detail", args=[row.evaluation_id]),
    }


def _bulk_action(request, listing, filters):
    """Run the chosen bulk action; returns (outcome for the summary, or None; a problem to show, or "")."""
    action = request.POST.get("action")
    run = {"accept": api.accept_self_levels_as_final, "finalize": api.finalize_evaluations}.get(action)
    if run is None:
        return None, _("Choose an action.")
    versions = {}
    for key, value in request.POST.items():
        if key.startswith("version_"):
            try:
                versions[int(key[8:])] = int(value)
            except ValueError:
                continue
    try:
        selected = [int(v) for v in request.POST.getlist("evaluation")]
    except ValueError:
        selected = []
    if request.POST.get("select_all"):
        every = api.list_evaluations_to_rate(request.user, page=1, page_size=api.BULK_MAX, **filters)
        if every.total > api.BULK_MAX:
            return None, _("“Select all” works on up to %(max)s evaluations: choose a school or a state first.") % {
                "max": api.BULK_MAX
            }
        selected = [row.evaluation_id for row in every.rows]
    if not selected:
        return None, _("Select at least one evaluation.")
    try:
        result = run(request.user, selected, {pk: versions.get(pk) for pk in selected})
    except InvalidInput:
        return None, _("Select at most %(max)s evaluations at once.") % {"max": api.BULK_MAX}
    if action == "accept":
        summary = ngettext(
            "Self-assessed levels accepted as final for %(ok)s of %(total)s selected evaluation.",
            "Self-assessed levels accepted as final for %(ok)s of %(total)s selected evaluations.",
            len(selected),
        )
    else:
        summary = ngettext(
            "%(ok)s of %(total)s selected evaluation finalized.",
            "%(ok)s of %(total)s selected evaluations finalized.",
            len(selected),
        )
    return {
        "summary": summary % {"ok": len(result.succeeded), "total": len(selected)},
        "failures": [_failure_context(f) for f in result.failures],
    }, ""


def _failure_context(failure) -> dict:
    if failure.reason == "wrong_state":
        reason = _(WRONG_STATE.get(failure.state, gettext_noop("its state does not allow this.")))
    else:
        reason = _(BULK_FAILURES.get(failure.reason, BULK_FAILURES["invalid"]))
    visible = failure.educator_name is not None
    return {
        "name": failure.educator_name or _("Evaluation #%(id)s") % {"id": failure.evaluation_id},
        "reason": reason,
        "url": reverse("temis:final_rating_detail", args=[failure.evaluation_id]) if visible else "",
    }
