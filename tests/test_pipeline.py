"""The evidence pipeline: entries kept in the admin, public by stage at
``/toolkit/pipeline/`` with filters, as CSV and in the API; an entry becomes a summary."""

import csv
import io
from datetime import date

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from summaries.editorial.errors import ServiceError
from summaries.editorial.pipeline import pipeline_entry_start_summary
from summaries.models import PipelineEntry, Stage, State, SummaryVersion
from tests.factories import make_live, make_user, publish
from tests.helpers import count_get
from tests.test_api import API, check_against_document

PIPELINE = "/toolkit/pipeline/"


def entry(title, stage=Stage.SCREENING, **fields) -> PipelineEntry:
    fields.setdefault("description", f"What {title} is.")
    if stage == Stage.NOT_RATED:
        fields.setdefault("not_rated_reason", "No systematic review meets the inclusion criteria.")
    return PipelineEntry.objects.create(title=title, stage=stage, **fields)


class PipelinePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        entry("Restorative justice", Stage.BEING_ASSESSED)
        entry("Youth curfews", Stage.SCREENING)
        entry("Noticeboards", Stage.NOT_RATED, is_demo=True)
        entry("Gang call-ins", Stage.SUGGESTED)

    def test_entries_are_listed_by_stage_with_the_reason_not_rated(self):
        """Each stage is a section naming its entries; a not-rated entry says why, and a
        demo entry is marked as demo content."""
        response = self.client.get(PIPELINE)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        order = [
            page.index(heading)
            for heading in ("Suggested", "Screening", "Being assessed", "Considered and not")
        ]
        self.assertEqual(order, sorted(order))
        assessed = page.split('id="stage-being_assessed"')[1].split("</section>")[0]
        self.assertIn("Restorative justice", assessed)
        self.assertNotIn("Youth curfews", assessed)
        self.assertContains(
            response,
            "<strong>Why it was not rated:</strong> No systematic review meets the inclusion "
            "criteria.",
            html=True,
        )
        self.assertContains(response, '<span class="tag">Demo content</span>', html=True)

    def test_filters_by_stage_and_words(self):
        """Ticking stages and typing words narrows the list and says how many match."""
        response = self.client.get(PIPELINE, {"stage": ["screening", "not_rated"]})
        self.assertContains(response, "Youth curfews")
        self.assertContains(response, "Noticeboards")
        self.assertNotContains(response, "Restorative justice")
        self.assertContains(response, "2 of 4 entries match these filters")
        response = self.client.get(PIPELINE, {"q": "restorative"})
        self.assertContains(response, "Restorative justice")
        self.assertNotContains(response, "Youth curfews")

    def test_bad_filters_get_a_clear_message(self):
        """An unknown stage, a NUL or an overlong query is named on the page as a 400,
        the whole list shown instead, never a 500."""
        for params, message in [
            ({"stage": "<script>x</script>"}, "There is no stage called “&lt;script&gt;"),
            ({"q": "a\x00b"}, "Null characters are not allowed."),
            ({"q": "x" * 201}, "at most 200 characters"),
        ]:
            with self.subTest(params=params):
                response = self.client.get(PIPELINE, params)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "Youth curfews", status_code=400)
                self.assertNotContains(response, "<script>x", status_code=400)

    def test_an_entry_whose_summary_is_live_leaves_the_pipeline(self):
        """Once its summary is published the entry is in the toolkit, not the pipeline;
        while its summary is a draft the entry shows, and the draft's title does not."""
        editor = make_user(groups=[Group.objects.get(name="Editors")])
        mentoring = entry("Mentoring", Stage.SCREENING, description="Adults mentor youths.")
        draft = pipeline_entry_start_summary(entry=mentoring, slug="mentoring", user=editor)
        SummaryVersion.objects.filter(pk=draft.pk).update(title="Secret draft title")
        response = self.client.get(PIPELINE)
        self.assertContains(response, "Mentoring")
        self.assertNotContains(response, "Secret draft title")
        draft.refresh_from_db()
        publish(draft)
        response = self.client.get(PIPELINE)
        self.assertNotContains(response, "Mentoring")
        self.assertNotContains(response, "Secret draft title")

    def test_query_count_does_not_grow(self):
        """The page costs the same queries with 4 entries or 24."""
        cache.clear()  # rendering's queries, not the page cache's
        before = count_get(self, self.client, PIPELINE, {"stage": "screening"})
        for n in range(20):
            entry(f"More {n}", Stage.SCREENING)
        cache.clear()
        self.assertEqual(count_get(self, self.client, PIPELINE, {"stage": "screening"}), before)

    def test_csv_has_the_filtered_entries_safe_for_spreadsheets(self):
        """The CSV lists the entries the filters choose, and text starting like a formula
        is written as text."""
        entry("=HYPERLINK(1)", Stage.SCREENING)
        response = self.client.get("/toolkit/pipeline.csv", {"stage": "screening"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual(sorted(row["title"] for row in rows), ["'=HYPERLINK(1)", "Youth curfews"])
        self.assertEqual(rows[0]["stage_label"], "Screening")
        bad = self.client.get("/toolkit/pipeline.csv", {"stage": "nope"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("There is no stage called", bad.content.decode())

    def test_api_lists_entries_as_documented(self):
        """``/api/v1/pipeline/`` gives the entries and each stage's total, matching its
        OpenAPI schema; a stage that does not exist is a 400 problem."""
        response = self.client.get(f"{API}/pipeline/", {"stage": "not_rated"})
        body = check_against_document(self, response, "/api/v1/pipeline/")
        self.assertEqual([row["title"] for row in body["results"]], ["Noticeboards"])
        self.assertTrue(body["results"][0]["demo"])
        totals = {stage["stage"]: stage["total"] for stage in body["stages"]}
        self.assertEqual(totals["screening"], 1)
        response = self.client.get(f"{API}/pipeline/", {"stage": "nope"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/problem+json")


class PipelineEntryModelTests(TestCase):
    def test_not_rated_needs_a_reason_in_the_database(self):
        """The database refuses "considered and not rated" without a reason."""
        with self.assertRaises(IntegrityError), transaction.atomic():
            PipelineEntry.objects.create(title="X", description="Y", stage=Stage.NOT_RATED)

    def test_stage_date_moves_only_with_the_stage(self):
        """Saving without changing the stage keeps its date; changing it sets today."""
        made = entry("Patrols", Stage.SUGGESTED)
        long_ago = date(2024, 1, 1)
        PipelineEntry.objects.filter(pk=made.pk).update(stage_changed_on=long_ago)
        made = PipelineEntry.objects.get(pk=made.pk)
        made.description = "Reworded."
        made.save()
        self.assertEqual(PipelineEntry.objects.get(pk=made.pk).stage_changed_on, long_ago)
        made.stage = Stage.SCREENING
        made.save()
        self.assertEqual(
            PipelineEntry.objects.get(pk=made.pk).stage_changed_on, timezone.localdate()
        )


class PipelineAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])

    def setUp(self):
        self.client.force_login(self.editor)

    def test_editor_adds_an_entry_and_the_public_page_shows_it_at_once(self):
        """An entry saved in the admin is on the cached public page on the next request."""
        self.client.logout()
        self.assertNotContains(self.client.get(PIPELINE), "Street triage")
        self.client.force_login(self.editor)
        response = self.client.post(
            reverse("admin:summaries_pipelineentry_add"),
            {"title": "Street triage", "description": "Nurses with police.", "stage": "screening"},
        )
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        self.assertContains(self.client.get(PIPELINE), "Street triage")

    def test_not_rated_without_a_reason_is_a_form_error(self):
        """The form says the reason is needed rather than failing in the database."""
        response = self.client.post(
            reverse("admin:summaries_pipelineentry_add"),
            {"title": "Curfews", "description": "Curfews.", "stage": "not_rated"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Say why it was not rated.")
        self.assertFalse(PipelineEntry.objects.exists())

    def test_start_a_summary_from_an_entry(self):
        """The action makes a draft with the entry's title and description, opens it, and
        moves the entry to "being assessed"; a second time it is refused with a message."""
        made = entry(
            "Hot spots policing", Stage.SCREENING, description="Police focus on hot spots."
        )
        url = reverse("admin:summaries_pipelineentry_changelist")
        data = {"action": "start_summary", "_selected_action": [made.pk]}
        response = self.client.post(url, data)
        draft = SummaryVersion.objects.get(intervention__slug="hot-spots-policing")
        self.assertRedirects(
            response,
            reverse("admin:summaries_summaryversion_change", args=[draft.pk]),
            fetch_redirect_response=False,
        )
        self.assertEqual(
            (draft.title, draft.standfirst, draft.state),
            (made.title, made.description, State.DRAFT),
        )
        made.refresh_from_db()
        self.assertEqual(
            (made.stage, made.intervention_id), (Stage.BEING_ASSESSED, draft.intervention_id)
        )
        response = self.client.post(url, data, follow=True)
        self.assertContains(response, "already became the summary at /toolkit/hot-spots-policing/")

    def test_start_a_summary_refuses_a_taken_address(self):
        """An entry named like a live summary is refused with the reason, changing nothing."""
        make_live("street-lighting", title="Street lighting")
        made = entry("Street lighting")
        with self.assertRaisesMessage(ServiceError, "already exists"):
            pipeline_entry_start_summary(entry=made, slug="street-lighting", user=self.editor)
        made.refresh_from_db()
        self.assertIsNone(made.intervention_id)

    def test_a_reader_may_not_start_a_summary(self):
        """Someone without the right to add summaries is refused."""
        made = entry("Curfews")
        with self.assertRaises(ServiceError):
            pipeline_entry_start_summary(entry=made, slug="curfews", user=make_user(staff=False))
        self.assertFalse(SummaryVersion.objects.filter(intervention__slug="curfews").exists())
