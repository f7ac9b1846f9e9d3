"""Delete login states and ended launches older than TEMIS_LTI_RETENTION_DAYS. Run it daily."""

from django.core.management.base import BaseCommand

from ...launches import expire


class Command(BaseCommand):
    help = (
        "Delete the LTI tool's login states and ended launches older than TEMIS_LTI_RETENTION_DAYS "
        "(each educator's latest launch in a course is kept, emptied of its claims)."
    )

    def handle(self, *args, **options):
        launches, states = expire()
        self.stdout.write(f"{launches} ended launches and {states} login states deleted")
