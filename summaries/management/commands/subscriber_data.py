"""Everything held about one email address: export it (as JSON) or delete it.

That is its subscriptions (and their alerts), the suggestions and problem reports it
sent that are still open (a closed one holds no address), and the external review links
made for it (with the comments sent through them). Deleting removes the address from
those and keeps what was said, which holds nothing to reach the person by; a review link
that still works is withdrawn."""

import json

from django.core.management.base import BaseCommand, CommandError

from summaries.editorial.external_reviews import external_reviews_forget
from summaries.models import AlertDelivery, ExternalReview, Subscription, Suggestion


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
        sent = Suggestion.objects.filter(email__iexact=email)
        if action == "delete":
            count = len(subscriptions)
            subscriptions.delete()  # their pending alerts go with them (cascade)
            forgotten = sent.update(email="")
            links = external_reviews_forget(email=email)
            self.stdout.write(
                f"Deleted {count} subscriptions of {email}, and the address from "
                f"{forgotten} suggestions and problem reports and {links} external review "
                "links."
            )
            return
        links = (
            ExternalReview.objects.filter(email__iexact=email)
            .select_related("version")
            .prefetch_related("comments")
        )
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
            "suggestions_and_problem_reports": [
                {
                    "kind": item.kind,
                    "subject": item.subject,
                    "message": item.body,
                    "evidence_url": item.evidence_url,
                    "received_at": item.received_at.isoformat(),
                }
                for item in sent.order_by("received_at", "pk")
            ],
            "external_review_links": [
                {
                    "name": link.name,
                    "version": str(link.version),
                    "made_at": link.made_at.isoformat(),
                    "expires_at": link.expires_at.isoformat(),
                    "withdrawn_at": link.revoked_at.isoformat() if link.revoked_at else None,
                    "times_opened": link.opened_count,
                    "comments": [
                        {
                            "signed": comment.external_name,
                            "about": comment.get_anchor_display(),
                            "comment": comment.body,
                            "written_at": comment.created_at.isoformat(),
                        }
                        for comment in link.comments.all()
                    ],
                }
                for link in links
            ],
        }
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
