"""Settings of a worker process started by a test: the test settings, on the test process's database."""
import os

from tests.settings import *  # noqa: F401,F403
from tests.settings import DATABASES

# The test process created (and will destroy) this database; the worker only uses it.
DATABASES["default"]["NAME"] = os.environ["TEMIS_WORKER_DB_NAME"]
