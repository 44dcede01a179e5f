"""Content checks (summaries/editorial/checks/): each check on a draft that triggers it and
one that doesn't, the checks required for submission, a toolkit's own check, the panel on
the version form and the review page, and the endpoint that runs them as an editor types.
The broken-link task's tests are in test_link_checks.py."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from summaries.editorial import checks
from summaries.editorial.services import SubmitRefused, version_submit
from summaries.models import (
    Dimension,
    ExternalLink,
    LinkCheck,
    Outcome,
    OutcomeResult,
    Section,
    SectionKind,
    State,
)
from tests.factories import level, make_complete_draft, make_draft, make_user

# The seed's sentence, as it stands (RRASOR spelt out) and with the expansion left out.
SEED_RRASOR = (
    "Risk was measured using a risk scales specific to the primary study or the rapid risk "
    "assessment for sexual offence recidivism (RRASOR)."
)
RRASOR_UNEXPLAINED = (
    "Risk was measured using a risk scales specific to the primary study or the RRASOR."
)
HARD = (
    "Psychosocial interventions operationalising multidimensional therapeutic methodologies "
    "demonstrate considerable heterogeneity regarding implementation characteristics, "
    "organisational infrastructure, practitioner qualifications, programme intensity, "
    "institutional environments and evaluative methodologies, complicating generalisation. "
    "Consequently, comparative effectiveness estimations necessitate considerable "
    "methodological circumspection, particularly concerning heterogeneous populations."
)
EASY = (
    "The programme helps people who have been to prison. They meet a worker once a week. "
    "They talk about what went wrong and what they can do next time. Most people finish "
    "the course. Those who finish it are less likely to commit a new crime. It costs "
    "little to run and it is easy to set up in a new place."
)
ENOUGH = "<p>" + " ".join(["This section says enough about the evidence."] * 5) + "</p>"


def findings(version, check):
    return [f for f in checks.run(checks.Draft.of_version(version)) if f.check == check]


def draft_with(**sections):
    return make_draft(sections={SectionKind(kind): body for kind, body in sections.items()})


class ReadabilityTests(TestCase):
    def test_hard_section_is_scored(self):
        """A section in long words and long sentences gets its Flesch reading ease named."""
        found = findings(draft_with(general=f"<p>{HARD} {HARD}</p>"), "readability")
        self.assertTrue(any("Hard to read: Flesch reading ease" in f.message for f in found), found)
        self.assertEqual(found[0].place.key, "general")

    def test_plain_section_passes(self):
        """A section in short sentences and everyday words is not flagged."""
        self.assertEqual(findings(draft_with(general=f"<p>{EASY}</p>"), "readability"), [])

    def test_long_sentence_is_quoted_shortened(self):
        """A sentence over the limit is quoted, cut after its first words."""
        sentence = " ".join(["word"] * 50) + "."
        found = findings(draft_with(effect=f"<p>{sentence}</p>"), "readability")
        self.assertIn("A sentence of 50 words", found[-1].message)
        self.assertTrue(found[-1].excerpt.endswith("…"))
        self.assertLess(len(found[-1].excerpt), 100)


class AbbreviationTests(TestCase):
    def test_unexplained_abbreviation_is_flagged(self):
        """The seed's RRASOR without its expansion is flagged at its first use."""
        found = findings(draft_with(moderators=f"<p>{RRASOR_UNEXPLAINED}</p>"), "abbreviations")
        self.assertEqual(len(found), 1)
        self.assertIn("“RRASOR” is not spelt out", found[0].message)
        self.assertIn("RRASOR", found[0].excerpt)

    def test_spelt_out_abbreviations_pass(self):
        """ "Multisystemic Therapy (MST)", the seed's RRASOR sentence, "MST (multisystemic
        therapy)" and the allow-list's USA are not flagged."""
        body = (
            f"<p>Multisystemic Therapy (MST) works. {SEED_RRASOR} Later MST again.</p>"
            "<p>Randomised controlled trials (RCTs) were few; two RCTs in the USA.</p>"
        )
        self.assertEqual(findings(draft_with(focus=body), "abbreviations"), [])
        other = draft_with(focus="<p>MST (multisystemic therapy) is a family therapy.</p>")
        self.assertEqual(findings(other, "abbreviations"), [])

    def test_first_use_counts_in_page_order(self):
        """An abbreviation spelt out only in a later section is flagged where it is first
        used, saying where it is spelt out."""
        version = draft_with(
            focus="<p>MST is one approach.</p>",
            moderators="<p>Multisystemic therapy (MST) did best.</p>",
        )
        (found,) = findings(version, "abbreviations")
        self.assertEqual(found.place.key, "focus")
        self.assertIn("spelt out later, in Section “Moderators", found.message)


class LinkTextTests(TestCase):
    def test_vague_and_bare_links_are_flagged(self):
        """ "Click here", "read more" and a bare address as link text are flagged, in
        sections and in further reading."""
        version = draft_with(
            effect='<p><a href="https://example.org/a">Click here</a> or '
            '<a href="https://example.org/b">https://example.org/b</a>.</p>'
        )
        ExternalLink.objects.create(
            version=version, title="https://example.org/c", url="https://example.org/c"
        )
        found = findings(version, "link-text")
        self.assertEqual(len(found), 3, found)
        self.assertIn("“Click here” does not say where it leads", found[0].message)
        self.assertEqual(found[2].place.field, "external_links")

    def test_meaningful_links_pass(self):
        """Links that name where they go are not flagged."""
        version = draft_with(
            effect='<p>See <a href="https://example.org/a">the Home Office evaluation</a>.</p>'
        )
        ExternalLink.objects.create(
            version=version, title="Lighting and crime", url="https://example.org/c"
        )
        self.assertEqual(findings(version, "link-text"), [])


class SectionLengthTests(TestCase):
    def test_short_and_empty_sections_are_flagged(self):
        """A section of a few words, and a missing one, are flagged."""
        found = findings(draft_with(effect="<p>It works.</p>"), "short-sections")
        by_kind = {f.place.key: f.message for f in found}
        self.assertIn("very short: 2 words", by_kind["effect"])
        self.assertEqual(by_kind["mechanism"], "The section is empty.")

    def test_long_enough_section_passes(self):
        """A section over the threshold is not flagged."""
        found = findings(draft_with(effect=ENOUGH), "short-sections")
        self.assertNotIn("effect", {f.place.key for f in found})


class StandfirstLengthTests(TestCase):
    def test_long_standfirst_is_flagged(self):
        """A standfirst over the set length is flagged with its length."""
        version = make_draft(standfirst="A standfirst that goes on. " * 10)
        (found,) = findings(version, "standfirst-length")
        self.assertIn("269 characters, more than 200", found.message)

    def test_seed_standfirst_passes(self):
        """The seed's one-sentence standfirst passes."""
        version = make_draft(
            standfirst="Psychosocial treatment programmes to reduce reoffending among people "
            "with sexual offence histories."
        )
        self.assertEqual(findings(version, "standfirst-length"), [])


class RatingTextTests(TestCase):
    def test_rating_without_its_section_is_flagged(self):
        """An effect rating with an empty effect section is flagged on that section."""
        version = draft_with(effect="<p></p>")
        version.effect_rating = level(Dimension.EFFECT, "reduced")
        version.save()
        (found,) = findings(version, "rating-text")
        self.assertEqual(found.place.key, "effect")
        self.assertIn("effect rating is given", found.message)

    def test_rating_with_its_section_passes(self):
        """A rating whose section has text is not flagged."""
        version = draft_with(effect=ENOUGH)
        version.effect_rating = level(Dimension.EFFECT, "reduced")
        version.save()
        self.assertEqual(findings(version, "rating-text"), [])


def add_outcome(version, *, cited: bool):
    result = OutcomeResult.objects.create(
        version=version,
        outcome=Outcome.objects.get_or_create(name="Sexual reoffending", slug="sexual")[0],
        direction="reduced",
        stated="Reduced.",
    )
    if cited:
        result.reviews.add(version.reviews.get())
    return result


class OutcomeSourceTests(TestCase):
    def test_outcome_without_review_is_required_for_submission(self):
        """An outcome result citing no review is flagged as required for submission, and
        submitting is refused with it listed."""
        version = make_complete_draft()
        add_outcome(version, cited=False)
        (found,) = findings(version, "outcome-source")
        self.assertEqual(found.severity_label, "Required for submission")
        with self.assertRaises(SubmitRefused) as refused:
            version_submit(version=version, change_note="First.")
        self.assertIn("names no review it comes from", str(refused.exception))

    def test_outcome_with_review_passes(self):
        """An outcome result citing its review is not flagged, and the draft is submitted
        despite the warnings of other checks."""
        version = make_complete_draft()
        add_outcome(version, cited=True)
        self.assertEqual(findings(version, "outcome-source"), [])
        self.assertTrue(findings(version, "short-sections"))  # warnings: not a block
        version_submit(version=version, change_note="First.")
        version.refresh_from_db()
        self.assertEqual(version.state, State.IN_REVIEW)

    @override_settings(CONTENT_CHECKS_REQUIRED=[])
    def test_required_is_a_setting(self):
        """With no check required, the same outcome is a warning and does not block."""
        version = make_complete_draft()
        add_outcome(version, cited=False)
        (found,) = findings(version, "outcome-source")
        self.assertEqual(found.severity_label, "Warning")
        version_submit(version=version, change_note="First.")


class BrokenLinkFindingTests(TestCase):
    def test_broken_link_is_shown_with_the_date_checked(self):
        """A link whose last check found 404 is flagged with the date of the check."""
        version = draft_with(effect='<p><a href="https://example.org/gone">The report</a></p>')
        checked = timezone.now() - timedelta(days=1)
        LinkCheck.objects.create(url="https://example.org/gone", status=404, checked_at=checked)
        (found,) = findings(version, "broken-links")
        self.assertIn("HTTP 404", found.message)
        self.assertIn(f"checked on {timezone.localtime(checked):%-d %b %Y}", found.message)
        self.assertEqual(found.place.key, "effect")

    def test_working_link_passes(self):
        """A link that answered 200 is not flagged."""
        version = draft_with(effect='<p><a href="https://example.org/ok">The report</a></p>')
        LinkCheck.objects.create(
            url="https://example.org/ok", status=200, checked_at=timezone.now()
        )
        self.assertEqual(findings(version, "broken-links"), [])


class RegistryTests(TestCase):
    def test_toolkit_module_adds_its_check(self):
        """A module named in CONTENT_CHECKS_MODULES registers a check that runs with the
        others, and being required, it stops submission."""
        self.addCleanup(checks.unregister, "no-jargon")
        version = make_complete_draft(standfirst="Synergy for safer streets.")
        with override_settings(CONTENT_CHECKS_MODULES=["tests.content_checks_extra"]):
            (found,) = findings(version, "no-jargon")
            self.assertTrue(found.required)
            with self.assertRaises(SubmitRefused):
                version_submit(version=version, change_note="First.")

    def test_register_decorator_and_disabling(self):
        """A check registered with the decorator runs; a disabled one does not."""
        self.addCleanup(checks.unregister, "always")

        @checks.register("always", title="Always")
        def always(draft):
            yield checks.Finding(checks.Place("title", "Title"), "Always found.")

        version = make_draft()
        self.assertEqual(len(findings(version, "always")), 1)
        with override_settings(CONTENT_CHECKS_DISABLED=["always"]):
            self.assertEqual(findings(version, "always"), [])


class PanelTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        cls.reviewer = make_user(groups=[Group.objects.get(name="Reviewers")])

    def test_form_shows_findings_linked_to_their_fields(self):
        """The form's panel is a region headed "Content checks", with each finding as a
        list item saying its severity in words and linking to its field."""
        version = make_complete_draft()
        add_outcome(version, cited=False)
        self.client.force_login(self.editor)
        response = self.client.get(
            reverse("admin:summaries_summaryversion_change", args=[version.pk])
        )
        self.assertContains(response, '<section class="content-checks" id="content-checks"')
        self.assertContains(response, '<h2 id="content-checks-heading">Content checks</h2>')
        self.assertContains(response, "Required for submission:</strong>")
        self.assertContains(response, 'href="#id_outcome_results-0-reviews_0"')
        self.assertContains(response, 'href="#section-effect">Section “Effect')

    def test_panel_updates_on_save(self):
        """Saving the form with a long standfirst shows its finding on the page after."""
        version = make_complete_draft()
        self.client.force_login(self.editor)
        url = reverse("admin:summaries_summaryversion_change", args=[version.pk])
        response = self.client.get(url)
        self.assertNotContains(response, "The standfirst has")
        data = form_data(response)
        data["standfirst"] = "Too long a standfirst. " * 12
        response = self.client.post(url, {**data, "_continue": "Save"}, follow=True)
        self.assertContains(response, "The standfirst has 275 characters")

    def test_review_page_shows_the_findings_linked_to_the_form(self):
        """The review page shows the same findings, linked to the form's parts."""
        version = make_complete_draft()
        add_outcome(version, cited=True)
        version.state = State.IN_REVIEW
        version.save()
        self.client.force_login(self.reviewer)
        response = self.client.get(
            reverse("admin:summaries_summaryversion_review", args=[version.pk])
        )
        change = reverse("admin:summaries_summaryversion_change", args=[version.pk])
        self.assertContains(response, "Content checks")
        self.assertContains(response, f'href="{change}#part-effect">Section “Effect')


def form_data(response) -> dict:
    """The version form's fields as the page rendered them (what a browser would post)."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = str(formset.management_form[name].value())
        for row in formset.forms:
            for name in row.fields:
                value = row[name].value()
                if row.fields[name].disabled or value is None or value is False:
                    continue
                key = row.add_prefix(name)
                data[key] = (
                    [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
                )
    return data


class EndpointTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        cls.version = make_complete_draft()
        cls.url = reverse("admin:summaries_summaryversion_checks", args=[cls.version.pk])
        cls.change = reverse("admin:summaries_summaryversion_change", args=[cls.version.pk])

    def posted(self, **changes):
        self.client.force_login(self.editor)
        data = form_data(self.client.get(self.change))
        data.update(changes)
        return data

    def test_unsaved_fields_are_checked(self):
        """A very short section typed, not saved, comes back as a finding linked to it."""
        section = Section.objects.get(version=self.version, kind="effect")
        data = self.posted()
        index = next(k for k, v in data.items() if k.endswith("-id") and v == str(section.pk))
        data[index.replace("-id", "-body")] = "<p>Too short.</p>"
        answer = self.client.post(self.url, data).json()
        effect = [f for f in answer["findings"] if f["href"] == "#section-effect"]
        self.assertIn("very short: 2 words", " ".join(f["message"] for f in effect))
        self.assertEqual(effect[0]["part_title"], "Effect")
        self.assertRegex(answer["summary"], r"^\d+ findings: ")
        self.version.refresh_from_db()
        self.assertEqual(Section.objects.get(pk=section.pk).body, "<p>The effect section.</p>")

    def test_staff_only_and_post_only(self):
        """Visitors are sent to sign in, staff without the editors' rights are refused,
        and GET is not allowed."""
        self.assertEqual(Client().post(self.url).status_code, 302)
        outsider = make_user()
        client = Client()
        client.force_login(outsider)
        self.assertEqual(client.post(self.url).status_code, 403)
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_csrf_is_required(self):
        """A post without the CSRF token is refused."""
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.editor)
        self.assertEqual(client.post(self.url, {"title": "x"}).status_code, 403)

    def test_bad_input_is_400(self):
        """A row count that is not one, a form over the size cap and a broken multipart
        body are answered 400, never 500; an unknown version 404."""
        self.client.force_login(self.editor)
        response = self.client.post(self.url, {"sections-TOTAL_FORMS": "many"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "Not the version form's fields.")
        response = self.client.post(self.url, {"sections-TOTAL_FORMS": "100000"})
        self.assertEqual(response.status_code, 400)
        with override_settings(CONTENT_CHECKS_MAX_BYTES=100):
            response = self.client.post(self.url, {"standfirst": "x" * 200})
        self.assertEqual(response.status_code, 400)
        response = self.client.post(
            self.url, b"--x\r\nbroken", content_type="multipart/form-data; boundary=x"
        )
        self.assertEqual(response.status_code, 400)
        missing = reverse("admin:summaries_summaryversion_checks", args=[999999])
        self.assertEqual(self.client.post(missing, {}).status_code, 404)
