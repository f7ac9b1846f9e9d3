"""Property-based tests of the roster import: mutated rosters (tests/roster_mutations.py) never raise
anything but a refusal, never write part of a file, import again without a change, and get the same
verdict on SQLite and on MariaDB (a second process runs the same corpus on the other database)."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.roster_mutations import BY_NAME, check_one, corpus_verdicts, mutated_file, prepare_database

ROOT = Path(__file__).resolve().parents[2]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rng=st.randoms(use_true_random=False),
    names=st.lists(st.sampled_from(sorted(BY_NAME)), min_size=1, max_size=3),
    kind=st.sampled_from(["xlsx", "csv"]),
)
def test_mutated_rosters_are_refused_whole_or_imported_idempotently(db, rng, names, kind):
    with transaction.atomic():
        prepare_database(kind)
        data, name = mutated_file(rng, names, kind)
        check_one(data, name)
        transaction.set_rollback(True)


def test_the_same_files_get_the_same_verdicts_on_sqlite_and_mariadb(db, tmp_path):
    here = json.loads(corpus_verdicts())
    assert any("refused" in v for v in here.values()) and any("created" in v for v in here.values())
    other = "sqlite" if connection.vendor == "mysql" else "mysql"
    out = tmp_path / "verdicts.json"
    env = dict(
        os.environ,
        TEMIS_DB=other,
        TEMIS_VERDICTS_OUT=str(out),
        TEMIS_VAR_DIR=tempfile.mkdtemp(prefix="temis-verdicts-"),
        TEMIS_MYSQL_DB=f"{os.environ.get('TEMIS_MYSQL_DB', 'temis')}_verdicts",
        PYTHONPATH=str(ROOT),
    )
    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-x", "tests/roster_verdicts.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    there = json.loads(out.read_text(encoding="utf-8"))
    differing = {case: (here[case], there.get(case)) for case in here if here[case] != there.get(case)}
    assert not differing and set(there) == set(here), differing
