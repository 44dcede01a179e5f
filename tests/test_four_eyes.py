"""Four eyes on authorship: nobody but a superuser publishes or schedules a version
containing text they saved, whoever submitted it."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from summaries.editorial import authorship, comments, rules
from summaries.editorial.services import (
    NotAllowed,
    draft_start_from,
    publish_due,
    version_publish,
    version_request_changes,
    version_schedule,
    version_submit,
)
from summaries.importer import save_as_draft
from summaries.models import AuditAction, State, SummaryVersion, VersionAuthor
from tests.factories import make_complete_draft, make_live, make_user, send_to_review
from tests.test_admin import form_data
from tests.test_importer import reference


def role(name):
    return Group.objects.get(name=name)


class FourEyesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=[role("Editors")])
        cls.writer = make_user("writer", groups=[role("Reviewers")])
        cls.other = make_user("other", groups=[role("Reviewers")])
        cls.admin = make_user("admin", superuser=True)

    def resubmitted_by_editor(self):
        """A reviewer's own draft, sent back by another reviewer, resubmitted by an editor."""
        draft = make_complete_draft(user=self.writer)
        version_submit(version=draft, user=self.writer, change_note="First version.")
        version_request_changes(version=draft, user=self.other, comment="Add the cost.")
        return version_submit(version=draft, user=self.editor, change_note="Cost added.")

    def test_writer_cannot_publish_after_an_editor_resubmits(self):
        """A reviewer whose text an editor resubmitted still cannot publish it, and is told why."""
        version = self.resubmitted_by_editor()
        self.assertEqual(version.submitted_by, self.editor)
        self.assertFalse(rules.may(self.writer, AuditAction.PUBLISH, version))
        with self.assertRaisesMessage(NotAllowed, "You saved text in this version"):
            version_publish(version=version, user=self.writer)
        with self.assertRaisesMessage(NotAllowed, "another reviewer must publish"):
            version_schedule(
                version=version, user=self.writer, publish_at=timezone.now() + timedelta(days=1)
            )
        self.assertEqual(SummaryVersion.objects.get(pk=version.pk).state, State.IN_REVIEW)

    def test_other_reviewer_publishes_it(self):
        """A reviewer who only commented and requested changes may publish."""
        version = self.resubmitted_by_editor()
        comments.comment_add(version=version, user=self.other, anchor="title", body="Fine now.")
        self.assertTrue(rules.may(self.other, AuditAction.PUBLISH, version))
        self.assertEqual(version_publish(version=version, user=self.other).state, State.PUBLISHED)

    def test_superuser_publishes_their_own_text(self):
        """A superuser may publish a version they wrote and submitted."""
        draft = make_complete_draft(user=self.admin)
        version = version_submit(version=draft, user=self.admin, change_note="First.")
        self.assertEqual(version_publish(version=version, user=self.admin).state, State.PUBLISHED)

    def test_starting_a_draft_from_live_is_not_authorship(self):
        """Starting a draft copies others' text: its starter becomes an author only by saving."""
        live = make_live("lighting")
        draft = draft_start_from(version=live, user=self.writer)
        self.assertFalse(authorship.is_author(draft, self.writer))
        version = send_to_review(draft, user=self.editor)
        self.assertTrue(rules.may(self.writer, AuditAction.PUBLISH, version))

    def test_admin_save_makes_an_author(self):
        """Saving a change on the version form makes the user an author; a save that
        changes nothing does not."""
        live = make_live("lighting")
        draft = draft_start_from(version=live, user=self.editor)
        self.client.force_login(self.writer)
        url = reverse("admin:summaries_summaryversion_change", args=[draft.pk])
        data = form_data(self.client.get(url), "summaryversion_form")
        self.client.post(url, data)
        self.assertFalse(VersionAuthor.objects.filter(version=draft, user=self.writer).exists())
        draft.refresh_from_db()
        data["loaded_revision"] = [str(draft.revision)]
        data["title"] = ["A title the writer typed"]
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        self.assertTrue(VersionAuthor.objects.filter(version=draft, user=self.writer).exists())
        version = send_to_review(draft, user=self.editor)
        self.assertFalse(rules.may(self.writer, AuditAction.PUBLISH, version))

    def test_scheduled_publication_obeys_the_rule(self):
        """A schedule made by a reviewer who is also an author is never carried out."""
        version = self.resubmitted_by_editor()
        SummaryVersion.objects.filter(pk=version.pk).update(
            publish_at=timezone.now() - timedelta(minutes=1), scheduled_by=self.writer
        )
        with self.assertLogs("summaries.editorial.services", "WARNING"):
            self.assertEqual(publish_due(), [])
        self.assertEqual(SummaryVersion.objects.get(pk=version.pk).state, State.IN_REVIEW)

    def test_an_imports_user_is_its_author(self):
        """A reviewer who imported a summary cannot publish the draft it became."""
        version = save_as_draft(reference(), user=self.writer)
        self.assertTrue(authorship.is_author(version, self.writer))
        version = send_to_review(version, user=self.editor)
        self.assertFalse(rules.may(self.writer, AuditAction.PUBLISH, version))
