"""manage.py temis_demo_data: a fictional province with schools, ~200 educators and evaluations.

Everything goes through the same doors as real data: the roster importer and the plugin's API
(the builders are in :mod:`temis_plugin.management.demo_data`).
Deterministic (fixed seed), and safe to run again: a second run changes nothing.
"""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from ...catalog import load_training_modules
from ...models import Evaluation
from ...roster import import_roster
from ..demo_data import evaluations, province, report_material, training


class Command(BaseCommand):
    help = "Load a fictional province with schools, educators, mentor groups and evaluations in every state."

    def handle(self, *args, **options):
        if Evaluation.objects.filter(cycle__code="2026-2027").exists():
            self.stdout.write("Demo data is already loaded.")
            return
        rng = random.Random(20261122)
        with transaction.atomic():
            load_training_modules()
            cycles = evaluations.create_cycles()
            people = province.invent_people(rng)
            province.create_accounts(people)
            summary = import_roster(province.roster_workbook(people), filename="demo-roster.xlsx")
            province.assign_roles()
            counts = evaluations.drive_evaluations(rng, cycles["2026-2027"])
            passed = training.send_course_grades(rng)
            report_material.add_report_material(rng, cycles["2026-2027"])
        self.stdout.write(f"Roster: created {summary.created}")
        self.stdout.write("Evaluations by state: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        self.stdout.write(f"Module results: {passed} teachers passed {training.DEMO_COURSE}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded. Sign in as admin, principal.s01, officer.province or a teacher, gv0003 … "
                f"(password {province.PASSWORD})."
            )
        )
