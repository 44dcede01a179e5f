"""The read model (``public/pages.py``, ``models/published.py``): readers are served the
stored pages, card and data of each public version; a change rebuilds exactly the pages it
touches, a stale or missing row is never served, and the rows can be dropped and rebuilt
with identical output. On whichever database the suite runs on."""

import json
from datetime import UTC, datetime
from io import StringIO
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, transaction
from django.test import RequestFactory, TestCase, override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from summaries.editorial.services import (
    draft_start_from,
    intervention_rename,
    terms_merge,
    version_withdraw,
)
from summaries.models import (
    Dimension,
    PageGeneration,
    Problem,
    PublicContent,
    PublishedPage,
    RelatedSummary,
    ScaleLevel,
    State,
    SummaryVersion,
)
from summaries.public import pages, views
from summaries.public.downloads import live_rows, summary_row

from .factories import level, make_draft, make_live, make_user, publish
from .helpers import build_pages, count_get, run_queued_tasks

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def detail(slug):
    return f"/toolkit/{slug}/"


def stored_rows() -> dict:
    return {
        p.pk: (p.document, p.version_document, p.card, p.data, p.reference)
        for p in PublishedPage.objects.all()
    }


def stored(version) -> PublishedPage:
    return PublishedPage.objects.get(pk=version.pk)


@override_settings(CACHE_URL="dummy://")
class ReadModelTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.burglary = Problem.objects.create(name="Burglary", slug="burglary")
        cls.target = make_live("street-lighting", title="Street lighting")
        cls.v1 = make_live("cctv", title="CCTV, first version")
        cls.v1.problems.add(cls.burglary)
        cls.v1.effect_rating = level(Dimension.EFFECT, "reduced")
        cls.v1.save()
        RelatedSummary.objects.create(version=cls.v1, target=cls.target.intervention, position=1)
        cls.other = make_live("alarms", title="Burglar alarms")

    def setUp(self):
        cache.clear()

    def test_readers_are_served_the_stored_page(self):
        """Once built, a summary page, its data and a version page read the stored row:
        the same few queries whatever the version holds, and the stored HTML."""
        build_pages()
        row = stored(self.v1)
        PublishedPage.objects.filter(pk=row.pk).update(
            document=row.document.replace("CCTV, first version", "Marked from the store")
        )
        response = self.client.get(detail("cctv"))
        self.assertContains(response, "Marked from the store")
        self.assertLessEqual(count_get(self, self.client, detail("alarms"), built=False), 3)

    def test_stored_pages_are_the_pages_rendered_on_request(self):
        """The summary page and the version pages (live and superseded) as stored, put on
        the reader's origin and day, are byte for byte the pages the templates render for
        that request, as the views rendered them before pages were stored whole."""
        v2 = publish(draft_start_from(version=self.v1))  # v1 superseded
        build_pages()
        factory = RequestFactory()
        loaded = {
            v.pk: v for v in SummaryVersion.objects.for_page().filter(pk__in=[self.v1.pk, v2.pk])
        }
        summary_path = detail("cctv")

        def rendered_now(version, path, template, context):
            request = factory.get(path, secure=True)
            return views.render_page(
                request, pages.preview_page(version), template=template, extra_context=context
            ).content.decode()

        version_context = {
            "current_number": v2.number,
            "summary_path": summary_path,
            "summary_url": f"https://testserver{summary_path}",
        }
        cases = {
            summary_path: rendered_now(
                loaded[v2.pk], summary_path, "summaries/detail.html", {"follow": True}
            ),
            f"{summary_path}v/{v2.number}/": rendered_now(
                loaded[v2.pk],
                f"{summary_path}v/{v2.number}/",
                "summaries/version.html",
                {**version_context, "is_current": True},
            ),
            f"{summary_path}v/{self.v1.number}/": rendered_now(
                loaded[self.v1.pk],
                f"{summary_path}v/{self.v1.number}/",
                "summaries/version.html",
                {**version_context, "is_current": False},
            ),
        }
        for path, expected in cases.items():
            with self.subTest(path=path):
                served = self.client.get(path, secure=True).content.decode()
                self.assertEqual(served, expected)
                self.assertNotIn(pages.TODAY, served)
                self.assertNotIn(pages.ORIGIN, served)

    def test_the_printed_footer_has_the_readers_day(self):
        """A stored page's printed footer names the day it is read, not the day it was
        built."""
        build_pages()
        self.assertIn(pages.TODAY, stored(self.v1).document)
        with mock.patch(
            "django.utils.timezone.now", return_value=datetime(2031, 3, 4, 12, tzinfo=UTC)
        ):
            response = self.client.get(detail("cctv"))
        self.assertContains(response, "/toolkit/cctv/ on 4 March 2031.</p>")

    def test_a_version_gone_before_its_stale_row_is_rebuilt_is_not_served(self):
        """A stale row whose version stops being public before the reader rebuilds it
        (withdrawn in between: nothing is built) gives no page, and the view answers as
        for any summary not live, not with an error."""
        build_pages()
        PublishedPage.objects.filter(pk=self.v1.pk).update(generation="old")
        stamp = pages.generation_stamp(
            *PublicContent.objects.values_list("site_generation").get(), 0
        )
        with mock.patch.object(pages, "materialise", return_value={}):
            self.assertIsNone(pages.live_page("cctv", stamp, "document"))
            self.assertEqual(self.client.get(detail("cctv")).status_code, 404)

    def test_a_missing_row_is_built_by_its_first_reader(self):
        """No stored page yet (a change whose rebuild has not run): the reader gets the
        page built from the rows, and the row is kept."""
        PublishedPage.objects.all().delete()
        response = self.client.get(detail("cctv"))
        self.assertContains(response, "<h1>CCTV, first version</h1>", html=True)
        self.assertEqual(stored(self.v1).render_key, pages.render_key())

    def test_a_row_of_other_code_is_never_served(self):
        """A row rendered by other templates or code (before a deploy) is rendered again
        on first read, never served."""
        build_pages()
        PublishedPage.objects.filter(pk=self.v1.pk).update(render_key="old", document="OLD MARKUP")
        response = self.client.get(detail("cctv"))
        self.assertNotContains(response, "OLD MARKUP")
        self.assertContains(response, "CCTV, first version")
        self.assertEqual(stored(self.v1).render_key, pages.render_key())

    def test_drop_and_rebuild_gives_identical_output(self):
        """Every stored page, dropped and built again, is the same, and so is every page
        served from it."""
        v2 = publish(draft_start_from(version=self.v1))  # v1 superseded
        urls = [
            detail("cctv"),
            detail("cctv") + "data.json",
            f"/toolkit/cctv/v/{self.v1.number}/",
            f"/toolkit/cctv/v/{v2.number}/cite.bib",
            "/api/v1/summaries/cctv/",
            "/toolkit/",
            "/",
        ]
        build_pages()
        before_rows = stored_rows()
        before_pages = [self.client.get(url).content for url in urls]
        PublishedPage.objects.all().delete()
        self.assertEqual(build_pages(), len(before_rows))
        after_rows = stored_rows()
        self.assertEqual(after_rows, before_rows)
        self.assertEqual([self.client.get(url).content for url in urls], before_pages)

    def test_a_related_summary_published_makes_the_page_stale(self):
        """A summary shows a related summary's card: publishing the related one again makes
        the stored page stale, so readers get the new card."""
        build_pages()
        draft = draft_start_from(version=self.target)
        SummaryVersion.objects.filter(pk=draft.pk).update(title="Brighter street lighting")
        publish(draft)
        self.assertIn(self.v1.pk, pages.stale_versions())
        self.assertNotIn(self.other.pk, pages.stale_versions())
        self.assertContains(self.client.get(detail("cctv")), "Brighter street lighting")

    @override_settings(TASKS=DATABASE_TASKS)
    def test_a_publication_builds_its_page_as_it_commits(self):
        """Publishing builds the published summary's live page once the publication
        commits, before anyone reads it, and queues the rebuild of the pages showing it
        with the publication; the worker rebuilds those, and only those."""
        build_pages()
        untouched = stored(self.other).built_at
        draft = draft_start_from(version=self.target)
        SummaryVersion.objects.filter(pk=draft.pk).update(title="Brighter street lighting")
        with self.captureOnCommitCallbacks(execute=True):
            publish(draft)
        stale = pages.stale_versions()
        self.assertNotIn(draft.pk, stale)
        self.assertEqual(stored(draft).card["title"], "Brighter street lighting")
        self.assertIn(self.v1.pk, stale)
        queued = DBTaskResult.objects.get(task_path=pages.rebuild_pages.module_path)
        self.assertEqual(queued.status, TaskResultStatus.READY)
        self.assertEqual(run_queued_tasks(), 1)
        self.assertEqual(pages.stale_versions(), [])
        self.assertEqual(stored(self.other).built_at, untouched)
        self.assertIn("Brighter street lighting", stored(self.v1).document)

    @override_settings(TASKS=DATABASE_TASKS)
    def test_a_rolled_back_publication_queues_no_rebuild(self):
        """The rebuild is queued in the publication's transaction: no publication, no
        task, and nothing rebuilt."""
        build_pages()
        draft = draft_start_from(version=self.target)
        with self.assertRaises(RuntimeError), transaction.atomic():
            publish(draft)
            raise RuntimeError("the publication failed")
        self.assertFalse(
            DBTaskResult.objects.filter(task_path=pages.rebuild_pages.module_path).exists()
        )
        self.assertEqual(pages.stale_versions(), [])

    @override_settings(TASKS=DATABASE_TASKS)
    def test_a_failed_rebuild_is_retried_and_readers_are_served_meanwhile(self):
        """A rebuild that fails (here: the rows cannot be written) is queued again; until
        it runs, the first reader of a stale page builds it."""
        build_pages()
        draft = draft_start_from(version=self.target)
        SummaryVersion.objects.filter(pk=draft.pk).update(title="Brighter street lighting")
        publish(draft)
        with (
            mock.patch.object(pages, "materialise", side_effect=DatabaseError("refused")),
            self.assertLogs("summaries.tasks", "WARNING"),
        ):
            run_queued_tasks()
        tasks = DBTaskResult.objects.filter(task_path=pages.rebuild_pages.module_path)
        self.assertEqual(
            sorted(tasks.values_list("status", flat=True)),
            sorted([TaskResultStatus.FAILED, TaskResultStatus.READY]),
        )
        self.assertContains(self.client.get(detail("cctv")), "Brighter street lighting")

    def test_a_term_renamed_in_the_admin_rebuilds_the_pages_it_tags(self):
        """Renaming a term makes stale only the pages of the summaries it tags."""
        build_pages()
        admin = make_user(superuser=True)
        self.client.force_login(admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/admin/summaries/problem/{self.burglary.pk}/change/",
                {"name": "Domestic burglary", "slug": "burglary", "position": 0},
            )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.client.logout()
        # A term tagging few summaries: their live pages are rebuilt as the save commits.
        self.assertEqual(pages.stale_versions(), [])
        self.assertIn("Domestic burglary", stored(self.v1).document)
        self.assertContains(self.client.get(detail("cctv")), "Domestic burglary")

    def test_a_merge_rename_and_withdrawal_each_make_the_pages_stale(self):
        """Every event that changes what a page shows raises its generation."""
        build_pages()
        before = PageGeneration.objects.get(pk=self.v1.intervention_id).generation
        theft = Problem.objects.create(name="Theft", slug="theft")
        self.v1.problems.add(theft)
        terms_merge(keep=self.burglary, merged=[theft], user=make_user(superuser=True))
        intervention_rename(intervention=self.v1.intervention, new_slug="cctv-cameras")
        version_withdraw(version=self.target, reason="Found wrong.")
        after = PageGeneration.objects.get(pk=self.v1.intervention_id).generation
        self.assertGreaterEqual(after, before + 3)
        self.assertIn(self.v1.pk, pages.stale_versions())
        response = self.client.get(detail("cctv-cameras"))
        self.assertNotContains(response, "Street lighting")  # withdrawn: no card any more
        self.assertEqual(self.client.get(detail("street-lighting")).status_code, 410)

    def test_drafts_have_no_stored_page(self):
        """Only public versions are built; a draft's number is not a page."""
        make_draft("secret", title="Secret draft")
        draft_start_from(version=self.other)
        build_pages()
        states = set(PublishedPage.objects.values_list("version__state", flat=True))
        self.assertEqual(states, {State.PUBLISHED})
        self.assertEqual(self.client.get(detail("secret")).status_code, 404)

    def test_the_command_builds_what_is_missing_or_stale(self):
        """``build_pages`` builds stale pages; ``--all`` every one; both say how many."""
        PublishedPage.objects.all().delete()
        out = StringIO()
        call_command("build_pages", stdout=out)
        self.assertIn("Built 3 pages", out.getvalue())
        out = StringIO()
        call_command("build_pages", stdout=out)
        self.assertIn("Built 0 pages", out.getvalue())
        out = StringIO()
        call_command("build_pages", "--all", stdout=out)
        self.assertIn("Built 3 pages", out.getvalue())


@override_settings(ALLOWED_HOSTS=["toolkit.example", "localhost"])
class OriginTests(TestCase):
    def test_addresses_follow_the_host_asked(self):
        """Stored citations hold a placeholder origin; each reader gets its own host's."""
        make_live("cctv", title="CCTV")
        build_pages()
        self.assertIn(pages.ORIGIN, PublishedPage.objects.get().document)
        for host in ("toolkit.example", "localhost"):
            with self.subTest(host=host):
                cache.clear()
                response = self.client.get(detail("cctv"), headers={"host": host})
                self.assertContains(response, f"http://{host}/toolkit/cctv/v/1/")
                self.assertNotContains(response, pages.ORIGIN)


class ListRowTests(TestCase):
    """The API's list builds each row from the summary's stored data (``list_row``): the
    same row, value for value, as ``/toolkit/data.json`` computes from the version's rows
    (``downloads.summary_row``), for every live summary."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", "--no-accounts", verbosity=0)
        call_command("generate_synthetic", "40", stdout=StringIO())
        # One with a cost band and a review without a study count.
        version = SummaryVersion.objects.live().exclude(reviews=None).order_by("pk").first()
        SummaryVersion.objects.filter(pk=version.pk).update(
            cost_band=ScaleLevel.objects.filter(scale__dimension=Dimension.COST_BAND).first()
        )
        version.reviews.update(studies=None)

    def test_stored_rows_are_the_downloads_rows(self):
        def encoded(row):
            return json.loads(json.dumps(row, cls=DjangoJSONEncoder))

        origin = "http://testserver"
        expected = {
            version.pk: encoded(summary_row(version, lambda path: f"{origin}{path}"))
            for version in live_rows()
        }
        stored = pages.live_data(expected, PublicContent.objects.get().site_generation)
        self.assertEqual(set(stored), set(expected))
        request = RequestFactory().get("/")
        for pk, data in stored.items():
            with self.subTest(version=pk):
                row = pages.list_row(json.loads(pages.absolute(data, request)))
                self.assertEqual(encoded(row), expected[pk])
        kinds = {
            "with a key figure": any(row["key_figure"] for row in expected.values()),
            "with a headline outcome": any(row["headline_outcome"] for row in expected.values()),
            "with a cost band": any(row["cost_band"] for row in expected.values()),
            "without studies": any(row["studies"] is None for row in expected.values()),
        }
        self.assertTrue(all(kinds.values()), kinds)
