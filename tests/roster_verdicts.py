"""Run by tests/integration/test_roster_fuzz.py in a second process on the other database: writes the
verdicts of the fixed corpus of mutated rosters to the file named by TEMIS_VERDICTS_OUT.

Its name does not match test_*.py, so the suite collects it only when it is named explicitly."""

import os
from pathlib import Path

from tests.roster_mutations import corpus_verdicts


def test_write_corpus_verdicts(db):
    Path(os.environ["TEMIS_VERDICTS_OUT"]).write_text(corpus_verdicts(), encoding="utf-8")
