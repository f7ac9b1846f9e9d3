"""A real Celery worker whose per-educator report rows trickle (20 ms each), so a test can kill it
mid-export, and whose roster rows are read slowly (2 ms each), so a test sees an import's progress.

Run as ``python -m tests.workers.slow_worker <celery worker arguments>``.
"""
import sys
import time

import django

django.setup()

from temis_plugin.reports import builders  # noqa: E402
from temis_plugin.standalone.celery import app  # noqa: E402

_rows = builders.educator_result_rows


def trickling_rows(*args, **kwargs):
    for row in _rows(*args, **kwargs):
        time.sleep(0.02)
        yield row


builders.educator_result_rows = trickling_rows

from temis_plugin.roster import reader  # noqa: E402

_data_rows = reader._data_rows


def slow_roster_rows(*args, **kwargs):
    for row in _data_rows(*args, **kwargs):
        time.sleep(0.002)
        yield row


reader._data_rows = slow_roster_rows

if __name__ == "__main__":
    app.worker_main(["worker", *sys.argv[1:]])
