"""A real Celery worker whose per-educator report rows trickle (20 ms each), so a test can kill it
mid-export, and whose roster rows are read slowly (2 ms each), so a test sees an import's progress.

Run as ``python -m tests.workers.slow_worker <celery worker arguments>``.
"""

import sys
import time

import django

django.setup()

from temis_plugin.reports.kinds import school_summary  # noqa: E402
from temis_plugin.roster import csv_file, xlsx_file  # noqa: E402
from temis_plugin.standalone.celery import app  # noqa: E402


def slowed(rows, pause: float):
    """``rows`` (a generator function), yielding each row ``pause`` seconds later."""

    def trickling(*args, **kwargs):
        for row in rows(*args, **kwargs):
            time.sleep(pause)
            yield row

    return trickling


school_summary.educator_result_rows = slowed(school_summary.educator_result_rows, 0.02)
# Each format's reader streams its rows through its own name for rows.data_rows.
xlsx_file.data_rows = slowed(xlsx_file.data_rows, 0.002)
csv_file.data_rows = slowed(csv_file.data_rows, 0.002)

if __name__ == "__main__":
    app.worker_main(["worker", *sys.argv[1:]])
