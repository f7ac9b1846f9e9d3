"""manage.py temis_lti_rotate_keys: publish a new tool key now; it signs after --publish-ahead."""

import datetime

from django.core.management.base import BaseCommand

from ...models import ToolKey
from ...rotation import OVERLAP, PUBLISH_AHEAD, rotate


class Command(BaseCommand):
    help = "Create the LTI tool's next RSA key (published at once, used for signing after --publish-ahead)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--publish-ahead",
            type=int,
            default=int(PUBLISH_AHEAD.total_seconds()),
            help="Seconds between publishing the new key and signing with it.",
        )
        parser.add_argument(
            "--overlap",
            type=int,
            default=int(OVERLAP.total_seconds()),
            help="Seconds the old key stays published after the new one starts signing.",
        )
        # Deployment init scripts run on every upgrade: they must create the first key, never rotate.
        parser.add_argument(
            "--if-missing", action="store_true", help="Create a key only if the tool publishes none yet."
        )

    def handle(self, *args, **options):
        if options["if_missing"]:
            published = ToolKey.published().first()
            if published is not None:
                self.stdout.write(f"Key {published.kid} is already published; no new key.")
                return
        key = rotate(
            datetime.timedelta(seconds=options["publish_ahead"]), datetime.timedelta(seconds=options["overlap"])
        )
        self.stdout.write(f"New key {key.kid} published; signs from {key.signs_from.isoformat()}.")
