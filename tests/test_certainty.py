"""Certainty per outcome: GRADE's levels and domains as data, reasons for rating down on
each outcome result, checked, copied, compared, and shown in the summary-of-findings
table, data.json and the API."""

import json
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.test import TestCase

from summaries.editorial.diff import compare_versions
from summaries.editorial.rules import submit_problems
from summaries.editorial.services import draft_start_from
from summaries.models import (
    CertaintyDomain,
    Dimension,
    Direction,
    DowngradeReason,
    Outcome,
    OutcomeResult,
    Scale,
    Severity,
    SummaryVersion,
    SystematicReview,
)
from summaries.models.generation import public_content_changed
from tests.factories import level, make_complete_draft, make_draft, make_live, make_user, publish
from tests.helpers import build_pages, count_get
from tests.test_admin import change_url, form_data
from tests.test_api import API, check_against_document, document


def add_result(version, *, slug="sexual", name="Sexual reoffending", certainty=None, reasons=()):
    outcome, _ = Outcome.objects.get_or_create(slug=slug, defaults={"name": name})
    result = OutcomeResult.objects.create(
        version=version,
        outcome=outcome,
        direction=Direction.REDUCED,
        stated="declined from 13.6% to 9.3%",
        certainty=level(Dimension.CERTAINTY, certainty) if certainty else None,
    )
    for position, (domain, explanation) in enumerate(reasons, start=1):
        DowngradeReason.objects.create(
            result=result,
            domain=CertaintyDomain.objects.get(slug=domain),
            explanation=explanation,
            position=position,
        )
    return result


RCTS = "only seven studies were randomised controlled trials (RCTs)"
VARIABILITY = "considerable variability in the findings of the primary studies"


class SeededVocabularyTests(TestCase):
    def test_grade_levels_and_domains_are_seeded(self):
        """The certainty scale has GRADE's four levels and the five domains, in order."""
        scale = Scale.objects.get(dimension=Dimension.CERTAINTY)
        self.assertEqual(
            [lv.label for lv in scale.levels.all()], ["High", "Moderate", "Low", "Very low"]
        )
        self.assertEqual(
            list(CertaintyDomain.objects.values_list("name", flat=True)),
            [
                "Risk of bias",
                "Inconsistency",
                "Indirectness",
                "Imprecision",
                "Publication bias",
            ],
        )

    def test_the_certainty_scale_has_its_explainer_page(self):
        """/toolkit/scales/certainty/ explains each level."""
        response = self.client.get("/toolkit/scales/certainty/")
        self.assertContains(response, "Very low")
        self.assertContains(response, "We are very confident")


class ReasonConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.result = add_result(make_draft())
        cls.domain = CertaintyDomain.objects.get(slug="imprecision")

    def test_unknown_severity_is_refused_by_the_database(self):
        """A severity other than serious or very serious cannot be stored."""
        with self.assertRaises(IntegrityError), transaction.atomic():
            DowngradeReason.objects.create(
                result=self.result, domain=self.domain, severity="mild", explanation="x"
            )

    def test_a_reason_without_explanation_is_refused_by_the_database(self):
        """A reason must say what the concern is."""
        with self.assertRaises(IntegrityError), transaction.atomic():
            DowngradeReason.objects.create(result=self.result, domain=self.domain, explanation="")

    def test_a_domain_in_use_cannot_be_deleted(self):
        """Deleting a domain that reasons name is refused, so no reason loses its domain."""
        DowngradeReason.objects.create(result=self.result, domain=self.domain, explanation="x")
        with self.assertRaises(IntegrityError), transaction.atomic():
            CertaintyDomain.objects.filter(pk=self.domain.pk).delete()


class SubmitCheckTests(TestCase):
    def test_reasons_without_a_certainty_are_named_on_submit(self):
        """A result rated down for reasons but given no certainty cannot go to review."""
        draft = make_complete_draft()
        result = add_result(draft, reasons=[("risk-of-bias", RCTS)])
        result.reviews.add(draft.reviews.get())  # its source (a check required to submit)
        self.assertIn(
            "Outcome “Sexual reoffending”: choose its certainty of the evidence (it gives "
            "reasons for rating it down).",
            submit_problems(draft),
        )
        draft.outcome_results.update(certainty=level(Dimension.CERTAINTY, "low"))
        self.assertEqual(submit_problems(draft), [])


class CopyAndDiffTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live()
        add_result(
            cls.live,
            certainty="low",
            reasons=[("risk-of-bias", RCTS), ("inconsistency", VARIABILITY)],
        )

    def compare(self, old, new):
        pair = SummaryVersion.objects.for_page().in_bulk([old.pk, new.pk])
        groups = {g.title: g for g in compare_versions(pair[old.pk], pair[new.pk])}
        return groups["Outcomes"].changed

    def test_a_new_draft_copies_certainty_and_reasons(self):
        """Starting a draft keeps each outcome's certainty and reasons, as rows of its own."""
        draft = draft_start_from(version=self.live)
        copy = draft.outcome_results.get()
        self.assertEqual(copy.certainty.label, "Low")
        self.assertEqual(
            list(copy.downgrade_reasons.values_list("domain__name", "severity", "explanation")),
            [("Risk of bias", "serious", RCTS), ("Inconsistency", "serious", VARIABILITY)],
        )
        original = self.live.outcome_results.get()
        self.assertFalse(
            set(copy.downgrade_reasons.values_list("pk", flat=True))
            & set(original.downgrade_reasons.values_list("pk", flat=True))
        )
        self.assertEqual(self.compare(self.live, draft), [])

    def test_a_changed_reason_and_certainty_show_in_the_diff(self):
        """Rewording a reason, making it very serious and lowering the certainty are marked."""
        draft = draft_start_from(version=self.live)
        result = draft.outcome_results.get()
        result.certainty = level(Dimension.CERTAINTY, "very-low")
        result.save()
        result.downgrade_reasons.filter(domain__slug="inconsistency").update(
            severity=Severity.VERY_SERIOUS, explanation=f"{VARIABILITY} and directions"
        )
        (field,) = self.compare(self.live, draft)
        self.assertEqual(field.label, "Sexual reoffending")
        self.assertIn("<ins>Very low</ins>", field.html)
        self.assertIn("inconsistency: <ins>very</ins> serious:", field.html)
        self.assertIn("<ins>and directions</ins>", field.html)

    def test_restoring_an_old_version_brings_its_reasons_back(self):
        """Restoring a superseded version restores its reasons as they were."""
        draft = draft_start_from(version=self.live)
        draft.outcome_results.get().downgrade_reasons.all().delete()
        publish(draft)
        self.live.refresh_from_db()
        restored = draft_start_from(version=self.live)
        self.assertEqual(
            list(restored.outcome_results.get().downgrade_reasons.values_list("explanation")),
            [(RCTS,), (VARIABILITY,)],
        )


class OutcomeResultAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(superuser=True)
        cls.draft = make_draft()
        cls.result = add_result(cls.draft, certainty="moderate")

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_version_form_links_to_the_results_own_page(self):
        """The outcome result inline offers a certainty and links to its reasons' page."""
        response = self.client.get(change_url(self.draft))
        self.assertContains(response, "Certainty of the evidence")
        self.assertContains(response, change_url(self.result))

    def test_saving_a_reason_on_the_results_page(self):
        """An editor adds a reason (domain, severity, explanation) and returns to the version."""
        data = form_data(self.client.get(change_url(self.result)), "outcomeresult_form")
        domain = CertaintyDomain.objects.get(slug="imprecision")
        row = {"domain": str(domain.pk), "severity": "serious", "explanation": "small samples"}
        data.update({f"downgrade_reasons-0-{name}": [value] for name, value in row.items()})
        data["_save"] = ["Save"]
        response = self.client.post(change_url(self.result), data)
        self.assertRedirects(response, change_url(self.draft))
        self.assertEqual(
            list(self.result.downgrade_reasons.values_list("domain__name", "explanation")),
            [("Imprecision", "small samples")],
        )

    def test_a_multi_line_explanation_is_a_form_error(self):
        """An explanation is one line: a line break is refused with a message, not stored."""
        data = form_data(self.client.get(change_url(self.result)), "outcomeresult_form")
        domain = CertaintyDomain.objects.get(slug="imprecision")
        row = {"domain": str(domain.pk), "severity": "serious", "explanation": "a\nb"}
        data.update({f"downgrade_reasons-0-{name}": [value] for name, value in row.items()})
        response = self.client.post(change_url(self.result), data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.result.downgrade_reasons.exists())

    def test_results_of_published_versions_are_read_only(self):
        """A published version's result cannot be changed through its own page."""
        publish(self.draft)
        response = self.client.post(change_url(self.result), {"certainty": ""})
        self.assertEqual(response.status_code, 403)
        self.result.refresh_from_db()
        self.assertEqual(self.result.certainty.label, "Moderate")

    def test_renaming_a_domain_changes_the_live_page(self):
        """A domain relabelled in the admin (another framework's word) shows on live pages."""
        live = make_live("lit")
        add_result(live, certainty="low", reasons=[("risk-of-bias", RCTS)])
        build_pages()
        domain = CertaintyDomain.objects.get(slug="risk-of-bias")
        data = form_data(self.client.get(change_url(domain)), "certaintydomain_form")
        data["name"] = ["Study limitations"]
        data["_save"] = ["Save"]
        self.client.post(change_url(domain), data)
        build_pages()
        self.assertContains(self.client.get("/toolkit/lit/"), "Study limitations")


class SummaryOfFindingsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("treatment", title="Treatment")
        review = SystematicReview.objects.create(version=cls.live, label="Review one", studies=35)
        sexual = add_result(
            cls.live,
            certainty="low",
            reasons=[("risk-of-bias", RCTS), ("inconsistency", VARIABILITY)],
        )
        sexual.reviews.add(review)
        add_result(cls.live, slug="violent", name="Violent reoffending")
        cls.doc = document()

    def test_each_outcome_shows_its_certainty_and_reasons_in_details(self):
        """The table gives the certainty in words and its reasons, domain and severity, in a
        <details> that opens without JavaScript."""
        response = self.client.get("/toolkit/treatment/")
        self.assertContains(response, '<th scope="col">Certainty of the evidence</th>', html=True)
        self.assertContains(response, "<strong>Low</strong>", html=True)
        self.assertContains(
            response, "<summary>Why: 2 reasons for rating it down</summary>", html=True
        )
        self.assertContains(
            response, f"<li><strong>Risk of bias</strong> (serious): {RCTS}</li>", html=True
        )
        self.assertContains(response, "Review one (35 studies)")

    def test_an_outcome_without_certainty_says_not_rated_and_has_no_reasons(self):
        """An outcome the text gives no reasons for shows none, and says it is not rated."""
        response = self.client.get("/toolkit/treatment/")
        html = response.content.decode()
        row = html[html.index('id="outcome-violent"') :]
        row = row[: row.index("</tr>")]
        self.assertIn("Not rated", row)
        self.assertNotIn("<details", row)

    def test_data_json_and_the_api_carry_certainty_and_reasons(self):
        """data.json and the API give each outcome's certainty and its reasons, as the
        OpenAPI document describes them."""
        response = self.client.get(f"{API}/summaries/treatment/")
        body = check_against_document(self, response, f"{API}/summaries/{{slug}}/", doc=self.doc)
        sexual, violent = body["outcomes"]
        self.assertEqual(sexual["certainty"], {"level": "low", "label": "Low"})
        self.assertEqual(
            sexual["downgrade_reasons"][1],
            {
                "domain": {"slug": "inconsistency", "name": "Inconsistency"},
                "severity": "serious",
                "explanation": VARIABILITY,
            },
        )
        self.assertIsNone(violent["certainty"])
        self.assertEqual(violent["downgrade_reasons"], [])
        data = json.loads(self.client.get("/toolkit/treatment/data.json").content)
        self.assertEqual(data["outcomes"], body["outcomes"])

    def test_query_count_does_not_grow_with_reasons(self):
        """Building and serving the page costs the same however many reasons it shows."""
        before = count_get(self, self.client, "/toolkit/treatment/", built=False)
        result = self.live.outcome_results.get(outcome__slug="violent")
        result.certainty = level(Dimension.CERTAINTY, "moderate")
        result.save()
        for n in range(5):
            DowngradeReason.objects.create(
                result=result,
                domain=CertaintyDomain.objects.get(slug="imprecision"),
                explanation=f"reason {n}",
            )
        public_content_changed(interventions=[self.live.intervention_id])
        after = count_get(self, self.client, "/toolkit/treatment/", built=False)
        self.assertEqual(after, before)
        self.assertContains(self.client.get("/toolkit/treatment/"), "reason 4")

    def test_editing_the_certainty_scale_changes_the_pages_showing_it(self):
        """A certainty level relabelled by an administrator shows on the live page."""
        admin = make_user(superuser=True)
        self.client.force_login(admin)
        scale = Scale.objects.get(dimension=Dimension.CERTAINTY)
        data = form_data(self.client.get(change_url(scale)), "scale_form")
        index = next(k for k, v in data.items() if k.endswith("-label") and v == ["Low"])
        data[index] = ["Limited"]
        data["_save"] = ["Save"]
        self.client.post(change_url(scale), data)
        self.client.logout()
        build_pages()
        self.assertContains(self.client.get("/toolkit/treatment/"), "<strong>Limited</strong>")


class DemoCertaintyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from django.core.management import call_command

        call_command("load_demo", "--no-accounts", verbosity=0)

    def test_sexual_reoffending_carries_the_seeds_reasons_in_its_words(self):
        """The demo's sexual-reoffending outcome gives the seed's sources of bias verbatim;
        the outcomes the seed gives no reasons for carry none."""
        html = self.client.get("/toolkit/psychosocial-treatment-sex-offenders/").content.decode()
        row = html[html.index('id="outcome-sexual-reoffending"') :]
        row = row[: row.index("</tr>")]
        for words in (
            "potential conflict of interest due to author affiliation with the treatment "
            "programme in 24 of the 35 primary studies",
            "only seven studies were randomised controlled trials (RCTs)",
            "considerable variability in the findings of the primary studies",
            "one third of the studies had small sample sizes (up to 50 offenders)",
        ):
            self.assertEqual(row.count(words), 2, words)  # on screen and for print
        self.assertIn(
            "Ratings and certainty by outcome are an editor's reading of the text; the "
            "reasons for rating the certainty down are the text's own words.",
            html,
        )
        results = OutcomeResult.objects.filter(version__state="published")
        self.assertEqual(
            {r.outcome.slug: r.downgrade_reasons.count() for r in results},
            {"sexual-reoffending": 6, "general-reoffending": 0, "violent-reoffending": 0},
        )
        self.assertEqual(
            Decimal(results.get(outcome__slug="sexual-reoffending").comparison_rate),
            Decimal("13.6"),
        )


class CertaintyAlertTests(TestCase):
    def test_an_update_email_says_which_certainty_and_cost_band_changed(self):
        """Followers read that an outcome's certainty and the cost band changed."""
        from django.core import mail
        from django.core.management import call_command

        from summaries.models import AlertOutbox, FollowKind, Subscription

        live = make_live("cctv", title="CCTV")
        add_result(live, certainty="low")
        add_result(live, slug="violent", name="Violent reoffending", certainty="moderate")
        Subscription.objects.create(
            email="reader@example.org",
            kind=FollowKind.SUMMARY,
            intervention=live.intervention,
            confirmed_at="2024-01-01T00:00Z",
        )
        AlertOutbox.objects.all().delete()
        draft = draft_start_from(version=live, change_note="A new trial.")
        draft.cost_band = level(Dimension.COST_BAND, "medium")
        draft.save()
        draft.outcome_results.filter(outcome__slug="sexual").update(
            certainty=level(Dimension.CERTAINTY, "moderate")
        )
        publish(draft)
        call_command("send_alerts", verbosity=0)
        [message] = mail.outbox
        self.assertIn(
            "Certainty of the evidence changed:\n- Sexual reoffending: Low -> Moderate\n",
            message.body,
        )
        self.assertNotIn("Violent reoffending", message.body)  # unchanged
        self.assertIn("- Cost band: not rated -> Medium cost", message.body)


class CertaintyElsewhereTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("treatment", title="Treatment")
        add_result(cls.live, certainty="low", reasons=[("risk-of-bias", RCTS)])
        cls.live.cost_band = level(Dimension.COST_BAND, "medium-low")
        cls.live.save()
        cls.other = make_live("lighting", title="Lighting")
        cls.other.no_economic_evaluation = True
        cls.other.save()

    def test_map_cells_say_the_certainty_in_words(self):
        """An evidence-map cell names its certainty; the downloads carry it."""
        import csv
        import io

        response = self.client.get("/toolkit/map/")
        self.assertContains(response, "Effect not rated; quality not rated; low certainty;")
        rows = list(
            csv.DictReader(io.StringIO(self.client.get("/toolkit/map.csv").content.decode()))
        )
        self.assertEqual(rows[1]["sexual_certainty"], "low")
        data = self.client.get("/toolkit/map.json").json()
        treatment = next(s for s in data["summaries"] if s["slug"] == "treatment")
        self.assertEqual(treatment["cells"]["sexual"]["certainty"], "low")

    def test_compare_puts_certainty_and_cost_band_side_by_side(self):
        """The comparison gives each summary's cost band and each outcome's certainty."""
        response = self.client.get("/toolkit/compare/?s=treatment&s=lighting")
        self.assertContains(
            response,
            "<div><dt>Cost band</dt><dd>Medium-low cost (£100 to £499 per participant)</dd></div>",
            html=True,
        )
        self.assertContains(
            response,
            "<div><dt>Cost band</dt><dd>No economic evaluation found</dd></div>",
            html=True,
        )
        self.assertContains(response, "quality not rated; low certainty")


class CertaintyAndCostFacetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        treatment = make_draft("treatment", title="Treatment")
        add_result(treatment, certainty="low")
        add_result(treatment, slug="violent", name="Violent reoffending", certainty="high")
        treatment.cost_band = level(Dimension.COST_BAND, "medium")
        treatment.save()
        publish(treatment)
        make_live("lighting", title="Lighting")

    def test_the_headline_outcomes_certainty_is_kept_at_publication(self):
        """Publishing stores the first outcome's certainty on the version."""
        live = SummaryVersion.objects.live().get(intervention__slug="treatment")
        self.assertEqual(live.headline_certainty.slug, "low")

    def test_list_filters_by_certainty_and_cost_band_with_counts(self):
        """The list page offers both facets, with counts, and filters by them."""
        response = self.client.get("/toolkit/", {"certainty": "low"})
        self.assertContains(response, "<legend>Certainty (headline outcome)</legend>", html=True)
        self.assertContains(response, "<legend>Cost band</legend>", html=True)
        self.assertContains(response, "Treatment")
        self.assertNotContains(response, ">Lighting<")
        self.assertNotContains(self.client.get("/toolkit/", {"cost": "high"}), ">Treatment<")

    def test_the_api_takes_the_same_facets(self):
        """The API's list filters by certainty and cost band and names unknown values."""
        body = check_against_document(
            self,
            self.client.get(f"{API}/summaries/?cost=medium"),
            f"{API}/summaries/",
            doc=document(),
        )
        self.assertEqual([r["slug"] for r in body["results"]], ["treatment"])
        row = body["results"][0]
        self.assertEqual(row["cost_band"], {"level": "medium", "label": "Medium cost"})
        self.assertEqual(
            row["headline_outcome"],
            {"outcome": "Sexual reoffending", "certainty": {"level": "low", "label": "Low"}},
        )
        self.assertEqual(self.client.get(f"{API}/summaries/?certainty=sure").status_code, 404)
