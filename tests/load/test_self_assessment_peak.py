"""End-of-year peak: 200 teachers load, autosave and submit their self-assessments at the same moment,
through the block's handlers over HTTP. No request fails and no save is lost.

Throughput and latency are reported (terminal summary and ``test-artifacts/load-<db>.json``), never
asserted; the only time limit keeps the suite bounded.
"""

import os
import random
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from temis_plugin import standards
from temis_plugin.models import AuditEntry, Evaluation

from .figures import latency_figures
from .server import LoadServer
from .teacher import TeacherVisit

USERS = 200
# Server processes, and requests inside the site at once in each (see serve.worker_pool).
PROCESSES = max(2, min(4, os.cpu_count() or 2))
WORKERS = 8
REQUEST_TIMEOUT = 60
RUN_TIMEOUT = 90
CRITERIA = range(1, 16)
PLAN_KEYS = ("goals", "content", "timeline", "conditions")


def form_states(index):
    """The forms a teacher's autosaves send, in order: half the levels; all of them with the reflection;
    a revised level and reflection with a training need.

    Each is the whole form, as the page sends it, so the last one is what the teacher last saved.
    """
    rng = random.Random(index)
    levels = {n: rng.choice(("D", "K", "K", "T", "T")) for n in CRITERIA}
    form = {
        "levels": {str(n): levels[n] for n in CRITERIA if n <= 8},
        "plan": dict.fromkeys(PLAN_KEYS, ""),
        "strengths": "",
        "improvements": "",
        "need_criteria": [],
        "need_modules": [],
    }
    states = [form]
    form = {
        **form,
        "levels": {str(n): levels[n] for n in CRITERIA},
        "strengths": f"Giáo viên {index:03d}: nhiệt tình, chủ động đổi mới phương pháp.",
        "improvements": "Cần tăng cường ứng dụng công nghệ thông tin.",
        "plan": {**form["plan"], "goals": f"Mục tiêu năm học của giáo viên {index:03d}"},
    }
    states.append(form)
    revised = rng.choice(list(CRITERIA))
    levels[revised] = rng.choice([code for code in ("D", "K", "T") if code != levels[revised]])
    states.append(
        {
            **form,
            "levels": {str(n): levels[n] for n in CRITERIA},
            "need_criteria": [revised],
            "strengths": form["strengths"] + " Đã sửa lần cuối.",
        }
    )
    return states


def run_peak(base_url, plans, sessions):
    """Every visit starts at one barrier; returns the visits and the seconds from start to the last response."""
    visits = [
        TeacherVisit(base_url, username, sessions[username], saves, REQUEST_TIMEOUT)
        for username, saves in plans.items()
    ]
    barrier = threading.Barrier(len(visits) + 1)
    threads = [
        threading.Thread(target=visit.run, args=(barrier,), name=f"teacher-{visit.username}", daemon=True)
        for visit in visits
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=30)
    start = time.perf_counter()
    for thread in threads:
        thread.join(max(0.0, start + RUN_TIMEOUT - time.perf_counter()))
    unfinished = [visit.username for visit, thread in zip(visits, threads) if thread.is_alive()]
    assert not unfinished, f"{len(unfinished)} teachers still busy after {RUN_TIMEOUT} s: {unfinished[:5]}"
    return visits, time.perf_counter() - start


@pytest.mark.django_db(transaction=True)
def test_peak_of_teachers_saving_and_submitting_loses_nothing(
    educators, workbench_scenarios, signed_in_sessions, report_figures, tmp_path
):
    usernames = educators(USERS)
    plans = {username: form_states(index) for index, username in enumerate(usernames)}
    sessions = signed_in_sessions(usernames)
    with LoadServer(connection.settings_dict["NAME"], PROCESSES, WORKERS, tmp_path / "server.log") as server:
        visits, seconds = run_peak(server.url, plans, sessions)

    timings = [timing for visit in visits for timing in visit.timings]
    conflicts = sum(visit.conflicts for visit in visits)
    report_figures(
        {
            "users": USERS,
            "processes": PROCESSES,
            "workers": WORKERS,
            "seconds": round(seconds, 2),
            "conflicts_retried": conflicts,
            "connections": server.connections,
            "latency": latency_figures(timings, seconds),
        }
    )

    errors = [error for visit in visits for error in visit.errors]
    assert not errors, (
        f"{len(errors)} teachers got an unexpected answer, first ones: {errors[:5]}\nserver log:\n{server.log_tail()}"
    )

    framework = standards.get_framework("TT20-2018")
    evaluations = {
        e.educator.user.username: e
        for e in Evaluation.objects.filter(educator__user__username__in=usernames)
        .select_related("educator__user")
        .prefetch_related("training_needs")
    }
    assert sorted(evaluations) == sorted(usernames)
    audit = {}
    for evaluation_id, action in AuditEntry.objects.filter(evaluation__in=evaluations.values()).values_list(
        "evaluation_id", "action"
    ):
        audit.setdefault(evaluation_id, Counter())[action] += 1
    lost = []
    for username, saves in plans.items():
        evaluation, last = evaluations[username], saves[-1]
        levels = {n: level.value for n, level in standards.unpack_levels(evaluation.self_levels).items()}
        found = {
            "levels": levels,
            "strengths": evaluation.strengths,
            "improvements": evaluation.improvements,
            "plan_goals": evaluation.plan_goals,
            "need_criteria": [need.criterion for need in evaluation.training_needs.all()],
            "state": evaluation.state,
            "self_rating": evaluation.self_rating,
            "version": evaluation.version,
            "audit": dict(audit.get(evaluation.pk, {})),
        }
        last_levels = {int(n): code for n, code in last["levels"].items()}
        wanted = {
            "levels": last_levels,
            "strengths": last["strengths"],
            "improvements": last["improvements"],
            "plan_goals": last["plan"]["goals"],
            "need_criteria": last["need_criteria"],
            "state": "submitted",
            "self_rating": standards.evaluate(framework, last_levels).result,
            "version": 1 + len(saves) + 1,
            "audit": {"create": 1, "edit_self": len(saves), "submit": 1},
        }
        if found != wanted:
            lost.append((username, {k: (found[k], wanted[k]) for k in wanted if found[k] != wanted[k]}))
    assert not lost, f"{len(lost)} teachers' last saves are not what the database holds: {lost[:3]}"
