"""Two writers at once on the real database: one wins, the other is told, nothing is lost silently."""

import threading

import pytest
from django.db import connection

from temis_plugin import api
from temis_plugin.errors import ConcurrentEdit


@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_at_once(cycle, people):
    user = people["t1"].user
    evaluation = api.get_or_create_evaluation(user)
    barrier, outcomes = threading.Barrier(2), []

    def save(level):
        try:
            barrier.wait()
            api.save_self_assessment(user, evaluation.id, evaluation.version, levels={1: level})
            outcomes.append(("saved", level))
        except ConcurrentEdit:
            outcomes.append(("conflict", level))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(level,)) for level in ("T", "D")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    winner = next(level for kind, level in outcomes if kind == "saved")
    final = api.get_evaluation(user, evaluation.id)
    assert final.self_levels == {1: winner} and final.version == evaluation.version + 1
