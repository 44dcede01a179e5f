"""The worker process (the Procfile's ``worker``): runs the queued background tasks."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from summaries.tasks.periodic import ensure_scheduled


class Command(BaseCommand):
    help = (
        "Run background tasks (emails, alerts, scheduled publications, housekeeping) "
        "until stopped: queues the periodic tasks' next runs, then runs django-tasks' "
        "database worker on every queue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Run every task that is due, then stop."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait between looks at an empty queue (default 1).",
        )

    def handle(self, *args, batch=False, interval=1.0, **options):
        queued = ensure_scheduled(starting=True)
        if queued and options["verbosity"] > 0:
            self.stdout.write(f"Scheduled: {', '.join(queued)}")
        worker_args = ["--queue-name=*", "--no-reload", "--no-startup-delay"]
        worker_args.append(f"--interval={interval}")
        if batch:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args, verbosity=options["verbosity"])
