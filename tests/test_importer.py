"""The importer: a toolkit text export becomes a draft, with nothing lost or invented."""

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from functools import cache
from html import unescape
from io import StringIO
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase

from summaries.importer import ImportFailed, parse_summary, read_export, save_as_draft
from summaries.models import (
    AuditAction,
    AuditEvent,
    BreakdownKind,
    Intervention,
    ReviewBreakdown,
    Section,
    SectionKind,
    State,
    SummaryVersion,
    SystematicReview,
)
from tests.factories import make_draft, make_live, make_user, publish

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "summaries" / "demo" / "psychosocial-treatment-sex-offenders.txt"
SEED = SEED_PATH.read_text(encoding="utf-8")
SLUG = "psychosocial-treatment-sex-offenders"
BOILERPLATE = (
    "This summary is part of the Crime Reduction Toolkit, which presents the best "
    "available research evidence on what works to reduce crime."
)
# The seed's page header/footer block, and a copy to insert elsewhere as another page break.
FIRST_PAGE_FOOTER = SEED[SEED.index("05/01/2026") : SEED.index("\n\n\nAlthough")]
FURNITURE = FIRST_PAGE_FOOTER.replace("Page 1", "Page 2")


@cache
def reference():
    """The seed, parsed once; tests only read it."""
    return parse_summary(SEED)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def blocks(html: str) -> list[tuple[str, str]]:
    """(tag, text) of each paragraph and list item, adjacent paragraphs joined.

    A line that ends a sentence may or may not end its paragraph; no export says which,
    so paragraph splits between sentences are not compared. List items are.
    """
    result: list[tuple[str, str]] = []
    for tag, text in re.findall(r"<(p|li)>(.*?)</\1>", html):
        if tag == "p" and result and result[-1][0] == "p":
            result[-1] = ("p", f"{result[-1][1]} {text}")
        else:
            result.append((tag, text))
    return result


def rewrapped(width: int) -> str:
    """The seed as another export would print it: wrapped at ``width``, no blank lines."""
    parsed = reference()
    lines = [parsed.title, *textwrap.wrap(f"{parsed.standfirst} {BOILERPLATE}", width)]
    for kind, html in parsed.sections.items():
        lines += textwrap.wrap(SectionKind(kind).label, width)
        for _tag, text in re.findall(r"<(p|li)>(.*?)</\1>", html):
            lines += textwrap.wrap(unescape(text), width)
    return "\n".join(lines)


def row_counts() -> dict[str, int]:
    models = (Intervention, SummaryVersion, Section, SystematicReview, ReviewBreakdown)
    return {model.__name__: model.objects.count() for model in models}


class TempFileMixin:
    def write_file(self, name: str, data: bytes | str) -> Path:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        path = Path(directory.name) / name
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)
        return path


class SeedParsingTests(SimpleTestCase):
    def test_title_and_standfirst(self):
        """The title is the first line; the standfirst loses the toolkit boilerplate."""
        parsed = reference()
        self.assertEqual(parsed.title, "Psychosocial treatment for sex offenders")
        self.assertEqual(
            parsed.standfirst,
            "Psychosocial treatment programmes to reduce reoffending among people with "
            "sexual offence histories.",
        )

    def test_all_nine_sections_in_order(self):
        """Every section of the seed is found, in the toolkit's order, without warnings."""
        parsed = reference()
        self.assertEqual(list(parsed.sections), SectionKind.values)
        self.assertEqual(parsed.warnings, [])

    def test_no_page_furniture_in_output(self):
        """Dates, page addresses, page numbers and '?' artefacts are all gone."""
        parsed = reference()
        dumped = json.dumps(parsed.to_dict(), ensure_ascii=False)
        for furniture in ("05/01/2026", "Page 1", "copweb", "???"):
            self.assertNotIn(furniture, dumped)
        for kind, html in parsed.sections.items():
            with self.subTest(kind):
                self.assertNotIn("http", html)
                for _tag, text in re.findall(r"<(p|li)>(.*?)</\1>", html):
                    self.assertFalse(text.startswith("?"), text)

    def test_nothing_lost(self):
        """Every word of the seed's text, furniture aside, is in the output in order."""
        furniture = re.compile(r"^\s*(\d\d/\d\d/\d{4} .*|https?://\S*|toolkit/\S*|Page \d+)\s*$")
        body = "\n".join(line for line in SEED.split("\n") if not furniture.match(line))
        expected = words(body)
        boilerplate = words(BOILERPLATE)
        start = next(
            i for i in range(len(expected)) if expected[i : i + len(boilerplate)] == boilerplate
        )
        del expected[start : start + len(boilerplate)]
        parsed = reference()
        output = [parsed.title, parsed.standfirst]
        for kind, html in parsed.sections.items():
            output += [SectionKind(kind).label, plain(html)]
        self.assertEqual(words(" ".join(output)), expected)

    def test_paragraphs_are_rejoined(self):
        """Wrapped lines, hyphenated line ends and non-breaking spaces are undone."""
        sections = reference().sections
        self.assertIn("improve self-control can overlap", sections["focus"])
        self.assertIn("for high- and medium-risk offenders", sections["moderators"])
        self.assertIn(
            "<p>Neither review mentioned the costs or benefits of psychosocial treatment "
            "programmes and no formal economic analysis was provided.</p>",
            sections["economic"],
        )
        self.assertNotIn("\xa0", json.dumps(sections, ensure_ascii=False))

    def test_effect_figures(self):
        """The headline figures survive in the effect section."""
        effect = reference().sections["effect"]
        for figure in ("31.8%", "13.6%", "9.3%", "4.3 percentage points"):
            self.assertIn(figure, effect)

    def test_lost_bullets_become_lists(self):
        """Short lines after a line ending in ':' are list items; prose after them is not."""
        sections = reference().sections
        self.assertIn(
            "<ul><li>behavioural therapy</li><li>cognitive behavioural therapy (CBT)</li>"
            "<li>insight-oriented therapy</li><li>multisystemic therapy (MST)</li>"
            "<li>therapeutic communities</li></ul><p>Although",
            sections["focus"],
        )
        self.assertEqual(sections["evidence"].count("<li>"), 6)
        self.assertEqual(sections["mechanism"].count("<li>"), 5)
        self.assertIn("<li>improve self-control</li>", sections["mechanism"])

    def test_question_mark_bullets_and_labelled_items(self):
        """'?' bullets and 'Label: sentence' items make lists; the closing prose does not."""
        moderators = blocks(reference().sections["moderators"])
        items = [text for tag, text in moderators if tag == "li"]
        self.assertEqual(len(items), 9)
        self.assertTrue(items[0].startswith("Programme focus: Non-specialised"))
        self.assertIn(
            ("li", "Treatment programmes specifically tailored to sexual offending."), moderators
        )
        self.assertEqual(moderators[-1][0], "p")
        self.assertTrue(moderators[-1][1].startswith("While Review one"))

    def test_artefacts_inside_text(self):
        """A '???' artefact goes; the words around it are joined by one space."""
        summary = reference().sections["summary"]
        self.assertIn("evidence suggests that psychosocial treatment", summary)

    def test_review_one_facts(self):
        """Review one's counts and breakdowns are read from the text."""
        review = reference().reviews[0]
        self.assertEqual(review.label, "Review one")
        self.assertEqual(
            (review.studies, review.published_up_to, review.tests, review.rcts),
            (35, 2021, 37, 7),
        )
        self.assertEqual(review.conflict_of_interest_studies, 24)
        self.assertEqual(
            review.approaches,
            [
                ("CBT", 20),
                ("behavioural therapy", 5),
                ("therapeutic communities", 5),
                ("MST", 3),
                ("insight-oriented therapy", 2),
            ],
        )
        self.assertEqual(review.countries, [("Canada", 13), ("USA", 11), ("other", 13)])

    def test_review_two_facts(self):
        """Review two's counts and breakdowns are read, numbers in words included."""
        review = reference().reviews[1]
        self.assertEqual(review.label, "Review two")
        self.assertEqual(
            (review.studies, review.published_up_to, review.tests, review.rcts),
            (27, 2010, 29, 6),
        )
        self.assertEqual(review.conflict_of_interest_studies, 15)
        self.assertEqual(
            review.approaches,
            [
                ("CBT", 21),
                ("therapeutic communities", 4),
                ("MST", 2),
                ("insight-oriented therapy", 2),
            ],
        )
        self.assertEqual(
            review.countries,
            [("Canada", 11), ("USA", 8), ("United Kingdom", 3), ("Germany", 3), ("other", 4)],
        )

    def test_see_also_links_and_slug(self):
        """'See also' titles, the page's links and its own address are recorded."""
        parsed = reference()
        self.assertEqual(
            parsed.see_also,
            ["Psychological treatment of adults convicted of sex offences against children"],
        )
        self.assertIn("See also Psychological treatment", parsed.sections["focus"])
        base = "https://www.college.police.uk/research/crime-reduction-toolkit"
        self.assertEqual(
            parsed.links,
            [
                base,
                f"{base}/cbt",
                f"{base}/multisystemic-therapy",
                f"{base}/therapeutic-communities",
            ],
        )
        self.assertEqual(parsed.slug, SLUG)


class DamagedExportTests(TempFileMixin, SimpleTestCase):
    def assert_same_content(self, parsed, kinds=None):
        for kind in kinds or SectionKind.values:
            with self.subTest(kind):
                self.assertEqual(blocks(parsed.sections[kind]), blocks(reference().sections[kind]))

    def test_windows_and_old_mac_line_ends(self):
        """CRLF and CR line ends read exactly like LF."""
        for ending in ("\r\n", "\r"):
            with self.subTest(repr(ending)):
                path = self.write_file("export.txt", SEED.replace("\n", ending))
                self.assertEqual(parse_summary(read_export(path)), reference())

    def test_utf8_bom(self):
        """A UTF-8 byte-order mark is dropped."""
        path = self.write_file("export.txt", b"\xef\xbb\xbf" + SEED.encode("utf-8"))
        self.assertEqual(read_export(path), SEED)

    def test_other_wrap_widths(self):
        """An export wrapped at another width, without blank lines, reads the same."""
        # Not every width: where a list item's last line happens to be exactly full, no
        # reader can tell the item ended there (at 60 columns one does).
        for width in (56, 72, 90):
            with self.subTest(width=width):
                parsed = parse_summary(rewrapped(width))
                self.assert_same_content(parsed)
                self.assertEqual(parsed.reviews, reference().reviews)
                self.assertEqual(parsed.standfirst, reference().standfirst)

    def test_page_break_inside_a_paragraph_or_list_item(self):
        """A page header/footer block in mid-paragraph is removed and the text rejoined."""
        for before in ("psychosocial treatment programmes have reduced", "more harm than good"):
            with self.subTest(before):
                text = SEED.replace(f"\n{before}", f"\n{FURNITURE}\n{before}", 1)
                self.assertEqual(text.count("Page 2"), 1)
                parsed = parse_summary(text)
                self.assert_same_content(parsed)
                self.assertEqual(parsed.links, reference().links)

    def test_missing_section(self):
        """A missing section gives a warning; the others are read as before."""
        start, end = SEED.index("Mechanism – how"), SEED.index("Moderators – in which")
        parsed = parse_summary(SEED[:start] + SEED[end:])
        self.assertNotIn("mechanism", parsed.sections)
        self.assertEqual(len(parsed.warnings), 1)
        self.assertIn("Mechanism – how does it work?", parsed.warnings[0])
        self.assert_same_content(parsed, [k for k in SectionKind.values if k != "mechanism"])

    def test_headings_wrapped_elsewhere_with_other_dashes(self):
        """Headings are found however they wrap, with any dash and stray spaces."""
        text = (
            SEED.replace(
                "Moderators – in which contexts does it work\nbest?",
                "Moderators - in which\ncontexts does it work best?",
            )
            .replace("Effect – how effective is it?", "\n  Effect — how effective is it? \n")
            .replace(
                "Economic considerations – how much might it\ncost?",
                "Economic\nconsiderations – how much might it cost?",
            )
        )
        self.assertNotEqual(text, SEED)
        parsed = parse_summary(text)
        self.assertEqual(list(parsed.sections), SectionKind.values)
        self.assert_same_content(parsed)


class ReadExportTests(TempFileMixin, SimpleTestCase):
    def assert_refused(self, data, message):
        path = self.write_file("export.txt", data)
        with self.assertRaisesMessage(ImportFailed, message) as caught:
            read_export(path)
        self.assertNotIn("\n", str(caught.exception))

    def test_missing_file(self):
        """A path that does not exist is refused by name."""
        with self.assertRaisesMessage(ImportFailed, "no such file"):
            read_export(ROOT / "no-such-export.txt")

    def test_empty_and_blank_files(self):
        """Empty and whitespace-only files are refused as empty."""
        for data in (b"", b"  \n\t\r\n  ", " \u00a0\n".encode()):
            with self.subTest(data):
                self.assert_refused(data, "is empty")

    def test_binary_file(self):
        """A PNG image is refused as binary."""
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
        self.assert_refused(png, "not a text file")

    def test_utf16(self):
        """UTF-16, with or without a byte-order mark, is named as such."""
        for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
            with self.subTest(encoding):
                self.assert_refused(SEED.encode(encoding), "UTF-16")

    def test_latin1(self):
        """Latin-1 or Windows-1252 text is refused, saying where, never guessed."""
        self.assert_refused(SEED.encode("cp1252"), "not valid UTF-8 (byte 0xA0 on line 10)")
        self.assert_refused("Café\n".encode("latin-1"), "not valid UTF-8 (byte 0xE9 on line 1)")


class ParseRefusalTests(SimpleTestCase):
    def test_text_that_is_not_a_summary(self):
        """A README is refused: it has no section headings."""
        readme = "# Evidence Toolkit\n\nA content-management system.\n\n## Summary\n\nmake run\n"
        with self.assertRaisesMessage(ImportFailed, "no section headings found"):
            parse_summary(readme)

    def test_headings_without_title(self):
        """Text that starts with a heading has no title and is refused."""
        with self.assertRaisesMessage(ImportFailed, "no title"):
            parse_summary(SEED[SEED.index("Effect – how") :])


class SaveAsDraftTests(TestCase):
    def test_new_summary_becomes_a_draft_with_its_content(self):
        """An import creates a draft with sections, reviews and breakdowns in text order."""
        version = save_as_draft(reference(), source_name="export.txt")
        self.assertEqual((version.state, version.number), (State.DRAFT, 1))
        self.assertEqual(version.intervention.slug, SLUG)
        self.assertEqual(version.change_note, "Imported from export.txt")
        self.assertEqual(version.title, "Psychosocial treatment for sex offenders")
        self.assertEqual(list(version.sections.values_list("kind", flat=True)), SectionKind.values)
        review = version.reviews.get(label="Review one")
        self.assertEqual(
            (review.studies, review.tests, review.published_up_to, review.rcts),
            (35, 37, 2021, 7),
        )
        self.assertEqual(review.conflict_of_interest_studies, 24)
        approaches = review.breakdowns.filter(kind=BreakdownKind.APPROACH)
        self.assertEqual(
            [(b.label, b.count, b.unit, b.position) for b in approaches][:2],
            [("CBT", 20, "studies", 1), ("behavioural therapy", 5, "studies", 2)],
        )
        countries = version.reviews.get(label="Review two").breakdowns.filter(
            kind=BreakdownKind.COUNTRY
        )
        self.assertEqual([(b.label, b.count, b.unit) for b in countries][-1], ("other", 4, "tests"))
        self.assertFalse(version.reviews.exclude(citation="").exists())
        self.assertIsNone(version.effect_rating)

    def test_slug_falls_back_to_the_title(self):
        """Without the page's address, the slug is made from the title."""
        parsed = parse_summary(SEED.replace(FIRST_PAGE_FOOTER, ""))
        self.assertEqual(parsed.slug, "")
        version = save_as_draft(parsed)
        self.assertEqual(version.intervention.slug, "psychosocial-treatment-for-sex-offenders")

    def test_open_draft_is_never_overwritten(self):
        """A second import while a draft is open is refused and writes nothing."""
        make_draft(SLUG, sections={SectionKind.FOCUS: "<p>Work in progress.</p>"})
        before = row_counts()
        with self.assertRaisesMessage(ImportFailed, "already has an open draft"):
            save_as_draft(reference())
        self.assertEqual(row_counts(), before)

    def test_live_summary_gets_a_new_draft(self):
        """Importing over a live summary adds a draft of the import; the live one stays."""
        live = make_live(SLUG, sections={SectionKind.FOCUS: "<p>Published text.</p>"})
        draft = save_as_draft(reference(), slug=SLUG)
        live.refresh_from_db()
        self.assertEqual(live.state, State.PUBLISHED)
        self.assertEqual(
            list(live.sections.values_list("body", flat=True)), ["<p>Published text.</p>"]
        )
        self.assertEqual((draft.state, draft.number), (State.DRAFT, 2))
        self.assertEqual(draft.intervention, live.intervention)
        self.assertEqual(draft.sections.count(), 9)
        self.assertNotIn("Published text", draft.sections.get(kind="focus").body)

    def test_both_import_paths_write_an_audit_event(self):
        """Importing a new summary and importing over an existing one each log who
        created the draft, through the same service as the admin."""
        editor = make_user(groups=[Group.objects.get(name="Editors")])
        first = save_as_draft(reference(), user=editor, source_name="one.txt")
        publish(first)
        second = save_as_draft(reference(), user=editor, source_name="two.txt")
        events = AuditEvent.objects.filter(action=AuditAction.CREATE).order_by("id")
        self.assertEqual(
            [(e.version_id, e.actor, e.comment) for e in events],
            [
                (first.pk, editor, "Imported from one.txt"),
                (second.pk, editor, "Imported from two.txt"),
            ],
        )

    def test_import_is_refused_to_a_user_who_may_not_edit(self):
        """The services' rules hold for imports too: a user without the editors'
        permissions cannot import into an existing summary."""
        make_live(SLUG)
        outsider = make_user()
        before = row_counts()
        with self.assertRaisesMessage(ImportFailed, "Your role does not allow this."):
            save_as_draft(reference(), slug=SLUG, user=outsider)
        self.assertEqual(row_counts(), before)

    def test_invalid_slug(self):
        """A slug that is not a valid address is refused."""
        with self.assertRaisesMessage(ImportFailed, "not a valid address"):
            save_as_draft(reference(), slug="not a slug!")
        self.assertEqual(Intervention.objects.count(), 0)


class ImportCommandTests(TempFileMixin, TestCase):
    def run_command(self, *args):
        out, err = StringIO(), StringIO()
        call_command("import_summary", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_import_creates_a_draft_and_says_so(self):
        """The command creates the draft and prints one line naming it."""
        out, err = self.run_command(str(SEED_PATH))
        version = SummaryVersion.objects.get()
        self.assertEqual(version.state, State.DRAFT)
        self.assertEqual(version.change_note, f"Imported from {SEED_PATH.name}")
        self.assertEqual(len(out.strip().splitlines()), 1)
        self.assertIn(f"draft version 1 of '{SLUG}'", out)
        self.assertEqual(err, "")

    def test_dry_run_prints_json_and_writes_nothing(self):
        """--dry-run prints the parsed summary as JSON and leaves the database alone."""
        before = row_counts()
        out, _err = self.run_command(str(SEED_PATH), "--dry-run", "--slug", "other-slug")
        self.assertEqual(row_counts(), before)
        data = json.loads(out)
        self.assertEqual(data["title"], "Psychosocial treatment for sex offenders")
        self.assertEqual(data["slug"], "other-slug")
        self.assertEqual(list(data["sections"]), SectionKind.values)
        self.assertEqual(data["reviews"][0]["approaches"][0], ["CBT", 20])
        self.assertIn("‘other’", out)  # not \u2018 escapes

    def test_bad_files_fail_and_write_nothing(self):
        """Each kind of bad file is a one-line command error, with no rows written."""
        bad = {
            "empty": b"",
            "blank": b"\n   \n",
            "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64)),
            "utf-16": SEED.encode("utf-16"),
            "latin-1": "Résumé of a summary\n".encode("latin-1"),
            "readme": b"# Evidence Toolkit\n\nRun `make run` to start.\n",
        }
        for name, data in bad.items():
            with self.subTest(name):
                path = self.write_file(f"{name}.txt", data)
                before = row_counts()
                with self.assertRaises(CommandError) as caught:
                    self.run_command(str(path))
                self.assertEqual(len(str(caught.exception).splitlines()), 1)
                self.assertEqual(row_counts(), before)

    def test_exit_status_and_single_error_line(self):
        """Run as a program, a failure exits with status 1 and one line on stderr."""
        path = self.write_file("empty.txt", b"")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{path.parent / 'unused.sqlite3'}"}
        result = subprocess.run(
            [sys.executable, "manage.py", "import_summary", str(path), "--skip-checks"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr.strip().splitlines(), ["CommandError: empty.txt is empty."])
        self.assertEqual(result.stdout, "")
