"""External reviewers without an account: the link a reviewer makes and withdraws, the
draft page it opens, the comments sent from it and the replies emailed back."""

import hashlib
import json
import re
from datetime import timedelta
from io import StringIO

from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from summaries.editorial import comments, external_reviews
from summaries.editorial.errors import ServiceError
from summaries.models import (
    AuditAction,
    AuditEvent,
    ExternalReview,
    Notification,
    NotificationKind,
    PublishedPage,
    ReviewComment,
    Section,
    SectionKind,
)
from summaries.tasks.housekeeping import clean_up
from tests.factories import make_complete_draft, make_live, make_user, publish, send_to_review

TOKEN = re.compile(r"/review/([A-Za-z0-9_-]{43})/")


def role(name):
    return Group.objects.get(name=name)


class ExternalReviewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=[role("Editors")])
        cls.editor.email = "editor@example.org"
        cls.editor.save()
        cls.reviewer = make_user("reviewer", groups=[role("Reviewers")])
        cls.reviewer.first_name, cls.reviewer.last_name = "Rita", "Reviewer"
        cls.reviewer.email = "reviewer@example.org"
        cls.reviewer.save()
        cls.live = make_live("street-lighting", title="Street lighting")
        Section.objects.create(
            version=cls.live, kind=SectionKind.EFFECT, body="<p>The live text about the effect.</p>"
        )
        cls.draft = make_complete_draft("cctv", title="CCTV in car parks", user=cls.editor)
        Section.objects.filter(version=cls.draft, kind=SectionKind.EFFECT).update(
            body="<p>The draft text about the effect.</p>"
        )

    def make_link(self, version=None, *, name="Dr Ada Academic", days=None):
        """A link made through the service, and the token its email carries."""
        with self.captureOnCommitCallbacks(execute=True):
            review = external_reviews.external_review_make(
                version=version or self.draft,
                user=self.reviewer,
                name=name,
                email="ada@university.example",
                days=days,
            )
        return review, external_reviews.token_for(review)

    def staff(self, user):
        client = Client()
        client.force_login(user)
        return client

    def add_url(self, version=None):
        version = version or self.draft
        return reverse("admin:summaries_summaryversion_external_add", args=[version.pk])

    def review_url(self, version=None):
        return reverse("admin:summaries_summaryversion_review", args=[(version or self.draft).pk])


class LinkMakingTests(ExternalReviewTestCase):
    def test_reviewer_makes_a_link_that_is_emailed(self):
        """A reviewer's link is emailed to the named person by a task, with the address of
        the draft, its expiry, and who asked; the review page lists it, unopened."""
        client = self.staff(self.reviewer)
        data = {"name": "Dr Ada Academic", "email": "ada@university.example", "days": "10"}
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(self.add_url(), data)
        self.assertRedirects(response, self.review_url() + "#external-review")
        (message,) = mail.outbox
        self.assertEqual(message.to, ["ada@university.example"])
        self.assertEqual(message.subject, "Please review a draft: CCTV in car parks")
        self.assertIn("Rita Reviewer", message.body)
        token = TOKEN.search(message.body).group(1)
        review = ExternalReview.objects.get()
        self.assertEqual(review.expires_at.date(), (review.made_at + timedelta(days=10)).date())
        page = client.get(self.review_url())
        self.assertContains(page, "Dr Ada Academic")
        self.assertContains(page, "not opened yet")
        self.assertEqual(self.client.get(f"/review/{token}/").status_code, 200)
        self.assertTrue(
            AuditEvent.objects.filter(
                action=AuditAction.EXTERNAL_LINK_MADE, actor=self.reviewer, version=self.draft
            ).exists()
        )

    def test_email_is_not_sent_inside_the_request(self):
        """The request only queues the email: nothing is sent until the transaction commits
        and the task runs."""
        client = self.staff(self.reviewer)
        data = {"name": "Dr Ada Academic", "email": "ada@university.example", "days": "10"}
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            client.post(self.add_url(), data)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(len(callbacks), 1)

    def test_editor_who_may_not_review_gets_403(self):
        """An editor cannot make a link (403, explained), nor sees the form."""
        client = self.staff(self.editor)
        data = {"name": "Someone", "email": "someone@example.org", "days": "5"}
        response = client.post(self.add_url(), data)
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Sending an external review link needs", status_code=403)
        self.assertFalse(ExternalReview.objects.exists())
        self.assertNotContains(client.get(self.review_url()), "Email the review link")

    def test_token_is_never_stored_in_plain_text(self):
        """The token in the email is in no column of the link, the audit log or the
        notifications; only its SHA-256 digest is kept."""
        review, token = self.make_link()
        self.client.get(f"/review/{token}/")
        stored = " ".join(str(value) for value in ExternalReview.objects.values().get().values())
        self.assertNotIn(token, stored)
        self.assertEqual(review.token_digest, hashlib.sha256(token.encode()).hexdigest())
        audit = " ".join(AuditEvent.objects.values_list("comment", flat=True))
        self.assertNotIn(token, audit)
        self.assertTrue(audit)

    def test_days_default_from_the_setting_and_capped(self):
        """Left at its default the link works EXTERNAL_REVIEW_DAYS days; more than
        EXTERNAL_REVIEW_MAX_DAYS is refused on the form, with what was typed kept."""
        with override_settings(EXTERNAL_REVIEW_DAYS=9, EXTERNAL_REVIEW_MAX_DAYS=30):
            review, _ = self.make_link()
            self.assertEqual((review.expires_at - review.made_at).days, 9)
            client = self.staff(self.reviewer)
            page = client.get(self.review_url())
            self.assertContains(page, 'name="days" value="9"')
            data = {"name": "Prof Long", "email": "long@example.org", "days": "31"}
            response = client.post(self.add_url(), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "less than or equal to 30", status_code=400)
        self.assertContains(response, 'value="Prof Long"', status_code=400)
        self.assertEqual(ExternalReview.objects.count(), 1)

    def test_bad_email_is_a_form_error(self):
        """An address that is not one is named on the form (400), and nothing is sent."""
        client = self.staff(self.reviewer)
        data = {"name": "Dr Ada", "email": "not an address", "days": "5"}
        response = client.post(self.add_url(), data)
        self.assertContains(response, "Enter a valid email address.", status_code=400)
        self.assertEqual(mail.outbox, [])

    def test_no_link_for_a_closed_version(self):
        """A published version is not sent for review: refused with a message."""
        with self.assertRaisesMessage(ServiceError, "Not possible now"):
            self.make_link(self.live)


class PreviewTests(ExternalReviewTestCase):
    def test_headers_and_banner(self):
        """The page is private and never stored, kept from search engines, sends its
        address to no other site, and says it is a draft for review."""
        _, token = self.make_link()
        response = self.client.get(f"/review/{token}/")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertContains(response, '<meta name="robots" content="noindex, nofollow">')
        self.assertContains(response, "<title>Draft for review: CCTV in car parks")
        self.assertContains(response, "<strong>Draft for review</strong>")
        self.assertNotContains(response, 'rel="canonical"')
        self.assertNotContains(response, token)  # the form posts to its own address
        self.assertContains(response, "Printed from a draft for review (not published)")

    def test_shows_the_draft_not_the_live_version(self):
        """The draft's text is shown, as the public page would show it; no admin link."""
        self.make_link()  # another link: each shows only its own
        live_draft = make_complete_draft(title="Lighting draft")
        _, token = self.make_link(live_draft)
        Section.objects.filter(version=live_draft, kind=SectionKind.EFFECT).update(
            body="<p>The draft text about lighting.</p>"
        )
        response = self.client.get(f"/review/{token}/")
        self.assertContains(response, "The draft text about lighting.")
        self.assertNotContains(response, "The live text about the effect.")
        self.assertNotContains(response, "The draft text about the effect.")
        self.assertNotContains(response, "/admin/")

    def test_draft_of_a_live_summary_shows_the_draft(self):
        """For a new draft of a live summary the page shows the draft's text, not the
        live page's, and nothing is stored as a public page."""
        from summaries.editorial.services import draft_start_from

        draft = draft_start_from(version=self.live)
        Section.objects.update_or_create(
            version=draft,
            kind=SectionKind.EFFECT,
            defaults={"body": "<p>The new draft's effect text.</p>"},
        )
        _, token = self.make_link(draft)
        response = self.client.get(f"/review/{token}/")
        self.assertContains(response, "The new draft's effect text.")
        self.assertNotContains(response, "The live text about the effect.")
        self.assertFalse(PublishedPage.objects.filter(version=draft).exists())
        public = self.client.get("/toolkit/street-lighting/")
        self.assertContains(public, "The live text about the effect.")
        self.assertNotContains(public, "The new draft's effect text.")

    def test_opening_is_counted_and_the_first_audited(self):
        """Each opening is counted on the link; only the first is an audit event."""
        review, token = self.make_link()
        self.client.get(f"/review/{token}/")
        self.client.get(f"/review/{token}/")
        review.refresh_from_db()
        self.assertEqual(review.opened_count, 2)
        self.assertIsNotNone(review.first_opened_at)
        opened = AuditEvent.objects.filter(action=AuditAction.EXTERNAL_LINK_OPENED)
        self.assertEqual(opened.count(), 1)
        self.assertIn("Dr Ada Academic", opened.get().comment)
        page = self.staff(self.reviewer).get(self.review_url())
        self.assertContains(page, "opened 2 times")

    def test_bad_tokens_answer_404(self):
        """A token of no link, or of the wrong shape, is the ordinary 404."""
        self.make_link()
        for token in ("A" * 43, "short", "A" * 44, "A" * 42 + ".", "%00" * 15):
            with self.subTest(token=token):
                response = self.client.get(f"/review/{token}/")
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, "CCTV", status_code=404)
        self.assertEqual(self.client.post("/review/" + "B" * 43 + "/").status_code, 404)

    def test_published_version_says_so(self):
        """Once the version is published the link says so and links the live page,
        without the comment form."""
        review, token = self.make_link()
        send_to_review(self.draft)
        publish(self.draft)
        response = self.client.get(f"/review/{token}/")
        self.assertContains(response, "has been published")
        self.assertContains(response, 'href="/toolkit/cctv/"')
        self.assertNotContains(response, "Send comment")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        sent = self.client.post(f"/review/{token}/", {"name": "A", "body": "Late."})
        self.assertEqual(sent.status_code, 200)
        self.assertFalse(ReviewComment.objects.exists())

    def test_archived_version_is_not_shown(self):
        """A version set aside is not shown: the page says so, without its text."""
        from summaries.editorial.services import version_archive

        _, token = self.make_link()
        version_archive(version=self.draft)
        response = self.client.get(f"/review/{token}/")
        self.assertContains(response, "set aside without being published")
        self.assertNotContains(response, "The draft text about the effect.")


class WithdrawAndExpiryTests(ExternalReviewTestCase):
    def test_withdrawn_link_shows_a_clear_410_and_is_audited(self):
        """A reviewer withdraws the link from the review page; it then answers 410 saying
        so and whom to ask, never the draft, and the attempt is audited."""
        review, token = self.make_link()
        client = self.staff(self.reviewer)
        url = reverse(
            "admin:summaries_summaryversion_external_withdraw", args=[self.draft.pk, review.pk]
        )
        response = client.post(url)
        self.assertRedirects(response, self.review_url() + "#external-review")
        self.assertContains(client.get(self.review_url()), "Withdrawn")
        gone = self.client.get(f"/review/{token}/")
        self.assertContains(gone, "This review link was withdrawn", status_code=410)
        self.assertContains(gone, "ask Rita Reviewer for a new link", status_code=410)
        self.assertNotContains(gone, "The draft text", status_code=410)
        self.assertEqual(gone["Cache-Control"], "private, no-store")
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        self.assertLessEqual(
            {AuditAction.EXTERNAL_LINK_REVOKED, AuditAction.EXTERNAL_LINK_REFUSED}, actions
        )
        posted = self.client.post(f"/review/{token}/", {"name": "A", "body": "Hello"})
        self.assertEqual(posted.status_code, 410)
        self.assertFalse(ReviewComment.objects.exists())

    def test_editor_cannot_withdraw(self):
        """An editor's withdrawal is refused (403); the link still works."""
        review, token = self.make_link()
        url = reverse(
            "admin:summaries_summaryversion_external_withdraw", args=[self.draft.pk, review.pk]
        )
        self.assertEqual(self.staff(self.editor).post(url).status_code, 403)
        self.assertEqual(self.client.get(f"/review/{token}/").status_code, 200)

    def test_expired_link_shows_a_clear_410_audited_once_an_hour(self):
        """An expired link answers 410 saying it expired and whom to ask; attempts are all
        counted, and audited once an hour."""
        review, token = self.make_link()
        past = timezone.now() - timedelta(days=30)
        ExternalReview.objects.filter(pk=review.pk).update(
            made_at=past, expires_at=past + timedelta(days=14)
        )
        for _ in range(3):
            gone = self.client.get(f"/review/{token}/")
        self.assertContains(gone, "This review link has expired", status_code=410)
        self.assertContains(gone, "ask Rita Reviewer for a new link", status_code=410)
        self.assertNotContains(gone, "The draft text", status_code=410)
        review.refresh_from_db()
        self.assertEqual(review.refused_count, 3)
        self.assertEqual(review.opened_count, 0)
        refused = AuditEvent.objects.filter(action=AuditAction.EXTERNAL_LINK_REFUSED)
        self.assertEqual(refused.count(), 1)
        self.assertIn("expired", refused.get().comment)

    def test_withdrawn_link_sends_no_email(self):
        """A link withdrawn before its email task runs is not sent."""
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            review = external_reviews.external_review_make(
                version=self.draft, user=self.reviewer, name="Ada", email="ada@example.org"
            )
        external_reviews.external_review_revoke(review=review, user=self.reviewer)
        for callback in callbacks:
            callback()
        self.assertEqual(mail.outbox, [])


class ExternalCommentTests(ExternalReviewTestCase):
    def post_comment(self, token, client=None, **data):
        data = {"name": "Dr Ada Academic", "anchor": "section-effect", "body": "Cite it.", **data}
        with self.captureOnCommitCallbacks(execute=True):
            return (client or self.client).post(f"/review/{token}/", data)

    def test_comment_lands_in_the_thread_with_the_name(self):
        """A comment from the page joins the version's thread, signed with the name given;
        staff see it on the review page as an external reviewer's; the page thanks them
        and lists it."""
        _, token = self.make_link()
        page = self.client.get(f"/review/{token}/")
        self.assertContains(page, 'value="Dr Ada Academic"')
        response = self.post_comment(token, name="Ada Academic (Leeds)")
        comment = ReviewComment.objects.get()
        self.assertRedirects(response, f"/review/{token}/?sent=1#comment-{comment.pk}")
        self.assertEqual(comment.external_name, "Ada Academic (Leeds)")
        self.assertIsNone(comment.author)
        self.assertEqual(comment.anchor, "section-effect")
        thanks = self.client.get(f"/review/{token}/?sent=1")
        self.assertContains(thanks, "your comment was sent to the editors")
        self.assertContains(thanks, "Cite it.")
        review_page = self.staff(self.reviewer).get(self.review_url())
        self.assertContains(review_page, "External reviewer: Ada Academic (Leeds)")
        self.assertContains(review_page, "Cite it.")
        self.assertTrue(
            AuditEvent.objects.filter(
                action=AuditAction.COMMENT, comment__contains="External reviewer Ada Academic"
            ).exists()
        )

    def test_editors_and_link_maker_are_notified(self):
        """The version's author and the link's maker are told, in the admin and by email."""
        _, token = self.make_link()
        mail.outbox.clear()
        self.post_comment(token)
        told = set(
            Notification.objects.filter(kind=NotificationKind.EXTERNAL_COMMENT).values_list(
                "user__username", flat=True
            )
        )
        self.assertEqual(told, {"editor", "reviewer"})
        self.assertEqual(
            {m.to[0] for m in mail.outbox}, {"editor@example.org", "reviewer@example.org"}
        )
        self.assertIn("Dr Ada Academic, an external reviewer, commented", mail.outbox[0].body)

    def test_staff_reply_is_emailed_to_the_reviewer(self):
        """A staff reply to an external comment is emailed to its writer, with the reply,
        their comment and the link back to the draft; the page shows the reply."""
        _, token = self.make_link()
        self.post_comment(token)
        comment = ReviewComment.objects.get()
        mail.outbox.clear()
        client = self.staff(self.reviewer)
        url = reverse(
            "admin:summaries_summaryversion_comment_reply", args=[self.draft.pk, comment.pk]
        )
        with self.captureOnCommitCallbacks(execute=True):
            client.post(url, {"body": "Added the citation."})
        (message,) = mail.outbox
        self.assertEqual(message.to, ["ada@university.example"])
        self.assertEqual(message.subject, "Reply to your comment on CCTV in car parks")
        self.assertIn("Added the citation.", message.body)
        self.assertIn("Cite it.", message.body)
        self.assertIn(f"/review/{token}/", message.body)
        self.assertContains(self.client.get(f"/review/{token}/"), "Added the citation.")

    def test_staff_resolve_an_external_comment(self):
        """A reviewer resolves an external comment as any other."""
        _, token = self.make_link()
        self.post_comment(token)
        comment = ReviewComment.objects.get()
        comments.comment_resolve(comment=comment, user=self.reviewer)
        comment.refresh_from_db()
        self.assertTrue(comment.is_resolved)
        self.assertContains(self.client.get(f"/review/{token}/"), "(resolved)")

    def test_script_in_name_and_body_is_escaped(self):
        """A <script> as name and comment is shown as text on the page and the review
        page, never run."""
        _, token = self.make_link(name="<script>alert('name')</script>")
        script = "<script>alert('body')</script>"
        self.post_comment(token, name=script, body=script)
        for response in (
            self.client.get(f"/review/{token}/"),
            self.staff(self.reviewer).get(self.review_url()),
        ):
            with self.subTest(url=response.request["PATH_INFO"]):
                self.assertNotContains(response, "<script>alert(")
                self.assertContains(response, "&lt;script&gt;alert(&#x27;body&#x27;)")

    def test_form_is_csrf_protected(self):
        """A post without the page's CSRF token is refused; with it, it is kept."""
        _, token = self.make_link()
        client = Client(enforce_csrf_checks=True)
        data = {"name": "Ada", "anchor": "version", "body": "Forged?"}
        self.assertEqual(client.post(f"/review/{token}/", data).status_code, 403)
        page = client.get(f"/review/{token}/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        data["csrfmiddlewaretoken"] = csrf.group(1)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(client.post(f"/review/{token}/", data).status_code, 302)
        self.assertEqual(ReviewComment.objects.count(), 1)

    def test_bad_input_is_named_on_the_form(self):
        """Too long, empty, an unknown part, a NUL: each a form error (400) with the text
        kept, never a 500, and nothing stored."""
        _, token = self.make_link()
        cases = {
            "long": ({"body": "x" * 5001}, "at most 5000 characters"),
            "empty": ({"body": "  "}, "This field is required."),
            "part": ({"anchor": "change_note"}, "Select a valid choice."),
            "nul": ({"body": "a\x00b"}, "Null characters are not allowed."),
            "name": ({"name": "A" * 201}, "at most 200 characters"),
            "line": ({"name": "Ada\nBob"}, "one line of plain text"),
        }
        for case, (data, message) in cases.items():
            with self.subTest(case=case):
                response = self.post_comment(token, **data)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "There is a problem", status_code=400)
        self.assertFalse(ReviewComment.objects.exists())

    @override_settings(EXTERNAL_COMMENT_THROTTLE_PER_LINK={"limit": 2, "period": 3600})
    def test_throttled_per_link(self):
        """Past the link's limit a comment is refused with 429 and Retry-After, from any
        address."""
        _, token = self.make_link()
        codes = [
            self.post_comment(token, client=Client(REMOTE_ADDR=f"10.0.0.{n}")).status_code
            for n in range(3)
        ]
        self.assertEqual(codes, [302, 302, 429])
        self.assertEqual(ReviewComment.objects.count(), 2)

    @override_settings(EXTERNAL_COMMENT_THROTTLE_PER_CLIENT={"limit": 1, "period": 3600})
    def test_throttled_per_client(self):
        """Past one client's limit its comments are refused, on any link; another client's
        are not."""
        _, first = self.make_link()
        _, second = self.make_link(name="Prof Bea")
        self.assertEqual(self.post_comment(first).status_code, 302)
        refused = self.post_comment(second)
        self.assertContains(refused, "Too many messages", status_code=429)
        self.assertIn("Retry-After", refused)
        other = Client(REMOTE_ADDR="192.0.2.9")
        self.assertEqual(self.post_comment(second, client=other).status_code, 302)


class AddressRetentionTests(ExternalReviewTestCase):
    def test_housekeeping_deletes_the_address_after_the_link_stopped_working(self):
        """EXTERNAL_REVIEW_ADDRESS_KEEP_DAYS after a link expired or was withdrawn its
        address is deleted; the link, its name and its comments stay; a working link, or
        one stopped lately, keeps its address."""
        working, _ = self.make_link()
        expired, expired_token = self.make_link(name="Prof Old")
        withdrawn, _ = self.make_link(name="Dr Gone")
        lately, _ = self.make_link(name="Dr Lately")
        long_ago = timezone.now() - timedelta(days=60)
        ExternalReview.objects.filter(pk=expired.pk).update(
            made_at=long_ago, expires_at=long_ago + timedelta(days=14)
        )
        ExternalReview.objects.filter(pk=withdrawn.pk).update(
            made_at=long_ago, revoked_at=long_ago + timedelta(days=1)
        )
        ExternalReview.objects.filter(pk=lately.pk).update(revoked_at=timezone.now())
        with override_settings(EXTERNAL_REVIEW_ADDRESS_KEEP_DAYS=30):
            done = clean_up()
        self.assertEqual(done["external reviewers' addresses"], 2)
        emails = dict(ExternalReview.objects.values_list("name", "email"))
        self.assertEqual(emails["Prof Old"], "")
        self.assertEqual(emails["Dr Gone"], "")
        self.assertEqual(emails["Dr Lately"], "ada@university.example")
        self.assertEqual(emails["Dr Ada Academic"], "ada@university.example")
        gone = self.client.get(f"/review/{expired_token}/")
        self.assertContains(gone, "This review link has expired", status_code=410)

    def test_subscriber_data_exports_and_deletes_an_external_reviewer(self):
        """`subscriber_data export` lists the links made for an address and the comments
        sent through them; `delete` deletes the address and withdraws the working link."""
        review, token = self.make_link()
        with self.captureOnCommitCallbacks(execute=True):
            external_reviews.external_comment_add(
                review=review, name="Dr Ada Academic", anchor="version", body="Well argued."
            )
        out = StringIO()
        call_command("subscriber_data", "export", "Ada@University.example", stdout=out)
        (link,) = json.loads(out.getvalue())["external_review_links"]
        self.assertEqual(link["name"], "Dr Ada Academic")
        self.assertEqual(link["comments"][0]["comment"], "Well argued.")
        call_command("subscriber_data", "delete", "ada@university.example", stdout=StringIO())
        review.refresh_from_db()
        self.assertEqual(review.email, "")
        self.assertIsNotNone(review.revoked_at)
        self.assertContains(self.client.get(f"/review/{token}/"), "was withdrawn", status_code=410)
        self.assertEqual(ReviewComment.objects.get().body, "Well argued.")
