"""Every published version at its own address, and its citation in three formats."""

import json
import re
from datetime import UTC, datetime

import rispy
from citeproc.source.json import CiteProcJSON
from django.test import TestCase, override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from pybtex.database import parse_string as pybtex_parse

from summaries.editorial.services import draft_start_from, intervention_rename, version_withdraw
from summaries.models import SummaryVersion
from summaries.models.plain_text import single_line
from summaries.public import citations
from tests.factories import make_draft, make_live, publish
from tests.helpers import count_get


def version_url(slug, number):
    return reverse("summaries:version", kwargs={"slug": slug, "number": number})


def cite_url(slug, number, fmt):
    return reverse(
        "summaries:version_citation", kwargs={"slug": slug, "number": number, "fmt": fmt}
    )


class VersionPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.v1 = make_live("cctv", title="CCTV in car parks")
        cls.v2 = publish(draft_start_from(version=cls.v1, change_note="New review added."))
        SummaryVersion.objects.filter(pk=cls.v2.pk).update(title="CCTV in public car parks")
        cls.draft = draft_start_from(version=cls.v2, change_note="Unfinished")
        SummaryVersion.objects.filter(pk=cls.draft.pk).update(title="Draft title never published")

    def test_superseded_version_shows_as_published_with_banner(self):
        """Version 1 is still readable at its address, with a link to the current version."""
        response = self.client.get(version_url("cctv", 1))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>CCTV in car parks</h1>", html=True)
        self.assertContains(response, "It has been replaced by a later version")
        self.assertContains(
            response, '<a href="/toolkit/cctv/">Read the current version (version 2)</a>', html=True
        )
        self.assertContains(response, '<meta name="toolkit:version" content="1">')
        self.assertNotContains(response, "Draft title never published")

    def test_current_version_page_says_it_is_current(self):
        """The live version's page says it is current; its canonical address is the summary."""
        response = self.client.get(version_url("cctv", 2))
        self.assertContains(response, "the current version")
        self.assertContains(
            response, '<link rel="canonical" href="http://testserver/toolkit/cctv/">'
        )
        self.assertEqual(response.content.decode().count('rel="canonical"'), 1)
        older = self.client.get(version_url("cctv", 1)).content.decode()
        self.assertIn('<link rel="canonical" href="http://testserver/toolkit/cctv/v/1/">', older)

    def test_draft_and_unknown_numbers_are_not_found(self):
        """A draft's number and a number never used both answer 404."""
        self.assertEqual(self.client.get(version_url("cctv", self.draft.number)).status_code, 404)
        self.assertEqual(self.client.get(version_url("cctv", 99)).status_code, 404)
        self.assertEqual(self.client.get(version_url("no-such", 1)).status_code, 404)
        self.assertEqual(self.client.get("/toolkit/cctv/v/0x1/").status_code, 404)

    def test_change_log_links_each_version(self):
        """The summary page's change log links both published versions, not the draft."""
        response = self.client.get("/toolkit/cctv/")
        self.assertContains(response, f'href="{version_url("cctv", 1)}"')
        self.assertContains(response, f'href="{version_url("cctv", 2)}"')
        self.assertNotContains(response, f'href="{version_url("cctv", 3)}"')

    def test_old_slug_redirects_to_the_same_version(self):
        """After a rename, an old version address leads to that version at the new slug."""
        intervention_rename(intervention=self.v1.intervention, new_slug="cctv-parks")
        response = self.client.get(version_url("cctv", 1))
        self.assertRedirects(response, version_url("cctv-parks", 1), status_code=301)
        response = self.client.get(cite_url("cctv", 1, "ris"))
        self.assertRedirects(
            response,
            cite_url("cctv-parks", 1, "ris"),
            status_code=301,
            fetch_redirect_response=False,
        )

    def test_query_count_does_not_grow_with_versions(self):
        """A version page costs the same however many versions the summary has."""
        before = count_get(self, self.client, version_url("cctv", 1))
        v = publish(self.draft)
        for _ in range(3):
            v = publish(draft_start_from(version=v, change_note="Again."))
        self.assertEqual(count_get(self, self.client, version_url("cctv", 1)), before)

    def test_sitemap_lists_current_addresses_only(self):
        """The sitemap lists the summary's address, not its version pages."""
        response = self.client.get("/sitemap.xml")
        self.assertContains(response, "/toolkit/cctv/</loc>")
        self.assertNotContains(response, "/v/")


class WithdrawnVersionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        v1 = make_live("gone", title="Gone summary")
        publish(draft_start_from(version=v1))
        live = SummaryVersion.objects.get(intervention=v1.intervention, state="published")
        version_withdraw(version=live, reason="Found to be wrong.")
        cls.back = make_live("back", title="Back again")
        version_withdraw(version=cls.back, reason="Briefly wrong.")
        publish(draft_start_from(version=SummaryVersion.objects.get(pk=cls.back.pk)))

    def test_every_version_of_a_withdrawn_summary_is_gone(self):
        """Versions of a withdrawn summary answer 410 with the reason, as its page does."""
        for number in (1, 2):
            response = self.client.get(version_url("gone", number))
            self.assertContains(response, "Found to be wrong.", status_code=410)
        self.assertEqual(self.client.get(cite_url("gone", 1, "bib")).status_code, 410)

    def test_a_withdrawn_version_of_a_live_summary_is_gone(self):
        """A version withdrawn before the summary came back: 410, linking the current one."""
        response = self.client.get(version_url("back", 1))
        self.assertContains(response, "This version has been withdrawn", status_code=410)
        self.assertContains(response, 'href="/toolkit/back/"', status_code=410)
        self.assertEqual(self.client.get(version_url("back", 2)).status_code, 200)


@override_settings(TOOLKIT_ORGANISATION="College of Examples", TOOLKIT_NAME="Example Toolkit")
class CitationFormatTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("cctv", title="CCTV & 100% {safer} car_parks")
        SummaryVersion.objects.filter(pk=cls.version.pk).update(
            published_at=datetime(2024, 11, 20, 23, 30, tzinfo=UTC)
        )

    def get(self, fmt):
        response = self.client.get(cite_url("cctv", 1, fmt), headers={"host": "localhost"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        return response

    def test_csl_json_parses_with_every_field(self):
        """The CSL-JSON file is a list of one item naming title, author, version, date, URL."""
        response = self.get("json")
        self.assertTrue(
            response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
        )
        [item] = json.loads(response.content)
        self.assertEqual(item["title"], "CCTV & 100% {safer} car_parks")
        self.assertEqual(item["author"], [{"literal": "College of Examples"}])
        self.assertEqual(item["container-title"], "Example Toolkit")
        self.assertEqual(item["version"], "1")
        self.assertEqual(item["issued"], {"date-parts": [[2024, 11, 20]]})
        self.assertEqual(item["URL"], "http://localhost/toolkit/cctv/v/1/")
        self.assertEqual(item["type"], "webpage")

    def test_ris_has_valid_tags_in_order(self):
        """Every RIS line is 'TAG  - value'; TY opens the record and ER closes it."""
        text = self.get("ris").content.decode()
        lines = text.split("\r\n")
        self.assertEqual(lines[-1], "")
        lines = lines[:-1]
        for line in lines:
            self.assertRegex(line, r"^[A-Z][A-Z0-9]  - ")
        tags = {line[:2]: line[6:] for line in lines}
        self.assertEqual(lines[0], "TY  - ELEC")
        self.assertEqual(lines[-1], "ER  - ")
        self.assertEqual(tags["TI"], "CCTV & 100% {safer} car_parks")
        self.assertEqual(tags["PY"], "2024")
        self.assertEqual(tags["DA"], "2024/11/20/")
        self.assertEqual(tags["UR"], "http://localhost/toolkit/cctv/v/1/")
        self.assertEqual(tags["ET"], "Version 1")

    def test_bibtex_entry_escapes_and_names_the_version(self):
        """The BibTeX entry has balanced braces, escaped specials and the version's fields."""
        text = self.get("bib").content.decode()
        fields = parse_bibtex(text)
        self.assertEqual(fields["@type"], "misc")
        self.assertEqual(fields["@key"], "cctv-v1")
        self.assertEqual(
            fields["title"], r"CCTV \& 100\% \textbraceleft{}safer\textbraceright{} car\_parks"
        )
        [(key, entry)] = pybtex_parse(text, "bibtex").entries.items()
        self.assertEqual((key, entry.type), ("cctv-v1", "misc"))
        self.assertEqual(bibtex_unescaped(entry.fields["title"]), "CCTV & 100% {safer} car_parks")
        self.assertEqual(fields["author"], "{College of Examples}")
        self.assertEqual(fields["year"], "2024")
        self.assertEqual(fields["month"], "nov")
        self.assertEqual(fields["version"], "1")
        self.assertEqual(fields["url"], "http://localhost/toolkit/cctv/v/1/")

    def test_cite_box_offers_three_formats(self):
        """The summary page's cite box links the three files and shows them to copy."""
        response = self.client.get("/toolkit/cctv/")
        for fmt, label in (("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON")):
            self.assertContains(response, f'href="{cite_url("cctv", 1, fmt)}"')
            self.assertContains(response, f"<summary>{label} to copy</summary>", html=True)

    def test_unknown_format_is_not_found(self):
        """A citation format we do not offer answers 404."""
        self.assertEqual(self.client.get(cite_url("cctv", 1, "doc")).status_code, 404)


def parse_bibtex(text: str) -> dict:
    """A strict reader of one BibTeX entry: braces must balance, every field end in a comma."""
    match = re.fullmatch(r"@(\w+)\{([^,\s]+),\n(.*)\n\}\n", text, re.S)
    assert match, text
    fields = {"@type": match[1], "@key": match[2]}
    body = match[3]
    position = 0
    while position < len(body):
        name_match = re.compile(r"  (\w+) = ").match(body, position)
        assert name_match, body[position:]
        position = name_match.end()
        if body[position] == "{":
            depth, start = 0, position
            while True:
                char = body[position]
                if char == "\\":
                    position += 2
                    continue
                depth += {"{": 1, "}": -1}.get(char, 0)
                position += 1
                if depth == 0:
                    break
            value = body[start + 1 : position - 1]
        else:
            word = re.compile(r"\w+").match(body, position)
            assert word
            value, position = word[0], word.end()
        fields[name_match[1]] = value
        if body.startswith(",\n", position):
            position += 2
        else:
            assert position == len(body), body[position:]
    return fields


def bibtex_unescaped(value: str) -> str:
    """A BibTeX field's text as a reader shows it: our escapes undone (each is one of
    ``citations._BIBTEX_ESCAPES``' values, written out here so the test checks them)."""
    commands = {
        "textbackslash": "\\",
        "textbraceleft": "{",
        "textbraceright": "}",
        "textasciitilde": "~",
        "textasciicircum": "^",
    }
    return re.sub(
        r"\\(\w+)\{\}|\\([&%$#_])|~",
        lambda m: commands[m[1]] if m[1] else m[2] or "\xa0",
        value,
    )


class CitationPropertyTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("any-title")

    @settings(max_examples=150, deadline=None)
    @given(
        st.text(min_size=1, max_size=80)
        | st.text(
            alphabet='{}\\\\%&$#_~^@"=,\n\r\x0b\x1b\x00\xa0\u2003 ab', min_size=1, max_size=30
        )
    )
    def test_any_title_gives_parseable_citations(self, title):
        """Whatever a title holds, a strict parser of each format reads the file back:
        pybtex the BibTeX, rispy the RIS, citeproc-py the CSL-JSON, each with the title
        on one line and otherwise exactly as written."""
        version = SummaryVersion.objects.select_related("intervention").get(pk=self.version.pk)
        version.title = title
        url = "http://localhost/toolkit/any-title/v/1/"
        ref = citations.Reference.of(version, url)
        expected = single_line(title)

        bib = citations.bibtex(ref)
        parse_bibtex(bib)  # balanced the way BibTeX itself counts braces
        entry = pybtex_parse(bib, "bibtex").entries["any-title-v1"]  # strict: raises
        # BibTeX reads any run of spaces as one space (a no-break space, written as a
        # tie, excepted).
        bib_expected = re.sub(r"[^\S\xa0]+", " ", expected).strip()
        self.assertEqual(bibtex_unescaped(entry.fields["title"]), bib_expected)
        self.assertEqual(entry.fields["url"], url)

        [record] = rispy.loads(citations.ris(ref))
        self.assertEqual(record["type_of_reference"], "ELEC")
        self.assertEqual(record.get("title", ""), expected)
        self.assertEqual(record["urls"], [url])
        for line in citations.ris(ref).split("\r\n")[:-1]:
            self.assertRegex(line, r"^[A-Z][A-Z0-9]  - [^\r\n]*$")

        item = CiteProcJSON(json.loads(citations.csl_json(ref)))["any-title-v1"]
        self.assertEqual(str(item.get("title", "")), expected)
        self.assertEqual(str(item["URL"]), url)


class DraftOnlySummaryTests(TestCase):
    def test_never_published_summary_has_no_version_pages(self):
        """A summary never published answers 404 at version 1, like an unknown address."""
        make_draft("secret")
        self.assertEqual(self.client.get(version_url("secret", 1)).status_code, 404)
        self.assertEqual(self.client.get(cite_url("secret", 1, "json")).status_code, 404)
