"""Suggestions and problem reports from the public: the forms and their spam checks, the
admin's queue (accept, merge, decline, dealt with), the reply email, the editors told of a
problem, and the sender's address kept only until the item is closed."""

import json
import time
from io import StringIO

from django.contrib.auth.models import Group
from django.core import mail, signing
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from summaries.editorial.errors import ServiceError
from summaries.editorial.services import draft_start_from, version_withdraw
from summaries.editorial.suggestions import suggestion_close
from summaries.feedback import spam
from summaries.models import (
    Notification,
    NotificationKind,
    PipelineEntry,
    Stage,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
)
from tests.factories import make_draft, make_live, make_user, publish

SUGGEST = "/toolkit/suggest/"


def started(seconds_ago: float = 60) -> str:
    """A form's start token from ``seconds_ago``."""
    return signing.dumps(time.time() - seconds_ago, salt=spam.SALT)


def suggestion_data(**changes) -> dict:
    data = {
        "subject": "Street triage",
        "body": "Mental health nurses go out with police officers.",
        "evidence_url": "https://example.org/review",
        "email": "Reader@Example.org",
        "website": "",
        "started": started(),
    }
    return {**data, **changes}


class SuggestFormTests(TestCase):
    def test_form_has_its_fields_and_a_hidden_honeypot(self):
        """The form asks what, why, a link and an optional address; the honeypot is out of
        sight and out of the tab order."""
        response = self.client.get(SUGGEST)
        self.assertContains(response, "What should we assess?")
        self.assertContains(response, "Link to the evidence (optional)")
        self.assertContains(response, "Your email address (optional)")
        self.assertContains(response, '<div class="honeypot" aria-hidden="true">')
        self.assertContains(response, 'tabindex="-1"')

    def test_a_suggestion_lands_in_the_queue(self):
        """A suggestion sent is kept as new, with the address in lower case, and the
        sender is thanked."""
        response = self.client.post(SUGGEST, suggestion_data())
        self.assertRedirects(response, "/toolkit/suggest/sent/")
        self.assertContains(self.client.get("/toolkit/suggest/sent/"), "Thank you")
        kept = Suggestion.objects.get()
        self.assertEqual(
            (kept.kind, kept.subject, kept.email, kept.status),
            (SuggestionKind.SUGGESTION, "Street triage", "reader@example.org", "new"),
        )

    def test_the_honeypot_keeps_nothing_and_says_thank_you(self):
        """A form with the hidden field filled is thanked like any other; nothing is kept."""
        response = self.client.post(SUGGEST, suggestion_data(website="http://spam.example"))
        self.assertRedirects(response, "/toolkit/suggest/sent/")
        self.assertFalse(Suggestion.objects.exists())

    def test_spam_checks_say_what_to_do(self):
        """Sent too soon after the page opened, with a forged or stale start, or with too
        many links: the form comes back (400) saying so, and nothing is kept."""
        links = " ".join(f"https://spam{n}.example" for n in range(3))
        for changes, message in [
            ({"started": started(0)}, "sent very quickly after the page opened"),
            ({"started": "forged"}, "open for more than a day"),
            ({"started": started(2 * 24 * 3600)}, "open for more than a day"),
            ({"body": links}, "Include at most 2 links"),
        ]:
            with self.subTest(changes=changes):
                response = self.client.post(SUGGEST, suggestion_data(**changes))
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "There is a problem", status_code=400)
        self.assertFalse(Suggestion.objects.exists())

    def test_hostile_input_gets_a_clear_message_and_is_escaped(self):
        """A NUL, a line break in the one-line field, overlong text, a bad address or
        link: each named on the form, never a 500; markup is shown as text."""
        for changes, message in [
            ({"subject": "a\x00b"}, "Null characters are not allowed."),
            ({"subject": "two\nlines"}, "line break"),
            ({"body": "x" * 2001}, "at most 2000 characters"),
            ({"email": "not an address"}, "Enter a valid email address."),
            ({"evidence_url": "javascript:alert(1)"}, "Enter a valid URL."),
            ({"subject": ""}, "This field is required."),
        ]:
            with self.subTest(changes=changes):
                response = self.client.post(SUGGEST, suggestion_data(**changes))
                self.assertContains(response, message, status_code=400)
        response = self.client.post(
            SUGGEST, suggestion_data(subject="<script>alert(1)</script>", body="x" * 2001)
        )
        self.assertNotContains(response, "<script>alert(1)", status_code=400)
        self.assertContains(response, "&lt;script&gt;alert(1)", status_code=400)
        self.assertFalse(Suggestion.objects.exists())

    @override_settings(FEEDBACK_THROTTLE_PER_CLIENT={"limit": 2, "period": 3600})
    def test_a_client_over_the_throttle_is_told_to_wait(self):
        """Past the per-client limit the answer is 429 with Retry-After, and nothing kept."""
        statuses = [self.client.post(SUGGEST, suggestion_data()).status_code for _ in range(3)]
        self.assertEqual(statuses, [302, 302, 429])
        response = self.client.post(SUGGEST, suggestion_data())
        self.assertEqual(response["Retry-After"], "3600")
        self.assertContains(response, "Too many messages", status_code=429)
        self.assertEqual(Suggestion.objects.count(), 2)


class ReportProblemTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        editors = Group.objects.get(name="Editors")
        cls.author = make_user(groups=[editors])
        cls.author.email = "author@example.org"
        cls.author.save()
        cls.other_editor = make_user(groups=[editors])
        cls.live = publish(make_draft("street-lighting", title="Street lighting", user=cls.author))

    def report_url(self, slug="street-lighting"):
        return reverse("feedback:report", kwargs={"slug": slug})

    def test_every_summary_page_links_to_the_form(self):
        """The foot of a live summary offers "Report a problem with this page"."""
        response = self.client.get("/toolkit/street-lighting/")
        self.assertContains(
            response,
            f'<a href="{self.report_url()}">Report a problem with this page</a>',
            html=True,
        )

    def test_a_report_is_tied_to_the_version_and_tells_its_editors(self):
        """A report is kept with the summary and the version read, and the version's
        author is notified (in the admin, and by email); other editors are not."""
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.report_url(),
                {"body": "The second link is broken.", "started": started(), "version": 1},
            )
        self.assertRedirects(response, self.report_url() + "sent/")
        report = Suggestion.objects.get()
        self.assertEqual((report.kind, report.version_id), (SuggestionKind.PROBLEM, self.live.pk))
        [notice] = Notification.objects.filter(kind=NotificationKind.PROBLEM_REPORTED)
        self.assertEqual(notice.user, self.author)
        self.assertIn("reported a problem with “Street lighting” (v1)", notice.message)
        self.assertEqual([m.to for m in mail.outbox], [["author@example.org"]])
        self.assertNotIn("The second link is broken", mail.outbox[0].body)

    def test_only_live_summaries_take_reports(self):
        """A draft-only summary's form is 404, a withdrawn one's 410, like its page."""
        make_draft("secret-draft")
        withdrawn = make_live("gone")
        version_withdraw(version=withdrawn, reason="Out of date.")
        self.assertEqual(self.client.get(self.report_url("secret-draft")).status_code, 404)
        self.assertEqual(self.client.get(self.report_url("gone")).status_code, 410)
        self.assertEqual(self.client.get(self.report_url("no-such")).status_code, 404)

    def test_an_unknown_version_number_means_the_live_one(self):
        """A version number never published (a draft's) is taken as the live version."""
        draft_start_from(version=self.live)
        self.client.post(self.report_url(), {"body": "Typo.", "started": started(), "version": 2})
        self.assertEqual(Suggestion.objects.get().version_id, self.live.pk)


class QueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        cls.suggestion = Suggestion.objects.create(
            kind=SuggestionKind.SUGGESTION,
            subject="Street triage",
            body="Nurses with police.",
            email="reader@example.org",
        )

    def setUp(self):
        self.client.force_login(self.editor)

    def close(self, **data):
        url = reverse("admin:summaries_suggestion_close", args=[self.suggestion.pk])
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, data)

    def test_accept_makes_a_pipeline_entry_replies_and_forgets_the_address(self):
        """Accepting makes a "suggested" pipeline entry, emails the reply, and deletes the
        sender's address."""
        response = self.close(
            outcome="accepted",
            entry_title="Street triage",
            entry_description="Mental health nurses with police.",
            reply="Thank you: we will assess it.",
        )
        self.assertEqual(response.status_code, 302)
        self.suggestion.refresh_from_db()
        entry = PipelineEntry.objects.get()
        self.assertEqual((entry.title, entry.stage), ("Street triage", Stage.SUGGESTED))
        self.assertEqual(self.suggestion.pipeline_entry, entry)
        self.assertEqual((self.suggestion.status, self.suggestion.email), ("accepted", ""))
        self.assertEqual([m.to for m in mail.outbox], [["reader@example.org"]])
        self.assertIn("Thank you: we will assess it.", mail.outbox[0].body)
        self.assertContains(self.client.get("/toolkit/pipeline/"), "Street triage")

    def test_decline_needs_a_reply(self):
        """Declining without a reply is refused with the reason; nothing changes."""
        response = self.close(outcome="declined", reply="")
        self.assertContains(response, "Write a reply saying why it is declined.")
        self.suggestion.refresh_from_db()
        self.assertEqual(self.suggestion.email, "reader@example.org")

    def test_merge_with_an_existing_entry(self):
        """Merging links the suggestion to the chosen entry; no reply means no email."""
        entry = PipelineEntry.objects.create(title="Triage", description="Nurses.")
        self.close(outcome="merged", entry=entry.pk)
        self.suggestion.refresh_from_db()
        self.assertEqual(
            (self.suggestion.status, self.suggestion.pipeline_entry), ("merged", entry)
        )
        self.assertEqual(mail.outbox, [])

    def test_a_closed_item_cannot_be_closed_again(self):
        """A second close is refused by the service and the admin says it is closed."""
        suggestion_close(
            suggestion=self.suggestion, outcome="declined", user=self.editor, reply="No."
        )
        with self.assertRaisesMessage(ServiceError, "already closed"):
            suggestion_close(
                suggestion=self.suggestion, outcome="declined", user=self.editor, reply="No."
            )
        url = reverse("admin:summaries_suggestion_close", args=[self.suggestion.pk])
        self.assertContains(self.client.get(url, follow=True), "This item is already closed.")

    def test_someone_without_the_queue_permission_is_refused(self):
        """Staff outside the editors and reviewers cannot close items."""
        with self.assertRaises(ServiceError):
            suggestion_close(
                suggestion=self.suggestion, outcome="declined", user=make_user(), reply="No."
            )

    def test_the_database_keeps_no_address_on_a_closed_item(self):
        """A closed item holding an address is refused by the database itself."""
        with self.assertRaises(IntegrityError), transaction.atomic():
            Suggestion.objects.filter(pk=self.suggestion.pk).update(
                status=SuggestionStatus.DECLINED, closed_at=timezone.now()
            )

    def test_queue_lists_open_items_first(self):
        """The queue's list shows open items before closed ones."""
        closed = Suggestion.objects.create(
            kind=SuggestionKind.SUGGESTION, subject="Old", body="Old one."
        )
        suggestion_close(suggestion=closed, outcome="declined", user=self.editor, reply="No.")
        response = self.client.get(reverse("admin:summaries_suggestion_changelist"))
        page = response.content.decode()
        self.assertLess(page.index("Street triage"), page.index(">Old<"))


class SubscriberDataTests(TestCase):
    def test_export_and_delete_cover_suggestions(self):
        """The subscriber data command exports an open suggestion's text for its address,
        and deleting removes the address from it."""
        Suggestion.objects.create(
            kind=SuggestionKind.SUGGESTION, subject="Triage", body="Why.", email="a@example.org"
        )
        out = StringIO()
        call_command("subscriber_data", "export", "A@example.org", stdout=out)
        exported = json.loads(out.getvalue())
        self.assertEqual(exported["suggestions_and_problem_reports"][0]["subject"], "Triage")
        call_command("subscriber_data", "delete", "a@example.org", stdout=StringIO())
        self.assertEqual(Suggestion.objects.get().email, "")
