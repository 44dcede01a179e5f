"""Public pages come from the cache, and are never stale: a publication or a withdrawal
shows on every page at once, on the very next request."""

import html
import json
import socket
import tempfile
from datetime import timedelta
from pathlib import Path
from unittest import mock
from xml.etree import ElementTree

from django.conf import settings
from django.core.cache import caches
from django.db import OperationalError, connection, transaction
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from summaries.editorial.services import (
    draft_start_from,
    intervention_rename,
    publish_due,
    terms_add,
    version_publish,
    version_schedule,
    version_withdraw,
)
from summaries.models import (
    Dimension,
    Outcome,
    OutcomeResult,
    Problem,
    PublicContent,
    RelatedSummary,
    Scale,
    SummaryVersion,
)
from summaries.models.generation import current_generation, public_content_changed
from summaries.public import pages
from summaries.public.release import release_key
from tests.factories import (
    level,
    make_draft,
    make_live,
    make_user,
    publish,
    retagged,
    send_to_review,
)
from tests.helpers import HTMLElements, build_pages, queries_of
from tests.test_admin import form_data

# Pages that show a summary's title (the sitemap lists addresses only).
DETAIL_PAGES = ["summaries:detail", "summaries:detail_data"]
TITLE_PAGES = [
    "home",
    "list",
    "search",
    "filtered",
    "feed",
    "summary",
    "summary_data",
    "data_json",
    "data_csv",
]


class FreshnessTests(TestCase):
    """Each page is read (and so cached) before every change, and read again right after."""

    @classmethod
    def setUpTestData(cls):
        cls.problem = Problem.objects.create(name="Burglary", slug="burglary")
        cls.alpha = make_live("alpha", title="Alpha treatment")
        cls.alpha.problems.add(cls.problem)
        retagged(cls.alpha)

    def urls(self, slug="alpha", word="treatment"):
        return {
            "home": reverse("home"),
            "list": reverse("summaries:list"),
            "search": f"{reverse('summaries:list')}?q={word}",
            "filtered": f"{reverse('summaries:list')}?problem=burglary",
            "sitemap": reverse("sitemap"),
            "feed": reverse("summaries:feed"),
            "summary": reverse("summaries:detail", kwargs={"slug": slug}),
            "summary_data": reverse("summaries:detail_data", kwargs={"slug": slug}),
            "data_json": reverse("summaries:data_json"),
            "data_csv": reverse("summaries:data_csv"),
        }

    def read_all(self, urls):
        """Every page, twice: the second read must come from the cache (one query)."""
        pages = {}
        for name, url in urls.items():
            self.client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            self.assertEqual(len(queries), 1, f"{name} was not served from the cache")
            pages[name] = response
        return pages

    def test_new_version_shows_everywhere_at_once(self):
        """Publishing a new version replaces the old title on every page immediately."""
        self.read_all(self.urls())
        draft = draft_start_from(version=self.alpha, change_note="Retitled.")
        SummaryVersion.objects.filter(pk=draft.pk).update(title="Alpha treatment revised")
        publish(draft)
        pages = self.read_all(self.urls())
        for name in TITLE_PAGES:
            with self.subTest(page=name):
                self.assertContains(pages[name], "Alpha treatment revised")
        self.assertContains(pages["summary"], '<meta name="toolkit:version" content="2">')

    def test_new_summary_shows_everywhere_at_once(self):
        """A newly published summary is on every list, the sitemap and the feed at once."""
        self.read_all(self.urls())
        bravo = make_live("bravo", title="Bravo treatment")
        bravo.problems.add(self.problem)
        # Tagging a live version directly is test set-up, not something the admin allows.
        retagged(bravo)
        public_content_changed()
        pages = self.read_all(self.urls("bravo"))
        for name in TITLE_PAGES:
            with self.subTest(page=name):
                self.assertContains(pages[name], "Bravo treatment")
        self.assertContains(pages["sitemap"], "/toolkit/bravo/")

    def test_withdrawal_removes_it_everywhere_at_once(self):
        """A withdrawn summary leaves every page at once, and its address answers 410."""
        self.read_all(self.urls())
        version_withdraw(version=self.alpha, reason="Superseded by new research.")
        urls = self.urls()
        summary = self.client.get(urls.pop("summary"))
        self.assertContains(summary, "Superseded by new research.", status_code=410)
        data = self.client.get(urls.pop("summary_data"))
        self.assertContains(data, "Superseded by new research.", status_code=410)
        for name, response in self.read_all(urls).items():
            with self.subTest(page=name):
                self.assertNotContains(response, "Alpha treatment")
                self.assertNotContains(response, "/toolkit/alpha/")

    def test_scheduled_publication_shows_at_once(self):
        """A publication by the scheduler (cron) refreshes the pages like one by a reviewer."""
        self.read_all(self.urls())
        draft = draft_start_from(version=self.alpha, change_note="Scheduled.")
        SummaryVersion.objects.filter(pk=draft.pk).update(title="Alpha treatment scheduled")
        reviewer = make_user(superuser=True)
        version_schedule(
            version=send_to_review(draft),
            user=reviewer,
            publish_at=timezone.now() + timedelta(minutes=1),
        )
        self.assertEqual(publish_due(now=timezone.now() + timedelta(minutes=2)), [draft])
        pages = self.read_all(self.urls())
        for name in TITLE_PAGES:
            with self.subTest(page=name):
                self.assertContains(pages[name], "Alpha treatment scheduled")

    def test_admin_edit_of_a_term_shows_at_once(self):
        """Renaming a term in the admin changes the home page's browse list at once."""
        self.read_all(self.urls())
        admin = make_user(superuser=True)
        self.client.force_login(admin)
        response = self.client.post(
            reverse("admin:summaries_problem_change", args=[self.problem.pk]),
            {"name": "Domestic burglary", "slug": "burglary", "position": 0, "description": ""},
        )
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        self.client.cookies.clear()
        self.assertContains(self.client.get(reverse("home")), "Domestic burglary")


class UnseenEditingTests(TestCase):
    """Outsiders cannot tell from public ETags that editors are working: the generation
    moves only when what the public sees changes."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user("admin", superuser=True)
        cls.live = make_live("alpha", title="Alpha treatment")
        cls.hidden = make_draft("hidden", title="Hidden draft")

    def setUp(self):
        self.staff = Client()
        self.staff.force_login(self.admin)

    def etags(self):
        """What an outsider's browser holds for a few public pages."""
        outsider = Client()
        urls = ["/", "/toolkit/", "/toolkit/alpha/", "/toolkit/feed/", "/sitemap.xml"]
        return {url: outsider.get(url)["ETag"] for url in urls}

    def rename(self, intervention, slug):
        url = reverse("admin:summaries_intervention_change", args=[intervention.pk])
        data = form_data(self.staff.get(url), "intervention_form")
        data["slug"] = [slug]
        response = self.staff.post(url, data)
        self.assertEqual(response.status_code, 302)
        intervention.refresh_from_db()
        self.assertEqual(intervention.slug, slug)

    def test_adding_a_summary_is_unseen(self):
        """Adding a summary (and so its first draft) leaves every public ETag as it was."""
        before = self.etags()
        response = self.staff.post(
            reverse("admin:summaries_intervention_add"),
            {"title": "Brand new", "slug": "brand-new", "standfirst": "Not yet public."},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.etags(), before)

    def test_editing_a_draft_is_unseen(self):
        """Saving a draft in the admin leaves every public ETag as it was."""
        before = self.etags()
        url = reverse("admin:summaries_summaryversion_change", args=[self.hidden.pk])
        data = form_data(self.staff.get(url), "summaryversion_form")
        data["title"] = ["Hidden draft, retitled"]
        self.assertEqual(self.staff.post(url, data).status_code, 302)
        self.assertEqual(self.etags(), before)

    def test_renaming_an_unpublished_summary_is_unseen(self):
        """Moving a summary that was never published leaves every public ETag as it was."""
        before = self.etags()
        self.rename(self.hidden.intervention, "hidden-renamed")
        self.assertEqual(self.etags(), before)

    def test_renaming_a_live_summary_changes_the_pages(self):
        """Moving a live summary changes its address on public pages: their ETags change."""
        before = self.etags()
        self.rename(self.live.intervention, "alpha-renamed")
        after = self.etags()
        for url in ["/", "/toolkit/", "/toolkit/feed/", "/sitemap.xml"]:
            with self.subTest(url=url):
                self.assertNotEqual(after[url], before[url])

    def test_renaming_a_withdrawn_summary_changes_the_pages(self):
        """A withdrawn summary's address answers 410, so moving it is a public change."""
        version_withdraw(version=self.live, reason="Withdrawn for the test.")
        before = self.etags()
        self.rename(self.live.intervention, "alpha-renamed")
        self.assertNotEqual(self.etags(), before)


class ColdOnlyWhereChangedTests(TestCase):
    """A publication makes cold the summary, the pages that show it and the lists, and
    leaves every other summary's cached page in use."""

    @classmethod
    def setUpTestData(cls):
        cls.alpha = make_live("alpha", title="Alpha treatment")
        cls.bravo = make_live("bravo", title="Bravo treatment")  # unrelated to alpha
        cls.charlie = make_live("charlie", title="Charlie treatment")
        # Charlie's live version shows alpha under "See also" (set-up, not an admin path).
        RelatedSummary.objects.create(version=cls.charlie, target=cls.alpha.intervention)

    def cached(self, url):
        """The page, read twice: the second read must come from the cache (one query)."""
        self.client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(len(queries), 1, f"{url} was not served from the cache")
        return response

    def served_from_cache(self, url) -> bool:
        with CaptureQueriesContext(connection) as queries:
            self.client.get(url)
        return len(queries) == 1

    def republish_alpha(self, title):
        draft = draft_start_from(version=self.alpha, change_note="Retitled.")
        SummaryVersion.objects.filter(pk=draft.pk).update(title=title)
        return publish(draft)

    def test_unrelated_summary_stays_cached_with_its_etag(self):
        """Publishing alpha leaves bravo's page and data in the cache, with the same ETag,
        so browsers revalidating bravo still get 304."""
        urls = [reverse(name, kwargs={"slug": "bravo"}) for name in DETAIL_PAGES]
        etags = [self.cached(url)["ETag"] for url in urls]
        self.republish_alpha("Alpha treatment revised")
        for url, etag in zip(urls, etags, strict=True):
            with self.subTest(url=url):
                self.assertTrue(self.served_from_cache(url))
                response = self.client.get(url)
                self.assertEqual(response["ETag"], etag)
                self.assertEqual(
                    self.client.get(url, headers={"if-none-match": etag}).status_code, 304
                )

    def test_summary_showing_it_goes_cold(self):
        """Charlie's page, which shows alpha as related, shows alpha's new title at once."""
        url = reverse("summaries:detail", kwargs={"slug": "charlie"})
        self.assertContains(self.cached(url), "Alpha treatment")
        self.republish_alpha("Alpha treatment revised")
        self.assertFalse(self.served_from_cache(url))
        self.assertContains(self.cached(url), "Alpha treatment revised")
        data = reverse("summaries:detail_data", kwargs={"slug": "charlie"})
        self.assertContains(self.client.get(data), "Alpha treatment revised")

    def test_the_summary_and_lists_go_cold(self):
        """Alpha's own pages, home and the list show the new title at once."""
        urls = [reverse("home"), reverse("summaries:list"), "/toolkit/alpha/"]
        for url in urls:
            self.cached(url)
        self.republish_alpha("Alpha treatment revised")
        for url in urls:
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), "Alpha treatment revised")

    def test_withdrawal_drops_the_card_from_related_pages(self):
        """Withdrawing alpha takes its card off charlie's page at once; bravo stays cached."""
        charlie = reverse("summaries:detail", kwargs={"slug": "charlie"})
        bravo = reverse("summaries:detail", kwargs={"slug": "bravo"})
        self.assertContains(self.cached(charlie), "/toolkit/alpha/")
        self.cached(bravo)
        version_withdraw(version=self.alpha, reason="Withdrawn for the test.")
        self.assertNotContains(self.client.get(charlie), "/toolkit/alpha/")
        self.assertTrue(self.served_from_cache(bravo))

    def test_rename_refreshes_links_to_it(self):
        """Renaming alpha points charlie's card at the new address at once."""
        charlie = reverse("summaries:detail", kwargs={"slug": "charlie"})
        self.cached(charlie)
        intervention_rename(intervention=self.alpha.intervention, new_slug="alpha-new")
        self.assertContains(self.client.get(charlie), "/toolkit/alpha-new/")
        self.assertEqual(self.client.get("/toolkit/alpha/").status_code, 301)

    def test_unrelated_version_pages_stay_cached(self):
        """Publishing alpha leaves bravo's version page and its citation in the cache."""
        urls = [
            reverse("summaries:version", kwargs={"slug": "bravo", "number": 1}),
            reverse(
                "summaries:version_citation", kwargs={"slug": "bravo", "number": 1, "fmt": "bib"}
            ),
        ]
        etags = [self.cached(url)["ETag"] for url in urls]
        self.republish_alpha("Alpha treatment revised")
        for url, etag in zip(urls, etags, strict=True):
            with self.subTest(url=url):
                self.assertTrue(self.served_from_cache(url))
                self.assertEqual(self.client.get(url)["ETag"], etag)

    def test_the_apis_reads_of_one_summary_are_keyed_like_its_pages(self):
        """Publishing alpha leaves bravo's API detail and version in the cache, and makes
        charlie's (which shows alpha as related) and alpha's own cold."""
        unrelated = ["/api/v1/summaries/bravo/", "/api/v1/summaries/bravo/versions/1/"]
        related = ["/api/v1/summaries/charlie/", "/api/v1/summaries/alpha/versions/1/"]
        etags = {url: self.cached(url)["ETag"] for url in unrelated + related}
        self.republish_alpha("Alpha treatment revised")
        for url in unrelated:
            with self.subTest(url=url):
                self.assertTrue(self.served_from_cache(url))
                self.assertEqual(self.client.get(url)["ETag"], etags[url])
        for url in related:
            with self.subTest(url=url):
                self.assertFalse(self.served_from_cache(url))
                self.assertNotEqual(self.client.get(url)["ETag"], etags[url])
        self.assertContains(self.client.get(related[0]), "Alpha treatment revised")

    def test_a_superseded_version_showing_it_goes_cold(self):
        """Charlie's first version showed alpha as related; its page, public while a later
        version without the link is live, shows alpha's new title at once."""
        later = draft_start_from(version=self.charlie, change_note="No see also.")
        later.related_summaries.all().delete()
        publish(later)
        url = reverse("summaries:version", kwargs={"slug": "charlie", "number": 1})
        self.assertContains(self.cached(url), "Alpha treatment")
        self.republish_alpha("Alpha treatment revised")
        self.assertFalse(self.served_from_cache(url))
        self.assertContains(self.client.get(url), "Alpha treatment revised")

    def test_own_version_pages_go_cold(self):
        """Publishing alpha again refreshes the banner on its first version's page."""
        url = reverse("summaries:version", kwargs={"slug": "alpha", "number": 1})
        self.assertContains(self.cached(url), "the current version</strong>")
        self.republish_alpha("Alpha treatment revised")
        response = self.client.get(url)
        self.assertNotContains(response, "the current version</strong>")
        self.assertContains(response, "Read the current version (version 2)")

    def test_an_unspecified_change_refreshes_every_summary(self):
        """A change that does not say which summaries it touches (a bulk load, an
        intervention edited in the admin) makes every summary page cold."""
        bravo = reverse("summaries:detail", kwargs={"slug": "bravo"})
        self.cached(bravo)
        problem = Problem.objects.create(name="Burglary", slug="burglary")
        self.bravo.problems.add(problem)
        public_content_changed()  # as a bulk load does
        self.assertContains(self.client.get(bravo), "Burglary")

    def test_a_summary_page_reads_one_generation_query(self):
        """A summary page served from the cache still costs exactly one query."""
        url = reverse("summaries:detail", kwargs={"slug": "bravo"})
        self.cached(url)
        sql = queries_of(lambda: self.client.get(url))
        self.assertEqual(len(sql), 1)


class TermAndScaleEditsColdWhereShownTests(TestCase):
    """Editing a term (or a scale) makes cold the pages of the summaries that show it, and
    the lists; every other summary's cached page stays in use, with its ETag."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user("admin", superuser=True)
        cls.burglary = Problem.objects.create(name="Burglary", slug="burglary", position=1)
        cls.breakins = Problem.objects.create(name="Break-ins", slug="break-ins", position=2)
        cls.alpha = make_live("alpha", title="Alpha treatment")
        cls.alpha.problems.add(cls.burglary)
        cls.bravo = make_live("bravo", title="Bravo treatment")  # no terms, no ratings
        cls.charlie = make_live("charlie", title="Charlie treatment")
        cls.charlie.problems.add(cls.breakins)
        # Set-up, not an editor's path: alpha is rated on the effect scale.
        SummaryVersion.objects.filter(pk=cls.alpha.pk).update(
            effect_rating=level(Dimension.EFFECT, "reduced")
        )

    def setUp(self):
        self.staff = Client()
        self.staff.force_login(self.admin)

    def pages(self, slug) -> list[str]:
        return [reverse(name, kwargs={"slug": slug}) for name in DETAIL_PAGES]

    def cached(self, urls) -> dict[str, str]:
        """Read each page twice, the second time from the cache; their ETags."""
        etags = {}
        for url in urls:
            self.client.get(url)
            with CaptureQueriesContext(connection) as queries:
                etags[url] = self.client.get(url)["ETag"]
            self.assertEqual(len(queries), 1, f"{url} was not served from the cache")
        return etags

    def assert_still_cached(self, etags):
        """Each page still comes from the cache, with the same ETag, and revalidates."""
        for url, etag in etags.items():
            with self.subTest(url=url):
                with CaptureQueriesContext(connection) as queries:
                    response = self.client.get(url)
                self.assertEqual(len(queries), 1, f"{url} went cold")
                self.assertEqual(response["ETag"], etag)
                self.assertEqual(
                    self.client.get(url, headers={"if-none-match": etag}).status_code, 304
                )

    def edit_term(self, term, **changes):
        """Save ``term`` through the admin's change form with ``changes``."""
        url = reverse(f"admin:summaries_{term._meta.model_name}_change", args=[term.pk])
        data = form_data(self.staff.get(url), f"{term._meta.model_name}_form")
        data.update({field: [value] for field, value in changes.items()})
        self.assertEqual(self.staff.post(url, data).status_code, 302)

    def test_renaming_a_term_leaves_other_summaries_cached(self):
        """Renaming "Burglary" leaves bravo's and charlie's pages, which do not show it,
        in the cache with their ETags."""
        etags = self.cached(self.pages("bravo") + self.pages("charlie"))
        self.edit_term(self.burglary, name="Domestic burglary", slug="domestic-burglary")
        self.assert_still_cached(etags)

    def test_renaming_a_term_refreshes_the_summaries_tagged_with_it(self):
        """Alpha's page and data, and the list's filters, show the new name and link the
        new slug at once."""
        urls = [*self.pages("alpha"), reverse("summaries:list"), reverse("home")]
        self.cached(urls)
        self.edit_term(self.burglary, name="Domestic burglary", slug="domestic-burglary")
        for url in urls[:3]:
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), "Domestic burglary")
        self.assertContains(self.client.get(urls[0]), "?problem=domestic-burglary")

    def test_renaming_a_term_refreshes_a_superseded_version_tagged_with_it(self):
        """Alpha's first version, superseded but still public at its own address, shows
        the new name at once, though the live version no longer has the term."""
        later = draft_start_from(version=self.alpha, change_note="Second version.")
        later.problems.clear()
        publish(later)
        url = reverse("summaries:version", kwargs={"slug": "alpha", "number": 1})
        self.assertContains(self.client.get(url), "Burglary")
        self.cached([url])
        self.edit_term(self.burglary, name="Domestic burglary", slug="domestic-burglary")
        self.assertContains(self.client.get(url), "Domestic burglary")

    def test_reordering_terms_on_the_changelist(self):
        """Moving a term on the changelist (its position) refreshes the summaries tagged
        with it, whose page lists their terms in that order, and no other."""
        both = make_live("delta", title="Delta treatment")
        both.problems.add(self.burglary, self.breakins)
        delta = reverse("summaries:detail", kwargs={"slug": "delta"})
        self.assertContains(self.client.get(delta), "Burglary</a>, <a")
        etags = self.cached([delta, *self.pages("bravo")])
        changelist = reverse("admin:summaries_problem_changelist")
        data = form_data(self.staff.get(changelist), "changelist-form")
        for index, term in enumerate([self.burglary, self.breakins]):
            self.assertEqual(data[f"form-{index}-id"], [str(term.pk)])
        data.update({"form-0-position": ["5"], "_save": ["Save"]})
        self.assertEqual(self.staff.post(changelist, data).status_code, 302)
        self.assertContains(self.client.get(delta), "Break-ins</a>, <a")
        del etags[delta]
        self.assert_still_cached(etags)

    def test_merging_terms_refreshes_only_the_summaries_retagged(self):
        """Merging "Break-ins" into "Burglary" (the admin's action) shows "Burglary" on
        charlie's page at once; bravo's page, and alpha's (already tagged "Burglary",
        so unchanged), stay cached."""
        charlie = reverse("summaries:detail", kwargs={"slug": "charlie"})
        self.assertContains(self.client.get(charlie), "Break-ins")
        etags = self.cached([charlie, *self.pages("alpha"), *self.pages("bravo")])
        changelist = reverse("admin:summaries_problem_changelist")
        chosen = {"action": "merge_terms", "_selected_action": [self.burglary.pk, self.breakins.pk]}
        done = self.staff.post(changelist, {**chosen, "keep": self.burglary.pk, "merge": "1"})
        self.assertEqual(done.status_code, 302)
        response = self.client.get(charlie)
        self.assertContains(response, "Burglary")
        self.assertNotContains(response, "Break-ins")
        del etags[charlie]
        self.assert_still_cached(etags)

    def test_deleting_a_term_refreshes_the_summaries_tagged_with_it(self):
        """Deleting "Burglary" (its delete page) takes it off alpha's page at once, and
        deleting "Break-ins" (the changelist's action) off charlie's; bravo stays cached."""
        alpha = reverse("summaries:detail", kwargs={"slug": "alpha"})
        charlie = reverse("summaries:detail", kwargs={"slug": "charlie"})
        etags = self.cached([alpha, charlie, *self.pages("bravo")])
        delete = reverse("admin:summaries_problem_delete", args=[self.burglary.pk])
        self.assertEqual(self.staff.post(delete, {"post": "yes"}).status_code, 302)
        self.assertNotContains(self.client.get(alpha), "Burglary")
        changelist = reverse("admin:summaries_problem_changelist")
        chosen = {"action": "delete_selected", "_selected_action": [self.breakins.pk]}
        self.assertEqual(self.staff.post(changelist, {**chosen, "post": "yes"}).status_code, 302)
        self.assertFalse(Problem.objects.exists())
        self.assertNotContains(self.client.get(charlie), "Break-ins")
        del etags[alpha], etags[charlie]
        self.assert_still_cached(etags)

    def test_a_term_tagging_only_drafts_leaves_every_summary_cached(self):
        """Renaming a term that only a draft is tagged with leaves every summary's page
        cached."""
        unused = Problem.objects.create(name="Fraud", slug="fraud", position=3)
        make_draft("hidden").problems.add(unused)
        etags = self.cached(self.pages("alpha") + self.pages("bravo") + self.pages("charlie"))
        self.edit_term(unused, name="Online fraud")
        self.assert_still_cached(etags)

    def test_adding_a_term_leaves_every_summary_cached(self):
        """A new term (from the admin, or added to a draft in the version form) tags
        nothing public: every summary's page stays cached. The list still answers a
        filter naming its slug as it answers an unknown one: a term that tags no live
        summary is never named to the public."""
        etags = self.cached(self.pages("alpha") + self.pages("bravo") + self.pages("charlie"))
        filtered = f"{reverse('summaries:list')}?problem=vehicle-crime"
        self.assertContains(self.client.get(filtered), "not recognised")
        terms_add(model=Problem, names=["Vehicle crime"], user=self.admin)
        self.assertContains(self.client.get(filtered), "not recognised")
        self.assertNotContains(self.client.get(filtered), "Vehicle crime")
        response = self.staff.post(
            reverse("admin:summaries_problem_add"),
            {"name": "Shoplifting", "slug": "shoplifting", "position": "9", "description": ""},
        )
        self.assertEqual(response.status_code, 302)
        draft = make_draft("hidden")
        url = reverse("admin:summaries_summaryversion_change", args=[draft.pk])
        data = form_data(self.staff.get(url), "summaryversion_form")
        data["new_problems"] = ["Car theft"]
        self.assertEqual(self.staff.post(url, data).status_code, 302)
        self.assertEqual([p.name for p in draft.problems.all()], ["Car theft"])
        self.assert_still_cached(etags)

    def test_editing_a_scale_refreshes_the_summaries_rated_on_it(self):
        """Renaming the effect scale shows the new name on alpha's page (rated on it) at
        once; bravo, rated on nothing, stays cached."""
        alpha = reverse("summaries:detail", kwargs={"slug": "alpha"})
        etags = self.cached([alpha, *self.pages("bravo")])
        scale = Scale.objects.get(dimension=Dimension.EFFECT)
        url = reverse("admin:summaries_scale_change", args=[scale.pk])
        data = form_data(self.staff.get(url), "scale_form")
        data["name"] = ["Effect on crime, renamed"]
        self.assertEqual(self.staff.post(url, data).status_code, 302)
        self.assertContains(self.client.get(alpha), "Effect on crime, renamed")
        del etags[alpha]
        self.assert_still_cached(etags)

    def test_rewording_a_level_refreshes_the_summaries_with_an_outcome_rated_on_it(self):
        """Rewording a quality level shows on charlie's page, whose outcome result is
        rated with it, at once; bravo stays cached."""
        outcome = Outcome.objects.create(name="Reoffending", slug="reoffending")
        OutcomeResult.objects.create(
            version=self.charlie,
            outcome=outcome,
            quality_rating=level(Dimension.QUALITY, "moderate"),
            direction="reduced",
            stated="less reoffending",
        )
        charlie = reverse("summaries:detail", kwargs={"slug": "charlie"})
        etags = self.cached([charlie, *self.pages("bravo")])
        scale = Scale.objects.get(dimension=Dimension.QUALITY)
        url = reverse("admin:summaries_scale_change", args=[scale.pk])
        data = form_data(self.staff.get(url), "scale_form")
        (slug_key,) = [key for key, value in data.items() if value == ["moderate"]]
        data[slug_key.replace("-slug", "-label")] = ["Moderate, reworded"]
        self.assertEqual(self.staff.post(url, data).status_code, 302)
        self.assertContains(self.client.get(charlie), "Moderate, reworded")
        del etags[charlie]
        self.assert_still_cached(etags)


class ConditionalGetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("alpha", title="Alpha treatment")
        cls.url = reverse("summaries:detail", kwargs={"slug": "alpha"})

    def setUp(self):
        # Last-Modified is only given once the second of the last change is over.
        PublicContent.objects.update(changed_at=timezone.now() - timedelta(minutes=1))

    def test_headers(self):
        """Public pages carry an ETag and Last-Modified; browsers revalidate every time,
        shared caches (a CDN) may reuse a page for a minute and 30 s more while they
        revalidate."""
        response = self.client.get(self.url)
        self.assertTrue(response["ETag"].startswith('"'))
        self.assertIn("GMT", response["Last-Modified"])
        self.assertEqual(
            response["Cache-Control"],
            "public, max-age=0, s-maxage=60, stale-while-revalidate=30",
        )

    def test_withdrawn_page_has_the_same_bound(self):
        """The 410 of a withdrawn summary is shared-cached no longer than a page is, so a
        republication reaches CDN readers within the same bound."""
        version_withdraw(version=self.version, reason="Withdrawn for the test.")
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 410)
        self.assertIn("s-maxage=60", response["Cache-Control"])
        self.assertIn("stale-while-revalidate=30", response["Cache-Control"])

    @override_settings(PUBLIC_S_MAXAGE=0)
    def test_shared_caching_can_be_turned_off(self):
        """With PUBLIC_S_MAXAGE=0 every cache, shared or not, asks again each time."""
        self.assertEqual(self.client.get(self.url)["Cache-Control"], "public, no-cache")

    @override_settings(PUBLIC_S_MAXAGE=120, PUBLIC_STALE_WHILE_REVALIDATE=0, PUBLIC_MAX_AGE=5)
    def test_settings_shape_the_header(self):
        """The operator's settings are what the header says."""
        self.assertEqual(
            self.client.get(self.url)["Cache-Control"],
            "public, max-age=5, s-maxage=120",
        )

    def test_etag_revalidation(self):
        """A browser's copy is confirmed with 304 and one query, until a publication."""
        etag = self.client.get(self.url)["ETag"]
        with self.assertNumQueries(1):
            response = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response.content, b"")
        version_withdraw(version=self.version, reason="Withdrawn for the test.")
        response = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 410)

    def test_last_modified_revalidation(self):
        """If-Modified-Since gets 304 while nothing changed, the page after a change."""
        last_modified = self.client.get(self.url)["Last-Modified"]
        response = self.client.get(self.url, headers={"if-modified-since": last_modified})
        self.assertEqual(response.status_code, 304)
        version_withdraw(version=self.version, reason="Withdrawn for the test.")
        response = self.client.get(self.url, headers={"if-modified-since": last_modified})
        self.assertEqual(response.status_code, 410)

    def test_no_last_modified_in_the_second_of_a_change(self):
        """Right after a change only the ETag is given: HTTP dates cannot tell apart two
        changes within one second."""
        version_withdraw(version=self.version, reason="Withdrawn for the test.")
        response = self.client.get(self.url)
        self.assertNotIn("Last-Modified", response)
        self.assertIn("ETag", response)

    def test_etag_differs_by_page_and_host(self):
        """Two addresses, or one address under two host names, never share an ETag."""
        home = self.client.get(reverse("home"))["ETag"]
        summary = self.client.get(self.url)["ETag"]
        other_host = self.client.get(self.url, headers={"host": "localhost"})["ETag"]
        self.assertEqual(len({home, summary, other_host}), 3)

    def test_signed_in_staff_bypass_the_cache(self):
        """Staff get a private, freshly rendered page, and it is not stored for others."""
        self.client.force_login(make_user(superuser=True))
        response = self.client.get(self.url)
        self.assertIn("private", response["Cache-Control"])
        self.assertNotIn("ETag", response)
        self.client.logout()
        self.client.cookies.clear()
        with CaptureQueriesContext(connection) as queries:
            self.client.get(self.url)
        self.assertGreater(len(queries), 1)

    def test_not_found_is_not_cached(self):
        """Invented addresses are not kept in the cache."""
        url = reverse("summaries:detail", kwargs={"slug": "no-such-summary"})
        self.assertEqual(self.client.get(url).status_code, 404)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertGreater(len(queries), 1)


class GenerationTests(TestCase):
    def test_each_publication_raises_the_generation(self):
        """Publishing and withdrawing each raise the generation and its time."""
        before, at = current_generation()
        version = make_live()
        after_publish, published_at = current_generation()
        version_withdraw(version=version, reason="Test.")
        after_withdraw, _ = current_generation()
        self.assertLess(before, after_publish)
        self.assertLess(after_publish, after_withdraw)
        self.assertGreaterEqual(published_at, at)

    def test_a_publication_raises_the_generation(self):
        """A publication commits a higher number, which the page cache then keys by."""
        draft = send_to_review(make_draft())
        before, _ = current_generation()
        version_publish(version=draft)
        self.assertGreater(current_generation()[0], before)

    def test_a_change_rolled_back_raises_nothing(self):
        """A raise rolled back with its savepoint does not count: the generation is
        where it was, so cached pages stay in use."""
        before, _ = current_generation()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    public_content_changed()
                    raise RuntimeError
            except RuntimeError:
                pass
        self.assertEqual(current_generation()[0], before)
        with transaction.atomic():
            public_content_changed()
        self.assertGreater(current_generation()[0], before)

    def test_a_list_page_reads_the_generation_once(self):
        """The page cache and the search counts of one request share one read."""
        make_live()
        build_pages()
        for address in ("/toolkit/", "/toolkit/?q=intervention&problem=none"):
            with self.subTest(address=address):
                sql = queries_of(lambda a=address: self.client.get(a))
                reads = [q for q in sql if q.startswith("SELECT") and "publiccontent" in q]
                self.assertEqual(len(reads), 1)


class FeedTests(TestCase):
    def test_live_summaries_only(self):
        """The Atom feed lists live summaries with their standfirst, never a draft."""
        make_live(title="Live one", standfirst="What the live one is.")
        make_draft(title="Secret draft")
        response = self.client.get(reverse("summaries:feed"))
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        self.assertContains(response, "<title>Live one</title>")
        self.assertContains(response, "What the live one is.")
        self.assertNotContains(response, "Secret draft")

    def test_editors_text_is_never_markup(self):
        """A standfirst or change note that looks like HTML reaches feed readers as the
        words typed, never as an image, a script or any other element."""
        hostile = '<img src=x onerror="alert(1)"> & <b>bold</b>'
        note = "<script>alert(2)</script> Fixed & checked"
        version = make_live(title="Hostile", standfirst=hostile)
        SummaryVersion.objects.filter(pk=version.pk).update(change_note=note)
        response = self.client.get(reverse("summaries:feed"))
        atom = "{http://www.w3.org/2005/Atom}"
        entry = ElementTree.fromstring(response.content).find(f"{atom}entry")
        summary = entry.find(f"{atom}summary")
        self.assertEqual(len(summary), 0)  # no child elements in the XML either
        elements = HTMLElements()
        if summary.get("type") == "html":
            elements.feed(summary.text)
            elements.close()
            shown = html.unescape(summary.text)
        else:
            shown = summary.text
        self.assertEqual(elements.tags, [])
        self.assertIn(hostile, shown)
        self.assertIn(note, shown)

    def test_pages_link_the_feed(self):
        """Every public page's head points feed readers at the feed."""
        response = self.client.get(reverse("home"))
        self.assertContains(response, 'type="application/atom+xml"')
        self.assertContains(response, 'href="/toolkit/feed/"')


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CacheDownTests(TestCase):
    """With the cache server unreachable (Redis stopped), pages are rendered without it."""

    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("alpha", title="Alpha treatment")

    def test_pages_are_served_uncached_not_500(self):
        """Every public page still answers 200 when Redis is down, and says so in the log."""
        down = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        urls = [
            reverse("home"),
            reverse("summaries:list"),
            f"{reverse('summaries:list')}?q=treatment",
            reverse("summaries:detail", kwargs={"slug": "alpha"}),
            reverse("summaries:detail_data", kwargs={"slug": "alpha"}),
        ]
        with override_settings(CACHES=down):  # Django's handler swaps the cache in
            try:
                for url in urls:
                    with self.subTest(url=url), self.assertLogs("summaries", "WARNING") as logs:
                        response = self.client.get(url)
                        self.assertEqual(response.status_code, 200)
                        self.assertContains(response, "Alpha treatment")
                    self.assertIn("Cache unavailable", logs.output[0])
            finally:
                caches.close_all()


class _Spy:
    """Records that a request reached the middleware after the page cache's."""

    seen: list[str] = []

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _Spy.seen.append(request.path)
        return self.get_response(request)


def _with_spy():
    from django.conf import settings

    stack = list(settings.MIDDLEWARE)
    stack.insert(stack.index("summaries.public.cache.PageCacheMiddleware") + 1, f"{__name__}._Spy")
    return stack


def _without_page_cache_middleware():
    from django.conf import settings

    stack = [m for m in settings.MIDDLEWARE if m != "summaries.public.cache.PageCacheMiddleware"]
    return [*stack, f"{__name__}._Spy"]


class PageCacheMiddlewareTests(TestCase):
    """A cache hit is answered before sessions, CSRF, messages and the rest, with exactly
    the response the whole stack gives."""

    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("alpha", title="Alpha treatment")
        cls.urls = [
            reverse("home"),
            reverse("summaries:list"),
            reverse("summaries:detail", kwargs={"slug": "alpha"}),
            reverse("summaries:version", kwargs={"slug": "alpha", "number": 1}),
        ]

    def setUp(self):
        _Spy.seen = []

    def test_a_hit_goes_no_further(self):
        """The first request renders through the whole stack; the second is a hit that
        the rest of the middleware never sees, and costs one query."""
        with override_settings(MIDDLEWARE=_with_spy()):
            for url in self.urls:
                with self.subTest(url=url):
                    _Spy.seen = []
                    self.client.get(url)
                    self.assertEqual(_Spy.seen, [url])
                    with CaptureQueriesContext(connection) as queries:
                        response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(_Spy.seen, [url])
                    self.assertEqual(len(queries), 1)

    def test_a_hit_is_the_response_the_whole_stack_gives(self):
        """Same status, headers and body as the hit served by the view's decorator, for a
        page, a 304 and a withdrawn summary's 410."""
        withdrawn = make_live("bravo", title="Bravo treatment")
        version_withdraw(version=withdrawn, reason="Withdrawn for the test.")
        # Last-Modified is sent once the change's second is over: both sides have it.
        PublicContent.objects.update(changed_at=timezone.now() - timedelta(minutes=1))
        urls = [*self.urls, reverse("summaries:detail", kwargs={"slug": "bravo"})]
        for url in urls:
            self.client.get(url)  # cached
            early = self.client.get(url)
            etag = early["ETag"]
            early_304 = self.client.get(url, headers={"if-none-match": etag})
            with override_settings(MIDDLEWARE=_without_page_cache_middleware()):
                whole_stack = Client()  # a client loads its middleware on its first request
                late = whole_stack.get(url)
                late_304 = whole_stack.get(url, headers={"if-none-match": etag})
            self.assertEqual(_Spy.seen, [url, url], "not served by the view's decorator")
            _Spy.seen = []
            for a, b in ((early, late), (early_304, late_304)):
                with self.subTest(url=url, status=b.status_code):
                    self.assertIn(b.status_code, (200, 304, 410))
                    self.assertEqual(a.status_code, b.status_code)
                    self.assertEqual(dict(a.headers), dict(b.headers))
                    self.assertEqual(a.content, b.content)

    def test_staff_and_other_methods_go_through(self):
        """A request with a session, a POST, an unknown address and the API reach the rest
        of the stack."""
        with override_settings(MIDDLEWARE=_with_spy()):
            url = reverse("home")
            self.client.get(url)
            self.client.cookies["sessionid"] = "anything"
            self.client.get(url)
            del self.client.cookies["sessionid"]
            self.client.post(url)
            self.client.get("/toolkit/no-such-summary/")
            self.client.get("/api/v1/summaries/")
        self.assertEqual(
            _Spy.seen, [url, url, url, "/toolkit/no-such-summary/", "/api/v1/summaries/"]
        )

    def test_database_down_is_the_503_page(self):
        """If the generation cannot be read, the request goes on to the view, which
        answers the 503 page as before (not a 500 from the middleware)."""
        down = mock.patch(
            "summaries.public.cache.current_generation", side_effect=OperationalError("down")
        )
        with down, self.assertLogs("toolkit", "ERROR") as logs:
            response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 503)
        self.assertIn("Database unavailable", logs.output[0])


class NewReleaseTests(TestCase):
    """A deploy that changes templates, code or static files is never answered from the
    old release's cache, nor confirmed with a 304 to a browser holding the old page."""

    @classmethod
    def setUpTestData(cls):
        make_live("alpha", title="Alpha treatment")

    def test_changed_templates_are_served_at_once(self):
        """A new footer shows on a page the old release had cached, with a new ETag."""
        urls = ["/", "/toolkit/", "/toolkit/alpha/", "/api/v1/summaries/"]
        old = {url: self.client.get(url) for url in urls}
        for url in urls:  # cached, and confirmed to a browser that holds it
            again = self.client.get(url, headers={"if-none-match": old[url]["ETag"]})
            self.assertEqual(again.status_code, 304, url)
        with tempfile.TemporaryDirectory() as release:
            footer = Path(settings.BASE_DIR, "templates/includes/footer.html").read_text()
            Path(release, "includes").mkdir()
            Path(release, "includes/footer.html").write_text(footer + "<p>Next release</p>")
            templates = [
                {**settings.TEMPLATES[0], "DIRS": [release, *settings.TEMPLATES[0]["DIRS"]]}
            ]
            with override_settings(TEMPLATES=templates):
                new = {
                    url: self.client.get(url, headers={"if-none-match": old[url]["ETag"]})
                    for url in urls
                }
        for url in urls:
            self.assertEqual(new[url].status_code, 200, url)
            self.assertNotEqual(new[url]["ETag"], old[url]["ETag"], url)
        for url in urls[:3]:
            self.assertContains(new[url], "<p>Next release</p>")

    def test_renamed_static_files_change_the_key(self):
        """A new static manifest (collectstatic's hashed names) changes every ETag."""
        first = self.client.get("/toolkit/alpha/")
        with tempfile.TemporaryDirectory() as static_root:
            Path(static_root, "staticfiles.json").write_text(
                json.dumps({"paths": {"css/site.css": "css/site.2b7c.css"}})
            )
            with override_settings(STATIC_ROOT=static_root):
                after = self.client.get("/toolkit/alpha/", headers={"if-none-match": first["ETag"]})
        self.assertEqual(after.status_code, 200)
        self.assertNotEqual(after["ETag"], first["ETag"])

    def test_the_keys_follow_the_manifest_not_where_it_is(self):
        """Servers of one release with their static files in different places agree on
        the release and render keys (else each would rebuild the stored pages the other
        built); a different manifest changes both."""

        def keys(manifest: dict) -> tuple[str, str]:
            with tempfile.TemporaryDirectory() as static_root:
                Path(static_root, "staticfiles.json").write_text(json.dumps(manifest))
                with override_settings(STATIC_ROOT=static_root):
                    return release_key(), pages.render_key()

        one = {"paths": {"css/site.css": "css/site.2b7c.css"}}
        other = {"paths": {"css/site.css": "css/site.9f00.css"}}
        self.assertEqual(keys(one), keys(one))
        first, second = keys(one), keys(other)
        self.assertNotEqual(first[0], second[0])
        self.assertNotEqual(first[1], second[1])
