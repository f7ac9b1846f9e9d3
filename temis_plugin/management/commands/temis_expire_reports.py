"""Delete report files (and their runs) older than TEMIS_REPORT_RETENTION_DAYS. Run it daily."""

from django.core.management.base import BaseCommand

from ...reports.runs import expire_runs


class Command(BaseCommand):
    help = "Delete report files older than TEMIS_REPORT_RETENTION_DAYS, with their runs."

    def handle(self, *args, **options):
        self.stdout.write(f"{expire_runs()} report files removed")
