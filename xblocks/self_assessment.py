"""The self-assessment block (phiếu tự đánh giá): a teacher rates themself on every criterion,
attaches evidence, writes the reflection and learning plan, and submits.

A thin block: the evaluation lives in temis_plugin and every read and write goes through
temis_plugin.api, so reports, the head's page and the mentor tool see the same record.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from web_fragments.fragment import Fragment
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, DateTime, Integer, Scope, String
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from temis_plugin import api
from temis_plugin.api import NoEducatorProfile, NotFound, TemisError, is_vietnamese

from .common import json_error, json_handler, json_response, loader, window_state
from .identity import acting_user
from .self_assessment_view import SCRIPT_STRINGS, evaluation_context


@XBlock.needs("i18n")
@XBlock.wants("user")
class SelfAssessmentBlock(StudioEditableXBlockMixin, CompletableXBlockMixin, XBlock):
    """Self-assessment against a professional standard, with evidence (minh chứng)."""

    display_name = String(
        display_name=gettext_noop("Display name"), default="Tự đánh giá theo chuẩn", scope=Scope.settings
    )
    framework_code = String(
        display_name=gettext_noop("Professional standard"),
        scope=Scope.settings,
        default="TT20-2018",
        values=[
            {"display_name": "TT20-2018 (giáo viên)", "value": "TT20-2018"},
            {"display_name": "TT14-2018 (hiệu trưởng)", "value": "TT14-2018"},
        ],
        help=gettext_noop("Teachers: Thông tư 20/2018; principals: Thông tư 14/2018."),
    )
    cycle_code = String(
        display_name=gettext_noop("Cycle"),
        scope=Scope.settings,
        default="",
        help=gettext_noop("School year such as 2026-2027; empty for the current cycle."),
    )
    opens_at = DateTime(display_name=gettext_noop("Opens at"), scope=Scope.settings, default=None)
    closes_at = DateTime(display_name=gettext_noop("Closes at"), scope=Scope.settings, default=None)
    show_rating = Boolean(display_name=gettext_noop("Show the computed rating"), scope=Scope.settings, default=True)
    publish_grade = Boolean(
        display_name=gettext_noop("Give a grade on submit"),
        scope=Scope.settings,
        default=False,
        help=gettext_noop("1 of 1 point when the self-assessment is submitted."),
    )
    instructions = String(
        display_name=gettext_noop("Instructions"),
        scope=Scope.settings,
        multiline_editor=True,
        default="",
        help=gettext_noop("Shown above the form."),
    )
    # Block-local memory of which evaluation this learner used, so platform reports can find it.
    evaluation_id = Integer(scope=Scope.user_state, default=None)

    editable_fields = (
        "display_name",
        "framework_code",
        "cycle_code",
        "opens_at",
        "closes_at",
        "show_rating",
        "publish_grade",
        "instructions",
    )
    icon_class = "problem"

    @property
    def has_score(self):
        return self.publish_grade

    def max_score(self):
        return 1 if self.publish_grade else None

    # ---------------------------------------------------------------------------------------
    # Views

    def student_view(self, context=None):
        user = acting_user(self)
        context = self._page_context(user)
        fragment = Fragment(
            loader.render_django_template(
                "templates/self_assessment.html", context, i18n_service=self.runtime.service(self, "i18n")
            )
        )
        fragment.add_css(loader.load_unicode("static/temis_xblocks.css"))
        fragment.add_javascript(loader.load_unicode("static/self_assessment.js"))
        fragment.initialize_js(
            "TemisSelfAssessment",
            {
                "evaluation": context["evaluation_json"],
                "strings": {k: _(v) for k, v in SCRIPT_STRINGS.items()},
                "criteria": [c["number"] for c in context["criteria_numbers"]],
            },
        )
        return fragment

    def author_view(self, context=None):
        framework = api.get_framework(self.framework_code)
        return Fragment(
            format_html(
                "<p>{}: {} ({} tiêu chí / criteria)</p>",
                self.display_name,
                framework.legal_basis.document,
                len(framework.criteria),
            )
        )

    @XBlock.supports("multi_device")
    def student_view_data(self, context=None):
        """Block settings and the standard's structure, for the mobile apps."""
        framework = api.get_framework(self.framework_code)
        return {
            "display_name": self.display_name,
            "framework": framework.code,
            "legal_basis": framework.legal_basis.citation(),
            "cycle": self.cycle_code or None,
            "opens_at": self.opens_at.isoformat() if self.opens_at else None,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None,
            "instructions": self.instructions,
            "standards": [
                {
                    "number": s.number,
                    "name_vi": s.name_vi,
                    "name_en": s.name_en,
                    "criteria": [
                        c.model_dump(include={"number", "name_vi", "name_en", "descriptors_vi", "descriptors_en"})
                        for c in s.criteria
                    ],
                }
                for s in framework.standards
            ],
        }

    def _page_context(self, user):
        framework = api.get_framework(self.framework_code)
        vietnamese = is_vietnamese()
        context = {
            "block": self,
            "framework": framework,
            "vietnamese": vietnamese,
            "window": window_state(self.opens_at, self.closes_at),
            "problem": None,
            "evaluation": None,
            "evaluation_json": None,
            "criteria_numbers": [],
            "closes_at": self.closes_at,
        }
        if user is None:
            context["problem"] = _("Sign in to fill in your self-assessment.")
            return context
        try:
            evaluation = api.get_or_create_evaluation(user, self.cycle_code or None, self.framework_code)
        except NoEducatorProfile:
            context["problem"] = _(
                "Your account is not linked to an educator profile. Ask your school "
                "administrator to add you to the roster."
            )
            return context
        except NotFound:
            context["problem"] = _("No evaluation cycle is open.")
            return context
        except TemisError:  # NotAllowed: a principal in a teachers' course, and the like
            context["problem"] = _("This self-assessment uses a standard that does not apply to your position.")
            return context
        if self.evaluation_id != evaluation.id:
            self.evaluation_id = evaluation.id
        context.update(evaluation_context(user, framework, evaluation, vietnamese, context["window"]))
        return context

    # ---------------------------------------------------------------------------------------
    # Handlers: each asks the plugin API, which checks permission, state and version.

    def _user_or_error(self):
        user = acting_user(self)
        if user is None:
            raise JsonHandlerError(403, _("Sign in to fill in your self-assessment."))
        return user

    def _check_window(self):
        state = window_state(self.opens_at, self.closes_at)
        if state == "not_yet":
            raise JsonHandlerError(403, _("This self-assessment is not open yet."))
        if state == "closed":
            raise JsonHandlerError(
                403, _("This self-assessment closed on %(date)s.") % {"date": self.closes_at.strftime("%d/%m/%Y")}
            )

    def _evaluation_payload(self, evaluation):
        return {
            "id": evaluation.id,
            "version": evaluation.version,
            "state": evaluation.state,
            "self_levels": evaluation.self_levels,
            "self_rating": evaluation.self_rating,
        }

    @staticmethod
    def _training_needs(data):
        """The needs the form states (None: not sent), as the API takes them."""
        if "need_criteria" not in data and "need_modules" not in data:
            return None
        criteria, modules = data.get("need_criteria", []), data.get("need_modules", [])
        if not isinstance(criteria, list) or not isinstance(modules, list):
            raise JsonHandlerError(400, _("Training needs are sent as a list of criteria and a list of modules."))
        return [{"criterion": n} for n in criteria] + [{"module_code": c} for c in modules]

    @json_handler
    def save_draft(self, data, suffix=""):
        user = self._user_or_error()
        self._check_window()
        needs = self._training_needs(data)
        evaluation = api.save_self_assessment(
            user,
            data.get("id"),
            data.get("version"),
            levels=data.get("levels"),
            strengths=data.get("strengths"),
            improvements=data.get("improvements"),
            plan=data.get("plan"),
            training_needs=needs,
        )
        return self._evaluation_payload(evaluation)

    @json_handler
    def link_evidence(self, data, suffix=""):
        user = self._user_or_error()
        self._check_window()
        evaluation = api.link_evidence(
            user, data.get("id"), data.get("version"), data.get("evidence_id"), data.get("criteria", [])
        )
        return self._evaluation_payload(evaluation)

    @json_handler
    def submit(self, data, suffix=""):
        user = self._user_or_error()
        self._check_window()
        evaluation = api.submit_self_assessment(user, data.get("id"), data.get("version"))
        self.emit_completion(1.0)
        if self.publish_grade:
            self.runtime.publish(self, "grade", {"value": 1, "max_value": 1})
        return self._evaluation_payload(evaluation)

    @XBlock.handler
    def add_evidence(self, request, suffix=""):
        """Multipart upload (name, description, file) or a link (name, description, url)."""
        if request.method != "POST":
            return json_error(405, "POST only")
        try:
            user = self._user_or_error()
            self._check_window()
        except JsonHandlerError as exc:
            return json_error(exc.status_code, exc.message)
        upload = request.POST.get("file")
        file = None
        if upload is not None and hasattr(upload, "file"):
            limit = settings.TEMIS_EVIDENCE_MAX_BYTES
            content = upload.file.read(limit + 1)  # never more than one byte past the limit in memory
            # A cgi-style field (webob) has .type; the LMS and workbench wrap a Django upload in .file.
            content_type = getattr(upload, "type", None) or getattr(upload.file, "content_type", "") or ""
            file = SimpleUploadedFile(upload.filename or "evidence", content, content_type)
        try:
            evidence = api.add_evidence(
                user,
                request.POST.get("name", ""),
                description=request.POST.get("description", ""),
                file=file,
                url=request.POST.get("url", ""),
            )
        except TemisError as exc:
            return json_error(exc.status_code, str(exc))
        return json_response({"id": evidence.id, "name": evidence.name, "kind": evidence.kind, "url": evidence.url})

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):
        """The learner's evaluation as JSON, for the mobile apps."""
        user = acting_user(self)
        if user is None:
            return json_error(403, "not signed in")
        try:
            evaluation = api.get_or_create_evaluation(user, self.cycle_code or None, self.framework_code)
        except TemisError as exc:
            return json_error(exc.status_code, str(exc))
        return json_response(evaluation.model_dump(mode="json"))

    # ---------------------------------------------------------------------------------------
    # Reports

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for Open edX's Problem Responses report: framework, state, ratings, self levels."""
        states = [(s.username, s.state.get("evaluation_id")) for s in user_state_iterator]
        states = [(username, eid) for username, eid in states if eid][:limit_responses]
        rows = api.self_assessment_report_rows(eid for _username, eid in states)
        for username, evaluation_id in states:
            if evaluation_id in rows:
                yield username, rows[evaluation_id]

    @staticmethod
    def workbench_scenarios():
        return [
            (
                "Tự đánh giá theo chuẩn nghề nghiệp (TT20)",
                '<temis_self_assessment display_name="Tự đánh giá năm học" framework_code="TT20-2018" '
                'instructions="Chọn mức cho từng tiêu chí và đính kèm minh chứng."/>',
            ),
            (
                "Hiệu trưởng tự đánh giá (TT14)",
                '<temis_self_assessment display_name="Hiệu trưởng tự đánh giá" framework_code="TT14-2018"/>',
            ),
        ]
