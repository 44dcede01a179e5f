"""The editorial workflow's services: transitions, their rules, the audit log, scheduling."""

from datetime import timedelta
from io import StringIO
from unittest import mock

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import IntegrityError
from django.test import TestCase
from django.utils import timezone

from summaries.editorial import services
from summaries.editorial.services import (
    NotAllowed,
    ServiceError,
    SubmitRefused,
    draft_start_from,
    publish_due,
    version_archive,
    version_publish,
    version_request_changes,
    version_restore_as_draft,
    version_schedule,
    version_submit,
    version_unschedule,
    version_withdraw,
)
from summaries.models import AuditAction, AuditEvent, SectionKind, State, SummaryVersion
from tests.factories import make_complete_draft, make_draft, make_live, make_user, publish


def role(name):
    return Group.objects.get(name=name)


class WorkflowTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=[role("Editors")])
        cls.reviewer = make_user("reviewer", groups=[role("Reviewers")])
        cls.reviewer2 = make_user("reviewer2", groups=[role("Reviewers")])
        cls.admin = make_user("admin", superuser=True)

    def fresh(self, version):
        return SummaryVersion.objects.get(pk=version.pk)

    def events(self, version):
        return list(
            AuditEvent.objects.filter(version=version)
            .order_by("id")
            .values_list("action", "actor__username", "from_state", "to_state", "comment")
        )


class SubmitTests(WorkflowTestCase):
    def test_submit_moves_to_review_and_records_who(self):
        """Submitting puts the draft in review with its change note, submitter and time."""
        draft = make_complete_draft(user=self.editor)
        version_submit(version=draft, user=self.editor, change_note="  New review added. ")
        draft = self.fresh(draft)
        self.assertEqual(draft.state, State.IN_REVIEW)
        self.assertEqual(draft.change_note, "New review added.")
        self.assertEqual(draft.submitted_by, self.editor)
        self.assertIsNotNone(draft.submitted_at)
        self.assertEqual(
            self.events(draft)[-1],
            ("submit", "editor", "draft", "in_review", "New review added."),
        )

    def test_incomplete_draft_lists_every_problem_at_once(self):
        """An incomplete draft is refused with every missing piece named, and stays a draft."""
        draft = make_draft(standfirst="", sections={SectionKind.FOCUS: "<p> </p>"})
        with self.assertRaises(SubmitRefused) as caught:
            version_submit(version=draft, user=self.editor, change_note="")
        problems = caught.exception.problems
        self.assertIn("Add a standfirst (one sentence saying what the intervention is).", problems)
        for kind in SectionKind:
            self.assertIn(f"Write the section “{kind.label}”.", problems)
        self.assertIn("Choose the effect rating.", problems)
        self.assertIn("Choose the quality of evidence rating.", problems)
        self.assertIn("Choose the update status: is the summary up to date?", problems)
        self.assertIn("Add at least one systematic review to the evidence base.", problems)
        self.assertIn("Write a change note: what changed in this version and why.", problems)
        self.assertEqual(len(problems), 15)
        self.assertEqual(self.fresh(draft).state, State.DRAFT)
        self.assertEqual(self.events(draft), [("create", None, "", "draft", "")])

    def test_drafts_save_incomplete(self):
        """A draft with only a title saves: validation waits for submission."""
        draft = make_draft(standfirst="", sections={})
        draft.title = "Work in progress"
        draft.save()
        self.assertEqual(self.fresh(draft).title, "Work in progress")

    def test_version_in_review_cannot_be_submitted_again(self):
        """Only a draft or a version sent back can be submitted."""
        draft = make_complete_draft()
        version_submit(version=draft, user=self.editor, change_note="x")
        with self.assertRaisesMessage(ServiceError, "version 1 is in review"):
            version_submit(version=draft, user=self.editor, change_note="x")


class ReviewTests(WorkflowTestCase):
    def setUp(self):
        self.draft = make_complete_draft(user=self.editor)
        version_submit(version=self.draft, user=self.editor, change_note="First version.")

    def test_request_changes_needs_a_comment(self):
        """Sending a draft back without saying why is refused."""
        with self.assertRaisesMessage(ServiceError, "comment is required"):
            version_request_changes(version=self.draft, user=self.reviewer, comment="  ")
        self.assertEqual(self.fresh(self.draft).state, State.IN_REVIEW)

    def test_request_changes_then_resubmit_then_publish(self):
        """The round trip: changes requested, fixed, resubmitted, published by a reviewer."""
        version_request_changes(
            version=self.draft, user=self.reviewer, comment="Cite the second review."
        )
        draft = self.fresh(self.draft)
        self.assertEqual(
            (draft.state, draft.review_comment),
            (State.CHANGES_REQUESTED, "Cite the second review."),
        )
        version_submit(version=draft, user=self.editor, change_note="Second review cited.")
        version_publish(version=draft, user=self.reviewer)
        draft = self.fresh(draft)
        self.assertEqual((draft.state, draft.published_by), (State.PUBLISHED, self.reviewer))
        self.assertEqual(
            [event[:2] for event in self.events(draft)],
            [
                ("create", "editor"),
                ("submit", "editor"),
                ("request_changes", "reviewer"),
                ("submit", "editor"),
                ("publish", "reviewer"),
            ],
        )

    def test_editors_cannot_review_or_publish(self):
        """An editor can neither send back nor publish, whatever the state."""
        for call in (
            lambda: version_request_changes(version=self.draft, user=self.editor, comment="x"),
            lambda: version_publish(version=self.draft, user=self.editor),
            lambda: version_schedule(
                version=self.draft,
                user=self.editor,
                publish_at=timezone.now() + timedelta(hours=1),
            ),
        ):
            with self.assertRaises(NotAllowed):
                call()
        self.assertEqual(self.fresh(self.draft).state, State.IN_REVIEW)

    def test_reviewer_cannot_publish_own_submission(self):
        """A reviewer who submitted a draft cannot publish it; another reviewer can."""
        draft = make_complete_draft(user=self.reviewer)
        version_submit(version=draft, user=self.reviewer, change_note="x")
        with self.assertRaisesMessage(NotAllowed, "another reviewer must publish it"):
            version_publish(version=draft, user=self.reviewer)
        with self.assertRaises(NotAllowed):
            version_schedule(
                version=draft, user=self.reviewer, publish_at=timezone.now() + timedelta(days=1)
            )
        version_publish(version=draft, user=self.reviewer2)
        self.assertEqual(self.fresh(draft).state, State.PUBLISHED)

    def test_superuser_may_publish_own_submission(self):
        """Administrators are the exception to the four-eyes rule."""
        draft = make_complete_draft(user=self.admin)
        version_submit(version=draft, user=self.admin, change_note="x")
        version_publish(version=draft, user=self.admin)
        self.assertEqual(self.fresh(draft).state, State.PUBLISHED)

    def test_drafts_are_not_published_without_review(self):
        """A draft must be submitted before anyone can publish it."""
        draft = make_complete_draft()
        with self.assertRaisesMessage(ServiceError, "version 1 is draft"):
            version_publish(version=draft, user=self.admin)


class PublishTests(WorkflowTestCase):
    def test_publishing_supersedes_and_records_both(self):
        """Publishing a new version supersedes the old one; both transitions are logged."""
        live = make_live()
        draft = draft_start_from(version=live, user=self.editor)
        publish(draft, user=self.reviewer)
        self.assertEqual(self.fresh(live).state, State.SUPERSEDED)
        self.assertEqual(
            self.events(live)[-1],
            ("supersede", "reviewer", "published", "superseded", "Replaced by version 2."),
        )
        self.assertEqual(
            self.events(draft)[-1][:4], ("publish", "reviewer", "in_review", "published")
        )

    def test_failure_half_way_leaves_the_old_version_live(self):
        """If publishing fails after the old version was superseded, nothing changes."""
        live = make_live(title="Street lighting")
        draft = draft_start_from(version=live)
        draft.title = "Street lighting, revised"
        draft.save()
        SummaryVersion.objects.filter(pk=draft.pk).update(state=State.IN_REVIEW)
        events_before = AuditEvent.objects.count()
        real_audit = services.record_event

        def fail_on_publish(**kwargs):
            if kwargs["action"] == AuditAction.PUBLISH:
                raise IntegrityError("simulated failure after superseding")
            return real_audit(**kwargs)

        with (
            mock.patch.object(services, "record_event", side_effect=fail_on_publish),
            self.assertRaises(IntegrityError),
        ):
            version_publish(version=draft, user=self.reviewer)
        live = self.fresh(live)
        self.assertEqual((live.state, live.title), (State.PUBLISHED, "Street lighting"))
        self.assertEqual(self.fresh(draft).state, State.IN_REVIEW)
        self.assertEqual(list(SummaryVersion.objects.live()), [live])
        self.assertEqual(AuditEvent.objects.count(), events_before)
        response = self.client.get(live.get_absolute_url())
        self.assertContains(response, "Street lighting")
        self.assertNotContains(response, "revised")

    def test_withdraw_needs_a_reason_and_leaves_nothing_live(self):
        """Withdrawing takes the summary off the site, with the reason recorded."""
        live = make_live()
        with self.assertRaisesMessage(ServiceError, "Give the reason"):
            version_withdraw(version=live, user=self.reviewer, reason="")
        version_withdraw(version=live, user=self.reviewer, reason="Under re-review.")
        live = self.fresh(live)
        self.assertEqual(
            (live.state, live.withdrawal_reason), (State.WITHDRAWN, "Under re-review.")
        )
        self.assertFalse(SummaryVersion.objects.live().exists())
        self.assertEqual(self.events(live)[-1][:2], ("withdraw", "reviewer"))

    def test_publishing_after_withdrawal_makes_it_live_again(self):
        """A new version of a withdrawn summary brings it back when published."""
        live = make_live()
        version_withdraw(version=live, user=self.reviewer, reason="Under re-review.")
        draft = version_restore_as_draft(version=live, user=self.editor)
        self.assertEqual(draft.change_note, "Restored from version 1.")
        publish(draft, user=self.reviewer)
        self.assertEqual(self.fresh(draft).state, State.PUBLISHED)
        self.assertEqual(self.fresh(live).state, State.WITHDRAWN)

    def test_restore_copies_an_old_version_with_its_rows(self):
        """Restoring v1 after v2 is live gives a v3 draft with v1's content."""
        v1 = make_live(title="First title", sections={SectionKind.FOCUS: "<p>Old focus.</p>"})
        v2 = draft_start_from(version=v1)
        v2.title = "Second title"
        v2.save()
        v2.sections.update(body="<p>New focus.</p>")
        publish(v2)
        v3 = version_restore_as_draft(version=self.fresh(v1), user=self.editor)
        self.assertEqual((v3.number, v3.state, v3.title), (3, State.DRAFT, "First title"))
        self.assertEqual(v3.sections.get().body, "<p>Old focus.</p>")
        self.assertEqual(
            self.events(v3),
            [("restore", "editor", "", "draft", "Copied from version 1 (superseded).")],
        )
        self.assertEqual(self.fresh(v2).state, State.PUBLISHED)

    def test_archive_sets_a_draft_aside(self):
        """An archived draft frees the intervention for a new draft and can be restored."""
        live = make_live()
        draft = draft_start_from(version=live, user=self.editor)
        version_archive(version=draft, user=self.editor, comment="Started by mistake.")
        self.assertEqual(self.fresh(draft).state, State.ARCHIVED)
        restored = version_restore_as_draft(version=self.fresh(draft), user=self.editor)
        self.assertEqual(restored.state, State.DRAFT)


class ScheduleTests(WorkflowTestCase):
    def setUp(self):
        self.draft = make_complete_draft(user=self.editor)
        version_submit(version=self.draft, user=self.editor, change_note="Ready.")
        self.when = timezone.now() + timedelta(hours=2)

    def test_schedule_needs_a_future_time(self):
        """A time in the past is refused: that is what publishing now is for."""
        with self.assertRaisesMessage(ServiceError, "in the future"):
            version_schedule(
                version=self.draft, user=self.reviewer, publish_at=timezone.now() - timedelta(1)
            )

    def test_publish_due_publishes_only_what_is_due_once(self):
        """Due versions are published in the scheduler's name; running again does nothing."""
        version_schedule(version=self.draft, user=self.reviewer, publish_at=self.when)
        self.assertEqual(publish_due(now=self.when - timedelta(minutes=1)), [])
        self.assertEqual(self.fresh(self.draft).state, State.IN_REVIEW)
        published = publish_due(now=self.when + timedelta(minutes=1))
        self.assertEqual([v.pk for v in published], [self.draft.pk])
        draft = self.fresh(self.draft)
        self.assertEqual((draft.state, draft.published_by), (State.PUBLISHED, self.reviewer))
        self.assertIsNone(draft.publish_at)
        self.assertEqual(publish_due(now=self.when + timedelta(minutes=2)), [])

    def test_changes_requested_cancel_the_schedule(self):
        """Sending a scheduled version back cancels its publication."""
        version_schedule(version=self.draft, user=self.reviewer, publish_at=self.when)
        version_request_changes(version=self.draft, user=self.reviewer, comment="Wait.")
        self.assertIsNone(self.fresh(self.draft).publish_at)
        self.assertEqual(publish_due(now=self.when + timedelta(days=1)), [])

    def test_unschedule(self):
        """Cancelling a schedule keeps the version in review, unscheduled."""
        version_schedule(version=self.draft, user=self.reviewer, publish_at=self.when)
        version_unschedule(version=self.draft, user=self.reviewer)
        draft = self.fresh(self.draft)
        self.assertEqual((draft.state, draft.publish_at), (State.IN_REVIEW, None))

    def test_scheduler_who_lost_the_right_publishes_nothing(self):
        """A schedule made by someone no longer allowed to publish is skipped and logged."""
        version_schedule(version=self.draft, user=self.reviewer, publish_at=self.when)
        self.reviewer.groups.clear()
        with self.assertLogs("summaries.editorial.services", "WARNING"):
            self.assertEqual(publish_due(now=self.when + timedelta(minutes=1)), [])
        self.assertEqual(self.fresh(self.draft).state, State.IN_REVIEW)

    def test_command_publishes_due_versions(self):
        """`manage.py publish_scheduled` publishes what is due and says so; twice is safe."""
        version_schedule(version=self.draft, user=self.reviewer, publish_at=self.when)
        SummaryVersion.objects.filter(pk=self.draft.pk).update(
            publish_at=timezone.now() - timedelta(minutes=1)
        )
        out = StringIO()
        call_command("publish_scheduled", stdout=out)
        self.assertIn(f"Published {self.draft.intervention.slug} v1", out.getvalue())
        self.assertEqual(self.fresh(self.draft).state, State.PUBLISHED)
        out = StringIO()
        call_command("publish_scheduled", stdout=out)
        self.assertEqual(out.getvalue(), "")


class AuditLogTests(WorkflowTestCase):
    def test_audit_events_cannot_be_changed_or_deleted(self):
        """The log is append-only, also for code that tries."""
        draft = make_draft()
        event = AuditEvent.objects.get(version=draft)
        event.comment = "rewritten"
        for attempt in (
            event.save,
            event.delete,
            lambda: AuditEvent.objects.update(comment="x"),
            lambda: AuditEvent.objects.all().delete(),
        ):
            with self.assertRaises(TypeError):
                attempt()
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).comment, "")

    def test_revision_counts_every_save(self):
        """Each save of a version moves its revision on by one."""
        draft = make_draft()
        self.assertEqual(draft.revision, 1)
        draft.save()
        draft.save(update_fields=["title"])
        self.assertEqual((draft.revision, self.fresh(draft).revision), (3, 3))
