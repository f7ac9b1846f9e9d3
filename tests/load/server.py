"""The test site served for load tests by separate processes sharing one port on 127.0.0.1.

Each process is Django's threaded server (a thread per connection, keep-alive) running the site in
a few worker threads, as a production server's worker pool does (see ``serve.worker_pool``). Separate
processes keep the simulated users' threads from sharing one interpreter lock with the site they
measure; the kernel spreads the connections over them (SO_REUSEPORT).
"""

import json
import os
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


class LoadServer:
    """``processes`` server processes on the database named ``database``; ``url`` while the context is open.

    ``connections`` holds, after the context, what the processes counted: connections accepted, and
    the most they held open at once (summed over processes).
    """

    def __init__(self, database, processes, workers, log_path, start_timeout=60):
        self.database, self.processes, self.workers = str(database), processes, workers
        self.log_path, self.start_timeout = Path(log_path), start_timeout
        self.url, self._children, self._port_holder = None, [], None
        self.connections = {"accepted": 0, "most_open": 0}

    def __enter__(self):
        # A bound socket that never listens holds the port for the processes, which listen on it too.
        self._port_holder = socket.socket()
        self._port_holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self._port_holder.bind(("127.0.0.1", 0))
        port = self._port_holder.getsockname()[1]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONWARNINGS": "ignore"}
        with open(self.log_path, "ab") as log:
            for _ in range(self.processes):
                self._children.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "tests.load.serve",
                            "--port",
                            str(port),
                            "--database",
                            self.database,
                            "--workers",
                            str(self.workers),
                            "--lock",
                            str(self.log_path.with_suffix(".lock")),
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=log,
                    )
                )
        try:
            self._wait_until_ready()
        except BaseException:
            self._stop()
            raise
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc):
        self._stop()

    def log_tail(self, lines=40):
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _wait_until_ready(self):
        deadline = time.monotonic() + self.start_timeout
        for child in self._children:
            ready, _, _ = select.select([child.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready or child.stdout.readline().strip() != b"ready":
                raise RuntimeError(f"a load server process did not start:\n{self.log_tail()}")

    def _stop(self):
        for child in self._children:
            child.terminate()
        for child in self._children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            for line in child.stdout.read().splitlines():
                if line.startswith(b"{"):
                    for key, value in json.loads(line).items():
                        self.connections[key] += value
            child.stdout.close()
        self._children = []
        if self._port_holder is not None:
            self._port_holder.close()
            self._port_holder = None
