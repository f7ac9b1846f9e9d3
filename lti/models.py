"""Platform registrations, the tool's keys, server-side login state and launches."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.Model):
    """
    An LMS client registered with the tool: one issuer may have several clients (client ids).

    .. no_pii: Configuration of a platform.
    """

    name = models.CharField(_("name"), max_length=255)
    issuer = models.CharField(_("issuer"), max_length=255)
    client_id = models.CharField(_("client id"), max_length=255)
    auth_login_url = models.URLField(_("OIDC authorisation URL"), max_length=500)
    auth_token_url = models.URLField(_("access token URL"), max_length=500, blank=True)
    keyset_url = models.URLField(_("key set URL"), max_length=500)
    trusts_educator_claim = models.BooleanField(
        _("accept a plain educator identifier"),
        default=False,
        help_text=_(
            "Accept the custom parameter temis_educator_id unsigned. Only for a platform whose custom "
            "parameters only its administrators set: Open edX with this tool's parameter processor "
            "signs it and needs no trust."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LTI platform")
        verbose_name_plural = _("LTI platforms")
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="temis_lti_unique_client")]

    def __str__(self):
        return f"{self.name} ({self.client_id})"


class Deployment(models.Model):
    """
    A deployment of the tool on a platform client (several may share one client id).

    .. no_pii: Configuration of a platform.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(_("deployment id"), max_length=255)

    class Meta:
        verbose_name = _("LTI deployment")
        verbose_name_plural = _("LTI deployments")
        constraints = [
            models.UniqueConstraint(fields=["platform", "deployment_id"], name="temis_lti_unique_deployment")
        ]

    def __str__(self):
        return self.deployment_id


class ToolKey(models.Model):
    """
    One of the tool's RSA keys. It is published from creation, signs from ``signs_from``, and stays
    published until ``retires_at`` so platforms can verify what it signed.

    .. no_pii: Key material of the tool.
    """

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    public_jwk = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)
    signs_from = models.DateTimeField()
    retires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tool key")
        verbose_name_plural = _("tool keys")
        ordering = ["-signs_from"]

    def __str__(self):
        return self.kid

    @classmethod
    def published(cls):
        now = timezone.now()
        return cls.objects.filter(models.Q(retires_at__isnull=True) | models.Q(retires_at__gt=now))

    @classmethod
    def signing_key(cls):
        return cls.published().filter(signs_from__lte=timezone.now()).order_by("-signs_from").first()


def new_state():
    return secrets.token_urlsafe(32)


class LoginState(models.Model):
    """
    The state and nonce of one OIDC login, kept on the server: the launch that follows is a
    cross-site POST into an iframe, where the browser may not send any cookie of ours.

    .. no_pii: Random values and the platform; the login hint is not stored.
    """

    state = models.CharField(max_length=64, unique=True, default=new_state)
    nonce = models.CharField(max_length=64, default=new_state)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    target_link_uri = models.URLField(max_length=1000)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login state")


class Launch(models.Model):
    """
    A validated launch. Its random id stands in the workspace's URLs in place of a session cookie.
    Only the claims the tool's pages read are kept (lti.launches.STORED_CLAIMS): no name, email or
    custom parameter. Ended launches are deleted after TEMIS_LTI_RETENTION_DAYS, but for each educator's
    latest in a course, which keeps only who they are on the platform.

    .. pii: The platform's user id (sub) and roles of the launching user, the platform ids of the learners
       a platform lets a mentor follow, and the educator the launch maps to.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="launches")
    deployment_id = models.CharField(max_length=255)
    sub = models.CharField(max_length=255)
    roles = models.JSONField(default=list)
    context_id = models.CharField(max_length=255, blank=True)
    resource_link_id = models.CharField(max_length=255, blank=True)
    message_type = models.CharField(max_length=64)
    claims = models.JSONField(default=dict)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()

    class Meta:
        verbose_name = _("launch")
        indexes = [
            models.Index(fields=["expires"], name="temis_lti_launch_expires"),
            # A learner's latest launch in a course: their platform id for scores, and what expiry keeps.
            models.Index(fields=["platform", "context_id", "sub", "created"], name="temis_lti_launch_learner"),
        ]


class ScoreSubmission(models.Model):
    """
    A score a mentor gave, as sent (or still to be sent) to the platform's gradebook through AGS.
    Its timestamp is fixed when the row is made, so a re-send is recognised by the platform.

    .. pii: The platform user id (sub) of the learner scored, the score and the mentor's comment.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    PENDING, SENT, FAILED = "pending", "sent", "failed"
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    deployment_id = models.CharField(max_length=255)
    lineitem_url = models.URLField(max_length=700)  # within MySQL's index key limit (utf8mb4)
    user_sub = models.CharField(max_length=255)
    score_given = models.DecimalField(max_digits=10, decimal_places=4)
    score_maximum = models.DecimalField(max_digits=10, decimal_places=4)
    comment = models.TextField(blank=True)
    timestamp = models.DateTimeField()
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, default=PENDING, choices=[(PENDING, _("pending")), (SENT, _("sent")), (FAILED, _("failed"))]
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("score sent to the platform")
        verbose_name_plural = _("scores sent to the platform")
        indexes = [models.Index(fields=["platform", "user_sub", "timestamp"])]


class CourseMember(models.Model):
    """
    A member of a course, as the platform's roster service (NRPS) listed it at the last sync: the tool
    needs to know who is enrolled, not their name or email.

    .. pii: The platform user id (sub), roles and enrolment status of a course member.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    context_id = models.CharField(max_length=255)
    user_sub = models.CharField(max_length=255)
    roles = models.JSONField(default=list)
    status = models.CharField(max_length=16, default="Active")
    synced_at = models.DateTimeField()

    class Meta:
        verbose_name = _("course member")
        indexes = [models.Index(fields=["platform", "context_id"])]
