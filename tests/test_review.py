"""The review page, review comments, notifications and the admin home's dashboards."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

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

    def test_user_sets_their_own_address(self):
        """The settings page shows the user's address; they change it, and their emails
        go there."""
        client = self.client_for(self.reviewer)
        client.get(url("notificationpreference_changelist"))
        preference = NotificationPreference.objects.get(user=self.reviewer)
        page = client.get(url("notificationpreference_change", preference.pk))
        self.assertContains(page, 'value="reviewer@example.org"')
        client.post(
            url("notificationpreference_change", preference.pk),
            {"address": "new.reviewer@example.net", "email": "on"},
        )
        self.reviewer.refresh_from_db()
        self.assertEqual(self.reviewer.email, "new.reviewer@example.net")
        self.submitted()
        self.assertIn(["new.reviewer@example.net"], [m.to for m in mail.outbox])

    def test_email_me_without_an_address_is_refused(self):
        """Ticking "email me" with no address is an error that says what to do."""
        client = self.client_for(self.reviewer)
        client.get(url("notificationpreference_changelist"))
        preference = NotificationPreference.objects.get(user=self.reviewer)
        response = client.post(
            url("notificationpreference_change", preference.pk), {"address": "", "email": "on"}
        )
        self.assertContains(response, "Give the address to email you at")
        self.reviewer.refresh_from_db()
        self.assertEqual(self.reviewer.email, "reviewer@example.org")

    def test_home_page_says_when_no_email_can_reach_you(self):
        """A user with email on but no address is told so on their admin home page."""
        self.reviewer.email = ""
        self.reviewer.save()
        response = self.client_for(self.reviewer).get(reverse("admin:index"))
        self.assertContains(response, 'id="no-email-address"')
        response = self.client_for(self.editor).get(reverse("admin:index"))
        self.assertNotContains(response, 'id="no-email-address"')

    def test_failed_send_is_logged_and_the_transition_stands(self):
        """A mail server that fails is logged (the immediate backend of the tests cannot
        retry; tests/test_tasks.py tests retries); the version is still in review."""
        draft = make_complete_draft(user=self.editor)
        with (
            override_settings(EMAIL_BACKEND="tests.test_review.FailingBackend"),
            self.assertLogs("summaries.tasks", "ERROR") as logs,
            self.captureOnCommitCallbacks(execute=True),
        ):
            version_submit(version=draft, user=self.editor, change_note="x")
        self.assertIn("email_notification failed", logs.output[0])
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


class PublishOverOpenCommentsTests(ReviewTestCase):
    """Publishing asks first, from the review page as from the version page, and names
    the open comments; they can be resolved in the same step."""

    def setUp(self):
        self.version = self.submitted(title="CCTV in car parks")
        self.comment = comments.comment_add(
            version=self.version, user=self.reviewer, anchor="title", body="Shorter title?"
        )
        self.client = self.client_for(self.reviewer2)

    def test_review_page_links_to_the_confirmation_instead_of_publishing(self):
        """The review page has no form that publishes in one click: it links to the
        confirmation page, after the request-changes form."""
        page = self.client.get(url("summaryversion_review", self.version.pk)).content.decode()
        self.assertNotIn(f'action="{url("summaryversion_publish", self.version.pk)}"', page)
        self.assertIn(f'href="{url("summaryversion_publish", self.version.pk)}"', page)
        position = page.index
        self.assertLess(position('id="review-request-changes"'), position('id="review-publish"'))

    def test_confirmation_names_the_open_comments(self):
        """The publish page lists each open comment with a box to resolve it."""
        page = self.client.get(url("summaryversion_publish", self.version.pk))
        self.assertContains(page, "1 open review comment")
        self.assertContains(page, "Title: Shorter title?")

    def test_publishing_over_an_open_comment_needs_a_decision(self):
        """Confirming without resolving or acknowledging the open comment publishes
        nothing and says why."""
        response = self.client.post(url("summaryversion_publish", self.version.pk), {})
        self.assertContains(response, "1 comment is still open")
        self.version.refresh_from_db()
        self.assertEqual(self.version.state, State.IN_REVIEW)

    def test_resolving_while_publishing(self):
        """A ticked comment is resolved by the publisher as the version goes live."""
        self.client.post(
            url("summaryversion_publish", self.version.pk), {"resolve": [self.comment.pk]}
        )
        self.version.refresh_from_db()
        self.comment.refresh_from_db()
        self.assertEqual(self.version.state, State.PUBLISHED)
        self.assertEqual(self.comment.resolved_by, self.reviewer2)

    def test_publishing_with_the_comment_left_open(self):
        """Acknowledging publishes and leaves the comment open, in the version's history."""
        publish = url("summaryversion_publish", self.version.pk)
        self.client.post(publish, {"publish_with_open": "on"})
        self.version.refresh_from_db()
        self.comment.refresh_from_db()
        self.assertEqual(self.version.state, State.PUBLISHED)
        self.assertIsNone(self.comment.resolved_at)

    def test_scheduling_asks_the_same(self):
        """Scheduling names the open comments too, and takes "7 Dec 2026 09:00"."""
        when = timezone.localtime() + timedelta(days=3)
        typed = when.strftime("%d %b %Y %H:%M")
        response = self.client.post(
            url("summaryversion_schedule", self.version.pk), {"publish_at": typed}
        )
        self.assertContains(response, "1 comment is still open")
        self.client.post(
            url("summaryversion_schedule", self.version.pk),
            {"publish_at": typed, "resolve": [self.comment.pk]},
        )
        self.version.refresh_from_db()
        self.assertEqual(
            timezone.localtime(self.version.publish_at).strftime("%d %b %Y %H:%M"), typed
        )

    def test_schedule_field_writes_dates_as_the_admin_does(self):
        """The schedule field is plain text with an example like "7 Dec 2026 09:00", and a
        date in mm/dd/yyyy is refused with that example."""
        page = self.client.get(url("summaryversion_schedule", self.version.pk))
        self.assertNotContains(page, 'type="datetime-local"')
        self.assertContains(page, "7 Dec 2026")
        response = self.client.post(
            url("summaryversion_schedule", self.version.pk),
            {"publish_at": "12/07/2030 09:00", "publish_with_open": "on"},
        )
        self.assertContains(response, "Write the date and time like")


class ReviewPageLayoutTests(ReviewTestCase):
    def test_unchanged_parts_are_named_in_one_line_and_the_change_note_is_not_a_change(self):
        """Against the live version, only changed parts are shown in full; unchanged ones
        are listed once; the change note is not reported as changed."""
        live = make_live("lighting", title="Street lighting")
        from summaries.editorial.services import draft_start_from

        draft = draft_start_from(version=live, user=self.editor)
        SummaryVersion.objects.filter(pk=draft.pk).update(
            title="Street lighting at night", change_note="Retitled."
        )
        response = self.client_for(self.reviewer).get(url("summaryversion_review", draft.pk))
        page = response.content.decode()
        self.assertNotIn("No changes.", page)
        self.assertIn('id="part-unchanged"', page)
        self.assertNotIn("Change note <span", page)
        self.assertIn("<strong>Change note:</strong> Retitled.", page)
        self.assertFalse(response.context["is_nav_sidebar_enabled"])

    def test_about_stays_on_the_part_after_adding_a_comment(self):
        """After a comment on a section, the new-comment form is still about that section."""
        version = self.submitted()
        client = self.client_for(self.reviewer)
        response = client.post(
            url("summaryversion_comment_add", version.pk),
            {"anchor": "section-effect", "body": "Effect size?"},
            follow=True,
        )
        self.assertEqual(response.context["comment_form"]["anchor"].value(), "section-effect")

    def test_unread_notifications_say_so_in_words(self):
        """The notification list says "Unread", not a green tick."""
        self.submitted()
        response = self.client_for(self.reviewer).get(url("notification_changelist"))
        self.assertContains(response, "Unread")
        self.assertNotContains(response, "icon-yes.svg")
