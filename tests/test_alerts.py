"""Following a summary or a topic by email: double opt-in, one alert per publication,
one-click unsubscribe, retries without loss or duplicates, and the address's data."""

import json
import re
from datetime import timedelta
from io import StringIO
from unittest import mock, skipUnless

import psycopg
from django.core import mail, signing
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from summaries.alerts import tokens
from summaries.alerts.sending import expand_pending, send_pending
from summaries.editorial.services import draft_start_from, version_withdraw
from summaries.models import (
    AlertDelivery,
    AlertOutbox,
    Approach,
    Dimension,
    FollowKind,
    Problem,
    Subscription,
    SummaryVersion,
    UsedConfirmation,
)
from tests.factories import level, make_draft, make_live, publish


def confirm_link(message) -> str:
    [url] = re.findall(r"http://testserver(/follow/confirm/\S+/)", message.body)
    return url


@override_settings(SITE_URL="http://testserver")
class FollowFlowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("cctv", title="CCTV in car parks")
        cls.burglary = Problem.objects.create(name="Burglary", slug="burglary")
        cls.version.problems.add(cls.burglary)

    def setUp(self):
        cache.clear()

    def ask(self, email="reader@example.org", kind="summary", slug="cctv", **extra):
        # The confirmation is sent by a task once the request's work is committed.
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                "/follow/", {"email": email, "kind": kind, "slug": slug}, **extra
            )

    def test_summary_page_offers_to_follow(self):
        """The summary page has a follow form naming the summary."""
        response = self.client.get("/toolkit/cctv/")
        self.assertContains(response, "Follow this summary")
        self.assertContains(response, '<input type="hidden" name="slug" value="cctv">', html=True)

    def test_topic_page_offers_to_follow_the_topic(self):
        """Browsing one problem offers to follow new summaries about it; all summaries does not."""
        self.assertContains(
            self.client.get("/toolkit/?problem=burglary"), "Follow new summaries about Burglary"
        )
        self.assertNotContains(self.client.get("/toolkit/"), "Follow new summaries")

    def test_double_opt_in(self):
        """Asking sends a link and stores nothing; the link's button confirms the subscription."""
        response = self.ask()
        self.assertContains(response, "Check your inbox")
        self.assertFalse(Subscription.objects.exists())
        [message] = mail.outbox
        self.assertEqual(message.to, ["reader@example.org"])
        link = confirm_link(message)
        page = self.client.get(link)
        self.assertContains(page, "Confirm and follow")
        self.assertFalse(Subscription.objects.exists())  # a mail scanner's visit confirms nothing
        self.assertContains(self.client.post(link), "Confirmed: you follow")
        subscription = Subscription.objects.get()
        self.assertEqual((subscription.email, subscription.kind), ("reader@example.org", "summary"))
        again = self.client.post(link)  # twice: still one, and the page says why
        self.assertContains(again, "This link has been used", status_code=410)
        self.assertEqual(Subscription.objects.count(), 1)

    def test_a_confirmation_link_works_once(self):
        """Used, the link says so on its page and on its button, and after an unsubscribe it
        does not subscribe the address again."""
        self.ask()
        link = confirm_link(mail.outbox[0])
        self.assertContains(self.client.post(link), "Confirmed: you follow")
        self.assertContains(self.client.get(link), "This link has been used", status_code=410)
        subscription = Subscription.objects.get()
        unsubscribe = f"/follow/unsubscribe/{tokens.unsubscribe_token(subscription.pk)}/"
        self.assertContains(self.client.post(unsubscribe), "nsubscribed")
        self.assertFalse(Subscription.objects.exists())
        response = self.client.post(link)
        self.assertContains(response, "This link has been used", status_code=410)
        self.assertContains(response, 'href="/toolkit/cctv/"', status_code=410)
        self.assertFalse(Subscription.objects.exists())
        # A new request sends a new link, which works.
        self.ask()
        self.assertContains(self.client.post(confirm_link(mail.outbox[1])), "Confirmed")
        self.assertEqual(Subscription.objects.count(), 1)

    def test_used_links_are_forgotten_when_they_would_have_expired(self):
        """What is kept of a used link is a digest, not the address, and only for the
        link's lifetime."""
        self.ask()
        link = confirm_link(mail.outbox[0])
        self.client.post(link)
        [used] = UsedConfirmation.objects.all()
        self.assertNotIn("reader", used.digest)
        self.assertEqual(len(used.digest), 64)
        UsedConfirmation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        self.ask(email="other@example.org")
        self.client.post(confirm_link(mail.outbox[1]))
        self.assertEqual(UsedConfirmation.objects.count(), 1)  # the expired one went

    def test_confirmation_link_expires(self):
        """A confirmation link older than its lifetime confirms nothing."""
        self.ask()
        link = confirm_link(mail.outbox[0])
        with override_settings(FOLLOW_CONFIRM_MAX_AGE=-1):
            self.assertEqual(self.client.post(link).status_code, 400)
        self.assertFalse(Subscription.objects.exists())

    def test_forged_link_is_refused(self):
        """A link whose token was altered confirms nothing."""
        token = tokens.confirm_token(email="a@example.org", kind="summary", target_id=1)
        self.assertEqual(self.client.post(f"/follow/confirm/{token}x/").status_code, 400)
        self.assertEqual(self.client.post("/follow/unsubscribe/7:forged/").status_code, 400)

    def test_page_never_reveals_a_subscription(self):
        """Asking for a followed address answers exactly like a new one (and sends nothing)."""
        Subscription.objects.create(
            email="known@example.org",
            kind="summary",
            intervention=self.version.intervention,
            confirmed_at="2024-01-01T00:00Z",
        )
        known = self.ask(email="known@example.org").content
        new = self.ask(email="new@example.org").content
        self.assertEqual(known.replace(b"known@", b"X@"), new.replace(b"new@", b"X@"))
        self.assertEqual([m.to for m in mail.outbox], [["new@example.org"]])

    def test_bad_requests_are_400(self):
        """A bad address, an unknown summary or a draft's slug answers 400, storing nothing."""
        make_draft("secret")
        for data in (
            {"email": "not an address", "kind": "summary", "slug": "cctv"},
            {"email": "a@example.org", "kind": "summary", "slug": "secret"},
            {"email": "a@example.org", "kind": "nonsense", "slug": "cctv"},
            {"email": "a@example.org", "kind": "problem", "slug": "no-such"},
        ):
            with self.subTest(data=data):
                self.assertEqual(self.client.post("/follow/", data).status_code, 400)
        self.assertEqual(mail.outbox, [])

    @override_settings(FOLLOW_THROTTLE_PER_ADDRESS={"limit": 2, "period": 3600})
    def test_throttled_per_address_silently(self):
        """Past the limit for one address no more emails go out, and the page is the same."""
        for _ in range(4):
            self.assertContains(self.ask(), "Check your inbox")
        self.assertEqual(len(mail.outbox), 2)

    @override_settings(FOLLOW_THROTTLE_PER_CLIENT={"limit": 3, "period": 3600})
    def test_throttled_per_client(self):
        """One client asking for many addresses is told to wait (429, Retry-After)."""
        for n in range(3):
            self.ask(email=f"r{n}@example.org")
        response = self.ask(email="r9@example.org")
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)
        self.assertEqual(len(mail.outbox), 3)

    def test_follow_a_problem(self):
        """Following a problem confirms a topic subscription."""
        self.ask(kind="problem", slug="burglary")
        self.client.post(confirm_link(mail.outbox[0]))
        self.assertEqual(Subscription.objects.get().problem, self.burglary)


@override_settings(SITE_URL="https://toolkit.example")
class AlertSendingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.v1 = make_live("cctv", title="CCTV in car parks")
        SummaryVersion.objects.filter(pk=cls.v1.pk).update(
            effect_rating=level(Dimension.EFFECT, "reduced"),
            quality_rating=level(Dimension.QUALITY, "moderate"),
        )
        cls.burglary = Problem.objects.create(name="Burglary", slug="burglary")
        cls.cbt = Approach.objects.create(name="CBT", slug="cbt")
        cls.follower = Subscription.objects.create(
            email="reader@example.org",
            kind=FollowKind.SUMMARY,
            intervention=cls.v1.intervention,
            confirmed_at="2024-01-01T00:00Z",
        )
        cls.topic_follower = Subscription.objects.create(
            email="topics@example.org",
            kind=FollowKind.PROBLEM,
            problem=cls.burglary,
            confirmed_at="2024-01-01T00:00Z",
        )
        # Following both the problem and the approach: one email per new summary.
        Subscription.objects.create(
            email="topics@example.org",
            kind=FollowKind.APPROACH,
            approach=cls.cbt,
            confirmed_at="2024-01-01T00:00Z",
        )
        AlertOutbox.objects.all().delete()  # the first publication's, before anyone followed

    def publish_update(self):
        draft = draft_start_from(version=self.v1, change_note="A new review changes the effect.")
        draft.effect_rating = level(Dimension.EFFECT, "no-effect")
        draft.save()
        return publish(draft)

    def test_publishing_writes_an_outbox_row_and_sends_nothing(self):
        """Publishing queues the alert in its transaction; no email until the command runs."""
        self.publish_update()
        self.assertEqual(AlertOutbox.objects.filter(expanded_at__isnull=True).count(), 1)
        self.assertEqual(mail.outbox, [])

    def test_update_email_says_what_changed(self):
        """The alert gives the ratings before and after, the change note, a link and unsubscribe."""
        v2 = self.publish_update()
        out = StringIO()
        call_command("send_alerts", stdout=out)
        self.assertIn("1 sent", out.getvalue())
        [message] = mail.outbox
        self.assertEqual(message.to, ["reader@example.org"])
        self.assertEqual(message.subject, f"Updated: CCTV in car parks (version {v2.number})")
        body = message.body
        self.assertRegex(body, r"Effect: .+ -> .+")
        self.assertIn("(unchanged)", body)  # quality did not move
        self.assertIn("What changed: A new review changes the effect.", body)
        self.assertIn("https://toolkit.example/toolkit/cctv/", body)
        self.assertIn("https://toolkit.example/toolkit/cctv/v/2/", body)
        unsubscribe = message.extra_headers["List-Unsubscribe"]
        self.assertRegex(unsubscribe, r"^<https://toolkit\.example/follow/unsubscribe/[^>]+/>$")
        self.assertEqual(
            message.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
        )
        self.assertIn(unsubscribe[1:-1], body)
        self.assertNotRegex(body, r"<img|utm_|track")  # no tracking

    def test_one_click_unsubscribe_deletes_the_address(self):
        """A POST to the List-Unsubscribe address deletes the subscription and its alerts."""
        self.publish_update()
        expand_pending()
        send_pending()
        message_url = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1]
        path = message_url.removeprefix("https://toolkit.example")
        self.assertContains(self.client.get(path), "Unsubscribe")
        self.assertTrue(Subscription.objects.filter(pk=self.follower.pk).exists())
        self.assertContains(self.client.post(path), "Unsubscribed")
        self.assertFalse(Subscription.objects.filter(email="reader@example.org").exists())
        self.assertFalse(AlertDelivery.objects.filter(subscription_id=self.follower.pk).exists())
        self.assertContains(self.client.post(path), "Unsubscribed")  # again: same answer

    def test_new_summary_in_a_followed_topic(self):
        """A new summary about a followed problem and approach sends that follower one email."""
        draft = make_draft("locks", title="Better locks")
        draft.problems.add(self.burglary)
        draft.approaches.add(self.cbt)
        publish(draft)
        call_command("send_alerts", stdout=StringIO())
        [message] = mail.outbox
        self.assertEqual(message.to, ["topics@example.org"])
        self.assertEqual(message.subject, "New summary: Better locks")

    def test_update_of_a_topic_summary_does_not_alert_topic_followers(self):
        """Topic followers hear of new summaries, not of updates to old ones."""
        self.v1.problems.add(self.burglary)
        self.publish_update()
        call_command("send_alerts", stdout=StringIO())
        self.assertEqual([m.to for m in mail.outbox], [["reader@example.org"]])

    def test_failed_send_is_retried_and_not_duplicated(self):
        """A send that fails stays pending; the next run sends it once; later runs send nothing."""
        self.publish_update()
        with mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=ConnectionError("mail server down"),
        ):
            call_command("send_alerts", stdout=StringIO())
        self.assertEqual(mail.outbox, [])
        delivery = AlertDelivery.objects.get()
        self.assertIsNone(delivery.sent_at)
        self.assertEqual(delivery.attempts, 1)
        self.assertIn("mail server down", delivery.last_error)
        call_command("send_alerts", stdout=StringIO())
        call_command("send_alerts", stdout=StringIO())
        self.assertEqual(len(mail.outbox), 1)
        self.assertIsNotNone(AlertDelivery.objects.get().sent_at)

    def test_withdrawn_before_sending_is_not_announced(self):
        """A version withdrawn before its alert went out is never emailed (live content only)."""
        v2 = self.publish_update()
        version_withdraw(version=v2, reason="Error found.")
        call_command("send_alerts", stdout=StringIO())
        self.assertEqual(mail.outbox, [])

    def test_draft_marker_never_reaches_an_email(self):
        """An open draft's text never appears in an alert about the live version."""
        v2 = self.publish_update()
        draft = draft_start_from(version=v2)
        draft.title = "zqxmarker title"
        draft.change_note = "zqxmarker change note"
        draft.save()
        call_command("send_alerts", stdout=StringIO())
        self.assertNotIn("zqxmarker", mail.outbox[0].body + mail.outbox[0].subject)

    def test_who_follows_after_a_publication_is_not_alerted_of_it(self):
        """An address confirmed after a publication (before the command ran) gets no alert of it."""
        self.publish_update()
        Subscription.objects.filter(pk=self.follower.pk).update(confirmed_at=timezone.now())
        call_command("send_alerts", stdout=StringIO())
        self.assertEqual(mail.outbox, [])

    def test_subscriber_data_export_and_delete(self):
        """The command exports everything held for an address as JSON, then deletes it all."""
        out = StringIO()
        call_command("subscriber_data", "export", "Topics@Example.org", stdout=out)
        data = json.loads(out.getvalue())
        self.assertEqual(data["email"], "topics@example.org")
        self.assertEqual({s["follows"] for s in data["subscriptions"]}, {"problem", "approach"})
        call_command("subscriber_data", "delete", "topics@example.org", stdout=StringIO())
        self.assertFalse(Subscription.objects.filter(email="topics@example.org").exists())
        self.assertTrue(Subscription.objects.filter(email="reader@example.org").exists())


class TokenTests(TestCase):
    def test_unsubscribe_token_is_signed(self):
        """An unsubscribe token names its subscription and cannot be forged for another."""
        token = tokens.unsubscribe_token(42)
        self.assertEqual(tokens.read_unsubscribe_token(token), 42)
        self.assertIsNone(tokens.read_unsubscribe_token(token.replace("42", "43", 1)))
        with self.assertRaises(signing.BadSignature):
            signing.Signer(salt=tokens.CONFIRM_SALT).unsign(token)


@skipUnless(connection.vendor == "postgresql", "row locks: needs PostgreSQL")
@override_settings(SITE_URL="https://toolkit.example")
class ConcurrentSenderTests(TransactionTestCase):
    """Two senders at once (two cron runs overlapping) never take the same alert."""

    serialized_rollback = True

    def test_a_locked_delivery_is_skipped_not_sent_twice(self):
        """While another sender holds one delivery, this one sends the others only."""
        version = make_live("cctv", title="CCTV")
        for email in ("a@example.org", "b@example.org"):
            Subscription.objects.create(
                email=email,
                kind=FollowKind.SUMMARY,
                intervention=version.intervention,
                confirmed_at="2024-01-01T00:00Z",
            )
        AlertOutbox.objects.all().delete()  # the first publication's
        publish(draft_start_from(version=version, change_note="Again."))
        expand_pending()
        first, second = AlertDelivery.objects.order_by("id")
        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=db["NAME"],
        ) as other:
            other.execute(
                "SELECT 1 FROM summaries_alertdelivery WHERE id = %s FOR UPDATE", [first.pk]
            )
            result = send_pending()
            self.assertEqual((result.sent, result.failed), (1, 0))
            self.assertEqual([m.to for m in mail.outbox], [[second.subscription.email]])
            other.rollback()
        self.assertEqual(send_pending().sent, 1)
        self.assertEqual(send_pending().sent, 0)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["a@example.org", "b@example.org"])
