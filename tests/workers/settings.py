"""Settings of a worker process started by a test: the test settings, on the test process's database."""

import os

from tests.settings import *  # noqa: F401,F403
from tests.settings import DATABASES

# The test process created (and will destroy) this database; the worker only uses it.
DATABASES["default"]["NAME"] = os.environ["TEMIS_WORKER_DB_NAME"]

# A cache shared with the test process (Redis), when the test asks for one: progress that a task
# keeps in the cache is read by the test's own requests, as the LMS's web and worker processes share it.
if os.environ.get("TEMIS_WORKER_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TEMIS_WORKER_CACHE_URL"],
        }
    }
