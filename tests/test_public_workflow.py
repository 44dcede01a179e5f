"""What the public sees of the workflow: change log, withdrawn summaries, and never a draft."""

import re

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from summaries.editorial import external_reviews
from summaries.editorial.services import (
    draft_start_from,
    version_archive,
    version_request_changes,
    version_withdraw,
)
from summaries.models import (
    Approach,
    BenefitCost,
    CertaintyDomain,
    Direction,
    ExternalLink,
    KeyFigure,
    Outcome,
    OutcomeResult,
    PipelineEntry,
    Problem,
    PublishedPage,
    RelatedSummary,
    Scale,
    Section,
    SectionKind,
    Stage,
    SummaryVersion,
    SystematicReview,
    UnitCost,
)
from tests.factories import make_draft, make_live, make_user, publish, send_to_review
from tests.helpers import count_get

MARKER = "zqxmarker"


class ChangeLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.v1 = make_live(title="Street lighting")
        SummaryVersion.objects.filter(pk=cls.v1.pk).update(change_note="First published.")
        v2 = draft_start_from(version=cls.v1, change_note="Added the 2023 review.")
        publish(v2)
        v3 = draft_start_from(version=v2, change_note=f"{MARKER} unpublished note")
        v3.save()

    def test_change_log_lists_published_versions_with_notes(self):
        """The page lists each published version, newest first, with its change note."""
        response = self.client.get(self.v1.get_absolute_url())
        html = response.content.decode()
        self.assertContains(response, "Change log")
        self.assertEqual(re.findall(r"<strong>Version (\d)</strong>", html), ["2", "1"])
        self.assertContains(response, "Added the 2023 review.")
        self.assertContains(response, "First published.")
        self.assertNotContains(response, MARKER)
        self.assertContains(response, "<dt>First published</dt>", html=True)
        self.assertContains(response, "<dt>Last updated</dt>", html=True)

    def test_query_count_does_not_grow_with_versions(self):
        """Ten published versions cost the same queries as two."""

        url = self.v1.get_absolute_url()

        def count():
            return count_get(self, self.client, url)

        few = count()
        draft = SummaryVersion.objects.open().get(intervention=self.v1.intervention)
        publish(draft)
        for _ in range(7):
            live = SummaryVersion.objects.live().get(intervention=self.v1.intervention)
            publish(draft_start_from(version=live, change_note="Another."))
        self.assertEqual(count(), few)


class WithdrawnTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("street-lighting", title="Street lighting")
        version_withdraw(version=cls.live, reason="The evidence is being re-examined.")

    def test_withdrawn_summary_answers_410_with_the_reason(self):
        """A withdrawn summary's address says so, when and why, with status 410 Gone."""
        response = self.client.get("/toolkit/street-lighting/")
        self.assertEqual(response.status_code, 410)
        self.assertContains(response, "This summary has been withdrawn", status_code=410)
        self.assertContains(response, "The evidence is being re-examined.", status_code=410)

    def test_withdrawn_summary_leaves_lists_and_search(self):
        """A withdrawn summary is on no list, home page or search result."""
        for url in ("/", "/toolkit/", "/toolkit/?q=lighting"):
            self.assertNotContains(self.client.get(url), "Street lighting")

    def test_republished_summary_is_back(self):
        """Publishing a new version of a withdrawn summary makes its page live again."""
        publish(draft_start_from(version=self.live))
        response = self.client.get("/toolkit/street-lighting/")
        self.assertContains(response, "<h1>Street lighting</h1>", html=True)


class NoUnpublishedTextTests(TestCase):
    """A draft with a marker in every field and row is reachable through no public URL."""

    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("street-lighting", title="Street lighting")
        cls.draft = draft_start_from(version=cls.live)
        cls.secret_only = make_draft(f"{MARKER}-programme", title=f"{MARKER} programme")
        fill_with_marker(cls.draft, related_to=cls.secret_only.intervention)
        fill_with_marker(cls.secret_only)
        # The same secret text in every other unpublished state.
        send_to_review(make_draft(title=f"{MARKER} in review"))
        sent_back = send_to_review(make_draft(title=f"{MARKER} sent back"))
        version_request_changes(version=sent_back, comment=f"{MARKER} comment")
        version_archive(version=make_draft(title=f"{MARKER} archived"))
        withdrawn = make_live("withdrawn-summary", title="Withdrawn summary")
        version_withdraw(version=withdrawn, reason="Withdrawn for review.")
        fill_with_marker(draft_start_from(version=withdrawn))
        # A pipeline entry that became a summary still in draft: the pipeline shows the
        # entry, never the draft.
        PipelineEntry.objects.create(
            title="Youth mentoring",
            description="Adults mentoring young people.",
            stage=Stage.BEING_ASSESSED,
            intervention=cls.secret_only.intervention,
        )
        # An external reviewer's link to the draft, and a comment sent through it.
        reviewer = make_user(groups=[Group.objects.get(name="Reviewers")])
        cls.external = external_reviews.external_review_make(
            version=cls.draft, user=reviewer, name=f"{MARKER} name", email="ada@example.org"
        )
        cls.token = external_reviews.token_for(cls.external)
        external_reviews.external_comment_add(
            review=cls.external, name=f"{MARKER} name", anchor="version", body=f"{MARKER} body"
        )

    def public_urls(self):
        versions = SummaryVersion.objects.all()
        urls = ["/", "/toolkit/", f"/toolkit/?q={MARKER}", "/toolkit/?q=street", "/healthz"]
        urls += [f"/toolkit/?q={MARKER}&page=2", "/no-such-page/", "/toolkit/no-such/"]
        urls += [reverse("summaries:scale", args=[s.dimension]) for s in Scale.objects.all()]
        urls += ["/api/v1/summaries/", f"/api/v1/summaries/?q={MARKER}", "/api/v1/vocabularies/"]
        urls += ["/api/v1/vocabularies/problems/", "/api/v1/scales/", "/api/v1/openapi.json"]
        urls += ["/api/v1/docs/", "/api/v1/summaries/?page_size=100&sort=updated"]
        for version in versions:
            urls.append(version.intervention.get_absolute_url())
            slug = version.intervention.slug
            # Every number's version page and citations, drafts' numbers included.
            urls.append(reverse("summaries:version", args=[slug, version.number]))
            for fmt in ("bib", "ris", "json"):
                urls.append(reverse("summaries:version_citation", args=[slug, version.number, fmt]))
            api = f"/api/v1/summaries/{slug}/"
            urls += [api, f"{api}versions/", f"{api}versions/{version.number}/"]
            for name in ("preview", "change", "history", "submit", "publish"):
                urls.append(reverse(f"admin:summaries_summaryversion_{name}", args=[version.pk]))
            history = reverse(
                "admin:summaries_intervention_history", args=[version.intervention_id]
            )
            urls += [history, f"{history}?old=1&new=2"]
        # The evidence map, its downloads and the comparison, with every summary asked for.
        urls += [
            "/toolkit/map/",
            "/toolkit/map/?group=approach",
            f"/toolkit/map/?problem={MARKER}-p{self.draft.pk}",
            "/toolkit/map.csv",
            "/toolkit/map.json",
            "/toolkit/map/?format=json",
            "/toolkit/overview/",
        ]
        slugs = [v.intervention.slug for v in versions]
        urls += [f"/toolkit/compare/?s=street-lighting&s={slug}" for slug in slugs]
        # A term that tags drafts only, asked for by its slug: ignored like an unknown one.
        for param, letter in (("problem", "p"), ("approach", "a")):
            term = f"{MARKER}-{letter}{self.draft.pk}"
            urls += [f"/toolkit/?{param}={term}", f"/toolkit/?{param}={term}&{param}=nope"]
            urls += [f"/api/v1/summaries/?{param}={term}", f"/toolkit/map/?{param}={term}"]
        # The pipeline, its download and the API's, also searched for the marker.
        urls += ["/toolkit/pipeline/", "/toolkit/pipeline.csv", "/api/v1/pipeline/"]
        urls += [f"/toolkit/pipeline/?q={MARKER}", "/toolkit/pipeline/?stage=being_assessed"]
        # The numbers, the public forms and their answers, for every summary asked for.
        urls += ["/toolkit/numbers/", "/toolkit/suggest/", "/toolkit/suggest/sent/"]
        for slug in {v.intervention.slug for v in versions}:
            for form in ("report", "challenge"):
                urls += [f"/toolkit/{slug}/{form}/", f"/toolkit/{slug}/{form}/sent/"]
        # The feed, and numbers no version can have.
        urls += ["/toolkit/feed/", "/sitemap.xml"]
        for number in ("0", "2147483648", "9223372036854775808", "1" + "0" * 30):
            urls += [f"/toolkit/street-lighting/v/{number}/"]
            urls += [f"/toolkit/street-lighting/v/{number}/cite.bib"]
            urls += [f"/api/v1/summaries/street-lighting/versions/{number}/"]
        urls += [
            reverse("admin:index"),
            reverse("admin:summaries_summaryversion_changelist") + f"?q={MARKER}",
            reverse("admin:summaries_auditevent_changelist"),
        ]
        # External review addresses with tokens of no link (the real one is not public).
        urls += ["/review/" + "A" * 43 + "/", "/review/", "/review/" + self.token[::-1] + "/"]
        return urls

    def test_marker_never_reaches_an_anonymous_visitor(self):
        """Every public page, preview, history and admin address, as anonymous: no marker."""
        urls = self.public_urls()
        self.assertGreater(len(urls), 40)
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url, follow=True)
                self.assertIn(response.status_code, {200, 400, 404, 410})
                # The marker followed by a field name: a search or a login page may echo
                # the bare word from the address, but only draft content has the rest.
                self.assertNotRegex(response.content.decode().lower(), f"{MARKER} \\w")

    def test_external_preview_is_linked_from_no_public_page(self):
        """Crawling the public site from its home page and every public address, following
        every link, never reaches an external reviewer's page nor names its token, even
        after the page was opened; nothing of it was stored as a public page."""
        opened = self.client.get(f"/review/{self.token}/")
        self.assertContains(opened, f"{MARKER} section")  # the crawl could see a leak
        self.assertFalse(PublishedPage.objects.filter(version=self.draft).exists())
        public = [url for url in self.public_urls() if not url.startswith("/admin")]
        queue, seen = ["/", *public], set()
        while queue and len(seen) < 400:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            html = self.client.get(url).content.decode()
            with self.subTest(url=url):
                self.assertNotIn(self.token, html)
                self.assertNotIn("/review/" + self.token[:8], html)
                self.assertNotRegex(html.lower(), f"{MARKER} \\w")
            for link in re.findall(r'href="(/[^"#]*)', html):
                link = link.replace("&amp;", "&")
                if not link.startswith(("/static/", "/admin/")) and link not in seen:
                    queue.append(link)
        self.assertGreater(len(seen), 60)
        self.assertFalse([url for url in seen if url.startswith("/review/" + self.token[:8])])
        self.assertFalse(PublishedPage.objects.filter(version=self.draft).exists())

    def test_no_draft_word_is_suggested(self):
        """A search one letter from a word only drafts use is not offered that word ("did
        you mean", a correction, "also searched for"), on the page or in the API."""
        for url, typed in [
            ("/toolkit/", f"{MARKER[:-2]}r"),
            ("/toolkit/", f"{MARKER}s"),
            ("/toolkit/", f"street {MARKER[:-2]}r"),
            ("/api/v1/summaries/", f"{MARKER[:-2]}r"),
        ]:
            with self.subTest(url=url, typed=typed):
                response = self.client.get(url, {"q": typed})
                self.assertEqual(response.status_code, 200)
                # The page may echo what was typed; nothing else may name the marker.
                shown = response.content.decode().lower().replace(typed, "")
                self.assertNotIn(MARKER, shown)

    def test_marker_never_reaches_an_anonymous_post(self):
        """Following a draft-only term, or a draft's summary, answers as an unknown one
        does; comment addresses answer without any draft text."""
        for kind, slug in (
            ("problem", f"{MARKER}-p{self.draft.pk}"),
            ("approach", f"{MARKER}-a{self.draft.pk}"),
            ("summary", f"{MARKER}-programme"),
        ):
            with self.subTest(kind=kind):
                data = {"email": "reader@example.org", "kind": kind, "slug": slug}
                response = self.client.post("/follow/", data)
                self.assertEqual(response.status_code, 400)
                self.assertNotRegex(response.content.decode().lower(), f"{MARKER} \\w")
        base = f"/admin/summaries/summaryversion/{self.draft.pk}/comments"
        for address in (f"{base}/add/", f"{base}/x/reply/", f"{base}/1/resolve/"):
            with self.subTest(address=address):
                response = self.client.post(address, {"body": "hi"}, follow=True)
                self.assertIn(response.status_code, {200, 404})
                self.assertNotRegex(response.content.decode().lower(), f"{MARKER} \\w")

    def test_marker_is_really_in_the_drafts(self):
        """The test would notice a leak: staff do see the marker in a preview."""
        staff = make_user(groups=[Group.objects.get(name="Editors")])
        self.client.force_login(staff)
        url = reverse("admin:summaries_summaryversion_preview", args=[self.draft.pk])
        html = self.client.get(url).content.decode()
        fragments = ("title", "standfirst", "section", "review", "breakdown", "figure", "stated")
        for fragment in fragments:
            self.assertIn(f"{MARKER} {fragment}", html)


class DraftOnlyTermTests(TestCase):
    """A term that tags no live summary is never named; its slug is ignored exactly like
    an unknown one, with the same response."""

    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("street-lighting", title="Street lighting")
        cls.live.problems.add(Problem.objects.create(name="Burglary", slug="burglary"))
        draft = make_draft(title="Secret programme")
        draft.problems.add(Problem.objects.create(name="Secret problem", slug="secret-xx"))
        draft.approaches.add(Approach.objects.create(name="Secret approach", slug="secret-yy"))

    def same_as_unknown(self, url, **expected):
        """``url`` with the draft-only slug answers as with an unknown slug of its length."""
        known = self.client.get(url.format("secret-xx"))
        unknown = self.client.get(url.format("unkno-xx0"))
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertNotContains(known, "Secret", status_code=known.status_code)
        self.assertEqual(
            known.content.decode().replace("secret-xx", "SLUG"),
            unknown.content.decode().replace("unkno-xx0", "SLUG"),
        )
        return known

    def test_list_page_ignores_the_slug(self):
        """No chip, no facet option, no "Follow new summaries about" for the term."""
        response = self.same_as_unknown("/toolkit/?problem={}")
        self.assertNotContains(response, "Follow new summaries about")
        self.assertContains(response, "Street lighting")  # unfiltered, as for an unknown slug
        self.same_as_unknown("/toolkit/?problem={}&problem=burglary")

    def test_api_refuses_the_slug_as_unknown(self):
        """The API's list answers 404 "no such term", as for any unknown slug, and its
        facets and vocabularies never list the term."""
        response = self.same_as_unknown("/api/v1/summaries/?problem={}")
        self.assertEqual(response.status_code, 404)
        for url in ("/api/v1/summaries/", "/api/v1/vocabularies/", "/api/v1/summaries/?q=street"):
            self.assertNotContains(self.client.get(url), "Secret")

    def test_following_the_term_is_refused_as_unknown(self):
        """Asking to follow it answers the page an unknown topic gets, naming nothing."""
        responses = [
            self.client.post(
                "/follow/", {"email": "a@example.org", "kind": "problem", "slug": slug}
            )
            for slug in ("secret-xx", "unkno-xx0")
        ]
        self.assertEqual([r.status_code for r in responses], [400, 400])
        self.assertEqual(responses[0].content, responses[1].content)

    def test_the_term_appears_once_it_tags_a_live_summary(self):
        """Publishing a summary tagged with it makes it an ordinary facet."""
        self.live.problems.add(Problem.objects.get(slug="secret-xx"))
        response = self.client.get("/toolkit/?problem=secret-xx")
        self.assertContains(response, "Follow new summaries about Secret problem")


def fill_with_marker(version, related_to=None):
    """Put the marker in every text field and child row of ``version``."""
    version.title = f"{MARKER} title"
    version.standfirst = f"{MARKER} standfirst"
    version.change_note = f"{MARKER} change note"
    version.save()
    version.sections.all().delete()
    for kind in SectionKind.values:
        Section.objects.create(version=version, kind=kind, body=f"<p>{MARKER} section</p>")
    review = SystematicReview.objects.create(
        version=version,
        label=f"{MARKER} review",
        citation=f"{MARKER} citation",
        url=f"https://example.org/{MARKER}",
    )
    review.breakdowns.create(kind="country", label=f"{MARKER} breakdown", count=1)
    KeyFigure.objects.create(version=version, outcome=f"{MARKER} figure", note=f"{MARKER} note")
    # Outcomes are a public vocabulary (the map's columns); what a draft says about one is not.
    result = OutcomeResult.objects.create(
        version=version,
        outcome=Outcome.objects.get_or_create(name="Reconviction", slug="reconviction")[0],
        direction=Direction.REDUCED,
        stated=f"{MARKER} stated",
        note=f"{MARKER} result note",
    )
    result.reviews.add(review)
    # Reasons for rating down, unit costs and benefit-cost figures are a draft's words too.
    result.downgrade_reasons.create(
        domain=CertaintyDomain.objects.get(slug="imprecision"), explanation=f"{MARKER} reason"
    )
    UnitCost.objects.create(
        version=version, amount=1, price_year=2023, description=f"{MARKER} unit cost"
    )
    BenefitCost.objects.create(version=version, perspective="total", note=f"{MARKER} benefits")
    ExternalLink.objects.create(
        version=version,
        title=f"{MARKER} link",
        url=f"https://example.org/{MARKER}/link",
        description=f"{MARKER} description",
    )
    version.problems.add(
        Problem.objects.create(
            name=f"{MARKER} problem {version.pk}", slug=f"{MARKER}-p{version.pk}"
        )
    )
    version.approaches.add(
        Approach.objects.create(
            name=f"{MARKER} approach {version.pk}", slug=f"{MARKER}-a{version.pk}"
        )
    )
    if related_to is not None:
        RelatedSummary.objects.create(version=version, target=related_to)
