"""A minimal Django site that loads the plugin exactly as the LMS does (demo and tests)."""

# The site's Celery app becomes the current one, so the plugin's shared tasks use its settings.
from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
