"""Renamed summaries: old addresses lead to the current one, and reveal nothing else."""

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from summaries.editorial.rules import RULES
from summaries.editorial.services import (
    NotAllowed,
    ServiceError,
    draft_start_from,
    intervention_create,
    intervention_rename,
    version_withdraw,
)
from summaries.importer import ImportFailed, parse_summary, save_as_draft
from summaries.models import AuditAction, AuditEvent, Intervention, SlugRedirect
from tests.factories import make_draft, make_live, make_user, publish
from tests.helpers import queries_of
from tests.test_admin import change_url, form_data


def url(slug: str) -> str:
    return reverse("summaries:detail", kwargs={"slug": slug})


def same_page(response, slug: str) -> str:
    """The page without its own address (pages name the address they were asked for)."""
    return response.content.decode().replace(url(slug), "/toolkit/<slug>/")


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

    def test_renaming_follows_the_rules_table(self):
        """Renaming is checked like every action, through the rules: a user who is not
        active staff is refused even with the permission."""
        self.assertIn(AuditAction.RENAME, RULES)
        not_staff = make_user(staff=False)
        not_staff.user_permissions.add(Permission.objects.get(codename="change_intervention"))
        with self.assertRaisesMessage(NotAllowed, "Your role does not allow this."):
            intervention_rename(intervention=self.live.intervention, new_slug="z", user=not_staff)
        self.live.intervention.refresh_from_db()
        self.assertNotEqual(self.live.intervention.slug, "z")

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

    def test_the_sites_own_addresses_are_reserved(self):
        """No summary takes an address the site uses itself, such as the feed."""
        for slug in ("data", "feed", "scales"):
            with self.subTest(slug=slug), self.assertRaisesMessage(ServiceError, "site itself"):
                rename(self.live, slug)
            with self.subTest(slug=slug), self.assertRaisesMessage(ServiceError, "site itself"):
                intervention_create(slug=slug, title="Clash")

    def test_needs_permission_to_change_interventions(self):
        """A user without the change permission cannot move a summary."""
        with self.assertRaises(NotAllowed):
            rename(self.live, "elsewhere", user=make_user())


class RedirectViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("a", title="Street lighting")
        rename(cls.live, "b")
        rename(cls.live, "c")

    def test_old_addresses_redirect_permanently_to_the_newest(self):
        """A and B each answer 301 straight to C (no chain); C shows the summary."""
        for old in ("a", "b"):
            with self.subTest(old=old):
                response = self.client.get(url(old))
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], url("c"))
                self.assertIn("max-age=", response["Cache-Control"])
        self.assertContains(self.client.get(url("c")), "Street lighting")

    def test_a_cached_page_is_not_served_after_a_rename(self):
        """Right after a rename the old address redirects, though its page was cached."""
        live = make_live("before", title="Hot spots policing")
        self.assertContains(self.client.get(url("before")), "Hot spots policing")
        rename(live, "after")
        self.assertEqual(self.client.get(url("before")).status_code, 301)
        self.assertContains(self.client.get(url("after")), "Hot spots policing")

    def test_redirect_keeps_the_query_string(self):
        """A link to the printable page still leads to the printable page."""
        response = self.client.get(url("a"), {"print": "1"})
        self.assertEqual(response["Location"], f"{url('c')}?print=1")

    def test_sitemap_lists_only_the_current_address(self):
        """Search engines are told of C alone."""
        sitemap = self.client.get(reverse("sitemap")).content.decode()
        self.assertIn(url("c"), sitemap)
        self.assertNotIn(url("a"), sitemap)
        self.assertNotIn(url("b"), sitemap)

    def test_normal_page_never_looks_for_redirects(self):
        """The current address costs what it did before renames existed: no redirect query."""
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url("c")).status_code, 200)
        self.assertFalse([q for q in queries if "slugredirect" in q["sql"]])

    def test_miss_path_costs_one_more_query(self):
        """An unknown address looks for a redirect once, after the live and withdrawn checks."""
        sql = queries_of(
            lambda: self.assertEqual(self.client.get(url("no-such-summary")).status_code, 404)
        )
        redirect_lookups = [n for n, query in enumerate(sql) if "slugredirect" in query]
        self.assertEqual(redirect_lookups, [len(sql) - 1])


class NotPublicTests(TestCase):
    """An old address tells an anonymous reader no more than the current one would."""

    @classmethod
    def setUpTestData(cls):
        cls.never_live = make_draft("secret-plan", title="Secret plan")
        rename(cls.never_live, "secret-plan-2")
        cls.withdrawn = make_live("old-programme", title="Old programme")
        version_withdraw(version=cls.withdrawn, reason="The evidence is being re-examined.")
        rename(cls.withdrawn, "old-programme-renamed")

    def test_old_address_of_a_summary_never_published_is_not_found(self):
        """Exactly the 404 of an address that never existed: no title, no new address."""
        unknown = self.client.get(url("no-such-summary"))
        response = self.client.get(url("secret-plan"))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(same_page(response, "secret-plan"), same_page(unknown, "no-such-summary"))
        self.assertNotIn("Location", response)

    def test_old_address_of_a_withdrawn_summary_is_gone(self):
        """410 with the withdrawal notice, as at the current address, and no redirect."""
        current = self.client.get(url("old-programme-renamed"))
        response = self.client.get(url("old-programme"))
        self.assertEqual(response.status_code, 410)
        self.assertEqual(
            same_page(response, "old-programme"), same_page(current, "old-programme-renamed")
        )
        self.assertContains(response, "The evidence is being re-examined.", status_code=410)
        self.assertNotContains(response, "old-programme-renamed", status_code=410)
        self.assertNotIn("Location", response)

    def test_published_again_redirects_again(self):
        """Once a new version is live, the old address leads to it."""
        publish(draft_start_from(version=self.withdrawn))
        response = self.client.get(url("old-programme"))
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], url("old-programme-renamed"))


class AdminRenameTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        cls.live = make_live("street-lighting", title="Street lighting")
        cls.other = make_live("cctv", title="CCTV")
        rename(cls.other, "cctv-in-car-parks")

    def setUp(self):
        self.client.force_login(self.editor)

    def post_slug(self, intervention, slug):
        page = self.client.get(change_url(intervention))
        data = form_data(page, "intervention_form")
        data["slug"] = [slug]
        return self.client.post(change_url(intervention), data)

    def test_changing_the_slug_in_the_admin_keeps_the_old_address(self):
        """Saving a new slug moves the summary; the old address redirects and is listed."""
        response = self.post_slug(self.live.intervention, "improved-street-lighting")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            self.client.get(url("street-lighting"))["Location"], url("improved-street-lighting")
        )
        event = AuditEvent.objects.get(action=AuditAction.RENAME, actor=self.editor)
        self.assertEqual(event.intervention, self.live.intervention)
        page = self.client.get(change_url(self.live.intervention))
        self.assertContains(page, "Old addresses")
        self.assertContains(page, url("street-lighting"))

    def test_another_summarys_old_address_is_a_form_error(self):
        """The form says whose address it was; nothing is saved."""
        response = self.post_slug(self.live.intervention, "cctv")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "used to belong to the summary now at")
        self.live.intervention.refresh_from_db()
        self.assertEqual(self.live.intervention.slug, "street-lighting")

    def test_adding_at_an_old_address_is_a_form_error(self):
        """A new summary cannot take another's old address either."""
        response = self.client.post(
            reverse("admin:summaries_intervention_add"),
            {"title": "Another CCTV", "slug": "cctv", "standfirst": ""},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "used to belong to the summary now at")
        self.assertEqual(Intervention.objects.count(), 2)
