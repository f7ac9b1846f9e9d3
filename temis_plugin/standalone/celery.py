"""The standalone site's Celery app. In Open edX the LMS's own app runs the plugin's tasks.

Start a worker with ``celery -A temis_plugin.standalone.celery worker``; without a broker
(TEMIS_CELERY_BROKER_URL unset) the site runs tasks in the request instead (see settings).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "temis_plugin.standalone.settings")

app = Celery("temis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
