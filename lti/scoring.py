"""Scores a mentor gives to a mentee's practice task, sent to the platform's gradebook through AGS.

Each score is a row first, with its timestamp fixed before anything is sent: a retry re-sends the
same timestamp, which a platform counts once (AGS 2.0: a score no newer than the last is ignored or
refused), so a lost answer never makes a score count twice. Timestamps strictly increase per line
item and learner.
"""

import datetime
import logging

import requests
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .claims import AGS_CLAIM, AGS_SCORE_SCOPE
from .models import Launch, ScoreSubmission
from .rotation import ensure_signing_key
from .services import ServiceError, ToolIdentity, fetch_token, post_score, score_payload, with_retries

log = logging.getLogger(__name__)
ONE_MICROSECOND = datetime.timedelta(microseconds=1)
LINEITEM_URL_LENGTH = ScoreSubmission._meta.get_field("lineitem_url").max_length


class ScoringError(Exception):
    def __init__(self, message, status=400):
        self.status = status
        super().__init__(message)


def line_item_url(record: Launch) -> str:
    endpoint = record.claims.get(AGS_CLAIM)
    endpoint = endpoint if isinstance(endpoint, dict) else {}
    scopes, lineitem = endpoint.get("scope"), endpoint.get("lineitem")
    if not isinstance(scopes, list) or AGS_SCORE_SCOPE not in scopes or not isinstance(lineitem, str) or not lineitem:
        raise ScoringError("this link does not let the tool send scores (no AGS line item)", 409)
    if len(lineitem) > LINEITEM_URL_LENGTH:
        raise ScoringError(
            _(
                "The course platform's address for this task's grades is longer than the tool can "
                "keep, so scores cannot be sent from here."
            ),
            409,
        )
    return lineitem


def mentee_sub(record: Launch, mentee_user) -> str:
    """The mentee's user id on the platform, learnt from the mentee's own launch in the same course."""
    own = (
        Launch.objects.filter(platform=record.platform, context_id=record.context_id, user=mentee_user)
        .order_by("-created")
        .values_list("sub", flat=True)
        .first()
    )
    if not own:
        raise ScoringError(
            "this colleague has not opened the tool in this course yet, so the platform's "
            "gradebook cannot be addressed",
            409,
        )
    return own


def record_score(record: Launch, mentee_user, given: float, maximum: float, comment: str = "") -> ScoreSubmission:
    if not 0 <= given <= maximum or maximum <= 0:
        raise ScoringError("the score must be between 0 and the maximum, and the maximum above 0")
    lineitem = line_item_url(record)
    sub = mentee_sub(record, mentee_user)
    with transaction.atomic():
        last = (
            ScoreSubmission.objects.select_for_update()
            .filter(platform=record.platform, lineitem_url=lineitem, user_sub=sub)
            .order_by("-timestamp")
            .first()
        )
        timestamp = timezone.now()
        if last and timestamp <= last.timestamp:
            timestamp = last.timestamp + ONE_MICROSECOND
        return ScoreSubmission.objects.create(
            platform=record.platform,
            deployment_id=record.deployment_id,
            lineitem_url=lineitem,
            user_sub=sub,
            score_given=given,
            score_maximum=maximum,
            comment=comment,
            timestamp=timestamp,
            scorer=record.user,
        )


def send(submission: ScoreSubmission, session=None, sleep=None) -> ScoreSubmission:
    """Send (or re-send) one score with back-off; mark it sent or failed."""
    if submission.status == ScoreSubmission.SENT:
        return submission
    session = session or requests.Session()
    platform = submission.platform
    key = ensure_signing_key()
    tool = ToolIdentity(
        platform.client_id, platform.auth_token_url, submission.deployment_id, key.kid, key.private_key_pem
    )
    payload = score_payload(
        submission.user_sub,
        float(submission.score_given),
        float(submission.score_maximum),
        submission.timestamp,
        submission.comment,
    )

    def attempt():
        submission.attempts += 1
        token = _token(session, tool)
        try:
            post_score(session, token, submission.lineitem_url, payload)
        except ServiceError as exc:
            if exc.status == 400 and submission.attempts > 1:
                # An earlier attempt reached the platform but its answer was lost: the platform refuses
                # the same timestamp again, so the score is already there, counted once.
                return
            if exc.status == 401:
                cache.delete(_token_key(tool))
            raise

    try:
        with_retries(attempt, **({"sleep": sleep} if sleep else {}))
    except ServiceError as exc:
        submission.status, submission.last_error = ScoreSubmission.FAILED, str(exc)[:255]
        submission.save(update_fields=["status", "last_error", "attempts"])
        log.warning("TEMIS LTI: score %s not sent (%s)", submission.pk, exc)
        raise ScoringError("the platform did not take the score; it will be sent again", 502) from None
    submission.status, submission.sent_at, submission.last_error = ScoreSubmission.SENT, timezone.now(), ""
    submission.save(update_fields=["status", "sent_at", "last_error", "attempts"])
    return submission


def _token_key(tool):
    return f"temis_lti:token:{tool.client_id}:{tool.token_url}"


def _token(session, tool) -> str:
    key = _token_key(tool)
    token = cache.get(key)
    if token is None:
        token, lifetime = fetch_token(session, tool, [AGS_SCORE_SCOPE])
        cache.set(key, token, max(lifetime - 60, 30))
    return token
