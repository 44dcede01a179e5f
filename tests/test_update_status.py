"""Update status on every summary: set on the version, checked on submit, copied to the
next draft, compared, shown near the title, in data.json, the API, the list's facets and
the map, and behind the dashboard's "due for evidence review"."""

import csv
import io
import json
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from summaries.editorial.diff import compare_versions
from summaries.editorial.errors import SubmitRefused
from summaries.editorial.services import draft_start_from, version_submit
from summaries.models import SummaryVersion, UpdateStatus
from tests.factories import make_complete_draft, make_user, publish, update_status
from tests.test_api import API, check_against_document


def make_with_status(slug, *, status=UpdateStatus.UP_TO_DATE, **fields) -> SummaryVersion:
    """A live summary with the given update status and status fields."""
    version = make_complete_draft(slug, title=slug.replace("-", " ").capitalize())
    version.update_status = update_status(status)
    for name, value in fields.items():
        setattr(version, name, value)
    version.save()
    return publish(version)


class UpdateStatusPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_with_status(
            "lighting",
            status=UpdateStatus.UPDATE_PENDING,
            update_status_reason="A review published in 2025 is waiting to be assessed.",
            last_search_year=2021,
            last_search_month=3,
            reassess_on=date(2027, 6, 1),
        )

    def test_status_is_shown_under_the_title(self):
        """The summary page says, in the header beside the title, that an update is
        pending, when the evidence was last searched for, why, and when it is reassessed."""
        response = self.client.get("/toolkit/lighting/")
        header = response.content.decode().split('<header class="summary__header">')[1]
        header = header.split("</header>")[0]
        self.assertIn("Update pending", header)
        self.assertIn(
            'Last search for evidence: <time datetime="2021-03">March 2021</time>', header
        )
        self.assertIn("A review published in 2025 is waiting to be assessed.", header)
        self.assertIn("To be reassessed by", header)

    def test_status_is_in_data_json(self):
        """data.json holds the status, its reason, the search as precise as known and the
        reassess date."""
        data = json.loads(self.client.get("/toolkit/lighting/data.json").content)
        self.assertEqual(
            data["update_status"],
            {
                "status": "update-pending",
                "label": "Update pending",
                "reason": "A review published in 2025 is waiting to be assessed.",
                "last_search": "2021-03",
                "reassess_on": "2027-06-01",
            },
        )

    def test_status_in_the_api_keeps_the_documented_schema(self):
        """The API's summary carries the same status, valid against its OpenAPI schema."""
        response = self.client.get(f"{API}/summaries/lighting/")
        body = check_against_document(self, response, "/api/v1/summaries/{slug}/")
        self.assertEqual(body["update_status"]["status"], "update-pending")

    def test_a_summary_without_a_status_shows_none(self):
        """A summary published before statuses existed shows no status and says null."""
        version = make_complete_draft("older")
        version.update_status = None
        version.save()
        publish(version)
        response = self.client.get("/toolkit/older/")
        self.assertNotContains(response, "update-status")
        data = json.loads(self.client.get("/toolkit/older/data.json").content)
        self.assertIsNone(data["update_status"]["status"])
        self.assertIsNone(data["update_status"]["last_search"])


class UpdateStatusWorkflowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])

    def test_submit_needs_a_status(self):
        """A draft without an update status is refused at submit, saying what to do."""
        draft = make_complete_draft()
        draft.update_status = None
        draft.save()
        with self.assertRaises(SubmitRefused) as refused:
            version_submit(version=draft, change_note="New.")
        self.assertIn(
            "Choose the update status: is the summary up to date?", refused.exception.problems
        )

    def test_no_update_planned_needs_a_reason(self):
        """ "No update planned" without a reason is refused at submit; with one it goes."""
        draft = make_complete_draft()
        draft.update_status = update_status(UpdateStatus.NO_UPDATE_PLANNED)
        draft.save()
        with self.assertRaises(SubmitRefused) as refused:
            version_submit(version=draft, change_note="New.")
        self.assertIn(
            "Say why no update is planned (the reason for the status).",
            refused.exception.problems,
        )
        draft.update_status_reason = "The intervention is no longer in use."
        draft.save()
        version_submit(version=draft, change_note="New.")

    def test_next_draft_copies_the_status_and_the_diff_shows_its_change(self):
        """A new draft starts with the live version's status; changing it shows in the
        comparison with the live version."""
        live = make_with_status("cctv", last_search_year=2019, reassess_on=date(2026, 1, 1))
        draft = draft_start_from(version=live, user=self.editor)
        self.assertEqual(draft.update_status.slug, UpdateStatus.UP_TO_DATE)
        self.assertEqual((draft.last_search_year, draft.reassess_on), (2019, date(2026, 1, 1)))
        draft.update_status = update_status(UpdateStatus.UPDATE_IN_PROGRESS)
        draft.last_search_year = 2024
        draft.save()
        old, new = (
            SummaryVersion.objects.for_page().filter(pk__in=[live.pk, draft.pk]).order_by("number")
        )
        changed = {
            field.label: field.html
            for group in compare_versions(old, new)
            for field in group.changed
        }
        self.assertIn("Update in progress", changed["Update status"])
        self.assertIn("2024", changed["Last search for evidence"])
        self.assertNotIn("Reassess by", changed)

    def test_the_database_refuses_a_month_without_a_year_or_a_year_out_of_range(self):
        """Constraints, not only forms, keep the search date meaningful."""
        draft = make_complete_draft()
        for fields in ({"last_search_month": 3}, {"last_search_year": 1800}):
            with self.subTest(fields=fields), self.assertRaises(IntegrityError):
                with transaction.atomic():
                    SummaryVersion.objects.filter(pk=draft.pk).update(**fields)

    def test_the_form_names_a_month_without_a_year(self):
        """Cleaning the version names the missing year."""
        draft = make_complete_draft()
        draft.last_search_month = 5
        with self.assertRaisesMessage(Exception, "Give the year of the search too."):
            draft.full_clean()


class UpdateStatusFacetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_with_status("lighting")
        make_with_status("cctv", status=UpdateStatus.UPDATE_PENDING)
        make_with_status("patrols", status=UpdateStatus.UPDATE_PENDING)

    def test_list_offers_and_applies_the_status_facet(self):
        """The list has an "Update status" facet with counts, and choosing one narrows it."""
        response = self.client.get("/toolkit/")
        facet = next(f for f in response.context["facets"] if f["name"] == "status")
        counts = {option["name"]: option["count"] for option in facet["options"]}
        self.assertEqual(counts, {"Up to date": 1, "Update pending": 2})
        response = self.client.get("/toolkit/", {"status": "update-pending"})
        self.assertEqual(response.context["page_obj"].paginator.count, 2)
        self.assertContains(response, "Update pending")

    def test_api_filters_by_status_and_refuses_an_unknown_one(self):
        """The API's list takes ``status`` like the page; an unknown value is a 404."""
        response = self.client.get(f"{API}/summaries/", {"status": "up-to-date"})
        body = check_against_document(self, response, "/api/v1/summaries/")
        self.assertEqual([row["slug"] for row in body["results"]], ["lighting"])
        response = self.client.get(f"{API}/summaries/", {"status": "stale"})
        self.assertEqual(response.status_code, 404)

    def test_map_shows_the_status_of_each_row(self):
        """The evidence map names each summary's status, and its JSON gives the slug."""
        response = self.client.get("/toolkit/map/")
        self.assertContains(response, '<span class="evidence-map__status">Update pending</span>')
        grid = json.loads(self.client.get("/toolkit/map.json").content)
        statuses = {row["slug"]: row["update_status"] for row in grid["summaries"]}
        self.assertEqual(statuses["lighting"], "up-to-date")

    def test_downloads_carry_the_status(self):
        """The map's CSV, the list's CSV and JSON and the API's list give each summary's
        status, the list's with its reason and dates; the API's as its document says."""
        grid = csv.DictReader(io.StringIO(self.client.get("/toolkit/map.csv").content.decode()))
        statuses = {row["slug"]: row["update_status"] for row in grid}
        self.assertEqual(statuses["cctv"], "update-pending")
        self.assertEqual(statuses["lighting"], "up-to-date")
        rows = self.client.get("/toolkit/data.json").json()["summaries"]
        self.assertEqual(
            {row["slug"]: row["update_status"]["status"] for row in rows},
            {"lighting": "up-to-date", "cctv": "update-pending", "patrols": "update-pending"},
        )
        listing = self.client.get("/toolkit/data.csv").content.decode()
        self.assertIn(",update_status,update_status_label,update_status_reason,", listing)
        self.assertIn(",update-pending,Update pending,", listing)
        response = self.client.get(f"{API}/summaries/", {"status": "update-pending"})
        body = check_against_document(self, response, "/api/v1/summaries/")
        self.assertEqual(
            {row["update_status"]["label"] for row in body["results"]}, {"Update pending"}
        )


class EvidenceReviewDueTests(TestCase):
    def test_due_list_uses_the_reassess_date(self):
        """A summary whose reassess date has come is due, even if its evidence was reviewed
        recently; one whose date is ahead is not, however old its last review."""
        today = date.today()
        make_with_status(
            "due-now", reassess_on=today, evidence_reviewed_on=today - timedelta(days=10)
        )
        make_with_status(
            "later",
            reassess_on=today + timedelta(days=30),
            evidence_reviewed_on=today - timedelta(days=2000),
        )
        make_with_status("long-due", reassess_on=today - timedelta(days=400))
        self.client.force_login(make_user(superuser=True))
        home = self.client.get(reverse("admin:index"))
        due = [v.intervention.slug for v in home.context["queue"]["evidence_due"]["versions"]]
        self.assertEqual(due, ["long-due", "due-now"])
        self.assertContains(home, f"reassess by {today:%-d %b %Y}")
