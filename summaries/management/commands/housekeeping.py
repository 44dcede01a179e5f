"""Run the daily clean-up now (the worker runs it every day by itself)."""

from django.core.management.base import BaseCommand

from summaries.tasks.housekeeping import clean_up


class Command(BaseCommand):
    help = (
        "Delete expired sessions, old sign-in records, read notifications, sent alerts "
        "and finished task records past their retention; requeue abandoned tasks."
    )

    def handle(self, *args, **options):
        for what, count in clean_up().items():
            self.stdout.write(f"{count} {what}")
