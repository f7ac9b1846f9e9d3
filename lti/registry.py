"""Registrations from the database, and platform key sets fetched over HTTPS and cached."""

import hashlib
import logging

import requests
from django.core.cache import cache

from .models import Platform
from .protocol import LaunchError, Registration

log = logging.getLogger(__name__)
KEYSET_CACHE_SECONDS = 3600
KEYSET_TIMEOUT = (5, 10)


def platform_for(issuer, client_ids) -> Platform:
    """The registered client for an issuer among the given client ids (login or token audience)."""
    platforms = list(Platform.objects.filter(issuer=issuer, client_id__in=[c for c in client_ids if c]))
    if not platforms:
        raise LaunchError(400, "unknown_platform", "this issuer and client id are not registered with the tool")
    if len(platforms) > 1:
        raise LaunchError(400, "ambiguous_platform", "several registered clients match; the platform must name one")
    return platforms[0]


def _keyset(platform: Platform, refresh: bool) -> dict:
    # Keyed by URL too: a changed registration must not be answered from the old key set.
    key = f"temis_lti:keyset:{platform.pk}:{hashlib.sha256(platform.keyset_url.encode()).hexdigest()[:16]}"
    keyset = None if refresh else cache.get(key)
    if keyset is None:
        try:
            response = requests.get(platform.keyset_url, timeout=KEYSET_TIMEOUT)
            response.raise_for_status()
            keyset = response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("TEMIS LTI: key set of platform %s unavailable (%s)", platform.pk, exc.__class__.__name__)
            raise LaunchError(502, "keyset_unavailable", "the platform's key set could not be fetched") from None
        cache.set(key, keyset, KEYSET_CACHE_SECONDS)
    return keyset


def registration(platform: Platform) -> Registration:
    def find_key(kid, refresh):
        for jwk in _keyset(platform, refresh).get("keys", []):
            if isinstance(jwk, dict) and jwk.get("kid") == kid:
                return jwk
        return None

    return Registration(
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_ids=frozenset(platform.deployments.values_list("deployment_id", flat=True)),
        find_key=find_key,
    )
