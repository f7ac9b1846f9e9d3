"""The demo as `make demo` serves it: a server process of its own, started with the Makefile's own commands.

`make -n demo` prints the demo's commands; they run here in a fresh data folder (SQLite, as the demo
has it), with the environment a person has: no TEMIS_DEBUG. The server runs without its reloader, so
that stopping it stops everything it started.
"""

import os
import re
import shlex
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
# What Django's debug pages say; none of it may reach a visitor of the demo.
DEBUG_MARKERS = ("DEBUG = True", "Traceback", "URLconf", "INSTALLED_APPS", "settings.py", str(ROOT))
SELF_ASSESSMENT = "/workbench/scenario/temis_self_assessment.0/"


def demo_commands() -> list[tuple[dict, list[str]]]:
    """The demo recipe's Django commands (migrate, demo data, the server) as (environment, argv)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("MAKE", "MFLAGS"))}
    printed = subprocess.run(
        ["make", "-n", "--no-print-directory", "demo"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = []
    for line in printed.splitlines():
        if " -m django " not in line:
            continue
        words = shlex.split(line)
        assignments = {}
        while "=" in words[0] and not words[0].startswith("-"):
            key, value = words.pop(0).split("=", 1)
            assignments[key] = value
        commands.append((assignments, words))
    assert [argv[3] for _env, argv in commands] == ["migrate", "temis_demo_data", "runserver"], printed
    return commands


def person_environment(var_dir, **extra) -> dict:
    """A shell's environment without what the test run sets for itself (its settings, its data folder)."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("TEMIS_", "DJANGO_", "MAKE", "MFLAGS"))
    }
    return {**environment, "TEMIS_VAR_DIR": str(var_dir), **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    """The demo's database and files, made by the demo's own commands; and a report file of the province officer."""
    var_dir = tmp_path_factory.mktemp("demo-var")
    commands = demo_commands()
    for assignments, argv in commands[:2]:
        subprocess.run(
            argv,
            cwd=ROOT,
            env={**person_environment(var_dir), **assignments},
            check=True,
            capture_output=True,
            timeout=300,
        )
    assignments, _argv = commands[0]
    script = (
        "from django.contrib.auth import get_user_model; from temis_plugin import api; "
        "run = api.request_report_file(get_user_model().objects.get(username='officer.province'), "
        "'school_summary', 'csv'); from temis_plugin.models import ReportRun; "
        "print(ReportRun.objects.get(pk=run.id).file.name)"
    )
    report = (
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-m", "django", "shell", "-c", script],
            cwd=ROOT,
            env={**person_environment(var_dir), **assignments},
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    media = var_dir / "media"
    evidence = sorted(path.relative_to(media).as_posix() for path in (media / "temis" / "evidence").iterdir())
    assert evidence and (media / report).is_file()
    return var_dir, commands[2], [report, *evidence[:3]]


class DemoServer:
    def __init__(self, var_dir, command, **environment):
        assignments, argv = command
        self.port = free_port()
        argv = [word.replace("127.0.0.1:8000", f"127.0.0.1:{self.port}") for word in argv] + ["--noreload"]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(var_dir / f"server-{self.port}.log", "w+")
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**person_environment(var_dir, **environment), **assignments},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.output()
            try:
                requests.get(self.url + "/", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, self.output()
                time.sleep(0.2)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-3000:]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="module")
def demo(demo_data):
    var_dir, command, _files = demo_data
    server = DemoServer(var_dir, command)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def debug_demo(demo_data):
    """The same demo, with the debug mode a developer turns on by asking for it."""
    var_dir, command, _files = demo_data
    server = DemoServer(var_dir, command, TEMIS_DEBUG="1")
    yield server
    server.stop()


def signed_in(server, username, password="demo-password") -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = "en"
    session.get(f"{server.url}/accounts/login/", timeout=30)
    answer = session.post(
        f"{server.url}/accounts/login/",
        timeout=30,
        allow_redirects=False,
        data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def assets(page: str, base: str) -> list[str]:
    """The scripts and style sheets a page loads from the site itself."""
    found = re.findall(r"""<script[^>]+src=["']([^"']+)""", page) + re.findall(r"""<link[^>]+href=["']([^"']+)""", page)
    return [urljoin(base, url) for url in found if not url.startswith(("http:", "https:", "//"))]


def test_debug_is_off_unless_asked_for(tmp_path):
    code = "import temis_plugin.standalone.settings as s; print(s.DEBUG)"
    for asked, debug in ((None, "False"), ("0", "False"), ("", "False"), ("1", "True")):
        environment = person_environment(tmp_path, **({"TEMIS_DEBUG": asked} if asked is not None else {}))
        shown = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-c", code],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        assert shown == debug, asked


def test_the_demo_shows_no_debug_page(demo):
    for session in (requests.Session(), signed_in(demo, "gv0003")):
        for path in (
            "/no-such-page/",
            "/temis/no-such-page/",
            "/workbench/no-such-page/",
            "/static/no-such.css",
            "/temis/evidence/999999/",
            "/workbench/scenario/no-such-scenario/",
        ):
            answer = session.get(demo.url + path, timeout=30)
            # An anonymous visitor of a signed-in page is sent to sign in first.
            assert answer.status_code == 404 or answer.url.startswith(f"{demo.url}/accounts/login/"), path
            assert answer.text.strip() and not [marker for marker in DEBUG_MARKERS if marker in answer.text], path


def test_the_demo_serves_the_static_files_of_the_admin_and_the_workbench(demo):
    teacher = signed_in(demo, "gv0003")
    page = teacher.get(demo.url + SELF_ASSESSMENT, timeout=60)
    assert page.status_code == 200 and 'data-role="state"' in page.text  # the block, with the teacher's evaluation
    admin = signed_in(demo, "admin")
    admin_page = admin.get(demo.url + "/admin/", timeout=30)
    assert admin_page.status_code == 200
    urls = assets(page.text, page.url) + assets(admin_page.text, admin_page.url)
    assert any("/static/workbench/" in url for url in urls) and any("/static/admin/" in url for url in urls)
    for url in urls:
        assert teacher.get(url, timeout=30).status_code == 200, url


@pytest.mark.parametrize("server", ["demo", "debug_demo"])
def test_no_route_of_the_demo_serves_stored_files(request, demo_data, server):
    site = request.getfixturevalue(server)
    _var, _command, files = demo_data
    for session in (requests.Session(), signed_in(site, "officer.province"), signed_in(site, "admin")):
        for name in files:
            for prefix in ("/media/", "/workbench/media/", "/static/", "/"):
                answer = session.get(site.url + prefix + name, timeout=30)
                assert answer.status_code == 404, prefix + name


def test_the_demo_workbench_acts_for_the_signed_in_user(demo):
    anonymous = requests.Session()
    page = anonymous.get(demo.url + SELF_ASSESSMENT, timeout=30, allow_redirects=False)
    assert page.status_code == 302 and page.headers["Location"].startswith("/accounts/login/")
    teacher = signed_in(demo, "gv0003")
    usage = re.search(r"data-usage='([^']+)'", teacher.get(demo.url + SELF_ASSESSMENT, timeout=60).text).group(1)
    state = f"{demo.url}/workbench/handler/{usage}/student_view_user_state/"
    assert anonymous.get(state, params={"student": "gv0006"}, timeout=30).status_code == 403
    own = teacher.get(state, timeout=30).json()
    assert teacher.get(state, params={"student": "gv0006"}, timeout=30).json() == own
