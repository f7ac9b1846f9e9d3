"""One load-test server process: ``python -m tests.load.serve --port P --database NAME --workers W --lock FILE``.

Serves the test site on 127.0.0.1:P, a port it shares with its sibling processes, against the test
database the caller names; prints ``ready`` once it answers, and its connection counts as JSON on SIGTERM.
"""

import argparse
import fcntl
import json
import os
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

BLOCK_PAGE = "/workbench/scenario/temis_self_assessment.0/"


def worker_pool(application, workers):
    """The site behind ``workers`` threads taking requests first come, first served.

    Connections get a thread each, but only the workers run the site, so at most ``workers``
    database connections are open, as under a production server's worker pool. Without the bound a
    peak opens one connection per user: more than MariaDB accepts (151 by default), and SQLite
    writers then wait on each other past their busy timeout.
    """
    if not workers:
        return application
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="site-worker")

    def respond(environ, start_response):
        # The whole response is read and closed in the worker: closing ends the request and gives its
        # database connection back.
        result = application(environ, start_response)
        try:
            return b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()

    def queued(environ, start_response):
        return [pool.submit(respond, environ, start_response).result()]

    return queued


def counting_server_class():
    from django.core.servers.basehttp import ThreadedWSGIServer

    class CountingServer(ThreadedWSGIServer):
        """Django's threaded server on a shared port, counting the connections it holds open at once."""

        allow_reuse_port = True
        # Django listens with a queue of 10: of a peak of users connecting at once, the kernel would
        # drop most connections and the users would retry a second later. The kernel caps it at somaxconn.
        request_queue_size = 1024

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.counts_lock = threading.Lock()
            self.accepted = self.open = self.most_open = 0

        def process_request(self, request, client_address):
            with self.counts_lock:
                self.accepted += 1
                self.open += 1
                self.most_open = max(self.most_open, self.open)
            super().process_request(request, client_address)

        def shutdown_request(self, request):
            with self.counts_lock:
                self.open -= 1
            super().shutdown_request(request)

    return CountingServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--lock", required=True)
    args = parser.parse_args()

    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = args.database
    settings.DEBUG = False
    django.setup()

    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from django.test import Client
    from django.test.testcases import QuietWSGIRequestHandler
    from workbench.scenarios import get_scenarios

    # Scenarios load lazily on the first request, which concurrent first requests would race on. Loading
    # them rewrites rows without a unique key, so the processes take turns.
    with open(args.lock, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        get_scenarios()
        connections.close_all()
    # Code, templates and catalogues loaded once, so the figures are those of a running site: the site's
    # URLs and middleware (an anonymous visit), and the block, rendered for a user who is nobody.
    from django.contrib.auth import get_user_model

    from temis_plugin.standalone.workbench import SignedInRuntime

    Client().get(BLOCK_PAGE)
    runtime = SignedInRuntime(get_user_model()(username=f"warm-up-{os.getpid()}"))
    runtime.get_block(get_scenarios()["temis_self_assessment.0"].usage_id).render("student_view", {})
    connections.close_all()

    server = counting_server_class()(("127.0.0.1", args.port), QuietWSGIRequestHandler)
    server.set_app(worker_pool(get_wsgi_application(), args.workers))

    def report_and_exit(_signum, _frame):
        # No lock here: the handler runs in the accepting thread, which may hold it.
        print(json.dumps({"accepted": server.accepted, "most_open": server.most_open}), flush=True)
        os._exit(0)  # connection threads may be mid-request; the caller is done with them

    signal.signal(signal.SIGTERM, report_and_exit)
    print("ready", flush=True)
    server.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    sys.exit(main())
