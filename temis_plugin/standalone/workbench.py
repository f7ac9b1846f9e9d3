"""The demo's view of the blocks: the xblock-sdk workbench runtime, for the signed-in user only.

The workbench is a development harness: it takes the learner from a ``student`` query value, signs
nobody in, and mounts a reset of all state, a learner list, other blocks' scenarios and the media
folder. The demo shows the blocks to people, so it mounts only a block's page and its handlers, and
gives the blocks the signed-in Django user the way the LMS does (a user service carrying
``edx-platform.user_id``); a ``student`` value is ignored.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from workbench.runtime import WorkbenchRuntime
from workbench.scenarios import get_scenarios
from xblock.django.request import django_to_webob_request, webob_to_django_response
from xblock.exceptions import NoSuchHandlerError
from xblock.reference.user_service import UserService, XBlockUser
from xblock.utils.studio_editable import StudioEditableXBlockMixin

# The scenarios the demo shows (workbench ids: the block's tag and the scenario's index).
SCENARIOS = {
    "temis_self_assessment.0": gettext_noop("Self-assessment (teachers, TT20)"),
    "temis_self_assessment.1": gettext_noop("Self-assessment (principals, TT14)"),
    "temis_programme_survey.0": gettext_noop("Programme satisfaction survey"),
}
# Handlers of a block's Studio editor: a learner's page calls none of them (they change the block for everyone).
STUDIO_HANDLERS = frozenset(
    name
    for name in dir(StudioEditableXBlockMixin)
    if getattr(getattr(StudioEditableXBlockMixin, name), "_is_xblock_handler", False)
)


class SignedInUserService(UserService):
    """The user service as the LMS gives it to blocks: the Django user's id and name."""

    def __init__(self, user):
        xblock_user = XBlockUser(is_current_user=True, emails=[user.email], full_name=user.get_full_name())
        xblock_user.opt_attrs.update(
            {
                "edx-platform.user_id": user.pk,
                "edx-platform.username": user.get_username(),
                "edx-platform.is_authenticated": True,
            }
        )
        super().__init__(user=xblock_user)

    def get_current_user(self):
        return self._user


class SignedInRuntime(WorkbenchRuntime):
    """The workbench runtime acting for one Django user; the blocks' learner state is keyed by the user's id."""

    def __init__(self, user):
        super().__init__(user_id=str(user.pk))
        self._services["user"] = SignedInUserService(user)

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        # No learner in the URL: the handler acts for whoever is signed in.
        url = reverse("standalone-block-handler", args=[block.scope_ids.usage_id, handler_name])
        return f"{url}?{query}" if query else url


def _demo_usage_ids() -> set[str]:
    scenarios = get_scenarios()
    return {scenarios[scenario_id].usage_id for scenario_id in SCENARIOS if scenario_id in scenarios}


@login_required
@require_GET
@ensure_csrf_cookie
def block_page(request, scenario_id):
    """A block as a learner sees it in a course, for the signed-in user."""
    scenario = get_scenarios().get(scenario_id) if scenario_id in SCENARIOS else None
    if scenario is None:
        raise Http404("no such scenario")
    block = SignedInRuntime(request.user).get_block(scenario.usage_id)
    fragment = block.render("student_view", {})
    return render(
        request,
        "standalone/block.html",
        {
            "title": _(SCENARIOS[scenario_id]),
            "body": fragment.body_html(),
            "head_html": fragment.head_html(),
            "foot_html": fragment.foot_html(),
            # The base the workbench's page script (workbench/js/runtime/1.js) puts handler URLs on.
            "handler_base": reverse("standalone-block-handler", args=["-", "-"]).removesuffix("-/-/"),
        },
    )


def block_handler(request, usage_id, handler):
    """A block's handler, called by its page script, for the signed-in user (Django's CSRF check applies)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in to use this page.")}, status=403)
    if usage_id not in _demo_usage_ids() or handler in STUDIO_HANDLERS:
        return JsonResponse({"error": _("This page has no such action.")}, status=404)
    runtime = SignedInRuntime(request.user)
    block = runtime.get_block(usage_id)
    try:
        result = runtime.handle(block, handler, django_to_webob_request(request))
    except NoSuchHandlerError:
        return JsonResponse({"error": _("This page has no such action.")}, status=404)
    return webob_to_django_response(result)


urlpatterns = [
    path("scenario/<str:scenario_id>/", block_page, name="standalone-block-page"),
    path("handler/<str:usage_id>/<str:handler>/", block_handler, name="standalone-block-handler"),
]
