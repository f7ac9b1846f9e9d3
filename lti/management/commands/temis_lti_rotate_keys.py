"""manage.py temis_lti_rotate_keys: publish a new tool key now; it signs after --publish-ahead."""
import datetime

from django.core.management.base import BaseCommand

from ...rotation import OVERLAP, PUBLISH_AHEAD, rotate


class Command(BaseCommand):
    help = "Create the LTI tool's next RSA key (published at once, used for signing after --publish-ahead)."

    def add_arguments(self, parser):
        parser.add_argument("--publish-ahead", type=int, default=int(PUBLISH_AHEAD.total_seconds()),
                            help="Seconds between publishing the new key and signing with it.")
        parser.add_argument("--overlap", type=int, default=int(OVERLAP.total_seconds()),
                            help="Seconds the old key stays published after the new one starts signing.")

    def handle(self, *args, **options):
        key = rotate(datetime.timedelta(seconds=options["publish_ahead"]),
                     datetime.timedelta(seconds=options["overlap"]))
        self.stdout.write(f"New key {key.kid} published; signs from {key.signs_from.isoformat()}.")
