"""Rate limits on the tool's endpoints, counted per client address in the LMS's shared cache.

django-ratelimit (already in the LMS) does the counting, so every LMS worker shares one count.
Limits are generous for real use (a whole school behind one address launching at once) and strict
on refused launches, which is where forged or replayed tokens show up. A limited request gets 429
with Retry-After; the log names the endpoint group, never the address. When the cache cannot be
reached, RATELIMIT_FAIL_OPEN decides, as it does for django-ratelimit itself: off (the default), the
tool answers 503 rather than count nothing; on, requests go through unlimited.
"""

import functools
import logging

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

log = logging.getLogger(__name__)

# Group -> "count/period" (django-ratelimit's syntax: s, m, h, d). TEMIS_LTI_RATE_LIMITS overrides
# any of them; None switches a group off.
DEFAULT_RATES = {
    "login": "300/m",  # OIDC login initiations
    "launch": "300/m",  # id_token posts
    "refused_launch": "30/m",  # launches refused for a bad token, state or registration
    "jwks": "600/m",  # platforms fetch the key set, and cache it
    "deep_link": "120/m",  # deep-linking responses
    "workspace": "600/m",  # pages and forms of the mentor workspace
}


def rate_for(group: str):
    return {**DEFAULT_RATES, **(getattr(settings, "TEMIS_LTI_RATE_LIMITS", None) or {})}.get(group)


# django-ratelimit's answer when the cache cannot count (and RATELIMIT_FAIL_OPEN is off): limit.
CACHE_FAILED = {"count": 0, "limit": 0, "should_limit": True, "time_left": -1}


def usage(request, group: str, increment: bool):
    """django-ratelimit's usage of ``group`` for this client, or None when the group has no limit."""
    rate = rate_for(group)
    if not rate:
        return None
    try:
        return get_usage(request, group=f"temis_lti.{group}", key="ip", rate=rate, method=ALL, increment=increment)
    except Exception as exc:  # noqa: BLE001 (the cache backends' errors share no base class)
        # An unreachable cache is handled as django-ratelimit handles a cache that returns nothing.
        log.warning("TEMIS LTI rate limit cache unavailable: %s", type(exc).__name__)
        return None if getattr(settings, "RATELIMIT_FAIL_OPEN", False) else dict(CACHE_FAILED)


def too_many(request, group: str, seconds_left: int):
    if seconds_left < 0:  # the cache could not count: not the client's fault
        response = render(
            request,
            "lti/error.html",
            {
                "message": _("The tool cannot check its request limits right now. Try again in a minute."),
                "reason": "rate_limit_unavailable",
            },
            status=503,
        )
        response["Retry-After"] = "60"
        return response
    log.warning("TEMIS LTI rate limit reached: %s", group)
    response = render(
        request,
        "lti/error.html",
        {"message": _("Too many requests from your network. Wait a minute and try again."), "reason": "rate_limited"},
        status=429,
    )
    response["Retry-After"] = str(max(1, seconds_left))
    return response


def limited(group: str):
    """Count each request of the view in ``group`` and answer 429 once the rate is passed."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            found = usage(request, group, increment=True)
            if found and found["should_limit"]:
                return too_many(request, group, found["time_left"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def refused_too_often(request):
    """A 429 response when this client's refused launches are past their limit, else None."""
    found = usage(request, "refused_launch", increment=False)
    if found and found["count"] >= found["limit"]:
        return too_many(request, "refused_launch", found["time_left"])
    return None


def count_refused(request):
    usage(request, "refused_launch", increment=True)
