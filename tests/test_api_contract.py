"""The API keeps the contract its OpenAPI document states: errors documented as the
problem details they are, 429 documented, values the schema allows accepted. Schemathesis
checks the document against the running API with every check it has."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import SimpleTestCase, TestCase, override_settings

from tests.factories import make_live
from tests.processes import ROOT, SiteDatabase
from tests.test_api import API, check_against_document, document, hold_the_clock


class DocumentedErrorsTests(TestCase):
    def test_every_error_is_documented_as_problem_details(self):
        """Each error status of each operation is documented as application/problem+json,
        the content type the API sends."""
        for path, operations in document()["paths"].items():
            for status, response in operations["get"]["responses"].items():
                if int(status) >= 400:
                    with self.subTest(path=path, status=status):
                        self.assertEqual(list(response["content"]), ["application/problem+json"])

    @override_settings(API_RATE_LIMIT="1/minute")
    def test_429_is_documented_and_answered_as_documented(self):
        """Every operation documents 429 with Retry-After, and the API answers so."""
        hold_the_clock(self)
        doc = document()  # the first request of the minute
        for path, operations in doc["paths"].items():
            with self.subTest(path=path):
                too_many = operations["get"]["responses"]["429"]
                self.assertIn("Retry-After", too_many["headers"])
        response = self.client.get(f"{API}/scales/")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        check_against_document(self, response, f"{API}/scales/", doc=doc)


class ParameterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_live("lighting", title="Street lighting")
        make_live("cctv", title="CCTV")

    def slugs(self, query: str) -> list[str]:
        response = self.client.get(f"{API}/summaries/?{query}")
        self.assertEqual(response.status_code, 200, response.content)
        return [result["slug"] for result in json.loads(response.content)["results"]]

    def test_empty_facet_values_are_absent(self):
        """``?problem=&focus=``, as an HTML form sends "any", filters nothing."""
        self.assertEqual(self.slugs("problem=&focus=&effect="), self.slugs(""))
        self.assertEqual(self.slugs("problem=&focus="), ["cctv", "lighting"])

    def test_relevance_without_a_query_is_title_order(self):
        """``sort=relevance`` with no words to rank by lists in title order."""
        self.assertEqual(self.slugs("sort=relevance"), ["cctv", "lighting"])


@pytest.mark.slow
class SchemathesisTests(SimpleTestCase):
    """Schemathesis (every check, all its phases) against the API of the demo site,
    served by a process of its own with the rate limit off. Bounded: a fixed number of
    cases per operation, from a fixed seed, so a failure is reproducible
    (SCHEMATHESIS_SEED picks another)."""

    def test_the_api_keeps_its_documented_contract(self):
        site = SiteDatabase(API_RATE_LIMIT="0", LOG_LEVEL="ERROR")
        self.addCleanup(site.drop)
        site.manage("load_demo", "--no-accounts", "-v0")
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "app_server.py")],
            cwd=ROOT,
            env=site.env,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(site.stop, server)
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{base}{API}/openapi.json",
                "--checks=all",
                "--max-examples=20",
                f"--seed={os.environ.get('SCHEMATHESIS_SEED', '1')}",
                "--workers=1",
                "--request-timeout=30",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=site.workdir,  # where it keeps its examples database
        )
        self.assertEqual(run.returncode, 0, run.stdout[-6000:] + run.stderr[-2000:])
