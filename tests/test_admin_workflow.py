"""The workflow as staff meet it in the admin: no lost edits, preview, history, the queue."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from summaries.admin import presence
from summaries.editorial.services import draft_start_from, version_request_changes, version_submit
from summaries.models import (
    AuditEvent,
    KeyFigure,
    SectionKind,
    State,
    SummaryVersion,
    SystematicReview,
)
from tests.factories import make_complete_draft, make_draft, make_live, make_user, publish
from tests.helpers import count_get
from tests.test_admin import change_url, form_data


def action_url(version, name):
    return reverse(f"admin:summaries_summaryversion_{name}", args=[version.pk])


def history_url(version, **params):
    url = reverse("admin:summaries_intervention_history", args=[version.intervention_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def role(name):
    return Group.objects.get(name=name)


class StaffTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=[role("Editors")])
        cls.editor2 = make_user("editor2", groups=[role("Editors")])
        cls.reviewer = make_user("reviewer", groups=[role("Reviewers")])

    def client_for(self, user):
        client = Client()
        client.force_login(user)
        return client


class NoLostEditsTests(StaffTestCase):
    def test_second_save_from_a_stale_form_is_refused(self):
        """Two editors open the same draft; the second save is refused and overwrites nothing."""
        draft = make_complete_draft(user=self.editor)
        alice, bob = self.client_for(self.editor), self.client_for(self.editor2)
        alice_form = form_data(alice.get(change_url(draft)), "summaryversion_form")
        bob_form = form_data(bob.get(change_url(draft)), "summaryversion_form")

        alice_form.update(title=["Alice's title"], _save=["Save"])
        self.assertEqual(alice.post(change_url(draft), alice_form).status_code, 302)

        bob_form.update(title=["Bob's title"], standfirst=["Bob's standfirst"], _save=["Save"])
        response = bob.post(change_url(draft), bob_form)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Not saved: editor saved this version at")
        self.assertContains(response, "Nothing was overwritten")
        self.assertContains(response, f'href="{change_url(draft)}"')
        # Bob's typing is still in the form for him to copy from.
        self.assertContains(response, "Bob&#x27;s standfirst")
        draft.refresh_from_db()
        self.assertEqual(
            (draft.title, draft.standfirst), ("Alice's title", "A one-sentence standfirst.")
        )
        self.assertEqual(draft.revision, 3)  # created 1, set-up save 2, Alice 3
        self.assertEqual(draft.last_saved_by, self.editor)

    def test_stale_save_shows_their_changes_and_lets_the_user_merge(self):
        """After a refused save Bob sees what Alice changed beside his own text, and his
        next save (having taken in what he wants of hers) is not refused again."""
        draft = make_complete_draft(user=self.editor)
        alice, bob = self.client_for(self.editor), self.client_for(self.editor2)
        alice_form = form_data(alice.get(change_url(draft)), "summaryversion_form")
        bob_form = form_data(bob.get(change_url(draft)), "summaryversion_form")
        alice_form.update(title=["Street lighting at night"], _save=["Save"])
        self.assertEqual(alice.post(change_url(draft), alice_form).status_code, 302)

        bob_form.update(standfirst=["Bob's standfirst"], _save=["Save"])
        refused = bob.post(change_url(draft), bob_form)
        self.assertContains(refused, "What editor changed since you opened this version")
        changes = refused.context["stale_changes"]
        self.assertEqual(
            [(group.title, [f.label for f in group.changed]) for group in changes],
            [("Summary", ["Title"])],
        )
        self.assertIn("<ins>Street lighting at night</ins>", str(changes[0].changed[0].html))
        self.assertContains(refused, "Bob&#x27;s standfirst")

        merged = form_data(refused, "summaryversion_form")
        merged.update(title=["Street lighting at night"], _save=["Save"])
        self.assertEqual(bob.post(change_url(draft), merged).status_code, 302)
        draft.refresh_from_db()
        self.assertEqual(
            (draft.title, draft.standfirst), ("Street lighting at night", "Bob's standfirst")
        )

    def test_opening_a_draft_someone_else_has_open_warns(self):
        """Opening a draft another editor opened a minute ago says who and since when;
        it warns, and the form is still there to edit."""
        draft = make_complete_draft(user=self.reviewer)
        self.client_for(self.editor).get(change_url(draft))
        response = self.client_for(self.editor2).get(change_url(draft))
        self.assertContains(response, "Someone else is working on this draft.")
        self.assertContains(response, "editor has had this draft open since")
        self.assertContains(response, 'name="title"')
        alone = self.client_for(self.editor).get(change_url(draft))
        self.assertContains(alone, "editor2 has had this draft open since")
        self.assertNotContains(alone, "editor has had this draft open since")

    def test_presence_expires_and_notes_recent_saves(self):
        """A note older than five minutes is dropped; a save by someone else in the last
        five minutes is named."""
        draft = make_complete_draft(user=self.reviewer)
        presence.note_opened(draft, self.editor, now=timezone.now() - timedelta(minutes=6))
        draft.last_saved_by = self.editor
        draft.save()
        found = presence.others_on(draft, self.editor2)
        self.assertEqual([(p.name, p.what) for p in found], [("editor", "saved this draft at")])

    def test_stale_message_links_to_the_diff_against_live(self):
        """When a live version exists, the refusal links to the comparison with it."""
        live = make_live()
        draft = draft_start_from(version=live, user=self.editor)
        client = self.client_for(self.editor2)
        data = form_data(client.get(change_url(draft)), "summaryversion_form")
        draft.title = "Saved meanwhile"
        draft.save()
        data["_save"] = ["Save"]
        response = client.post(change_url(draft), data)
        self.assertContains(response, history_url(draft, old=1, new=2).replace("&", "&amp;"))

    def test_child_rows_count_as_a_save_of_the_version(self):
        """Saving a review's page makes an older form of its version stale, and vice versa."""
        draft = make_complete_draft(user=self.editor)
        review = draft.reviews.get()
        client = self.client_for(self.editor)
        version_form = form_data(client.get(change_url(draft)), "summaryversion_form")
        review_form = form_data(client.get(change_url(review)), "systematicreview_form")
        review_form.update(label=["Review A"], _save=["Save"])
        self.assertEqual(client.post(change_url(review), review_form).status_code, 302)
        version_form["_save"] = ["Save"]
        response = client.post(change_url(draft), version_form)
        self.assertContains(response, "Not saved")
        review_form.update(label=["Review B"])
        self.assertContains(client.post(change_url(review), review_form), "Not saved")
        self.assertEqual(SystematicReview.objects.get(pk=review.pk).label, "Review A")

    def test_form_without_revision_is_refused(self):
        """A post that does not say which revision it edits is not saved."""
        draft = make_complete_draft()
        client = self.client_for(self.editor)
        data = form_data(client.get(change_url(draft)), "summaryversion_form")
        del data["loaded_revision"]
        data.update(title=["Blind write"], _save=["Save"])
        self.assertContains(client.post(change_url(draft), data), "reload the page")
        draft.refresh_from_db()
        self.assertNotEqual(draft.title, "Blind write")


class ActionPageTests(StaffTestCase):
    def test_submit_page_lists_problems_before_submitting(self):
        """The submit page says up front what the draft still lacks."""
        draft = make_draft(standfirst="")
        response = self.client_for(self.editor).get(action_url(draft, "submit"))
        self.assertContains(response, "Before this version can go to review")
        self.assertContains(response, "Add a standfirst")
        self.assertContains(response, 'name="change_note"')

    def test_incomplete_submission_reports_everything_and_keeps_the_note(self):
        """Submitting an incomplete draft lists every problem and keeps what was typed."""
        draft = make_draft(standfirst="")
        response = self.client_for(self.editor).post(
            action_url(draft, "submit"), {"change_note": "My careful note."}
        )
        self.assertContains(response, "Not submitted. Before review:")
        self.assertContains(response, "<li>Add a standfirst", count=2)  # message and page
        self.assertContains(response, "My careful note.")
        draft.refresh_from_db()
        self.assertEqual(draft.state, State.DRAFT)

    def test_an_action_on_a_missing_version_says_so(self):
        """An action's address for a version that does not exist (deleted, mistyped) takes
        the reviewer to the admin's home with a message, as the admin's own pages do."""
        missing = make_draft().pk + 1000
        client = self.client_for(self.reviewer)
        for name in ("publish", "new_draft"):
            with self.subTest(action=name):
                url = reverse(f"admin:summaries_summaryversion_{name}", args=[missing])
                response = client.post(url, follow=True)
                self.assertRedirects(response, reverse("admin:index"))
                self.assertContains(response, f"with ID “{missing}” doesn’t exist")

    def test_buttons_follow_role_and_state(self):
        """Each user sees the buttons for what they may do now, and no others."""
        draft = make_complete_draft(user=self.editor)
        labels = self.button_labels(self.editor, draft)
        self.assertEqual(labels, ["Submit for review", "Archive this draft"])
        version_submit(version=draft, user=self.editor, change_note="x")
        self.assertEqual(self.button_labels(self.editor, draft), [])
        self.assertEqual(
            self.button_labels(self.reviewer, draft),
            ["Request changes", "Approve and publish", "Schedule publication", "Assign the review"],
        )

    def button_labels(self, user, version):
        response = self.client_for(user).get(change_url(version))
        return [button["label"] for button in response.context["workflow_buttons"]]

    def test_version_in_review_is_read_only(self):
        """Nobody edits a version in review: the reviewer approves what was submitted."""
        draft = make_complete_draft(user=self.editor)
        client = self.client_for(self.editor)
        data = form_data(client.get(change_url(draft)), "summaryversion_form")
        version_submit(version=draft, user=self.editor, change_note="x")
        response = client.get(change_url(draft))
        self.assertNotContains(response, 'name="_save"')
        self.assertContains(response, "A version in review cannot be edited")
        data.update(title=["Sneaky"], _save=["Save"])
        self.assertEqual(client.post(change_url(draft), data).status_code, 403)

    def test_request_changes_shows_the_comment_to_the_editor(self):
        """A comment sent back appears on the draft and on the editor's home page."""
        draft = make_complete_draft(user=self.editor)
        version_submit(version=draft, user=self.editor, change_note="x")
        reviewer = self.client_for(self.reviewer)
        self.assertContains(
            reviewer.post(action_url(draft, "request_changes"), {"comment": ""}),
            "This field is required",
        )
        reviewer.post(action_url(draft, "request_changes"), {"comment": "Add the 2023 review."})
        editor = self.client_for(self.editor)
        self.assertContains(editor.get(change_url(draft)), "Add the 2023 review.")
        home = editor.get(reverse("admin:index"))
        self.assertContains(home, "Sent back to you with comments (1)")
        self.assertContains(home, "Add the 2023 review.")

    def test_after_sending_back_the_reviewer_returns_to_the_queue(self):
        """ "Send back" takes the reviewer to their queue, not the editor's form, so the
        editor is not told the reviewer has the draft open."""
        draft = make_complete_draft(user=self.editor)
        version_submit(version=draft, user=self.editor, change_note="x")
        reviewer = self.client_for(self.reviewer)
        response = reviewer.post(action_url(draft, "request_changes"), {"comment": "Shorter."})
        self.assertRedirects(response, reverse("admin:index"), fetch_redirect_response=False)
        home = reviewer.get(response.url)
        self.assertContains(home, "Version 1 went back to the editors")
        editor_form = self.client_for(self.editor).get(change_url(draft))
        self.assertNotContains(editor_form, 'id="presence-warning"')

    def test_publish_confirmation_then_publish(self):
        """Publishing asks first; confirming makes the version live with a link to it."""
        draft = make_complete_draft(user=self.editor)
        version_submit(version=draft, user=self.editor, change_note="x")
        client = self.client_for(self.reviewer)
        self.assertContains(client.get(action_url(draft, "publish")), "Yes, publish version 1")
        response = client.post(action_url(draft, "publish"), follow=True)
        self.assertContains(response, "Version 1 is live.")
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 200)

    def test_withdraw_then_public_page_is_gone(self):
        """Withdrawing asks for a reason; then the public address answers 410 with it."""
        live = make_live(title="Street lighting")
        client = self.client_for(self.reviewer)
        self.assertContains(client.get(action_url(live, "withdraw")), "410 Gone")
        client.post(action_url(live, "withdraw"), {"reason": "Superseded by new evidence."})
        response = self.client.get(live.get_absolute_url())
        self.assertContains(response, "This summary has been withdrawn", status_code=410)
        self.assertContains(response, "Superseded by new evidence.", status_code=410)


class PreviewTests(StaffTestCase):
    def test_preview_is_the_public_page_under_a_banner(self):
        """Staff see a draft with the public template, marked as a preview, never cached."""
        live = make_live(title="Street lighting")
        draft = draft_start_from(version=live, user=self.editor)
        draft.title = "Brighter street lighting"
        draft.save()
        response = self.client_for(self.editor).get(action_url(draft, "preview"))
        self.assertTemplateUsed(response, "summaries/detail.html")
        self.assertContains(response, "Preview of version 2 (draft).")
        self.assertContains(response, "The public does not see this version;")
        self.assertContains(response, "<h1>Brighter street lighting</h1>", html=True)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertEqual(response["X-Robots-Tag"], "noindex")

    def test_anonymous_and_non_staff_get_404(self):
        """Without a staff login a preview address does not exist."""
        draft = make_draft(title="Secret")
        response = self.client.get(action_url(draft, "preview"))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Secret", status_code=404)
        outsider = self.client_for(make_user(staff=False))
        self.assertEqual(outsider.get(action_url(draft, "preview")).status_code, 404)

    def test_staff_without_permission_get_403(self):
        """Staff with no role in the workflow may not read drafts."""
        draft = make_draft()
        client = self.client_for(make_user())
        self.assertEqual(client.get(action_url(draft, "preview")).status_code, 403)

    def test_preview_query_count_does_not_grow_with_content(self):
        """A preview with five reviews costs the same queries as one with one."""
        client = self.client_for(self.editor)

        def count(version):
            return count_get(self, client, action_url(version, "preview"))

        small, large = make_complete_draft(), make_complete_draft()
        for n in range(2, 6):
            review = SystematicReview.objects.create(version=large, label=f"Review {n}")
            review.breakdowns.create(kind="country", label="UK", count=n)
            KeyFigure.objects.create(version=large, outcome=f"Outcome {n}")
        self.assertEqual(count(small), count(large))


class HistoryTests(StaffTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.v1 = make_live(
            title="Street lighting",
            sections={SectionKind.FOCUS: "<p>Lamps on every street.</p>"},
        )
        cls.v2 = draft_start_from(version=cls.v1, user=cls.editor)
        cls.v2.title = "Street lighting"
        cls.v2.standfirst = "Brighter lamps at night."
        cls.v2.save()
        cls.v2.sections.update(body="<p>LED lamps on every street.</p>")

    def test_lists_every_version_with_state_people_and_note(self):
        """The history lists each version with its state, author, dates and change note."""
        response = self.client_for(self.editor).get(history_url(self.v1))
        self.assertContains(response, '<tr id="version-1">')
        self.assertContains(response, '<tr id="version-2">')
        self.assertContains(response, "<td>Published</td>", html=True)
        self.assertContains(response, "by editor")

    def test_default_compares_open_draft_with_live(self):
        """By default the history compares the open draft against the live version."""
        response = self.client_for(self.editor).get(history_url(self.v1))
        self.assertEqual((response.context["old"], response.context["new"]), (self.v1, self.v2))
        self.assertContains(response, "<del>Lamps</del> <ins>LED lamps</ins> on every street.")
        self.assertContains(
            response, "<del>A one-sentence standfirst.</del> <ins>Brighter lamps at night.</ins>"
        )

    def test_unchanged_fields_are_not_shown_as_changed(self):
        """The unchanged title is not in the list of changes at all."""
        response = self.client_for(self.editor).get(history_url(self.v1))
        changed = [
            field.label for group in response.context["comparison"] for field in group.changed
        ]
        self.assertEqual(changed, ["Standfirst", "Focus of the intervention"])

    def test_any_two_versions_can_be_compared(self):
        """Choosing two versions compares them, newer against older either way round."""
        response = self.client_for(self.editor).get(history_url(self.v1, old=2, new=1))
        self.assertEqual((response.context["old"], response.context["new"]), (self.v2, self.v1))
        self.assertContains(response, "<del>LED lamps</del> <ins>Lamps</ins> on every street.")

    def test_audit_log_and_restore_buttons(self):
        """The history shows the audit log; restore is offered once no draft is open."""
        client = self.client_for(self.editor)
        response = client.get(history_url(self.v1))
        self.assertContains(response, "Started a new draft")
        self.assertNotContains(response, 'as a new draft">')
        publish(self.v2, user=self.reviewer)
        response = client.get(history_url(self.v1))
        self.assertContains(response, 'value="Restore v1 as a new draft"')
        self.assertContains(response, "Superseded")
        response = client.post(action_url(self.v1, "new_draft"), {"next": ""})
        draft = SummaryVersion.objects.get(intervention=self.v1.intervention, number=3)
        self.assertRedirects(response, change_url(draft))
        self.assertEqual(draft.sections.get().body, "<p>Lamps on every street.</p>")

    def test_history_query_count_does_not_grow_with_versions(self):
        """Ten versions cost the same queries as two."""
        client = self.client_for(self.editor)

        def count():
            return count_get(self, client, history_url(self.v1))

        few = count()
        publish(self.v2)
        for _ in range(4):
            live = SummaryVersion.objects.live().get(intervention=self.v1.intervention)
            publish(draft_start_from(version=live, user=self.editor))
        draft_start_from(
            version=SummaryVersion.objects.live().get(intervention=self.v1.intervention)
        )
        self.assertEqual(self.v1.intervention.versions.count(), 7)
        self.assertEqual(count(), few)


class QueueTests(StaffTestCase):
    def test_reviewer_sees_what_waits(self):
        """A reviewer's home page counts and lists the versions in review."""
        for _ in range(3):
            version_submit(
                version=make_complete_draft(user=self.editor), user=self.editor, change_note="x"
            )
        make_complete_draft(user=self.editor)
        response = self.client_for(self.reviewer).get(reverse("admin:index"))
        self.assertContains(response, "Waiting for review (3)")
        self.assertEqual(len(response.context["queue"]["in_review"]["versions"]), 3)

    def test_editor_sees_own_drafts_and_those_sent_back(self):
        """An editor's home page lists their drafts and those sent back, not others'."""
        make_complete_draft(user=self.editor, title="Mine")
        make_complete_draft(user=self.editor2, title="Not mine")
        sent_back = make_complete_draft(user=self.editor, title="Sent back")
        version_submit(version=sent_back, user=self.editor, change_note="x")
        version_request_changes(version=sent_back, user=self.reviewer, comment="Fix the dates.")
        response = self.client_for(self.editor).get(reverse("admin:index"))
        self.assertContains(response, "Your drafts (1)")
        self.assertContains(response, "Mine (v1)")
        self.assertNotContains(response, "Not mine")
        self.assertContains(response, "Sent back to you with comments (1)")
        self.assertContains(response, "Fix the dates.")
        self.assertNotContains(response, "Waiting for review")

    def test_home_page_query_count_is_bounded(self):
        """The queue costs the same queries with 2 or 30 waiting versions."""
        client = self.client_for(self.reviewer)

        def count():
            return count_get(self, client, reverse("admin:index"))

        for _ in range(2):
            version_submit(version=make_complete_draft(), user=self.editor, change_note="x")
        few = count()
        for _ in range(28):
            version_submit(version=make_complete_draft(), user=self.editor, change_note="x")
        self.assertEqual(count(), few)


class AuditAdminTests(StaffTestCase):
    def test_audit_log_is_read_only_for_everyone(self):
        """The audit log lists events but offers no add, change or delete, even to admins."""
        make_draft()
        event = AuditEvent.objects.get()
        admin = self.client_for(make_user(superuser=True))
        response = admin.get(reverse("admin:summaries_auditevent_changelist"))
        self.assertContains(response, "Created")
        self.assertNotContains(response, f"/{settings.ADMIN_URL}summaries/auditevent/add/")
        response = admin.get(reverse("admin:summaries_auditevent_change", args=[event.pk]))
        self.assertNotContains(response, 'name="_save"')
        self.assertNotContains(response, "deletelink")
