"""Renamed summaries: old addresses lead to the current one, and reveal nothing else."""

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.test import TestCase

from summaries.importer import ImportFailed, parse_summary, save_as_draft
from summaries.models import AuditAction, AuditEvent, Intervention, SlugRedirect
from summaries.services import (
    NotAllowed,
    ServiceError,
    intervention_create,
    intervention_rename,
)
from tests.factories import make_draft, make_live, make_user


def rename(version, new_slug: str, user=None) -> Intervention:
    return intervention_rename(intervention=version.intervention, new_slug=new_slug, user=user)


class SlugRedirectConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.intervention = make_draft().intervention

    def test_an_old_slug_leads_to_one_summary_only(self):
        """The database refuses a second redirect from the same old slug."""
        SlugRedirect.objects.create(old_slug="old", intervention=self.intervention)
        with self.assertRaises(IntegrityError), transaction.atomic():
            SlugRedirect.objects.create(old_slug="old", intervention=make_draft().intervention)

    def test_an_old_slug_is_never_empty(self):
        """The database refuses a redirect from the empty slug."""
        with self.assertRaises(IntegrityError), transaction.atomic():
            SlugRedirect.objects.create(old_slug="", intervention=self.intervention)


class RenameServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        cls.live = make_live("street-lighting", title="Street lighting")
        cls.other = make_live("cctv", title="CCTV")

    def test_rename_keeps_the_old_address_and_logs_it(self):
        """The summary moves; its old slug is recorded and the audit log says who did it."""
        intervention = rename(self.live, "improved-street-lighting", user=self.editor)
        self.assertEqual(intervention.slug, "improved-street-lighting")
        self.assertEqual(
            list(intervention.slug_redirects.values_list("old_slug", flat=True)),
            ["street-lighting"],
        )
        event = AuditEvent.objects.get(action=AuditAction.RENAME)
        self.assertEqual((event.actor, event.version), (self.editor, self.live))
        self.assertIn("'street-lighting' to 'improved-street-lighting'", event.comment)

    def test_renames_never_chain(self):
        """After A → B → C, both A and B point at the intervention itself."""
        rename(self.live, "b")
        rename(self.live, "c")
        redirects = SlugRedirect.objects.filter(intervention=self.live.intervention)
        self.assertEqual(
            sorted(redirects.values_list("old_slug", flat=True)), ["b", "street-lighting"]
        )

    def test_renaming_back_removes_that_redirect(self):
        """Going back to an old slug makes it the address again, not a redirect."""
        rename(self.live, "b")
        rename(self.live, "c")
        rename(self.live, "street-lighting")
        self.assertEqual(
            sorted(SlugRedirect.objects.values_list("old_slug", flat=True)), ["b", "c"]
        )

    def test_same_slug_changes_nothing(self):
        """Saving the same address records no redirect and no event."""
        rename(self.live, "street-lighting")
        self.assertFalse(SlugRedirect.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action=AuditAction.RENAME).exists())

    def test_collisions_are_refused_with_a_message(self):
        """Another summary's address, current or old, is refused and nothing changes."""
        rename(self.other, "cctv-in-car-parks")
        cases = {
            "cctv-in-car-parks": "already exists",
            "cctv": "used to belong to the summary now at 'cctv-in-car-parks'",
            "not a slug!": "is not a valid address",
        }
        for new_slug, message in cases.items():
            with self.subTest(new_slug=new_slug), self.assertRaisesMessage(ServiceError, message):
                rename(self.live, new_slug)
        self.live.intervention.refresh_from_db()
        self.assertEqual(self.live.intervention.slug, "street-lighting")
        self.assertFalse(self.live.intervention.slug_redirects.exists())

    def test_a_new_summary_cannot_take_an_old_address(self):
        """Creating or importing a summary at another's old address is refused."""
        rename(self.other, "cctv-in-car-parks")
        with self.assertRaisesMessage(ServiceError, "used to belong"):
            intervention_create(slug="cctv", title="Another CCTV")
        parsed = parse_summary(
            "CCTV\nWhat it is.\nFocus of the intervention\nText.\n"
            "Effect – how effective is it?\nText.\nSummary\nText.\n"
        )
        with self.assertRaisesMessage(ImportFailed, "used to belong"):
            save_as_draft(parsed, slug="cctv")

    def test_needs_permission_to_change_interventions(self):
        """A user without the change permission cannot move a summary."""
        with self.assertRaises(NotAllowed):
            rename(self.live, "elsewhere", user=make_user())
