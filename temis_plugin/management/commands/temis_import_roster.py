"""manage.py temis_import_roster FILE: import units, educators and mentor groups, all or nothing."""
from django.core.management.base import BaseCommand, CommandError

from ...roster import RosterError, import_roster
from ...roster.reader import TABLES


class Command(BaseCommand):
    help = "Import a roster (.xlsx or .csv). If any row is invalid, nothing is written and every problem is listed."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--table", choices=TABLES,
                            help="Which table a .csv holds (guessed from its columns when omitted).")

    def handle(self, *args, **options):
        try:
            summary = import_roster(options["file"], table=options["table"])
        except RosterError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from None
        except FileNotFoundError:
            raise CommandError(f"no such file: {options['file']}") from None
        for bucket in ("created", "updated", "unchanged"):
            counts = getattr(summary, bucket)
            if counts:
                self.stdout.write(f"{bucket}: " + ", ".join(f"{n} {table}" for table, n in sorted(counts.items())))
        self.stdout.write(self.style.SUCCESS("Roster imported."))
