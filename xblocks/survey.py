"""The programme satisfaction survey block: a teacher rates a training module's content, materials,
support and usefulness (1-5, items worded in temis_plugin.survey) and may comment. One response per learner and module, stored in
temis_plugin for the reports.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from web_fragments.fragment import Fragment
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Scope, String
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from temis_plugin import api
from temis_plugin.api import SCALE_MAX, SCALE_MIN, SURVEY_ITEM_LABELS, SURVEY_ITEMS, is_vietnamese

from .common import json_handler, loader
from .identity import acting_user

SCALE_LABELS = {
    1: gettext_noop("Very dissatisfied"),
    2: gettext_noop("Dissatisfied"),
    3: gettext_noop("Neutral"),
    4: gettext_noop("Satisfied"),
    5: gettext_noop("Very satisfied"),
}


@XBlock.needs("i18n")
@XBlock.wants("user")
class ProgrammeSurveyBlock(StudioEditableXBlockMixin, CompletableXBlockMixin, XBlock):
    """Satisfaction with a training programme (khảo sát mức độ hài lòng), as TEMIS collects it."""

    display_name = String(
        display_name=gettext_noop("Display name"),
        scope=Scope.settings,
        default="Khảo sát mức độ hài lòng về chương trình bồi dưỡng",
    )
    module_code = String(
        display_name=gettext_noop("Training module code"),
        scope=Scope.settings,
        default="",
        help=gettext_noop("Empty: the module this course is mapped to."),
    )
    introduction = String(
        display_name=gettext_noop("Introduction"), scope=Scope.settings, default="", multiline_editor=True
    )
    editable_fields = ("display_name", "module_code", "introduction")
    icon_class = "other"

    def _module(self):
        """The module surveyed: the author's choice, or the module the course is mapped to."""
        if self.module_code:
            return next((m for m in api.list_training_modules() if m.code == self.module_code), None)
        course_key = getattr(self.scope_ids.usage_id, "context_key", None)
        return api.module_for_course(str(course_key)) if course_key else None

    def student_view(self, context=None):
        user, module = acting_user(self), self._module()
        response = api.get_survey_response(user, module.code) if user and module else None
        vietnamese = is_vietnamese()
        context = {
            "block": self,
            "module": module,
            "user": user,
            "response": response,
            "module_name": (module.name_vi if vietnamese else (module.name_en or module.name_vi)) if module else "",
            "items": [
                {
                    "code": item,
                    "label": _(SURVEY_ITEM_LABELS[item]),
                    "options": [
                        {
                            "value": v,
                            "label": _(SCALE_LABELS[v]),
                            "checked": bool(response) and response.answers.get(item) == v,
                        }
                        for v in range(SCALE_MIN, SCALE_MAX + 1)
                    ],
                }
                for item in SURVEY_ITEMS
            ],
            "vietnamese": vietnamese,
        }
        fragment = Fragment(
            loader.render_django_template(
                "templates/survey.html", context, i18n_service=self.runtime.service(self, "i18n")
            )
        )
        fragment.add_css(loader.load_unicode("static/temis_xblocks.css"))
        fragment.add_javascript(loader.load_unicode("static/survey.js"))
        fragment.initialize_js(
            "TemisProgrammeSurvey",
            {
                "strings": {
                    "saved": _("Thank you: your answers are saved."),
                    "missing": _("Answer every question."),
                    "failed": _("Not saved: %(message)s"),
                }
            },
        )
        return fragment

    @json_handler
    def submit(self, data, suffix=""):
        user, module = acting_user(self), self._module()
        if user is None:
            raise JsonHandlerError(403, _("Sign in to answer the survey."))
        if module is None:
            raise JsonHandlerError(400, _("This survey is not linked to a training module."))
        response = api.save_survey_response(user, module.code, data.get("answers"), data.get("comment", ""))
        self.emit_completion(1.0)
        return {"answers": response.answers, "comment": response.comment}

    @staticmethod
    def workbench_scenarios():
        return [
            (
                "Khảo sát mức độ hài lòng (mô đun 9)",
                '<temis_programme_survey module_code="GVPT-09" '
                'introduction="Ý kiến của thầy cô giúp cải tiến chương trình bồi dưỡng."/>',
            )
        ]
