"""Key rotation: a new key is published before it signs, the old one stays published for an overlap."""

import datetime

from django.db import transaction
from django.utils import timezone

from .keys import new_rsa_key
from .models import ToolKey

PUBLISH_AHEAD = datetime.timedelta(hours=1)  # platforms refresh cached key sets within this time
OVERLAP = datetime.timedelta(days=7)  # tokens and cached copies signed by the old key stay verifiable


def rotate(publish_ahead=PUBLISH_AHEAD, overlap=OVERLAP) -> ToolKey:
    """Create the next key. The first key ever signs at once; later ones after ``publish_ahead``."""
    now = timezone.now()
    with transaction.atomic():
        current = list(ToolKey.published().select_for_update())
        kid, pem, jwk = new_rsa_key()
        signs_from = now + publish_ahead if current else now
        key = ToolKey.objects.create(kid=kid, private_key_pem=pem, public_jwk=jwk, signs_from=signs_from)
        for old in current:
            if old.retires_at is None:
                old.retires_at = signs_from + overlap
                old.save(update_fields=["retires_at"])
    return key


def ensure_signing_key() -> ToolKey:
    return ToolKey.signing_key() or rotate()
