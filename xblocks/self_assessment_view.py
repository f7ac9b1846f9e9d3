"""What the self-assessment page shows once the learner's evaluation is known: the template's labels,
the standards with their criteria rows (levels with descriptors, evidence, training needs, colleagues'
opinions), and the strings the page's script shows.

The block (xblocks.self_assessment) finds whose evaluation it is and says why there is none;
this module turns an evaluation into what the template and the script read.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from temis_plugin import api
from temis_plugin.api import LEVEL_LABELS, RATING_LABELS, STATE_LABELS

# Strings the page's script shows, translated on the server so one catalogue serves both.
SCRIPT_STRINGS = {
    "saving": gettext_noop("Saving…"),
    "saved": gettext_noop("Draft saved at %(time)s."),
    "failed": gettext_noop("Not saved: %(message)s"),
    "conflict": gettext_noop(
        "This self-assessment was changed in another window. Reload the page to see the latest version."
    ),
    "confirm_submit": gettext_noop("After submitting you can no longer change your self-assessment. Submit now?"),
    "uploading": gettext_noop("Uploading…"),
    "uploaded": gettext_noop("Evidence added."),
    "missing": gettext_noop("Choose a level for every criterion before submitting. Missing: %(list)s"),
    "need_name": gettext_noop("Give the evidence a name."),
    "need_file_or_link": gettext_noop("Choose a file or enter a link."),
    "view_evidence": gettext_noop("View evidence"),
}


def evaluation_context(user, framework, evaluation, vietnamese, window) -> dict:
    """What the page shows of the learner's evaluation, added to the block's own context.

    window is the block's open/close state: a draft can be edited only while it is "open".
    """
    library = api.list_evidence(user)
    linked = {}
    for number, items in evaluation.evidence.items():
        for item in items:
            linked.setdefault(item.id, []).append(number)
    modules = api.list_training_modules(framework.kind)
    chosen_modules = {n.module_code for n in evaluation.training_needs if n.module_code}
    chosen_criteria = {n.criterion for n in evaluation.training_needs if n.criterion}
    editable = "edit_self" in evaluation.allowed_actions and window == "open"
    summary = api.summarize_opinions(user, evaluation.id) if evaluation.state in ("opinions", "finalized") else None
    return {
        "evaluation": evaluation,
        "editable": editable,
        "modules": [
            {
                "code": m.code,
                "name": m.name_vi if vietnamese else (m.name_en or m.name_vi),
                "checked": m.code in chosen_modules,
            }
            for m in modules
        ],
        "state_label": _(STATE_LABELS[evaluation.state]),
        "self_rating_label": _(RATING_LABELS[evaluation.self_rating]) if evaluation.self_rating else "",
        "final_rating_label": _(RATING_LABELS[evaluation.final_rating]) if evaluation.final_rating else "",
        "opinion_summary": summary,
        "standards": standards_rows(framework, evaluation, vietnamese, chosen_criteria, summary, library, linked),
        # Only what the script uses, and no free text: some runtimes (the workbench) write this
        # JSON into the page without escaping "</script>".
        "evaluation_json": {"id": evaluation.id, "version": evaluation.version, "state": evaluation.state},
        "criteria_numbers": [{"number": c.number} for c in framework.criteria],
    }


def standards_rows(framework, evaluation, vietnamese, chosen_criteria, summary, library, linked) -> list[dict]:
    """The standards in order, each with a row per criterion: levels to choose, evidence, need, opinions."""
    result = []
    for standard in framework.standards:
        criteria = []
        for criterion in standard.criteria:
            descriptors = (
                criterion.descriptors_vi if vietnamese else (criterion.descriptors_en or criterion.descriptors_vi)
            )
            name = (criterion.name_vi if vietnamese else criterion.name_en) or criterion.name_vi
            criteria.append(
                {
                    "number": criterion.number,
                    "name": name or _("Criterion %(number)s") % {"number": criterion.number},
                    "levels": [
                        {
                            "code": code,
                            "label": _(label),
                            "descriptor": descriptors.get(code, ""),
                            "checked": evaluation.self_levels.get(criterion.number) == code,
                        }
                        for code, label in LEVEL_LABELS.items()
                    ],
                    "self_level": _(LEVEL_LABELS[evaluation.self_levels[criterion.number]])
                    if criterion.number in evaluation.self_levels
                    else "",
                    "final_level": _(LEVEL_LABELS[evaluation.final_levels[criterion.number]])
                    if criterion.number in evaluation.final_levels
                    else "",
                    "evidence": evaluation.evidence.get(criterion.number, []),
                    "library": [
                        {"id": e.id, "name": e.name, "url": e.url, "checked": criterion.number in linked.get(e.id, [])}
                        for e in library
                    ],
                    "need": criterion.number in chosen_criteria,
                    "opinions": ", ".join(
                        f"{_(LEVEL_LABELS[code])}: {count}"
                        for code, count in (summary.per_criterion.get(criterion.number, {}).items() if summary else [])
                    ),
                }
            )
        result.append(
            {
                "number": standard.number,
                "article": standard.article,
                "name": standard.name_vi if vietnamese else standard.name_en,
                "criteria": criteria,
            }
        )
    return result
