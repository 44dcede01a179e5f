"""Send the email alerts of recent publications (run from cron, every few minutes)."""

from django.core.management.base import BaseCommand

from summaries.alerts.sending import expand_pending, send_pending


class Command(BaseCommand):
    help = (
        "Turn publications into alerts for their followers and send the pending ones. "
        "Safe to run often and in parallel; a failed send is retried next run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Send at most this many.")

    def handle(self, *args, limit=None, **options):
        written = expand_pending()
        result = send_pending(limit=limit)
        self.stdout.write(
            f"{written} alerts queued, {result.sent} sent, "
            f"{result.failed} failed (retried next run)."
        )
