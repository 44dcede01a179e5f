"""The review page, review comments, notifications and the admin home's dashboards."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from summaries.editorial import comments
from summaries.editorial.services import (
    NotAllowed,
    ServiceError,
    version_publish,
    version_request_changes,
    version_schedule,
    version_submit,
    version_withdraw,
)
from summaries.models import (
    COMMENT_MAX_LENGTH,
    AuditAction,
    AuditEvent,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReviewComment,
    SectionKind,
    State,
    SummaryVersion,
)
from summaries.templatetags.review_queue import months_before
from tests.factories import make_complete_draft, make_live, make_user
from tests.helpers import count_get


def role(name):
    return Group.objects.get(name=name)


def url(name, *args):
    return reverse(f"admin:summaries_{name}", args=args)


class ReviewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=[role("Editors")])
        cls.editor.email = "editor@example.org"
        cls.editor.save()
        cls.reviewer = make_user("reviewer", groups=[role("Reviewers")])
        cls.reviewer.email = "reviewer@example.org"
        cls.reviewer.save()
        cls.reviewer2 = make_user("reviewer2", groups=[role("Reviewers")])
        cls.reviewer2.email = "reviewer2@example.org"
        cls.reviewer2.save()

    def client_for(self, user):
        client = Client()
        client.force_login(user)
        return client

    def submitted(self, **kwargs):
        draft = make_complete_draft(user=self.editor, **kwargs)
        with self.captureOnCommitCallbacks(execute=True):
            return version_submit(version=draft, user=self.editor, change_note="First.")


class ReviewPageTests(ReviewTestCase):
    def test_review_page_shows_changes_comments_and_actions(self):
        """A reviewer's review page shows the new text, the comments on each part, and the
        publish, schedule and request-changes forms."""
        version = self.submitted(title="CCTV in car parks")
        comments.comment_add(
            version=version, user=self.reviewer, anchor="section-focus", body="Say which car parks."
        )
        response = self.client_for(self.reviewer).get(url("summaryversion_review", version.pk))
        self.assertContains(response, "everything is new")
        self.assertContains(response, 'id="part-section-focus"')
        self.assertContains(response, "Say which car parks.")
        self.assertContains(response, 'id="review-publish"')
        self.assertContains(response, 'id="review-schedule"')
        self.assertContains(response, 'id="review-request-changes"')

    def test_review_page_diffs_against_live(self):
        """For a new version of a live summary the page shows only what changed."""
        live = make_live(
            "lighting",
            title="Street lighting",
            sections={SectionKind.FOCUS: "<p>Old lamps.</p>"},
        )
        from summaries.editorial.services import draft_start_from

        draft = draft_start_from(version=live, user=self.editor)
        draft.sections.filter(kind=SectionKind.FOCUS).update(body="<p>New LED lamps.</p>")
        SummaryVersion.objects.filter(pk=draft.pk).update(state=State.IN_REVIEW)
        response = self.client_for(self.reviewer).get(url("summaryversion_review", draft.pk))
        self.assertContains(response, "Compared with the live version 1")
        self.assertContains(response, "<ins>New LED</ins>", html=False)

    def test_own_work_says_another_reviewer_publishes(self):
        """A reviewer who wrote the version sees why there is no publish button."""
        draft = make_complete_draft(user=self.reviewer)
        version = version_submit(version=draft, user=self.editor, change_note="x")
        response = self.client_for(self.reviewer).get(url("summaryversion_review", version.pk))
        self.assertContains(response, "You saved text in this version")
        self.assertNotContains(response, 'id="review-publish"')

    def test_review_page_query_count_does_not_grow_with_comments(self):
        """The review page costs the same queries with 2 or 20 comments."""
        version = self.submitted()
        client = self.client_for(self.reviewer)
        address = url("summaryversion_review", version.pk)

        def add(n):
            for i in range(n):
                first = comments.comment_add(
                    version=version, user=self.reviewer, anchor="title", body=f"Comment {i}"
                )
                comments.comment_reply(comment=first, user=self.editor, body="Done.")

        add(2)
        few = count_get(self, client, address)
        add(18)
        self.assertEqual(count_get(self, client, address), few)

    def test_unknown_version_and_outsiders(self):
        """An unknown or malformed version answers 404; staff without a role get 403."""
        client = self.client_for(self.reviewer)
        self.assertEqual(client.get(url("summaryversion_review", 999999)).status_code, 404)
        for malformed in ("x1", "1.5", "-1", "9223372036854775808"):
            address = f"/admin/summaries/summaryversion/{malformed}/review/"
            self.assertEqual(client.get(address).status_code, 404)
        version = self.submitted()
        outsider = self.client_for(make_user("outsider"))
        self.assertEqual(outsider.get(url("summaryversion_review", version.pk)).status_code, 403)

    def test_queue_links_to_the_review_page(self):
        """The home page's waiting list leads to each version's review page."""
        version = self.submitted()
        response = self.client_for(self.reviewer).get(reverse("admin:index"))
        self.assertContains(response, url("summaryversion_review", version.pk))


class CommentTests(ReviewTestCase):
    def test_comment_reply_resolve_through_the_admin(self):
        """A reviewer comments on a section; the editor sees it on the form, replies and
        resolves it; the history keeps it."""
        version = self.submitted()
        reviewer, editor = self.client_for(self.reviewer), self.client_for(self.editor)
        reviewer.post(
            url("summaryversion_comment_add", version.pk),
            {"anchor": "section-effect", "body": "Give the effect size."},
        )
        comment = ReviewComment.objects.get()
        self.assertEqual((comment.author, comment.anchor), (self.reviewer, "section-effect"))
        reviewer.post(url("summaryversion_request_changes", version.pk), {"comment": "See notes."})
        form = editor.get(url("summaryversion_change", version.pk))
        self.assertContains(form, "Give the effect size.")
        self.assertContains(form, "2 open")
        self.assertContains(form, "sent the version back")
        editor.post(
            url("summaryversion_comment_reply", version.pk, comment.pk), {"body": "Added it."}
        )
        editor.post(url("summaryversion_comment_resolve", version.pk, comment.pk))
        comment.refresh_from_db()
        self.assertEqual(comment.resolved_by, self.editor)
        self.assertEqual(comment.replies.get().body, "Added it.")
        history = editor.get(url("intervention_history", version.intervention_id))
        self.assertContains(history, "Give the effect size.")
        self.assertContains(history, "resolved by editor")
        actions = AuditEvent.objects.filter(version=version).values_list("action", flat=True)
        self.assertIn(AuditAction.COMMENT, actions)
        self.assertIn(AuditAction.RESOLVE_COMMENT, actions)

    def test_request_changes_comment_has_author_and_time(self):
        """The comment that sends a version back is a comment with its author and time."""
        version = self.submitted()
        version_request_changes(version=version, user=self.reviewer, comment="Fix the dates.")
        comment = ReviewComment.objects.get(requested_changes=True)
        self.assertEqual((comment.author, comment.body), (self.reviewer, "Fix the dates."))
        form = self.client_for(self.editor).get(url("summaryversion_change", version.pk))
        self.assertContains(form, "<strong>reviewer</strong>", html=False)

    def test_who_may_comment_and_resolve(self):
        """Anyone outside the editors and reviewers may not comment; another editor, who
        neither wrote the version nor the comment, may not resolve it."""
        version = self.submitted()
        outsider = make_user("outsider")
        with self.assertRaises(NotAllowed):
            comments.comment_add(version=version, user=outsider, anchor="title", body="Hi")
        comment = comments.comment_add(
            version=version, user=self.reviewer, anchor="title", body="Shorter?"
        )
        other_editor = make_user("editor2", groups=[role("Editors")])
        with self.assertRaises(NotAllowed):
            comments.comment_resolve(comment=comment, user=other_editor)
        self.assertEqual(
            self.client_for(other_editor)
            .post(url("summaryversion_comment_resolve", version.pk, comment.pk))
            .status_code,
            403,
        )
        comments.comment_resolve(comment=comment, user=self.editor)
        with self.assertRaises(ServiceError):
            comments.comment_resolve(comment=comment, user=self.editor)

    def test_unknown_part_and_empty_comment_are_refused(self):
        """A comment needs text and one of the version's parts."""
        version = self.submitted()
        with self.assertRaises(ServiceError):
            comments.comment_add(version=version, user=self.reviewer, anchor="nope", body="x")
        with self.assertRaises(ServiceError):
            comments.comment_add(version=version, user=self.reviewer, anchor="title", body=" ")

    def test_replies_have_the_same_cap_as_comments(self):
        """A reply longer than a comment may be is refused by the model's rule, through
        the service and through the admin's reply form, and nothing is stored."""
        version = self.submitted()
        comment = comments.comment_add(
            version=version, user=self.reviewer, anchor="title", body="Shorter?"
        )
        with self.assertRaises(ServiceError) as caught:
            comments.comment_reply(comment=comment, user=self.editor, body="x" * 200_000)
        self.assertIn("at most 5000 characters", str(caught.exception))
        with self.assertRaises(ServiceError):
            comments.comment_add(
                version=version, user=self.reviewer, anchor="title", body="x" * 5001
            )
        response = self.client_for(self.editor).post(
            url("summaryversion_comment_reply", version.pk, comment.pk),
            {"body": "y" * (COMMENT_MAX_LENGTH + 1)},
            follow=True,
        )
        self.assertContains(response, "at most 5000 characters")
        self.assertEqual(ReviewComment.objects.count(), 1)
        comments.comment_reply(comment=comment, user=self.editor, body="z" * COMMENT_MAX_LENGTH)
        self.assertEqual(comment.replies.get().body, "z" * COMMENT_MAX_LENGTH)

    def test_reply_box_says_the_cap(self):
        """The reply box stops at the cap, so nobody types a reply that will be refused."""
        version = self.submitted()
        comments.comment_add(version=version, user=self.reviewer, anchor="title", body="Hm?")
        form = self.client_for(self.editor).get(url("summaryversion_change", version.pk))
        self.assertContains(form, f'maxlength="{COMMENT_MAX_LENGTH}"')

    def test_request_changes_comment_has_the_cap_too(self):
        """The comment that sends a version back becomes a review comment: same cap."""
        version = self.submitted()
        with self.assertRaises(ServiceError):
            version_request_changes(version=version, user=self.reviewer, comment="x" * 5001)
        self.assertEqual(SummaryVersion.objects.get(pk=version.pk).state, State.IN_REVIEW)

    def test_comments_are_not_copied_to_a_new_draft(self):
        """Comments stay with the version they were made on."""
        version = self.submitted()
        comments.comment_add(version=version, user=self.reviewer, anchor="title", body="Ok")
        version_publish(version=version, user=self.reviewer)
        from summaries.editorial.services import draft_start_from

        draft = draft_start_from(version=version, user=self.editor)
        self.assertEqual(draft.review_comments.count(), 0)
        self.assertEqual(version.review_comments.count(), 1)


class NotificationTests(ReviewTestCase):
    def test_reviewers_hear_of_a_submission(self):
        """Submitting emails every reviewer a link to the review page; not the submitter."""
        version = self.submitted(title="CCTV")
        recipients = sorted(address for m in mail.outbox for address in m.to)
        self.assertEqual(recipients, ["reviewer2@example.org", "reviewer@example.org"])
        self.assertIn("Waiting for your review: CCTV (v1)", mail.outbox[0].subject)
        self.assertIn(
            settings.SITE_URL + url("summaryversion_review", version.pk), mail.outbox[0].body
        )
        self.assertEqual(Notification.objects.filter(kind=NotificationKind.SUBMITTED).count(), 2)

    def test_authors_hear_of_changes_publication_schedule_and_withdrawal(self):
        """The version's authors are told when it is sent back, scheduled, published
        and withdrawn; the reviewer acting is not told of their own action."""
        version = self.submitted()
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            version_request_changes(version=version, user=self.reviewer, comment="Fix.")
        with self.captureOnCommitCallbacks(execute=True):
            version_submit(version=version, user=self.editor, change_note="Fixed.")
        mail.outbox.clear()
        from django.utils import timezone

        with self.captureOnCommitCallbacks(execute=True):
            version_schedule(
                version=version, user=self.reviewer, publish_at=timezone.now() + timedelta(days=1)
            )
        with self.captureOnCommitCallbacks(execute=True):
            version_publish(version=version, user=self.reviewer)
        with self.captureOnCommitCallbacks(execute=True):
            version_withdraw(version=version, user=self.reviewer, reason="Under review.")
        kinds = list(
            Notification.objects.filter(user=self.editor)
            .order_by("id")
            .values_list("kind", flat=True)
        )
        self.assertEqual(
            kinds,
            [
                NotificationKind.CHANGES_REQUESTED,
                NotificationKind.SCHEDULED,
                NotificationKind.PUBLISHED,
                NotificationKind.WITHDRAWN,
            ],
        )
        self.assertEqual([m.to for m in mail.outbox], [["editor@example.org"]] * 3)
        self.assertFalse(
            Notification.objects.filter(user=self.reviewer)
            .exclude(kind=NotificationKind.SUBMITTED)
            .exists()
        )

    def test_email_can_be_turned_off(self):
        """A reviewer who turned email off still gets the notification, but no email."""
        NotificationPreference.objects.create(user=self.reviewer2, email=False)
        self.submitted()
        self.assertEqual([m.to for m in mail.outbox], [["reviewer@example.org"]])
        self.assertTrue(Notification.objects.filter(user=self.reviewer2).exists())

    def test_user_edits_their_own_email_setting(self):
        """The notification settings page is the user's own, and saving it turns email off."""
        client = self.client_for(self.reviewer)
        response = client.get(url("notificationpreference_changelist"))
        preference = NotificationPreference.objects.get(user=self.reviewer)
        self.assertRedirects(response, url("notificationpreference_change", preference.pk))
        client.post(url("notificationpreference_change", preference.pk), {})
        preference.refresh_from_db()
        self.assertFalse(preference.email)
        other = self.client_for(self.editor)
        self.assertEqual(
            other.get(url("notificationpreference_change", preference.pk)).status_code, 302
        )

    def test_failed_send_is_logged_and_the_transition_stands(self):
        """A mail server that fails is logged; the version is still in review."""
        draft = make_complete_draft(user=self.editor)
        with (
            override_settings(EMAIL_BACKEND="tests.test_review.FailingBackend"),
            self.assertLogs("summaries.editorial.notifications", "ERROR") as logs,
            self.captureOnCommitCallbacks(execute=True),
        ):
            version_submit(version=draft, user=self.editor, change_note="x")
        self.assertIn("not sent", logs.output[0])
        self.assertEqual(SummaryVersion.objects.get(pk=draft.pk).state, State.IN_REVIEW)
        self.assertEqual(Notification.objects.count(), 2)

    def test_notification_list_is_own_unread_first_and_marks_read(self):
        """The admin lists a user's own notifications, unread first; opening one marks
        it read and leads to its page."""
        first = self.submitted(title="First")
        self.submitted(title="Second")
        client = self.client_for(self.reviewer)
        older = Notification.objects.get(user=self.reviewer, version=first)
        response = client.get(url("notification_open", older.pk))
        self.assertRedirects(response, url("summaryversion_review", first.pk))
        listing = client.get(url("notification_changelist")).content.decode()
        self.assertLess(listing.index("Second"), listing.index("First"))
        self.assertNotIn("reviewer2", listing.split("result_list")[1].split("</table>")[0])
        home = client.get(reverse("admin:index"))
        self.assertContains(home, "Your notifications (1 unread)")
        client.post(
            url("notification_changelist"),
            {
                "action": "mark_read",
                "_selected_action": [n.pk for n in Notification.objects.filter(user=self.reviewer)],
            },
        )
        self.assertFalse(Notification.objects.filter(user=self.reviewer, read_at=None).exists())


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class DashboardTests(ReviewTestCase):
    def test_editor_dashboard(self):
        """An editor's home lists their drafts, theirs in review, sent back and published."""
        make_complete_draft(user=self.editor, title="Draft one")
        self.submitted(title="In review one")
        sent_back = self.submitted(title="Sent back one")
        version_request_changes(version=sent_back, user=self.reviewer, comment="Fix.")
        published = self.submitted(title="Published one")
        version_publish(version=published, user=self.reviewer)
        home = self.client_for(self.editor).get(reverse("admin:index"))
        queue = home.context["queue"]
        titles = {
            key: [v.title for v in queue[key]["versions"]]
            for key in ("drafts", "mine_in_review", "sent_back", "published")
        }
        self.assertEqual(
            titles,
            {
                "drafts": ["Draft one"],
                "mine_in_review": ["In review one"],
                "sent_back": ["Sent back one"],
                "published": ["Published one"],
            },
        )
        self.assertContains(home, "Your versions in review (1)")

    def test_reviewer_dashboard_oldest_first_with_age_and_scheduled(self):
        """A reviewer's home lists versions in review oldest first with their age, and
        the scheduled ones."""
        from django.utils import timezone

        newer = self.submitted(title="Newer")
        older = self.submitted(title="Older")
        SummaryVersion.objects.filter(pk=older.pk).update(
            submitted_at=timezone.now() - timedelta(days=3)
        )
        version_schedule(
            version=newer, user=self.reviewer, publish_at=timezone.now() + timedelta(days=1)
        )
        home = self.client_for(self.reviewer).get(reverse("admin:index"))
        queue = home.context["queue"]
        self.assertEqual([v.title for v in queue["in_review"]["versions"]], ["Older", "Newer"])
        self.assertEqual([v.title for v in queue["scheduled"]["versions"]], ["Newer"])
        self.assertContains(home, "waiting 3\xa0days")

    @override_settings(EVIDENCE_REVIEW_MONTHS=12)
    def test_evidence_review_due_overdue_first(self):
        """Live summaries whose evidence was reviewed before the period, or never, are
        listed as due, never-reviewed first, then the oldest."""
        today = date.today()
        for slug, reviewed in [
            ("recent", today - timedelta(days=30)),
            ("old", today - timedelta(days=800)),
            ("older", today - timedelta(days=1200)),
            ("never", None),
        ]:
            live = make_live(slug, title=slug)
            SummaryVersion.objects.filter(pk=live.pk).update(evidence_reviewed_on=reviewed)
        home = self.client_for(self.editor).get(reverse("admin:index"))
        due = [v.title for v in home.context["queue"]["evidence_due"]["versions"]]
        self.assertEqual(due, ["never", "older", "old"])
        self.assertContains(home, "more than 12 months ago")

    def test_months_before_handles_short_months(self):
        """Counting back months from the 31st lands on the month's last day."""
        self.assertEqual(months_before(date(2026, 3, 31), 1), date(2026, 2, 28))
        self.assertEqual(months_before(date(2026, 1, 15), 24), date(2024, 1, 15))

    def test_home_page_queries_do_not_grow(self):
        """The dashboards cost the same queries with 2 or 12 versions in each list."""
        client = self.client_for(self.reviewer)

        def make(n):
            for _ in range(n):
                make_complete_draft(user=self.reviewer)
                make_live(None)
                self.submitted()

        make(2)
        few = count_get(self, client, reverse("admin:index"))
        make(10)
        self.assertEqual(count_get(self, client, reverse("admin:index")), few)
