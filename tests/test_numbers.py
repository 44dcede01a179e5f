"""``/toolkit/numbers/``: every figure counted from the data, in queries that do not grow."""

from datetime import date, timedelta

from django.test import TestCase
from django.utils import timezone

from summaries.models import (
    Challenge,
    ChallengeStatus,
    PipelineEntry,
    Stage,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    SummaryVersion,
    UpdateStatus,
)
from summaries.public.numbers import search_age_months
from tests.factories import make_complete_draft, make_draft, publish, update_status
from tests.helpers import count_get

NUMBERS = "/toolkit/numbers/"


def live(slug, *, status=UpdateStatus.UP_TO_DATE, year=None, month=None) -> SummaryVersion:
    version = make_complete_draft(slug)
    version.update_status = update_status(status)
    version.last_search_year, version.last_search_month = year, month
    version.save()
    return publish(version)


class NumbersPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = live("a", year=2021)
        live("b", status=UpdateStatus.UPDATE_PENDING, year=2019, month=1)
        live("c", status=UpdateStatus.NO_UPDATE_PLANNED)
        make_draft("draft-only")  # not counted
        PipelineEntry.objects.create(title="X", description="X.", stage=Stage.SCREENING)
        PipelineEntry.objects.create(
            title="Y", description="Y.", stage=Stage.NOT_RATED, not_rated_reason="No review."
        )
        Suggestion.objects.create(kind=SuggestionKind.SUGGESTION, subject="S", body="B.")
        Suggestion.objects.create(
            kind=SuggestionKind.SUGGESTION,
            subject="T",
            body="B.",
            status=SuggestionStatus.ACCEPTED,
            closed_at=timezone.now(),
        )
        now = timezone.now()
        for status, decided_late in [
            (ChallengeStatus.UPHELD, False),
            (ChallengeStatus.NOT_UPHELD, True),
            (ChallengeStatus.RECEIVED, None),
        ]:
            decided = status != ChallengeStatus.RECEIVED
            Challenge.objects.create(
                intervention=cls.a.intervention,
                version=cls.a,
                rating="effect",
                rating_label="Effect: Reduced crime",
                reasons="Because.",
                email="" if decided else "c@example.org",
                status=status,
                received_at=now,
                target_on=timezone.localdate() + timedelta(days=-1 if decided_late else 60),
                decided_at=now if decided else None,
                decision="Decided." if decided else "",
            )

    def test_figures_are_counted_from_the_data(self):
        """Summaries, up to date, the pipeline by stage, suggestions and this year's
        challenges are what the records hold."""
        response = self.client.get(NUMBERS)
        self.assertEqual(response.status_code, 200)
        figures = response.context
        self.assertEqual(figures["summaries"]["total"], 3)
        self.assertEqual(figures["summaries"]["up_to_date"], 1)
        self.assertEqual({s["value"]: s["count"] for s in figures["stages"]}["screening"], 1)
        self.assertEqual(figures["not_rated"], 1)
        self.assertEqual(
            (figures["suggestions"]["received"], figures["suggestions"]["accepted"]), (2, 1)
        )
        [year] = figures["challenge_years"]
        self.assertEqual(
            (year.year, year.received, year.decided, year.upheld, year.within_target),
            (timezone.localdate().year, 3, 2, 1, 1),
        )
        self.assertContains(response, "1 of 3")

    def test_median_age_of_the_last_search(self):
        """The median of the searches' ages in months, a year alone counting from July."""
        today = timezone.localdate()
        expected = sorted([search_age_months(2021, None, today), search_age_months(2019, 1, today)])
        response = self.client.get(NUMBERS)
        self.assertEqual(
            response.context["summaries"]["median_search_age_months"], round(sum(expected) / 2)
        )
        self.assertEqual(search_age_months(2021, None, date(2026, 12, 7)), 65)
        self.assertContains(response, "over 2 summaries that give the date")

    def test_one_summary_with_a_search_date_in_the_singular(self):
        """One summary giving the date reads "1 summary that gives the date"."""
        SummaryVersion.objects.live().exclude(
            pk=SummaryVersion.objects.live().order_by("pk").first().pk
        ).update(last_search_year=None, last_search_month=None)
        response = self.client.get(NUMBERS)
        self.assertContains(response, "over 1 summary that gives the date")

    def test_query_count_does_not_grow(self):
        """The page costs the same queries with more summaries, entries and challenges."""
        before = count_get(self, self.client, NUMBERS)
        live("d", year=2020)
        PipelineEntry.objects.create(title="Z", description="Z.", stage=Stage.SUGGESTED)
        self.assertEqual(count_get(self, self.client, NUMBERS), before)
