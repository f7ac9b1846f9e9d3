"""Thin views of the LTI tool: OIDC login initiation, launch, key set and the mentor workspace."""

import datetime
import logging
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from temis_plugin import api

from . import deep_linking, identity, launches, throttle, workspace_views
from .claims import CLAIM, DEEP_LINKING_REQUEST, DL_CLAIM
from .keys import sign
from .models import LoginState, Platform, ToolKey
from .protocol import OIDC_SIGN_IN_ERRORS, LaunchError, oidc_error_reason, validate_id_token
from .registry import platform_for, registration
from .rotation import ensure_signing_key

log = logging.getLogger(__name__)
TARGET_LINK_URI_LENGTH = LoginState._meta.get_field("target_link_uri").max_length


def _refuse(request, error: LaunchError):
    # The reason code and the platform are logged; no token, user id or claim content is.
    log.warning("TEMIS LTI refused %s: %s", request.path, error.reason)
    throttle.count_refused(request)
    return render(request, "lti/error.html", {"message": str(error), "reason": error.reason}, status=error.status)


def _tool_url(request, name):
    return request.build_absolute_uri(reverse(f"temis_lti:{name}"))


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
@throttle.limited("login")
def login(request):
    """Third-party initiated login (GET or POST): remember state and nonce here, then redirect."""
    if blocked := throttle.refused_too_often(request):
        return blocked
    params = request.POST if request.method == "POST" else request.GET
    try:
        missing = [name for name in ("iss", "login_hint", "target_link_uri") if not params.get(name)]
        if missing:
            raise LaunchError(400, "bad_login", f"the login request lacks {', '.join(missing)}")
        # Without a client_id the issuer must have exactly one registered client.
        client_ids = (
            [params["client_id"]]
            if params.get("client_id")
            else list(Platform.objects.filter(issuer=params["iss"]).values_list("client_id", flat=True))
        )
        platform = platform_for(params["iss"], client_ids)
        target = params["target_link_uri"]
        if not target.startswith(request.build_absolute_uri("/temis/lti/")):
            raise LaunchError(400, "foreign_target", "the target_link_uri is not a page of this tool")
        if len(target) > TARGET_LINK_URI_LENGTH:
            raise LaunchError(
                400, "too_long", f"the target_link_uri is longer than {TARGET_LINK_URI_LENGTH} characters"
            )
        deployment = params.get("lti_deployment_id")
        if deployment and not platform.deployments.filter(deployment_id=deployment).exists():
            raise LaunchError(403, "unknown_deployment", "the deployment is not registered with this tool")
    except LaunchError as error:
        return _refuse(request, error)
    state = LoginState.objects.create(platform=platform, target_link_uri=target)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": _tool_url(request, "launch"),
        "login_hint": params["login_hint"],
        "state": state.state,
        "nonce": state.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    return HttpResponseRedirect(f"{platform.auth_login_url}?{urlencode(query)}")


@csrf_exempt
@xframe_options_exempt
@require_POST
@throttle.limited("launch")
def launch(request):
    """The platform's form POST of the id_token: validate everything, then open the workspace."""
    if blocked := throttle.refused_too_often(request):
        return blocked
    try:
        if "error" in request.POST:
            raise _platform_error(request.POST["error"])
        state = _login_state(request.POST.get("state"))
        if not request.POST.get("id_token"):
            raise LaunchError(
                400,
                "no_id_token",
                _(
                    "The course platform's answer reached the tool without the signed launch (id_token). Open the "
                    "tool again from your course."
                ),
            )
        # The state names the platform the login was for; the token must come from that platform.
        platform = state.platform
        claims = validate_id_token(
            request.POST["id_token"], registration(platform), nonce=state.nonce, target_link_uri=state.target_link_uri
        )
        user = _launching_user(platform, claims)
        with transaction.atomic():
            # Consuming the state once makes a replayed id_token (same nonce) fail.
            if not LoginState.objects.filter(pk=state.pk, consumed_at__isnull=True).update(consumed_at=timezone.now()):
                raise LaunchError(400, "replayed", "this login was already used")
            record = launches.record_launch(platform, claims, user)
    except LaunchError as error:
        return _refuse(request, error)
    if record.message_type == DEEP_LINKING_REQUEST:
        return _deep_linking_picker(request, record)
    return workspace_views.render_home(request, record)


def _platform_error(code) -> LaunchError:
    """An OpenID Connect error response, posted in place of an id_token (Canvas and Moodle answer
    login_required when the user's LMS session has ended). Its description is the platform's free text,
    which may name the user: it is neither shown nor logged."""
    reason = oidc_error_reason(code)
    if code in OIDC_SIGN_IN_ERRORS:
        return LaunchError(
            401,
            reason,
            _(
                "The course platform could not confirm who you are, perhaps because "
                "you were signed out. Sign in to the course again and open the tool "
                "from there."
            ),
        )
    return LaunchError(
        400,
        reason,
        _(
            "The course platform could not open the tool. Open it again from your "
            "course; if this keeps happening, tell the course team the reason code "
            "below."
        ),
    )


DEEP_LINK_CHOICES = {
    # choice -> (title, path of the launch URL the item points at)
    "workspace": (_("Mentor workspace"), "launch/"),
    "support_log": (_("Support-activity log"), "launch/?view=support_log"),
}


def _deep_linking_picker(request, record):
    if not deep_linking.is_author(record.roles):
        return _refuse(request, LaunchError(403, "not_author", "only course authors can add the tool to a course"))
    return render(
        request,
        "lti/deep_link.html",
        {"launch": record, "choices": DEEP_LINK_CHOICES, "form_token": workspace_views.form_token(record)},
    )


@csrf_exempt  # cross-site iframe: the random launch id in the URL is the proof of the launch
@xframe_options_exempt
@require_POST
@throttle.limited("deep_link")
def deep_link_response(request, launch_id):
    """Sign the chosen ltiResourceLink and auto-post it back to the platform's return URL."""
    record = workspace_views.launch_or_404(launch_id)
    try:
        # The picker's own form token, as on the workspace's forms: the launch id alone is not enough.
        if not workspace_views.has_form_token(request, record):
            raise LaunchError(403, "bad_form_token", "this form did not come from the tool's picker")
        if record.message_type != DEEP_LINKING_REQUEST or not deep_linking.is_author(record.roles):
            raise LaunchError(403, "not_deep_linking", "this launch cannot place content")
        choice = DEEP_LINK_CHOICES.get(request.POST.get("choice"))
        if choice is None:
            raise LaunchError(400, "bad_choice", "choose what to add to the course")
        title, path = choice
        item = deep_linking.resource_link(str(title), request.build_absolute_uri("/temis/lti/") + path)
        claims = deep_linking.response_claims(record.claims, record.platform.client_id, [item])
    except LaunchError as error:
        return _refuse(request, error)
    key = ensure_signing_key()
    token = sign(claims, key.private_key_pem, key.kid)
    return_url = record.claims[DL_CLAIM + "deep_linking_settings"]["deep_link_return_url"]
    return render(request, "lti/auto_post.html", {"action": return_url, "fields": {"JWT": token}})


def _login_state(value) -> LoginState:
    if not value:
        raise LaunchError(400, "no_state", "the launch has no state")
    state = LoginState.objects.select_related("platform").filter(state=value).first()
    if state is None:
        raise LaunchError(400, "bad_state", "the launch's state was not issued by this tool")
    if state.consumed_at is not None:
        raise LaunchError(400, "replayed", "this login was already used")
    if timezone.now() - state.created > datetime.timedelta(seconds=launches.LOGIN_STATE_SECONDS):
        raise LaunchError(400, "state_expired", "the login took too long; launch again")
    return state


def _launching_user(platform, claims):
    """The educator's user the launch names, or None; a forged or stale claim refuses the launch."""
    custom = claims.get(CLAIM + "custom") or {}
    try:
        reference = identity.educator_reference(custom.get(identity.EDUCATOR_CLAIM), platform)
    except identity.BadEducatorClaim as error:
        raise LaunchError(401, "bad_educator_claim", str(error)) from None
    return api.user_for_educator_reference(reference) if reference else None


@require_GET
@throttle.limited("jwks")
def jwks(request):
    keys = [key.public_jwk for key in ToolKey.published().order_by("created")]
    response = JsonResponse({"keys": keys})
    response["Cache-Control"] = "public, max-age=300"
    return response
