"""The JSON API: its OpenAPI document, its resources (checked against the document's
schemas), live content only, ETags, CORS, the rate limit and errors as problem details."""

import json
import re
import time
from unittest import mock

from django.core.cache import cache
from django.test import TestCase, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from summaries.editorial.services import draft_start_from, intervention_rename, version_withdraw
from summaries.models import Dimension, KeyFigure, Outcome, OutcomeResult, Problem, SummaryVersion
from summaries.search.filters import SummaryFilter
from tests.factories import level, make_draft, make_live, publish, retagged
from tests.helpers import count_get

API = "/api/v1"


def document() -> dict:
    return json.loads(TestCase.client_class().get(f"{API}/openapi.json").content)


def check_against_document(test, response, path: str, *, doc=None):
    """The response's body matches the schema the document gives for its path and status."""
    doc = doc or document()
    operation = doc["paths"][path]["get"]
    declared = operation["responses"][str(response.status_code)]
    [(content_type, media)] = declared["content"].items()
    schema = {**media["schema"], "components": doc["components"]}
    body = json.loads(response.content)
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
    test.assertEqual([error.message for error in errors], [], f"{path} {response.status_code}")
    return body


class OpenApiDocumentTests(TestCase):
    def test_document_is_valid_openapi_3_1(self):
        """The generated document passes the OpenAPI validator, as version 3.1."""
        doc = document()
        self.assertEqual(doc["openapi"], "3.1.0")
        validate(doc)

    def test_document_describes_every_resource(self):
        """Every endpoint is in the document, each with its problem responses."""
        paths = document()["paths"]
        for path in (
            f"{API}/summaries/",
            f"{API}/summaries/{{slug}}/",
            f"{API}/summaries/{{slug}}/versions/",
            f"{API}/summaries/{{slug}}/versions/{{number}}/",
            f"{API}/vocabularies/",
            f"{API}/vocabularies/{{key}}/",
            f"{API}/scales/",
            f"{API}/scales/{{dimension}}/",
            f"{API}/outcomes/",
        ):
            self.assertIn(path, paths)
        self.assertIn("410", paths[f"{API}/summaries/{{slug}}/"]["get"]["responses"])

    def test_list_takes_the_list_pages_facets(self):
        """The list's parameters are q, verbatim, sort, page, page_size and exactly the page's
        facets."""
        params = {p["name"] for p in document()["paths"][f"{API}/summaries/"]["get"]["parameters"]}
        facets = set(SummaryFilter().filters)
        self.assertEqual(params - {"q", "verbatim", "sort", "page", "page_size"}, facets)

    def test_docs_page_renders_the_document_without_scripts(self):
        """The documentation page lists every endpoint and schema, with no script or other site."""
        response = self.client.get(f"{API}/docs/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for path in document()["paths"]:
            self.assertIn(f"GET {path}", html)
        self.assertIn('id="Summary"', html)
        self.assertNotIn("<script", html)
        # Everything the page loads (stylesheets, images) comes from this site.
        loaded = re.findall(r'src="([^"]+)"', html)
        loaded += re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        self.assertTrue(loaded)
        for address in loaded:
            self.assertRegex(address, r"^/")
        self.assertIn("default-src 'self'", response["Content-Security-Policy"])


class SummaryResourceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.burglary = Problem.objects.create(name="Burglary", slug="burglary")
        cls.cctv = make_live("cctv", title="CCTV in car parks")
        cls.cctv.problems.add(cls.burglary)
        KeyFigure.objects.create(
            version=cls.cctv, outcome="Crime", comparison_rate="13.6", treatment_rate="9.3"
        )
        SummaryVersion.objects.filter(pk=cls.cctv.pk).update(
            effect_rating=level(Dimension.EFFECT, "reduced")
        )
        cls.alarms = make_live("alarms", title="Burglar alarms")
        cls.alarms.problems.add(cls.burglary)
        cls.lighting = make_live("lighting", title="Street lighting")
        retagged(cls.cctv, cls.alarms)
        draft = make_draft("secret", title="Secret draft")
        draft.problems.add(Problem.objects.create(name="Draft-only term", slug="draft-only"))
        cls.doc = document()

    def get(self, url, path, status=200, **kwargs):
        response = self.client.get(url, **kwargs)
        self.assertEqual(response.status_code, status, response.content[:300])
        return check_against_document(self, response, path, doc=self.doc)

    def test_summary_is_its_data_json(self):
        """One summary in the API has exactly the fields and values of its data.json."""
        body = self.get(f"{API}/summaries/cctv/", f"{API}/summaries/{{slug}}/")
        self.assertEqual(body, json.loads(self.client.get("/toolkit/cctv/data.json").content))
        self.assertEqual(body["key_figures"][0]["comparison_rate"], "13.6")
        self.assertEqual(body["key_figures"][0]["absolute_change"], "-4.3")

    def test_list_pages_with_links_and_total(self):
        """The list pages through live summaries by title, with total and next/previous links."""
        body = self.get(f"{API}/summaries/?page_size=2", f"{API}/summaries/")
        self.assertEqual(body["total"], 3)
        self.assertEqual(body["pages"], 2)
        self.assertEqual([r["slug"] for r in body["results"]], ["alarms", "cctv"])
        self.assertEqual(body["next"], "http://testserver/api/v1/summaries/?page_size=2&page=2")
        self.assertIsNone(body["previous"])
        second = self.get(body["next"], f"{API}/summaries/")
        self.assertEqual([r["slug"] for r in second["results"]], ["lighting"])
        self.assertIsNone(second["next"])
        self.assertEqual(
            second["results"][0]["api_url"], "http://testserver/api/v1/summaries/lighting/"
        )

    def test_list_searches_and_filters_like_the_page(self):
        """q and the facets select what the list page selects; facet counts come along."""
        body = self.get(f"{API}/summaries/?problem=burglary&sort=updated", f"{API}/summaries/")
        self.assertEqual({r["slug"] for r in body["results"]}, {"cctv", "alarms"})
        problem = next(f for f in body["facets"] if f["name"] == "problem")
        self.assertEqual(problem["options"][0]["slug"], "burglary")
        self.assertTrue(problem["options"][0]["selected"])
        body = self.get(f"{API}/summaries/?q=lighting", f"{API}/summaries/")
        self.assertEqual([r["slug"] for r in body["results"]], ["lighting"])
        body = self.get(f"{API}/summaries/?effect=reduced", f"{API}/summaries/")
        self.assertEqual([r["slug"] for r in body["results"]], ["cctv"])

    def test_bad_parameters_are_400_problems(self):
        """Bad page, page size, sort or facet values answer 400 problem details naming them."""
        for query, parameter in (
            ("page=abc", "page"),
            ("page=0", "page"),
            ("page_size=101", "page_size"),
            ("sort=sideways", "sort"),
        ):
            with self.subTest(query=query):
                response = self.client.get(f"{API}/summaries/?{query}")
                self.assertEqual(response["Content-Type"], "application/problem+json")
                body = self.get(f"{API}/summaries/?{query}", f"{API}/summaries/", status=400)
                self.assertEqual(body["status"], 400)
                self.assertIn(parameter, [error["parameter"] for error in body["errors"]])

    def test_a_facet_value_naming_no_term_is_404(self):
        """A facet value that names no term answers 404 problem details naming it."""
        body = self.get(f"{API}/summaries/?problem=no-such-term", f"{API}/summaries/", status=404)
        self.assertEqual(body["errors"][0]["parameter"], "problem")
        self.assertIn("no-such-term", body["errors"][0]["message"])

    def test_page_past_the_end_is_404(self):
        """A page number past the last page answers 404, saying how many pages there are."""
        body = self.get(f"{API}/summaries/?page=9", f"{API}/summaries/", status=404)
        self.assertIn("1 pages", body["detail"])

    def test_drafts_never_appear(self):
        """A draft is not listed, not found by slug, and its terms are not in the vocabularies."""
        body = self.get(f"{API}/summaries/?page_size=100", f"{API}/summaries/")
        self.assertNotIn("secret", {r["slug"] for r in body["results"]})
        self.get(f"{API}/summaries/secret/", f"{API}/summaries/{{slug}}/", status=404)
        vocabularies = self.get(f"{API}/vocabularies/", f"{API}/vocabularies/")
        problems = next(v for v in vocabularies if v["key"] == "problems")
        self.assertEqual(
            problems["terms"], [{"slug": "burglary", "name": "Burglary", "live_count": 2}]
        )

    def test_scales_with_their_levels(self):
        """The scales list gives every scale's levels in order; one scale by its dimension."""
        scales = self.get(f"{API}/scales/", f"{API}/scales/")
        self.assertIn("effect", {scale["dimension"] for scale in scales})
        effect = self.get(f"{API}/scales/effect/", f"{API}/scales/{{dimension}}/")
        self.assertEqual(effect["levels"][0]["position"], 1)
        self.get(f"{API}/scales/nope/", f"{API}/scales/{{dimension}}/", status=404)
        self.get(f"{API}/vocabularies/nope/", f"{API}/vocabularies/{{key}}/", status=404)

    def test_outcomes_with_what_reports_on_them(self):
        """The outcomes list names each outcome with its problems and how many live
        summaries report on it (a draft's results are not counted); a summary's data
        gives its results as the text states them."""
        outcome = Outcome.objects.create(name="Burglaries", slug="burglaries")
        outcome.problems.add(self.burglary)
        live = SummaryVersion.objects.live().get(intervention__slug="cctv")
        OutcomeResult.objects.create(
            version=live, outcome=outcome, direction="reduced", stated="fewer burglaries"
        )
        draft = SummaryVersion.objects.get(intervention__slug="secret")
        OutcomeResult.objects.create(
            version=draft, outcome=outcome, direction="reduced", stated="secret words"
        )
        cache.clear()
        outcomes = self.get(f"{API}/outcomes/", f"{API}/outcomes/")
        self.assertEqual(
            outcomes,
            [
                {
                    "slug": "burglaries",
                    "name": "Burglaries",
                    "description": "",
                    "problems": [{"slug": "burglary", "name": "Burglary"}],
                    "live_count": 1,
                }
            ],
        )
        summary = self.get(f"{API}/summaries/cctv/", f"{API}/summaries/{{slug}}/")
        [result] = summary["outcomes"]
        self.assertEqual((result["stated"], result["relative_change"]), ("fewer burglaries", None))

    def test_query_counts_do_not_grow(self):
        """List and summary cost the same number of queries with more summaries."""
        cache.clear()
        urls = [
            f"{API}/summaries/",
            f"{API}/summaries/cctv/",
            f"{API}/vocabularies/",
            f"{API}/outcomes/",
        ]
        before = [count_get(self, self.client, url) for url in urls]
        for n in range(5):
            make_live(title=f"More {n}").problems.add(self.burglary)
        cache.clear()
        self.assertEqual([count_get(self, self.client, url) for url in urls], before)


class VersionResourceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.v1 = make_live("cctv", title="CCTV, first version")
        cls.v2 = publish(draft_start_from(version=cls.v1, change_note="Retitled."))
        SummaryVersion.objects.filter(pk=cls.v2.pk).update(title="CCTV, second version")
        draft_start_from(version=cls.v2)
        gone = make_live("gone", title="Gone")
        version_withdraw(version=gone, reason="Found wrong.")
        cls.doc = document()

    def get(self, url, path, status=200):
        response = self.client.get(url)
        self.assertEqual(response.status_code, status, response.content[:300])
        return check_against_document(self, response, path, doc=self.doc)

    def test_versions_lists_the_published_ones(self):
        """The versions list has the live and the superseded version, newest first, no draft."""
        body = self.get(f"{API}/summaries/cctv/versions/", f"{API}/summaries/{{slug}}/versions/")
        self.assertEqual(
            [(v["number"], v["state"]) for v in body["versions"]], [(2, "live"), (1, "superseded")]
        )
        self.assertEqual(body["versions"][1]["url"], "http://testserver/toolkit/cctv/v/1/")

    def test_superseded_version_has_its_content_as_published(self):
        """Version 1 in the API has version 1's title, and says it is superseded."""
        path = f"{API}/summaries/{{slug}}/versions/{{number}}/"
        body = self.get(f"{API}/summaries/cctv/versions/1/", path)
        self.assertEqual(
            (body["title"], body["state"], body["version"]),
            ("CCTV, first version", "superseded", 1),
        )
        self.get(f"{API}/summaries/cctv/versions/3/", path, status=404)  # the draft
        # Not a version number at all: no such address, as on the version pages.
        self.get(f"{API}/summaries/cctv/versions/x/", path, status=404)

    def test_withdrawn_summary_is_410_with_its_reason(self):
        """A withdrawn summary, its versions and its versions list answer 410 with the reason."""
        for url, path in (
            (f"{API}/summaries/gone/", f"{API}/summaries/{{slug}}/"),
            (f"{API}/summaries/gone/versions/", f"{API}/summaries/{{slug}}/versions/"),
            (f"{API}/summaries/gone/versions/1/", f"{API}/summaries/{{slug}}/versions/{{number}}/"),
        ):
            with self.subTest(url=url):
                body = self.get(url, path, status=410)
                self.assertEqual(body["withdrawal_reason"], "Found wrong.")

    def test_old_slug_redirects_to_the_same_resource(self):
        """After a rename the API's old addresses answer 301 to the same resource."""
        intervention_rename(intervention=self.v1.intervention, new_slug="cctv-parks")
        response = self.client.get(f"{API}/summaries/cctv/versions/1/?x=1")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], f"{API}/summaries/cctv-parks/versions/1/?x=1")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")


class HttpConventionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("cctv", title="CCTV")

    def test_etag_gives_304_until_something_is_published(self):
        """A client revalidating with the ETag gets 304, and 200 again after a publication."""
        first = self.client.get(f"{API}/summaries/")
        etag = first["ETag"]
        again = self.client.get(f"{API}/summaries/", headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)
        publish(draft_start_from(version=self.version))
        after = self.client.get(f"{API}/summaries/", headers={"if-none-match": etag})
        self.assertEqual(after.status_code, 200)
        self.assertNotEqual(after["ETag"], etag)

    def test_cors_for_get_and_preflight(self):
        """Any site may read the API: GET carries the header, OPTIONS answers a preflight."""
        self.assertEqual(self.client.get(f"{API}/summaries/")["Access-Control-Allow-Origin"], "*")
        response = self.client.options(
            f"{API}/summaries/",
            headers={"origin": "https://example.org", "access-control-request-method": "GET"},
        )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertIn("GET", response["Access-Control-Allow-Methods"])

    def test_writes_are_405_problems(self):
        """POST, PUT and DELETE answer 405 problem details naming the allowed methods."""
        for method in ("post", "put", "delete"):
            response = getattr(self.client, method)(f"{API}/summaries/")
            self.assertEqual(response.status_code, 405)
            self.assertEqual(response["Content-Type"], "application/problem+json")
            self.assertIn("GET", response["Allow"])

    def test_unknown_address_is_a_404_problem(self):
        """An address the API does not have answers a JSON 404, not the HTML page."""
        response = self.client.get(f"{API}/nothing/here/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(json.loads(response.content)["status"], 404)


def hold_the_clock(test) -> None:
    """Stop the rate limiter's clock at the start of a minute for the rest of ``test``:
    requests on either side of a minute's turn would be counted in two windows, and a
    limit not reached."""
    start = (time.time() // 60) * 60 + 1
    clock = mock.patch("summaries.api.middleware.time", mock.Mock(time=lambda: start))
    clock.start()
    test.addCleanup(clock.stop)


@override_settings(API_RATE_LIMIT="3/minute")
class RateLimitTests(TestCase):
    def setUp(self):
        cache.clear()
        hold_the_clock(self)

    def test_over_the_limit_is_429_with_retry_after(self):
        """The fourth request in a minute from one address is 429, saying when to retry."""
        for _ in range(3):
            self.assertEqual(self.client.get(f"{API}/scales/").status_code, 200)
        response = self.client.get(f"{API}/scales/")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertTrue(1 <= int(response["Retry-After"]) <= 60)
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")

    def test_limit_is_per_client_address(self):
        """Another client address still gets answers when one has used up its limit."""
        for _ in range(4):
            self.client.get(f"{API}/scales/", REMOTE_ADDR="192.0.2.1")
        self.assertEqual(
            self.client.get(f"{API}/scales/", REMOTE_ADDR="192.0.2.2").status_code, 200
        )

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_forged_forwarded_for_does_not_escape_the_limit(self):
        """Behind one proxy, only the proxy's entry counts: a forged one gives no fresh limit."""
        for n in range(4):
            response = self.client.get(
                f"{API}/scales/", headers={"x-forwarded-for": f"10.0.0.{n}, 198.51.100.7"}
            )
        self.assertEqual(response.status_code, 429)


PARAMS = st.sampled_from(
    ["q", "sort", "page", "page_size", "problem", "effect", "quality", "focus", "x"]
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", "\x00", "%", "relevance", "title", "updated", "1e9", "-1", "99999999999"]),
)


class HostileParameterTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        make_live("cctv", title="CCTV")

    @settings(max_examples=120, deadline=None)
    @given(
        st.lists(st.tuples(PARAMS, VALUES), max_size=6),
        st.sampled_from(["", "cctv", "x" * 300, "ü"]),
    )
    def test_any_parameters_answer_json_never_500(self, params, slug):
        """Whatever a client sends, the API answers 200, 301, 400, 404 or 410 with JSON."""
        for path in (
            f"{API}/summaries/",
            f"{API}/summaries/{slug}/versions/1/" if slug else f"{API}/scales/",
        ):
            response = self.client.get(path, [(k, v) for k, v in params])
            self.assertIn(response.status_code, {200, 301, 400, 404, 410})
            if response.status_code != 301:
                json.loads(response.content)
