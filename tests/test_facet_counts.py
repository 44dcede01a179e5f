"""The list page's facet counts come from ``FacetTag``, the live versions' facet options
kept with the search index. They must be exactly what the versions' own rows say:
compared here with counts worked out in Python from those rows, for many searches and
combinations of facets; and the tags must follow every change to what is live and how
it is tagged, and come out the same when rebuilt from nothing."""

import importlib
import itertools
from collections import defaultdict
from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.http import QueryDict
from django.test import TestCase
from django.urls import reverse

from summaries import search
from summaries.editorial.services import draft_start_from, terms_merge, version_withdraw
from summaries.models import (
    EVERY_SUMMARY,
    Approach,
    FacetTag,
    Problem,
    ScaleLevel,
    SummaryVersion,
    UpdateStatus,
)
from summaries.models.generation import current_generation
from summaries.search.filters import SummaryFilter
from tests.factories import make_draft, make_user, publish, retagged, update_status

LIST_URL = "/toolkit/"


def options_of(version_ids) -> dict[int, dict[str, set[int]]]:
    """Each version's options, facet field -> option ids, read from its own rows."""
    found: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for flt in SummaryFilter.base_filters.values():
        rows = SummaryVersion.objects.filter(pk__in=version_ids).values_list("pk", flt.field_name)
        for pk, option in rows:
            if option is not None:
                found[pk][flt.field_name].add(option)
    return found


def tags() -> set[tuple[int, str, int]]:
    return set(FacetTag.objects.values_list("version_id", "facet", "option"))


def expected_tags() -> set[tuple[int, str, int]]:
    """The tags the live versions' rows call for."""
    live = list(SummaryVersion.objects.live().values_list("pk", flat=True))
    expected = {(pk, EVERY_SUMMARY, 0) for pk in live}
    for pk, options in options_of(live).items():
        expected |= {(pk, field, option) for field, ids in options.items() for option in ids}
    return expected


class FacetCountsTests(TestCase):
    """The page's count and facet counts, against counts worked out from the rows."""

    @classmethod
    def setUpTestData(cls):
        call_command("generate_synthetic", "60", stdout=StringIO())
        # The synthetic summaries have no update status: give two thirds of them one.
        live = list(SummaryVersion.objects.live().order_by("pk"))
        statuses = list(UpdateStatus.objects.all()[:2])
        for n, version in enumerate(live):
            if n % 3 < 2:
                SummaryVersion.objects.filter(pk=version.pk).update(update_status=statuses[n % 3])
        retagged(*live)
        # Not live: a draft with terms the facets ask for, which must never count.
        draft = make_draft(title="Synthetic crime evidence draft")
        draft.problems.add(*Problem.objects.all()[:3])
        draft.approaches.add(*Approach.objects.all()[:3])

    def expected(self, query: str, data: str) -> tuple[int, dict[str, dict[str, int]]]:
        """The result count and each facet's {slug: count} for the search and facets, from
        the versions' rows: an option counts the matching versions that have it and have
        one of the chosen options of every *other* facet."""
        filterset = SummaryFilter(QueryDict(data))
        if query:
            # The versions the page's search matches (as the page reads the query).
            counted = search.search_counted(filterset, query, generation=current_generation())
            matching = list(counted.matching.values_list("pk", flat=True))
        else:
            matching = list(SummaryVersion.objects.live().values_list("pk", flat=True))
        options = options_of(matching)
        chosen = {
            filterset.filters[name].field_name: {term.pk for term in terms}
            for name, terms in filterset.selected().items()
            if terms
        }

        def has_all_but(pk: int, skipped: str | None) -> bool:
            return all(
                options[pk][field] & ids for field, ids in chosen.items() if field != skipped
            )

        total = sum(has_all_but(pk, None) for pk in matching)
        facets = {}
        for name, flt in filterset.filters.items():
            field = flt.field_name
            label = "label" if flt.queryset.model in (ScaleLevel, UpdateStatus) else "name"
            counts = {}
            for option in flt.queryset.order_by("position", label):
                n = sum(
                    option.pk in options[pk][field] and has_all_but(pk, field) for pk in matching
                )
                if n or option.pk in chosen.get(field, ()):
                    counts[option.slug] = n
            facets[name] = counts
        return total, facets

    def shown(self, query: str, data: str) -> tuple[int, dict[str, dict[str, int]]]:
        params = QueryDict(data, mutable=True)
        if query:
            params["q"] = query
        response = self.client.get(LIST_URL, params)
        self.assertEqual(response.status_code, 200)
        facets = {
            facet["name"]: {option["slug"]: option["count"] for option in facet["options"]}
            for facet in response.context["facets"]
        }
        return response.context["page_obj"].paginator.count, facets

    def test_counts_are_the_rows_counts_for_varied_searches_and_facets(self):
        live = SummaryVersion.objects.live()
        problems = list(Problem.objects.filter(summaryversion__in=live).distinct()[:2])
        approach = Approach.objects.filter(summaryversion__in=live).first()
        effect = live.exclude(effect_rating=None).first().effect_rating
        quality = live.exclude(quality_rating=None).first().quality_rating
        status = live.exclude(update_status=None).first().update_status
        facets = [
            "",
            f"problem={problems[0].slug}",
            f"problem={problems[0].slug}&problem={problems[1].slug}",
            f"problem={problems[0].slug}&approach={approach.slug}",
            f"effect={effect.slug}&quality={quality.slug}",
            f"problem={problems[0].slug}&effect={effect.slug}&status={status.slug}",
            f"problem={problems[1].slug}&approach={approach.slug}&quality={quality.slug}"
            f"&effect={effect.slug}",
            f"problem={problems[0].slug}&problem=no-such-term",
        ]
        queries = ["", "crime", "crime evidence", '"hot spots" or burglary', "evidence -crime"]
        counted = 0
        for query, data in itertools.product(queries, facets):
            with self.subTest(query=query, facets=data):
                expected = self.expected(query, data)
                self.assertEqual(self.shown(query, data), expected)
                counted += expected[0] > 0
        self.assertGreater(counted, 20)  # not a comparison of empty results

    def test_options_in_each_facets_order(self):
        """Options are listed in their vocabulary's order (position, then name)."""
        response = self.client.get(LIST_URL)
        [problem] = [f for f in response.context["facets"] if f["name"] == "problem"]
        shown = [option["slug"] for option in problem["options"]]
        ordered = Problem.objects.filter(slug__in=shown).order_by("position", "name")
        self.assertEqual(shown, [term.slug for term in ordered])
        self.assertGreater(len(shown), 3)


class FacetTagUpkeepTests(TestCase):
    """The tags follow each change to what is live and how live versions are tagged."""

    @classmethod
    def setUpTestData(cls):
        cls.burglary = Problem.objects.create(name="Burglary", slug="burglary")
        cls.theft = Problem.objects.create(name="Theft", slug="theft")

    def live_tagged(self, *problems, slug=None):
        draft = make_draft(slug)
        draft.problems.add(*problems)
        draft.update_status = update_status()
        draft.save()
        return publish(draft)

    def assert_tags_agree(self):
        self.assertEqual(tags(), expected_tags())

    def test_a_publication_tags_and_a_draft_does_not(self):
        draft = make_draft()
        draft.problems.add(self.burglary)
        self.assertEqual(tags(), set())
        version = publish(draft)
        self.assertIn((version.pk, "problems", self.burglary.pk), tags())
        self.assertIn((version.pk, EVERY_SUMMARY, 0), tags())
        self.assert_tags_agree()

    def test_a_new_version_replaces_the_old_ones_tags(self):
        first = self.live_tagged(self.burglary)
        draft = draft_start_from(version=first, change_note="Now about theft.")
        draft.problems.set([self.theft])
        second = publish(draft)
        self.assertFalse(FacetTag.objects.filter(version=first).exists())
        self.assertIn((second.pk, "problems", self.theft.pk), tags())
        self.assertNotIn((second.pk, "problems", self.burglary.pk), tags())
        self.assert_tags_agree()

    def test_a_withdrawal_untags(self):
        version = self.live_tagged(self.burglary)
        version_withdraw(version=version, reason="Wrong.")
        self.assertEqual(tags(), set())
        response = self.client.get(LIST_URL)
        self.assertEqual(response.context["page_obj"].paginator.count, 0)

    def test_a_merge_moves_the_tags(self):
        one = self.live_tagged(self.burglary)
        two = self.live_tagged(self.theft)
        terms_merge(keep=self.burglary, merged=[self.burglary, self.theft])
        self.assertIn((two.pk, "problems", self.burglary.pk), tags())
        self.assertIn((one.pk, "problems", self.burglary.pk), tags())
        self.assert_tags_agree()
        response = self.client.get(LIST_URL, {"problem": "burglary"})
        self.assertEqual(response.context["page_obj"].paginator.count, 2)

    def test_rebuilt_from_nothing_the_same(self):
        """Dropped and rebuilt (``search_rebuild``, or migration 0035 on a database that
        had none), the tags are the same rows."""
        for n in range(3):
            self.live_tagged(self.burglary, self.theft) if n else self.live_tagged()
        kept = tags()
        self.assertEqual(kept, expected_tags())
        FacetTag.objects.all().delete()
        call_command("search_rebuild", stdout=StringIO())
        self.assertEqual(tags(), kept)

        FacetTag.objects.all().delete()
        migration = importlib.import_module("summaries.migrations.0035_facet_tags")
        migration.tag_live_versions(apps, None)
        self.assertEqual(tags(), kept)

    def test_deleting_a_term_in_the_admin_untags(self):
        version = self.live_tagged(self.burglary, self.theft)
        self.client.force_login(make_user(superuser=True))
        response = self.client.post(
            reverse("admin:summaries_problem_delete", args=[self.theft.pk]), {"post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertNotIn((version.pk, "problems", self.theft.pk), tags())
        self.assertIn((version.pk, "problems", self.burglary.pk), tags())
        self.assert_tags_agree()
