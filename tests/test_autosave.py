"""Autosave of the version form: one slot per user and draft, never a revision; the
endpoint's refusals (permissions, a non-draft, size, pace, opt-out); the stale-save rule;
the restore prompt and what it lists; when slots are deleted; and, after a refused stale
save, where the user's own edit is. The browser side is ``test_browser_autosave.py``."""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from summaries.editorial import autosave
from summaries.editorial.services import version_archive, version_submit
from summaries.models import (
    AuditEvent,
    AutosaveSlot,
    NotificationPreference,
    State,
    SummaryVersion,
)
from summaries.tasks.housekeeping import clean_up
from tests.factories import make_complete_draft, make_user
from tests.test_admin import change_url, form_data


def autosave_url(version):
    return reverse("admin:summaries_summaryversion_autosave", args=[version.pk])


def discard_url(version):
    return reverse("admin:summaries_summaryversion_autosave_discard", args=[version.pk])


class AutosaveTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        editors = Group.objects.get(name="Editors")
        cls.editor = make_user("editor", groups=[editors])
        cls.editor2 = make_user("editor2", groups=[editors])
        cls.draft = make_complete_draft("street-lighting", title="Street lighting")

    def client_for(self, user, **kwargs):
        client = Client(**kwargs)
        client.force_login(user)
        return client

    def loaded_form(self, client):
        """The version form as the browser posts it, straight after opening it."""
        return form_data(client.get(change_url(self.draft)), "summaryversion_form")

    def autosave(self, client, data):
        return client.post(autosave_url(self.draft), data)


class AutosaveSlotTests(AutosaveTestCase):
    def test_one_slot_per_user_and_version(self):
        """The database refuses a second slot for the same user and draft."""
        AutosaveSlot.objects.create(user=self.editor, version=self.draft, based_on_revision=1)
        with self.assertRaises(IntegrityError):
            AutosaveSlot.objects.create(user=self.editor, version=self.draft, based_on_revision=1)

    def test_a_slot_is_not_content_copied_to_a_new_draft(self):
        """Restoring a version as a new draft copies its content, never anyone's slot."""
        AutosaveSlot.objects.create(user=self.editor, version=self.draft, based_on_revision=1)
        version_archive(version=self.draft, user=self.editor)
        copy = autosave.AutosaveSlot.objects.filter(version__intervention=self.draft.intervention)
        self.assertEqual(copy.count(), 0, "archiving deleted it, and nothing was copied")


class AutosaveEndpointTests(AutosaveTestCase):
    def test_typing_is_kept_in_the_users_slot_and_is_not_a_revision(self):
        """An autosave keeps the form's fields in the user's slot; the version, its
        revision, its history and its audit log do not change."""
        client = self.client_for(self.editor)
        data = self.loaded_form(client)
        before = SummaryVersion.objects.get(pk=self.draft.pk)
        events = AuditEvent.objects.count()
        data["title"] = ["Street lighting at night"]
        response = self.autosave(client, data)
        self.assertEqual(response.status_code, 200)
        answer = response.json()
        self.assertTrue(answer["ok"])
        self.assertIn("Autosaved at", answer["message"])
        self.assertFalse(answer["stale"])
        slot = AutosaveSlot.objects.get(user=self.editor, version=self.draft)
        self.assertEqual(slot.data["title"], ["Street lighting at night"])
        self.assertEqual(slot.based_on_revision, before.revision)
        self.assertNotIn("csrfmiddlewaretoken", slot.data)
        after = SummaryVersion.objects.get(pk=self.draft.pk)
        self.assertEqual(
            (after.title, after.revision, after.updated_at, after.last_saved_by),
            (before.title, before.revision, before.updated_at, before.last_saved_by),
        )
        self.assertEqual(AuditEvent.objects.count(), events)

    @override_settings(AUTOSAVE_MIN_SECONDS=0)
    def test_later_autosaves_replace_the_one_slot(self):
        """Each autosave replaces the user's slot: there is only ever one."""
        client = self.client_for(self.editor)
        data = self.loaded_form(client)
        data["title"] = ["First"]
        self.autosave(client, data)
        data["title"] = ["Second"]
        self.autosave(client, data)
        slots = AutosaveSlot.objects.filter(user=self.editor, version=self.draft)
        self.assertEqual([slot.data["title"] for slot in slots], [["Second"]])

    def test_another_users_slot_is_never_written_or_shown(self):
        """Two editors' autosaves go to two slots; neither sees the other's in the form."""
        alice, bob = self.client_for(self.editor), self.client_for(self.editor2)
        alice_data, bob_data = self.loaded_form(alice), self.loaded_form(bob)
        alice_data["title"] = ["Alice's title"]
        bob_data["title"] = ["Bob's title"]
        self.autosave(alice, alice_data)
        self.autosave(bob, bob_data)
        slots = AutosaveSlot.objects.filter(version=self.draft).order_by("user__username")
        self.assertEqual(
            [(s.user.username, s.data["title"]) for s in slots],
            [("editor", ["Alice's title"]), ("editor2", ["Bob's title"])],
        )
        page = alice.get(change_url(self.draft))
        self.assertContains(page, 'id="autosave-prompt"')
        self.assertContains(page, '"title": ["Alice\'s title"]')
        self.assertNotContains(page, "Bob&#x27;s title")
        self.assertNotContains(page, "Bob's title")
        bob.post(discard_url(self.draft))
        self.assertTrue(AutosaveSlot.objects.filter(user=self.editor).exists())
        self.assertFalse(AutosaveSlot.objects.filter(user=self.editor2).exists())

    def test_someone_elses_save_since_is_said_and_the_slot_still_kept(self):
        """When another editor saved after the form was loaded, the autosave is kept in
        the user's own slot (nothing lost), their save is untouched, and the answer says
        who saved and that a Save will be refused as stale."""
        alice, bob = self.client_for(self.editor), self.client_for(self.editor2)
        alice_data, bob_data = self.loaded_form(alice), self.loaded_form(bob)
        alice_data.update(title=["Alice's title"], _continue=["Save"])
        self.assertEqual(alice.post(change_url(self.draft), alice_data).status_code, 302)
        bob_data["standfirst"] = ["Bob's standfirst"]
        answer = self.autosave(bob, bob_data).json()
        self.assertTrue(answer["stale"])
        self.assertIn("editor saved this version at", answer["conflict"])
        self.assertIn("a Save will be refused as stale", answer["conflict"])
        slot = AutosaveSlot.objects.get(user=self.editor2)
        self.assertEqual(slot.data["standfirst"], ["Bob's standfirst"])
        self.draft.refresh_from_db()
        self.assertEqual(
            (self.draft.title, self.draft.standfirst),
            ("Alice's title", "A one-sentence standfirst."),
        )

    def test_own_save_since_is_not_autosaved_over(self):
        """An autosave from a form the user has saved since (from this or another window)
        keeps nothing, so it cannot bring back what the save replaced."""
        client = self.client_for(self.editor)
        data = self.loaded_form(client)
        saved = {**data, "title": ["Saved title"], "_continue": ["Save"]}
        self.assertEqual(client.post(change_url(self.draft), saved).status_code, 302)
        response = self.autosave(client, {**data, "title": ["Older typing"]})
        self.assertEqual(response.status_code, 409)
        self.assertIn("you saved this version", response.json()["message"])
        self.assertFalse(AutosaveSlot.objects.exists())

    def test_a_version_no_longer_a_draft_is_refused(self):
        """Once the draft is in review, an autosave is refused with a message saying so."""
        client = self.client_for(self.editor)
        data = self.loaded_form(client)
        version_submit(version=self.draft, user=self.editor, change_note="First version.")
        response = self.autosave(client, data)
        self.assertEqual(response.status_code, 409)
        self.assertIn("no longer a draft (in review)", response.json()["message"])
        self.assertFalse(AutosaveSlot.objects.exists())

    def test_who_may_autosave(self):
        """Signed out: the login page; staff without the change permission: 403 (and
        their read-only form does not autosave); a GET: 405; a missing version: 404; a
        post without the CSRF token: 403."""
        data = self.loaded_form(self.client_for(self.editor))
        anonymous = Client().post(autosave_url(self.draft), data)
        self.assertEqual(anonymous.status_code, 302)
        self.assertIn("login", anonymous["Location"])
        viewer = make_user("viewer")
        viewer.user_permissions.add(Permission.objects.get(codename="view_summaryversion"))
        refused = self.autosave(self.client_for(viewer), data)
        self.assertEqual(refused.status_code, 403)
        self.assertIn("does not include editing drafts", refused.json()["message"])
        read_only = self.client_for(viewer).get(change_url(self.draft))
        self.assertEqual(read_only.status_code, 200)
        self.assertNotContains(read_only, 'id="autosave-status"')
        client = self.client_for(self.editor)
        self.assertEqual(client.get(autosave_url(self.draft)).status_code, 405)
        missing = client.post(
            reverse("admin:summaries_summaryversion_autosave", args=[999999]), data
        )
        self.assertEqual(missing.status_code, 404)
        strict = self.client_for(self.editor, enforce_csrf_checks=True)
        self.assertEqual(strict.post(autosave_url(self.draft), data).status_code, 403)
        self.assertFalse(AutosaveSlot.objects.exists())

    @override_settings(AUTOSAVE_MAX_BYTES=2000)
    def test_a_form_over_the_size_limit_is_refused_clearly(self):
        """A form larger than AUTOSAVE_MAX_BYTES gets a 413 saying so and that Save still
        keeps the changes; nothing is kept."""
        client = self.client_for(self.editor)
        data = self.loaded_form(client)
        data["standfirst"] = ["word " * 1000]
        response = self.autosave(client, data)
        self.assertEqual(response.status_code, 413)
        message = response.json()["message"]
        self.assertIn("too large to autosave", message)
        self.assertIn("at most 2 kB", message)
        self.assertIn("Save keeps them", message)
        self.assertFalse(AutosaveSlot.objects.exists())

    def test_a_form_that_names_no_revision_is_refused(self):
        """Without the revision the form was loaded from, or with one that never existed,
        nothing is kept and the answer says so (400, 409)."""
        client = self.client_for(self.editor)
        data = self.loaded_form(client)
        response = self.autosave(client, {**data, "loaded_revision": ["x"]})
        self.assertEqual(response.status_code, 400)
        self.assertIn("reload the page", response.json()["message"])
        response = self.autosave(client, {**data, "loaded_revision": ["9999"]})
        self.assertEqual(response.status_code, 409)
        self.assertFalse(AutosaveSlot.objects.exists())

    @override_settings(AUTOSAVE_MIN_SECONDS=60)
    def test_autosaves_are_paced(self):
        """A second autosave of the same draft within AUTOSAVE_MIN_SECONDS is refused with
        429 and Retry-After; the first is kept."""
        client = self.client_for(self.editor)
        data = self.loaded_form(client)
        self.assertEqual(self.autosave(client, {**data, "title": ["One"]}).status_code, 200)
        again = self.autosave(client, {**data, "title": ["Two"]})
        self.assertEqual(again.status_code, 429)
        self.assertEqual(again["Retry-After"], "60")
        self.assertEqual(AutosaveSlot.objects.get().data["title"], ["One"])


class AutosavePromptTests(AutosaveTestCase):
    def keep(self, user, **changes):
        client = self.client_for(user)
        data = self.loaded_form(client)
        data.update(changes)
        self.assertEqual(self.autosave(client, data).status_code, 200)
        return client

    def test_prompt_lists_what_differs_with_its_part(self):
        """Coming back to the form, the user is offered Restore or Discard, with each
        field that differs from the saved version named with its part."""
        client = self.keep(
            self.editor,
            title=["Street lighting at night"],
            **{"sections-1-body": ["<p>It worked.</p>"]},
        )
        page = client.get(change_url(self.draft))
        self.assertContains(page, 'id="autosave-prompt"')
        self.assertContains(page, "You have unsaved changes, autosaved at")
        differences = [
            (place.part_title, place.label) for place in page.context["autosave_differences"]
        ]
        self.assertEqual(
            differences, [("Summary", "Title"), ("Effect", "Effect – how effective is it?")]
        )
        self.assertContains(page, '<a href="#id_title">Title</a>', html=True)
        self.assertContains(page, ">Restore</button>")
        self.assertContains(page, ">Discard</button>")
        self.assertContains(page, 'id="autosave-data"')

    def test_no_prompt_when_the_slot_holds_what_is_saved(self):
        """A slot with nothing the saved version lacks offers nothing to restore."""
        client = self.keep(self.editor)
        self.assertTrue(AutosaveSlot.objects.exists())
        self.assertNotContains(client.get(change_url(self.draft)), 'id="autosave-prompt"')

    def test_prompt_says_when_someone_saved_since(self):
        """If the version was saved by someone else after the autosave's form was
        loaded, the prompt says so in words, and that a Save will be refused at first."""
        client = self.keep(self.editor, title=["Mine"])
        other = self.client_for(self.editor2)
        theirs = {**self.loaded_form(other), "standfirst": ["Theirs."], "_continue": ["Save"]}
        self.assertEqual(other.post(change_url(self.draft), theirs).status_code, 302)
        page = client.get(change_url(self.draft))
        self.assertContains(page, "Saved since by editor2:")
        self.assertContains(page, "your first Save is refused as stale")
        self.assertContains(page, f'data-revision="{AutosaveSlot.objects.get().based_on_revision}"')

    def test_discard_deletes_the_slot(self):
        """Discard (a plain form post) deletes the user's slot and returns to the form,
        which then offers nothing."""
        client = self.keep(self.editor, title=["Mine"])
        response = client.post(discard_url(self.draft), follow=True)
        self.assertContains(response, "Your autosaved changes were discarded.")
        self.assertNotContains(response, 'id="autosave-prompt"')
        self.assertFalse(AutosaveSlot.objects.exists())

    def test_a_save_deletes_the_users_slot(self):
        """Saving the version deletes the saver's slot (its changes are saved)."""
        client = self.keep(self.editor, title=["Mine"])
        data = {**self.loaded_form(client), "title": ["Mine"], "_continue": ["Save"]}
        self.assertEqual(client.post(change_url(self.draft), data).status_code, 302)
        self.assertFalse(AutosaveSlot.objects.exists())
        self.assertNotContains(client.get(change_url(self.draft)), 'id="autosave-prompt"')

    def test_submitting_and_archiving_delete_every_slot(self):
        """Submitting a draft deletes everyone's slots of it; so does archiving one."""
        self.keep(self.editor, title=["Mine"])
        self.keep(self.editor2, title=["Theirs"])
        version_submit(version=self.draft, user=self.editor, change_note="First version.")
        self.assertFalse(AutosaveSlot.objects.exists())
        other = make_complete_draft(user=self.editor)
        AutosaveSlot.objects.create(user=self.editor, version=other, based_on_revision=1)
        version_archive(version=other, user=self.editor)
        self.assertFalse(AutosaveSlot.objects.exists())

    def test_housekeeping_deletes_old_slots_and_those_of_non_drafts(self):
        """The daily clean-up deletes slots older than AUTOSAVE_KEEP_DAYS and any on a
        version that is no longer a draft; a recent slot of a draft stays."""
        recent = AutosaveSlot.objects.create(
            user=self.editor, version=self.draft, based_on_revision=1
        )
        old = AutosaveSlot.objects.create(
            user=self.editor2,
            version=self.draft,
            based_on_revision=1,
            updated_at=timezone.now() - timedelta(days=31),
        )
        closed = make_complete_draft(user=self.editor)
        AutosaveSlot.objects.create(user=self.editor, version=closed, based_on_revision=1)
        SummaryVersion.objects.filter(pk=closed.pk).update(state=State.ARCHIVED)
        with override_settings(AUTOSAVE_KEEP_DAYS=30):
            done = clean_up()
        self.assertEqual(done["autosaved forms"], 2)
        self.assertEqual(list(AutosaveSlot.objects.all()), [recent])
        self.assertNotIn(old.pk, AutosaveSlot.objects.values_list("pk", flat=True))


class AutosaveOptOutTests(AutosaveTestCase):
    def settings_url(self, user):
        preference, _ = NotificationPreference.objects.get_or_create(user=user)
        return reverse("admin:summaries_notificationpreference_change", args=[preference.pk])

    @override_settings(AUTOSAVE_MIN_SECONDS=0)
    def test_turning_autosave_off(self):
        """Unticking autosave on the settings page deletes what was autosaved, leaves the
        form without autosave, and refuses any autosave that still arrives."""
        client = self.client_for(self.editor)
        data = self.loaded_form(client)
        self.assertContains(client.get(change_url(self.draft)), 'id="autosave-status"')
        self.autosave(client, {**data, "title": ["Mine"]})
        page = client.get(self.settings_url(self.editor))
        self.assertContains(page, "Autosave my unsaved changes")
        response = client.post(
            self.settings_url(self.editor), {"address": "editor@example.org", "email": "on"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(NotificationPreference.objects.get(user=self.editor).autosave)
        self.assertFalse(AutosaveSlot.objects.exists())
        form = client.get(change_url(self.draft))
        self.assertNotContains(form, 'id="autosave-status"')
        self.assertNotContains(form, 'id="autosave-prompt"')
        refused = self.autosave(client, {**data, "title": ["Mine again"]})
        self.assertEqual(refused.status_code, 403)
        self.assertIn("Autosave is off in your settings", refused.json()["message"])
        self.assertFalse(AutosaveSlot.objects.exists())

    def test_autosave_is_on_by_default(self):
        """A user who never visited their settings has autosave on."""
        self.assertTrue(autosave.autosave_enabled(self.editor2))


class StaleOwnEditTests(AutosaveTestCase):
    def test_refused_save_says_where_the_users_own_edit_is(self):
        """After a save refused as stale, the page names the part and field of the
        user's own first edit (sent by the form's script) and links to it."""
        alice, bob = self.client_for(self.editor), self.client_for(self.editor2)
        alice_data, bob_data = self.loaded_form(alice), self.loaded_form(bob)
        alice_data.update(title=["Alice's title"], _continue=["Save"])
        alice.post(change_url(self.draft), alice_data)
        bob_data.update(
            {"sections-3-body": ["<p>Bob's mechanism.</p>"], "_continue": ["Save"]},
            _first_edited=["sections-3-body"],
        )
        refused = bob.post(change_url(self.draft), bob_data)
        self.assertContains(refused, "Not saved: editor saved this version")
        own = refused.context["stale_own_edit"]
        self.assertEqual((own.part_key, own.label), ("mechanism", "Mechanism – how does it work?"))
        self.assertContains(refused, 'id="stale-own-edit" data-part="mechanism"')
        self.assertContains(refused, "Your own edit</strong> (the first field you changed)")

    def test_a_forged_field_name_is_ignored(self):
        """A field name the form does not have names nothing (and is no error)."""
        alice, bob = self.client_for(self.editor), self.client_for(self.editor2)
        alice_data, bob_data = self.loaded_form(alice), self.loaded_form(bob)
        alice.post(change_url(self.draft), {**alice_data, "title": ["A"], "_continue": ["Save"]})
        for forged in ["nonsense", "sections-99-body", "sections-x-body", "reviews-0-nope"]:
            refused = bob.post(
                change_url(self.draft),
                {**bob_data, "title": ["B"], "_continue": ["Save"], "_first_edited": [forged]},
            )
            self.assertEqual(refused.status_code, 200)
            self.assertIsNone(refused.context["stale_own_edit"])
