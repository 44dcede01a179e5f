"""Everything held about one email address: export it (as JSON) or delete it."""

import json

from django.core.management.base import BaseCommand, CommandError

from summaries.models import AlertDelivery, Subscription


class Command(BaseCommand):
    help = "Export (JSON on standard output) or delete everything held for an email address."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "delete"])
        parser.add_argument("email")

    def handle(self, *args, action, email, **options):
        email = email.strip().lower()
        if "@" not in email:
            raise CommandError(f"Not an email address: {email!r}.")
        subscriptions = Subscription.objects.filter(email=email).select_related(
            "intervention", "problem", "approach"
        )
        if action == "delete":
            count = len(subscriptions)
            subscriptions.delete()  # their pending alerts go with them (cascade)
            self.stdout.write(f"Deleted {count} subscriptions of {email}.")
            return
        data = {
            "email": email,
            "subscriptions": [
                {
                    "follows": subscription.kind,
                    "slug": subscription.target.slug,
                    "confirmed_at": subscription.confirmed_at.isoformat(),
                    "alerts": [
                        {
                            "about_version": delivery.outbox.version_id,
                            "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
                            "attempts": delivery.attempts,
                        }
                        for delivery in AlertDelivery.objects.filter(
                            subscription=subscription
                        ).select_related("outbox")
                    ],
                }
                for subscription in subscriptions
            ],
        }
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
