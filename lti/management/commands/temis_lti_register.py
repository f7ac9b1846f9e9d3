"""manage.py temis_lti_register: register a platform client and its deployments (create or update)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction

from ...models import Deployment, Platform


class Command(BaseCommand):
    help = "Register (or update) an LTI 1.3 platform client with the tool."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--issuer", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--auth-login-url", required=True)
        parser.add_argument("--keyset-url", required=True)
        parser.add_argument("--auth-token-url", default="")
        parser.add_argument(
            "--deployment-id",
            action="append",
            default=[],
            dest="deployment_ids",
            help="Repeat for several deployments sharing the client id.",
        )
        parser.add_argument(
            "--trust-educator-claim",
            action="store_true",
            help="Accept an unsigned temis_educator_id from this platform: only for a platform "
            "whose custom parameters only its administrators set (not Open edX).",
        )

    def handle(self, *args, **options):
        for name in ("issuer", "auth_login_url", "keyset_url", "auth_token_url"):
            if options[name]:
                try:
                    URLValidator(schemes=["http", "https"])(options[name])
                except ValidationError:
                    raise CommandError(f"--{name.replace('_', '-')} is not a URL: {options[name]}") from None
        if not options["deployment_ids"]:
            raise CommandError("give at least one --deployment-id")
        with transaction.atomic():
            platform, created = Platform.objects.update_or_create(
                issuer=options["issuer"],
                client_id=options["client_id"],
                defaults={
                    "name": options["name"],
                    "auth_login_url": options["auth_login_url"],
                    "keyset_url": options["keyset_url"],
                    "auth_token_url": options["auth_token_url"],
                    "trusts_educator_claim": options["trust_educator_claim"],
                },
            )
            for deployment_id in options["deployment_ids"]:
                Deployment.objects.get_or_create(platform=platform, deployment_id=deployment_id)
        verb = "Registered" if created else "Updated"
        self.stdout.write(f"{verb} {platform} with deployments {', '.join(options['deployment_ids'])}.")
