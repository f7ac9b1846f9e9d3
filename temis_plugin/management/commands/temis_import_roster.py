"""manage.py temis_import_roster FILE: import units, educators and mentor groups, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from ...roster import RosterError, import_roster
from ...roster.columns import TABLES


class Command(BaseCommand):
    help = "Import a roster (.xlsx or .csv). If any row is invalid, nothing is written and every problem is listed."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--table", choices=TABLES, help="Which table a .csv holds (recognised from its columns when omitted)."
        )

    def handle(self, *args, **options):
        try:
            summary = import_roster(options["file"], table=options["table"], progress=self._progress)
        except RosterError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            if exc.total > len(exc.errors):
                self.stderr.write(f"… {exc.total - len(exc.errors)} more problem(s) not listed; by kind:")
                for label, count in exc.counts_by_label():
                    self.stderr.write(f"  {label}: {count}")
            raise CommandError(str(exc)) from None
        except FileNotFoundError:
            raise CommandError(f"no such file: {options['file']}") from None
        for bucket in ("created", "updated", "unchanged"):
            counts = getattr(summary, bucket)
            if counts:
                self.stdout.write(f"{bucket}: " + ", ".join(f"{n} {table}" for table, n in sorted(counts.items())))
        for notice in summary.notices:
            self.stdout.write(self.style.WARNING(notice.message))
        self.stdout.write(self.style.SUCCESS("Roster imported."))

    def _progress(self, done, expected):
        if self.stderr.isatty():
            self.stderr.write(f"\r{done}/{expected} rows", ending="")
