"""Email alerts: who follows what, and the outbox that publishing writes to.

Personal data is kept to what alerts need: an address and what it follows, from the
moment its owner confirms (an unconfirmed request is held nowhere but in the signed
link emailed to them). Unsubscribing deletes the row, and with it any alert still
waiting for it.

Publishing never sends mail: ``editorial/services.version_publish`` writes one
``AlertOutbox`` row in its own transaction (so an alert exists exactly when the
publication does), and ``manage.py send_alerts``, run by cron, turns each row into one
``AlertDelivery`` per address and sends them, marking each sent in the transaction that
follows its successful send.
"""

from django.db import models
from django.db.models import Q

from .versions import Intervention, SummaryVersion
from .vocabularies import Approach, Problem


class FollowKind(models.TextChoices):
    SUMMARY = "summary", "A summary"
    PROBLEM = "problem", "A problem"
    APPROACH = "approach", "An approach"


class Subscription(models.Model):
    """One confirmed address following one summary, problem or approach."""

    email = models.EmailField("email address", max_length=254)
    kind = models.CharField("follows", max_length=10, choices=FollowKind)
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    approach = models.ForeignKey(
        Approach, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField("confirmed")

    class Meta:
        ordering = ["email", "id"]
        constraints = [
            # Exactly the target its kind names.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=FollowKind.SUMMARY,
                        intervention__isnull=False,
                        problem__isnull=True,
                        approach__isnull=True,
                    )
                    | Q(
                        kind=FollowKind.PROBLEM,
                        intervention__isnull=True,
                        problem__isnull=False,
                        approach__isnull=True,
                    )
                    | Q(
                        kind=FollowKind.APPROACH,
                        intervention__isnull=True,
                        problem__isnull=True,
                        approach__isnull=False,
                    )
                ),
                name="subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["email", "intervention"],
                condition=Q(kind=FollowKind.SUMMARY),
                name="subscription_unique_summary",
            ),
            models.UniqueConstraint(
                fields=["email", "problem"],
                condition=Q(kind=FollowKind.PROBLEM),
                name="subscription_unique_problem",
            ),
            models.UniqueConstraint(
                fields=["email", "approach"],
                condition=Q(kind=FollowKind.APPROACH),
                name="subscription_unique_approach",
            ),
        ]

    def __str__(self):
        return f"{self.email} follows {self.target}"

    @property
    def target(self):
        return {
            FollowKind.SUMMARY: self.intervention,
            FollowKind.PROBLEM: self.problem,
            FollowKind.APPROACH: self.approach,
        }[FollowKind(self.kind)]


class UsedConfirmation(models.Model):
    """A confirmation link that has been used, so it works once.

    Only a digest of the link's token is kept (never the address it carries), and only
    until the link would have expired anyway: after that the signature refuses it.
    Unsubscribing deletes the subscription but not this row, so the old link cannot
    subscribe the address again.
    """

    digest = models.CharField("token digest", max_length=64, unique=True)
    expires_at = models.DateTimeField("forgotten after")

    class Meta:
        ordering = ["expires_at"]
        indexes = [models.Index(fields=["expires_at"], name="usedconfirmation_expiry")]

    def __str__(self):
        return f"confirmation link {self.digest[:12]}…"


class AlertOutbox(models.Model):
    """A publication whose alerts are still to be worked out and sent."""

    version = models.ForeignKey(SummaryVersion, on_delete=models.CASCADE, related_name="+")
    # The version it replaced (for "before and after"), none for a first publication.
    previous = models.ForeignKey(
        SummaryVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When its deliveries were written (one per address); then it is done with.
    expanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(expanded_at__isnull=True), name="alertoutbox_pending"
            )
        ]

    def __str__(self):
        return f"Alerts for {self.version}"


class AlertDelivery(models.Model):
    """One email about one publication to one address (through one of its subscriptions)."""

    outbox = models.ForeignKey(AlertOutbox, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["outbox", "subscription"], name="alertdelivery_unique")
        ]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(sent_at__isnull=True), name="alertdelivery_pending"
            )
        ]

    def __str__(self):
        return f"{self.outbox} to {self.subscription.email}"
