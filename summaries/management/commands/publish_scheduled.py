"""Publish the versions whose scheduled time has come. Run it every minute from cron.

Idempotent and safe to overlap: each publication locks its intervention and re-checks the
version is still in review, so a second run (or two at once) publishes nothing twice.
"""

from django.core.management.base import BaseCommand

from summaries.editorial.services import publish_due


class Command(BaseCommand):
    help = "Publish versions in review whose scheduled publication time has passed."

    def handle(self, *args, **options):
        published = publish_due()
        for version in published:
            self.stdout.write(
                f"Published {version.intervention.slug} v{version.number} "
                f"at {version.published_at:%Y-%m-%d %H:%M}"
            )
        if options["verbosity"] > 1 or published:
            self.stdout.write(f"{len(published)} scheduled version(s) published.")
