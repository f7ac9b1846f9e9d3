"""Celery tasks of the LTI tool. In the LMS, its Celery app finds them (autodiscovery of `tasks`)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


# For celery beat (see docs/operator-guide.md › Retention); running it twice is harmless.
@shared_task(
    name="temis_lti.expire_launches", autoretry_for=(OperationalError, InterfaceError), retry_backoff=60, max_retries=3
)
def expire_launches():
    from .launches import expire

    launches, states = expire()
    return {"launches": launches, "login_states": states}
