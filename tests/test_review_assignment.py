"""Assigned reviews and due days: naming a reviewer on submission, the queue by due day,
reassigning, and the daily reminder of overdue reviews."""

from datetime import timedelta

from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from summaries.editorial import services
from summaries.editorial.services import (
    ServiceError,
    draft_start_from,
    remind_overdue,
    review_assign,
    version_publish,
)
from summaries.editorial.tasks import remind_overdue_reviews
from summaries.models import AuditAction, AuditEvent, Notification, NotificationKind, State
from tests.factories import make_complete_draft, make_user
from tests.test_review import ReviewTestCase, role, url


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


class SubmitWithReviewerTests(ReviewTestCase):
    def submit_form(self, draft, **data):
        return self.client_for(self.editor).post(
            url("summaryversion_submit", draft.pk),
            {"change_note": "First.", "reviewer": "", "review_due_on": days(7), **data},
        )

    def test_the_submit_page_offers_reviewers_who_may_publish_and_a_due_day(self):
        """The submit page lists the reviewers (not the submitter, even a reviewer who
        wrote the draft), "any reviewer" first, and a due day a week away."""
        writer = make_user("writer", groups=[role("Reviewers")])
        draft = make_complete_draft(user=writer)
        response = self.client_for(writer).get(url("summaryversion_submit", draft.pk))
        form = response.context["form"]
        choices = [label for _value, label in form.fields["reviewer"].choices]
        self.assertEqual(choices, ["Any reviewer", "reviewer", "reviewer2"])
        self.assertEqual(form.initial["review_due_on"], days(7))
        self.assertContains(response, f'value="{days(7):%d %b %Y}"')

    def test_named_reviewer_is_told_it_is_theirs_and_the_others_that_it_waits(self):
        """Submitting to a named reviewer stores the assignment and the due day; they are
        told it is assigned to them, the other reviewers that it is waiting."""
        draft = make_complete_draft(user=self.editor, title="CCTV")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.submit_form(draft, reviewer=self.reviewer2.pk, review_due_on=days(3))
        self.assertEqual(response.status_code, 302)
        draft.refresh_from_db()
        self.assertEqual(
            (draft.state, draft.review_assignee, draft.review_due_on),
            (State.IN_REVIEW, self.reviewer2, days(3)),
        )
        kinds = {
            (n.user.username, n.kind)
            for n in Notification.objects.filter(version=draft).select_related("user")
        }
        self.assertEqual(
            kinds,
            {
                ("reviewer2", NotificationKind.REVIEW_ASSIGNED),
                ("reviewer", NotificationKind.SUBMITTED),
            },
        )
        subjects = {m.to[0]: m.subject for m in mail.outbox}
        self.assertEqual(subjects["reviewer2@example.org"], "Assigned to you for review: CCTV (v1)")
        self.assertIn(
            url("summaryversion_review", draft.pk),
            next(m.body for m in mail.outbox if m.to == ["reviewer2@example.org"]),
        )

    def test_without_a_reviewer_any_reviewer_and_the_default_due_day(self):
        """Left at "any reviewer", the review is everyone's and due after REVIEW_DUE_DAYS."""
        draft = make_complete_draft(user=self.editor)
        with override_settings(REVIEW_DUE_DAYS=10):
            services.version_submit(version=draft, user=self.editor, change_note="First.")
        draft.refresh_from_db()
        self.assertEqual((draft.review_assignee, draft.review_due_on), (None, days(10)))

    def test_a_day_written_as_the_admin_writes_dates(self):
        """The due day is typed like "14 Dec 2026"; anything else says how to write it."""
        draft = make_complete_draft(user=self.editor)
        response = self.submit_form(draft, review_due_on="12/14/2026")
        self.assertContains(response, "Write the day like “14 Dec 2026”")
        response = self.submit_form(draft, review_due_on=f"{days(9):%d %b %Y}")
        self.assertEqual(response.status_code, 302)
        draft.refresh_from_db()
        self.assertEqual(draft.review_due_on, days(9))

    def test_a_past_due_day_is_refused_with_the_note_kept(self):
        """A due day before today is a form error; the change note typed is kept."""
        draft = make_complete_draft(user=self.editor)
        response = self.submit_form(draft, review_due_on=days(-1), change_note="Kept note.")
        self.assertContains(response, "A review cannot be due before today.")
        self.assertContains(response, "Kept note.")
        draft.refresh_from_db()
        self.assertEqual(draft.state, State.DRAFT)

    def test_the_four_eyes_rule_decides_who_can_be_named(self):
        """A reviewer who saved text in the draft cannot be named, by a forged form or by
        a service call: they could not publish it."""
        writer = make_user("writer", groups=[role("Reviewers")])
        writer.email = "writer@example.org"
        writer.save()
        draft = make_complete_draft(user=writer)
        response = self.submit_form(draft, reviewer=writer.pk)
        self.assertContains(response, "Select a valid choice.")
        with self.assertRaisesMessage(ServiceError, "writer cannot review this version"):
            services.version_submit(
                version=draft, user=self.editor, change_note="First.", reviewer=writer
            )
        draft.refresh_from_db()
        self.assertEqual(draft.state, State.DRAFT)

    def test_a_new_draft_starts_unassigned(self):
        """The assignment belongs to one review: a draft started from the published
        version has none."""
        version = self.submitted()
        review_assign(version=version, user=self.reviewer, reviewer=self.reviewer2, due_on=days(2))
        version_publish(version=version, user=self.reviewer)
        draft = draft_start_from(version=version, user=self.editor)
        self.assertEqual((draft.review_assignee, draft.review_due_on), (None, None))


class QueueTests(ReviewTestCase):
    def test_queue_by_due_day_overdue_first_and_marked(self):
        """The reviewers' queue lists reviews by due day, the overdue first and said to
        be overdue; each says who is to review it, "assigned to you" for the reader."""
        late = self.submitted(title="Late one")
        soon = self.submitted(title="Soon one")
        unset = self.submitted(title="Undated one")
        type(late).objects.filter(pk=late.pk).update(review_due_on=days(-2))
        type(soon).objects.filter(pk=soon.pk).update(
            review_due_on=days(1), review_assignee=self.reviewer
        )
        type(unset).objects.filter(pk=unset.pk).update(review_due_on=None)
        page = self.client_for(self.reviewer).get(reverse("admin:index")).content.decode()
        queue = page[page.index('id="queue-in-review"') : page.index('id="queue-scheduled"')]
        order = [queue.index(title) for title in ("Late one", "Soon one", "Undated one")]
        self.assertEqual(order, sorted(order))
        late_row = queue[queue.index("Late one") : queue.index("Soon one")]
        self.assertIn("overdue: due", late_row)
        self.assertIn("any reviewer", late_row)
        soon_row = queue[queue.index("Soon one") : queue.index("Undated one")]
        self.assertNotIn("overdue", soon_row)
        self.assertIn("assigned to you", soon_row)

    def test_editors_see_when_their_versions_are_due(self):
        """An editor's "in review" list says when each review is due and who has it."""
        version = self.submitted(title="Mine")
        review_assign(version=version, user=self.reviewer, reviewer=self.reviewer2, due_on=days(4))
        page = self.client_for(self.editor).get(reverse("admin:index")).content.decode()
        mine = page[page.index('id="queue-mine-in-review"') :]
        self.assertIn(f"due {days(4):%-d %b}", mine)
        self.assertIn("assigned to reviewer2", mine)


class ReassignTests(ReviewTestCase):
    def test_a_reviewer_reassigns_and_the_new_reviewer_is_told(self):
        """A reviewer gives the review to another reviewer with a new due day: it is in
        the audit log and the new reviewer is told."""
        version = self.submitted(title="CCTV")
        mail.outbox.clear()
        client = self.client_for(self.reviewer)
        page = client.get(url("summaryversion_review", version.pk))
        self.assertContains(page, "Assign the review")
        self.assertContains(page, "Review by any reviewer, due")
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(
                url("summaryversion_assign", version.pk),
                {"reviewer": self.reviewer2.pk, "review_due_on": days(5)},
            )
        self.assertEqual(response.status_code, 302)
        version.refresh_from_db()
        self.assertEqual(
            (version.review_assignee, version.review_due_on), (self.reviewer2, days(5))
        )
        event = AuditEvent.objects.filter(version=version).latest("pk")
        self.assertEqual(event.action, AuditAction.ASSIGN_REVIEW)
        self.assertIn("Review by reviewer2", event.comment)
        self.assertEqual([m.to for m in mail.outbox], [["reviewer2@example.org"]])
        self.assertIn("by ", mail.outbox[0].body)
        page = client.get(url("summaryversion_review", version.pk))
        self.assertContains(page, "Review by <strong>reviewer2</strong>")

    def test_editors_cannot_reassign(self):
        """The assignment is the reviewers' to change: an editor's request is refused."""
        version = self.submitted()
        response = self.client_for(self.editor).post(
            url("summaryversion_assign", version.pk),
            {"reviewer": self.reviewer2.pk, "review_due_on": days(5)},
        )
        self.assertEqual(response.status_code, 403)
        version.refresh_from_db()
        self.assertIsNone(version.review_assignee)

    def test_only_while_in_review(self):
        """Once published, a review cannot be assigned: the service refuses."""
        version = self.submitted()
        version_publish(version=version, user=self.reviewer)
        with self.assertRaisesMessage(ServiceError, "this needs a version that is in review"):
            review_assign(
                version=version, user=self.reviewer, reviewer=self.reviewer2, due_on=days(1)
            )


class OverdueReminderTests(ReviewTestCase):
    def test_every_reviewer_is_reminded_of_each_overdue_review(self):
        """The daily task tells every reviewer of each review past its due day, and of
        nothing else."""
        late = self.submitted(title="Late one")
        self.submitted(title="On time")
        type(late).objects.filter(pk=late.pk).update(review_due_on=days(-1))
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            result = remind_overdue_reviews.call()
        self.assertEqual(result, "1 overdue review(s)")
        reminded = Notification.objects.filter(kind=NotificationKind.REVIEW_OVERDUE)
        self.assertEqual(
            sorted((n.user.username, n.version.title) for n in reminded),
            [("reviewer", "Late one"), ("reviewer2", "Late one")],
        )
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["reviewer2@example.org", "reviewer@example.org"]
        )
        self.assertEqual(mail.outbox[0].subject, "Review overdue: Late one (v1)")

    def test_nothing_overdue_tells_nobody(self):
        """With every review within its day, the reminder sends nothing."""
        self.submitted()
        self.assertEqual(remind_overdue(), 0)
        self.assertFalse(Notification.objects.filter(kind=NotificationKind.REVIEW_OVERDUE))
