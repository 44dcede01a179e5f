"""Background tasks: queued with the write they belong to, run by the worker after the
response, retried with backoff when they fail, and never lost."""

import sqlite3
import time
from contextlib import closing
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessLog
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from summaries.alerts.tasks import send_alert_delivery, send_alerts
from summaries.editorial.notifications import email_notification
from summaries.editorial.services import draft_start_from, version_schedule, version_submit
from summaries.editorial.tasks import publish_scheduled
from summaries.models import (
    AlertDelivery,
    AlertOutbox,
    FollowKind,
    Notification,
    NotificationPreference,
    State,
    Subscription,
    SummaryVersion,
)
from summaries.tasks.housekeeping import clean_up
from summaries.tasks.periodic import ensure_scheduled, heartbeat, next_run
from summaries.tasks.queue import ATTEMPT, retry_delay
from tests.factories import make_complete_draft, make_live, make_user, publish, send_to_review
from tests.helpers import run_queued_tasks
from tests.processes import (
    ON_POSTGRESQL,
    MailServer,
    SiteDatabase,
    free_port,
    postgres_connect,
    wait_for,
)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Nothing listens there: every send fails as with a mail server that is down.
MAIL_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": free_port(),
    "EMAIL_USE_TLS": False,
    "EMAIL_TIMEOUT": 2,
}


def email_tasks():
    return DBTaskResult.objects.filter(task_path=email_notification.module_path)


@override_settings(TASKS=DATABASE_TASKS, TASK_RETRY_BASE_SECONDS=30)
class QueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=[Group.objects.get(name="Editors")])
        cls.reviewer = make_user("reviewer", groups=[Group.objects.get(name="Reviewers")])
        cls.reviewer.email = "reviewer@example.org"
        cls.reviewer.save()

    def submit(self):
        draft = make_complete_draft(user=self.editor)
        return version_submit(version=draft, user=self.editor, change_note="First.")

    def test_a_notification_email_is_queued_not_sent(self):
        """Submitting queues the reviewer's email in the same transaction and sends
        nothing while the request runs."""
        with override_settings(**MAIL_DOWN):  # a send now would raise
            self.submit()
        self.assertEqual(len(mail.outbox), 0)
        queued = email_tasks().get()
        self.assertEqual(queued.status, TaskResultStatus.READY)

    def test_a_rolled_back_transition_queues_nothing(self):
        """A transition that fails after its notification was written tells nobody."""
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.submit()
            raise RuntimeError("the transition failed")
        self.assertFalse(email_tasks().exists())

    def test_the_worker_sends_it(self):
        """The worker sends the queued email to the reviewer."""
        self.submit()
        run_queued_tasks()
        self.assertEqual([m.to for m in mail.outbox], [["reviewer@example.org"]])
        self.assertIn("Waiting for your review", mail.outbox[0].subject)
        self.assertEqual(email_tasks().get().status, TaskResultStatus.SUCCESSFUL)

    def test_a_failed_send_is_retried_later(self):
        """A send the mail server refuses fails this run and queues the next one, about
        TASK_RETRY_BASE_SECONDS later; the failure is logged and kept with its traceback."""
        self.submit()
        with override_settings(**MAIL_DOWN), self.assertLogs("summaries.tasks", "WARNING") as logs:
            run_queued_tasks()
        failed = email_tasks().get(status=TaskResultStatus.FAILED)
        self.assertIn("ConnectionRefusedError", failed.traceback)
        retry = email_tasks().get(status=TaskResultStatus.READY)
        self.assertEqual(retry.args_kwargs["kwargs"][ATTEMPT], 2)
        wait = (retry.run_after - timezone.now()).total_seconds()
        self.assertTrue(25 < wait <= 33, wait)
        self.assertIn("attempt 1 of 10", logs.output[0])
        # When its time comes and the mail server is back, it is sent.
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        run_queued_tasks()
        self.assertEqual([m.to for m in mail.outbox], [["reviewer@example.org"]])

    def test_backoff_doubles_up_to_a_cap(self):
        """Each retry waits about twice as long as the one before, never over the cap."""
        with override_settings(TASK_RETRY_BASE_SECONDS=30, TASK_RETRY_MAX_SECONDS=3600):
            for attempt, expected in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (9, 3600)]:
                with self.subTest(attempt=attempt):
                    self.assertAlmostEqual(retry_delay(attempt), expected, delta=expected * 0.1)

    def test_the_last_attempt_is_logged_as_an_error_and_kept(self):
        """After its last attempt a task is not queued again: an error is logged (it
        reaches ADMINS or Sentry) and the failed run stays in the table."""
        self.submit()
        notification_id = email_tasks().get().args_kwargs["args"][0]
        email_tasks().delete()
        email_notification.enqueue(notification_id, **{ATTEMPT: 10})
        with override_settings(**MAIL_DOWN), self.assertLogs("summaries.tasks", "ERROR") as logs:
            run_queued_tasks()
        self.assertIn("last attempt (10 of 10)", logs.output[0])
        self.assertEqual(email_tasks().get().status, TaskResultStatus.FAILED)

    def test_email_turned_off_since_is_not_sent(self):
        """A user who turned email off before the task ran gets nothing."""
        self.submit()
        NotificationPreference.objects.update_or_create(
            user=self.reviewer, defaults={"email": False}
        )
        run_queued_tasks()
        self.assertEqual(mail.outbox, [])


@override_settings(TASKS=DATABASE_TASKS)
class PeriodicTests(TestCase):
    def test_each_periodic_task_has_one_run_waiting(self):
        """The worker's start queues the heartbeat at once; a second call queues nothing
        more; its run queues the next a minute later."""
        self.assertIn("summaries.tasks.periodic.heartbeat", ensure_scheduled(starting=True))
        self.assertEqual(ensure_scheduled(starting=True), [])
        run_queued_tasks()
        beats = DBTaskResult.objects.filter(task_path=heartbeat.module_path)
        self.assertEqual(beats.filter(status=TaskResultStatus.SUCCESSFUL).count(), 1)
        waiting = beats.get(status=TaskResultStatus.READY)
        self.assertAlmostEqual((waiting.run_after - timezone.now()).total_seconds(), 60, delta=5)

    def test_daily_runs_at_the_next_time_of_day(self):
        """A daily task runs at its time today if that is still to come, else tomorrow."""
        now = timezone.make_aware(timezone.datetime(2026, 3, 2, 12, 0))
        self.assertEqual(
            next_run({"daily_at": "13:30"}, now=now), now + timedelta(hours=1, minutes=30)
        )
        self.assertEqual(
            next_run({"daily_at": "03:30"}, now=now), now + timedelta(hours=15, minutes=30)
        )


SUBMIT_FOR_REVIEW = """
from django.contrib.auth.models import Group
from summaries.editorial.services import version_submit
from summaries.models import NotificationPreference
from tests.factories import make_complete_draft, make_live, make_user, publish, send_to_review
for name in ("rita", "rob"):
    user = make_user(name, groups=[Group.objects.get(name="Reviewers")])
    user.email = f"{name}@example.org"
    user.save()
editor = make_user("ed", groups=[Group.objects.get(name="Editors")])
draft = make_complete_draft("queued-mail", user=editor)
version_submit(version=draft, user=editor, change_note="First.")
"""


@pytest.mark.slow  # a worker process, a mail server stopped and started
class RealWorkerTests(SimpleTestCase):
    """The worker as a process of its own, over a database of its own, sending through a
    real SMTP server that is down at first."""

    def setUp(self):
        self.mail_port = free_port()
        self.site = SiteDatabase(
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.mail_port),
            EMAIL_USE_TLS="0",
            EMAIL_TIMEOUT="5",
            TASK_RETRY_BASE_SECONDS="1",
        )
        self.addCleanup(self.site.drop)

    def count(self, status: str) -> int:
        sql = (
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            f"WHERE status = '{status}' AND task_path LIKE '%email_notification'"
        )
        if ON_POSTGRESQL:
            with postgres_connect(self.site.name) as db:
                return db.execute(sql).fetchone()[0]
        with closing(sqlite3.connect(self.site.workdir / "db.sqlite3")) as db:
            return db.execute(sql).fetchone()[0]

    def test_mail_queued_while_the_server_was_down_arrives_once_it_is_up(self):
        """Two reviewers' emails fail while the mail server is down, are retried by the
        worker with backoff, and arrive once each when it is back."""
        self.site.shell(SUBMIT_FOR_REVIEW)
        worker = self.site.start("run_worker", "--interval=0.2")
        try:
            wait_for(lambda: self.count("FAILED") >= 2, timeout=60, what="two failed sends")
            with MailServer(port=self.mail_port) as server:
                wait_for(lambda: len(server.messages) >= 2, timeout=60, what="two emails")
                time.sleep(1.5)  # any duplicate would come now
                self.assertEqual(
                    sorted(m["To"] for m in server.messages),
                    ["rita@example.org", "rob@example.org"],
                )
                self.assertTrue(
                    all(m["Subject"].startswith("Waiting for your review") for m in server.messages)
                )
        finally:
            output = self.site.stop(worker)
        self.assertIn("retried in", output)
        self.assertEqual(self.count("SUCCESSFUL"), 2)


@override_settings(TASKS=DATABASE_TASKS, SITE_URL="http://testserver")
class AlertTaskTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.v1 = make_live("cctv", title="CCTV in car parks")
        Subscription.objects.create(
            email="reader@example.org",
            kind=FollowKind.SUMMARY,
            intervention=cls.v1.intervention,
            confirmed_at="2024-01-01T00:00Z",
        )
        AlertOutbox.objects.all().delete()

    def publish_update(self):
        return publish(draft_start_from(version=self.v1, change_note="New evidence."))

    def test_the_worker_sends_alerts_every_minute(self):
        """The periodic alerts task sends a publication's alert, and is queued again."""
        self.publish_update()
        send_alerts.enqueue()
        run_queued_tasks()
        self.assertEqual([m.to for m in mail.outbox], [["reader@example.org"]])
        waiting = DBTaskResult.objects.filter(
            task_path=send_alerts.module_path, status=TaskResultStatus.READY
        ).get()
        self.assertAlmostEqual((waiting.run_after - timezone.now()).total_seconds(), 60, delta=5)

    def test_a_failed_alert_is_retried_with_backoff_and_sent_once(self):
        """An alert the mail server fails gets a task of its own, retried later; once the
        server is back it is sent, once."""
        self.publish_update()
        send_alerts.enqueue()
        with override_settings(**MAIL_DOWN), self.assertLogs("summaries", "WARNING"):
            run_queued_tasks()  # the periodic send, then the delivery's own task
        delivery = AlertDelivery.objects.get()
        self.assertEqual((delivery.sent_at, delivery.attempts), (None, 2))
        retry = DBTaskResult.objects.get(
            task_path=send_alert_delivery.module_path, status=TaskResultStatus.READY
        )
        self.assertGreater(retry.run_after, timezone.now() + timedelta(seconds=20))
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        run_queued_tasks()
        self.assertEqual([m.to for m in mail.outbox], [["reader@example.org"]])
        send_alerts.call()
        self.assertEqual(len(mail.outbox), 1)


@override_settings(TASKS=DATABASE_TASKS)
class ScheduledPublicationTaskTests(TestCase):
    def test_scheduling_queues_the_publication_for_its_time(self):
        """Scheduling queues a task for the chosen time that publishes the version then."""
        reviewer = make_user("reviewer", groups=[Group.objects.get(name="Reviewers")])
        version = send_to_review(make_complete_draft("lamps"))
        at = timezone.now() + timedelta(hours=2)
        version_schedule(version=version, user=reviewer, publish_at=at)
        queued = DBTaskResult.objects.get(task_path=publish_scheduled.module_path)
        self.assertEqual(queued.run_after, at)
        self.assertEqual(run_queued_tasks(), 0)  # not before its time
        SummaryVersion.objects.filter(pk=version.pk).update(
            publish_at=timezone.now() - timedelta(seconds=1)
        )
        DBTaskResult.objects.filter(pk=queued.pk).update(run_after=timezone.now())
        run_queued_tasks()
        version.refresh_from_db()
        self.assertEqual(version.state, State.PUBLISHED)


@override_settings(TASKS=DATABASE_TASKS)
class HousekeepingTests(TestCase):
    def test_old_records_go_recent_ones_stay(self):
        """Each kind of record is deleted after its retention period, not before."""
        old, recent = timezone.now() - timedelta(days=400), timezone.now() - timedelta(hours=1)
        Session.objects.create(session_key="a" * 32, session_data="", expire_date=old)
        Session.objects.create(
            session_key="b" * 32, session_data="", expire_date=timezone.now() + timedelta(days=1)
        )
        for when in (old, recent):
            log = AccessLog.objects.create(
                username="u", ip_address="127.0.0.1", user_agent="", http_accept="", path_info=""
            )
            AccessLog.objects.filter(pk=log.pk).update(attempt_time=when)
        user = make_user("reader")
        version = make_live("lamps")
        DBTaskResult.objects.all().delete()  # its pages' rebuild, queued with the publication
        for read_at in (old, recent, None):
            Notification.objects.create(
                user=user, version=version, kind="published", message="m", url="/", read_at=read_at
            )
        for finished_at, status in [(old, "SUCCESSFUL"), (recent, "SUCCESSFUL"), (old, "FAILED")]:
            result = heartbeat.enqueue()
            DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=finished_at)
        done = clean_up()
        self.assertEqual(Session.objects.count(), 1)
        self.assertEqual(AccessLog.objects.count(), 1)
        self.assertEqual(Notification.objects.count(), 2)
        self.assertEqual(DBTaskResult.objects.count(), 1)
        self.assertEqual(done["task records"], 2)

    def test_a_task_abandoned_by_its_worker_is_queued_again(self):
        """A task still "running" an hour after its start (its worker was killed) is
        queued again with the same arguments; the abandoned run is marked failed."""
        result = email_notification.enqueue(123)
        DBTaskResult.objects.filter(pk=result.id).update(
            status="RUNNING", started_at=timezone.now() - timedelta(minutes=61)
        )
        with self.assertLogs("summaries.tasks", "WARNING"):
            self.assertEqual(clean_up()["abandoned tasks requeued"], 1)
        again = email_tasks().get(status=TaskResultStatus.READY)
        self.assertEqual(again.args_kwargs["args"], [123])
        self.assertIn("AbandonedTask", email_tasks().get(pk=result.id).traceback)

    def test_the_command_reports_what_it_did(self):
        """`manage.py housekeeping` runs the same clean-up and says what it deleted."""
        out = StringIO()
        call_command("housekeeping", stdout=out)
        self.assertIn("sign-in records", out.getvalue())
