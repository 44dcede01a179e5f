"""The follow form's confirmation email is sent by a task after the response: a slow,
refusing or stopped mail server never fails or slows the request, and the time the
request takes says nothing about whether the address follows already."""

import statistics
import time

import pytest
from django.core import mail
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from summaries.alerts.tasks import send_follow_confirmation
from summaries.models import FollowKind, Subscription
from tests.factories import make_live
from tests.helpers import run_queued_tasks
from tests.processes import MailServer, free_port, mail_settings

# A real SMTP server, and timings compared: run one at a time (make test).
pytestmark = pytest.mark.slow


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NO_LIMITS = {
    "FOLLOW_THROTTLE_PER_CLIENT": {"limit": 1000, "period": 3600},
    "FOLLOW_THROTTLE_PER_ADDRESS": {"limit": 1000, "period": 3600},
}


def confirmation_tasks():
    return DBTaskResult.objects.filter(task_path=send_follow_confirmation.module_path)


@override_settings(TASKS=DATABASE_TASKS, SITE_URL="http://testserver", **NO_LIMITS)
class FollowConfirmationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("cctv", title="CCTV in car parks")
        cls.followers = [f"follower{n}@example.org" for n in range(12)]
        cls.others = [f"newcomer{n}@example.org" for n in range(12)]
        Subscription.objects.bulk_create(
            Subscription(
                email=email,
                kind=FollowKind.SUMMARY,
                intervention=cls.version.intervention,
                confirmed_at=timezone.now(),
            )
            for email in cls.followers
        )

    def ask(self, email):
        started = time.perf_counter()
        response = self.client.post("/follow/", {"email": email, "kind": "summary", "slug": "cctv"})
        return response, time.perf_counter() - started

    def test_followed_and_unfollowed_addresses_take_the_same_time(self):
        """Against a mail server that takes 300 ms, asking for 12 followed and 12 new
        addresses (interleaved) gives the same page in the same time, well under 300 ms;
        the worker then sends the 12 new addresses their link and the followers nothing."""
        with MailServer(delay=0.3) as server, override_settings(**server.settings):
            self.ask("warm-up@example.org")  # first-request costs out of the figures
            times = {"followed": [], "new": []}
            pages = set()
            for followed, new in zip(self.followers, self.others, strict=True):
                for kind, email in (("followed", followed), ("new", new)):
                    response, seconds = self.ask(email)
                    self.assertEqual(response.status_code, 200)
                    pages.add(response.content.replace(email.encode(), b"ADDRESS"))
                    times[kind].append(seconds)
            self.assertEqual(len(pages), 1, "the page differs between followed and new")
            medians = {kind: statistics.median(values) for kind, values in times.items()}
            self.assertLess(abs(medians["followed"] - medians["new"]), 0.05, medians)
            self.assertLess(max(times["new"]), 0.3, times["new"])  # no SMTP in the request
            self.assertEqual(mail.outbox, [])
            run_queued_tasks()
            recipients = sorted(m["To"] for m in server.messages)
        self.assertEqual(recipients, sorted([*self.others, "warm-up@example.org"]))

    def test_a_stopped_mail_server_is_logged_and_retried(self):
        """With the mail server down the reader gets the usual page; the send fails in the
        worker, is logged and queued again, and goes out once the server is back."""
        port = free_port()
        with override_settings(**mail_settings(port)):
            response, _ = self.ask("reader@example.org")
            self.assertContains(response, "Check your inbox")
            with self.assertLogs("summaries.tasks", "WARNING") as logs:
                run_queued_tasks()
            self.assertIn("send_follow_confirmation failed (attempt 1 of 10)", logs.output[0])
            retry = confirmation_tasks().get(status=TaskResultStatus.READY)
            DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
            with MailServer(port=port) as server:
                run_queued_tasks()
            self.assertEqual([m["To"] for m in server.messages], ["reader@example.org"])

    def test_a_refused_recipient_is_logged_and_retried(self):
        """A mail server that refuses the recipient (550) costs the reader nothing: the
        page is the usual one, and the failure is logged and retried."""
        with MailServer(refuse=True) as server, override_settings(**server.settings):
            response, _ = self.ask("nobody@example.org")
            self.assertContains(response, "Check your inbox")
            with self.assertLogs("summaries.tasks", "WARNING") as logs:
                run_queued_tasks()
        self.assertIn("SMTPRecipientsRefused", confirmation_tasks().get(status="FAILED").traceback)
        self.assertIn("retried in", logs.output[0])
        self.assertTrue(confirmation_tasks().filter(status=TaskResultStatus.READY).exists())

    def test_over_the_address_limit_sends_nothing(self):
        """Past the address's limit the task sends nothing, and the page is the same."""
        with (
            MailServer() as server,
            override_settings(
                **server.settings, FOLLOW_THROTTLE_PER_ADDRESS={"limit": 1, "period": 3600}
            ),
        ):
            for _ in range(3):
                self.assertContains(self.ask("eager@example.org")[0], "Check your inbox")
            run_queued_tasks()
        self.assertEqual(len(server.messages), 1)
