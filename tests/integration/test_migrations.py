"""Upgrades: the models match the migrations, and every migration of both apps can be undone and redone
(what an operator runs to go back to an earlier release, see docs/operator-guide.md › Upgrades)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

APPS = ("temis_plugin", "temis_lti")


def test_no_model_change_lacks_a_migration(db):
    out = io.StringIO()
    call_command("makemigrations", *APPS, "--check", "--dry-run", stdout=out)  # exits non-zero on drift
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_every_migration_is_reversible_and_the_tables_come_back():
    def our_tables():
        return sorted(t for t in connection.introspection.table_names() if t.startswith(APPS))

    before = our_tables()
    assert before, "the test database has our tables"
    leaves = {app: MigrationExecutor(connection).loader.graph.leaf_nodes(app)[0][1] for app in APPS}
    # The tool's tables depend on nothing of the plugin's, so each app goes back to zero on its own.
    for app in reversed(APPS):
        call_command("migrate", app, "zero", verbosity=0)
    assert our_tables() == []
    for app in APPS:
        call_command("migrate", app, leaves[app], verbosity=0)
    assert our_tables() == before
