"""The importer against hostile or unusual exports: huge numbers and sizes, inputs built to
make its patterns backtrack, other wordings of the review facts, odd page addresses, and
random text. Whatever the input, the importer answers ImportFailed or a result, never a
traceback, never a hang, and writes nothing it has not checked."""

import signal
import tempfile
import tracemalloc
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from summaries.importer import (
    ImportFailed,
    ParsedReview,
    parse_summary,
    read_export,
    save_as_draft,
)
from summaries.models import SectionKind
from tests.test_importer import FIRST_PAGE_FOOTER, SEED, row_counts

# A hang guard, not a timing: the inputs below are sized so that the quadratic code they
# caught took minutes (10 to 35 seconds at half or a third of their size), while the
# linear code takes well under a second; the guard is generous so that a busy machine
# never trips it.
HANG_GUARD_SECONDS = 30


class Hang(AssertionError):
    pass


@contextmanager
def does_not_hang(seconds: float = HANG_GUARD_SECONDS):
    """Fail (rather than hang) if the block runs longer than ``seconds``.

    SIGALRM interrupts even a regular expression stuck in backtracking: the re module
    checks for signals while it matches.
    """

    def interrupt(signum, frame):
        raise Hang(f"still running after {seconds} s: it hangs")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def with_footer_address(address_lines: str) -> str:
    """The seed with its first page footer showing ``address_lines`` as the page address."""
    own = FIRST_PAGE_FOOTER.split("\n")[2:4]
    assert own[0].startswith("https://") and own[1].startswith("toolkit/"), own
    return SEED.replace("\n".join(own), address_lines, 1)


def write_file(test, data: bytes) -> Path:
    directory = tempfile.TemporaryDirectory()
    test.addCleanup(directory.cleanup)
    path = Path(directory.name) / "export.txt"
    path.write_bytes(data)
    return path


# --- 9. Backtracking patterns and the size limit ---------------------------------------


class NoHangTests(SimpleTestCase):
    def test_wrapped_address_then_a_run_of_slashes_does_not_hang(self):
        """A wrapped page address followed by 150,000 slashes (13 s for 50,000 before the fix)."""
        text = with_footer_address(
            "https://production.copweb.aws.college.police.uk/research/crime-reduction-\n"
            + "/" * 150_000
            + "!"
        )
        with does_not_hang():
            parsed = parse_summary(text)
        self.assertEqual(parsed.title, "Psychosocial treatment for sex offenders")

    def test_repeated_conflict_of_interest_does_not_hang(self):
        """A sentence repeating 'conflict of interest in' 10,000 times (20 s for 4,000 before)."""
        sentence = "Review one had a " + "conflict of interest in " * 10_000 + "the end."
        text = SEED.replace("\nAlthough psychosocial", f"\n{sentence}\nAlthough psychosocial", 1)
        with does_not_hang():
            parsed = parse_summary(text)
        self.assertEqual(parsed.reviews[0].conflict_of_interest_studies, 24)

    def test_conflict_of_interest_still_read_after_a_repeat(self):
        """The linear form of the pattern finds what the old one found."""
        sentence = (
            "Review three had a conflict of interest in conflict of interest in "
            "the design in 4 of the 9 studies."
        )
        text = SEED.replace("\nAlthough psychosocial", f"\n{sentence}\nAlthough psychosocial", 1)
        review = parse_summary(text).reviews[2]
        self.assertEqual((review.label, review.conflict_of_interest_studies), ("Review three", 4))

    def test_long_list_does_not_hang(self):
        """20,000 short lines after a list's colon (minutes before: each item re-read
        every item before it)."""
        text = SEED.replace(
            "therapeutic communities\n", "therapeutic communities\n" + "item\n" * 20_000, 1
        )
        with does_not_hang():
            parsed = parse_summary(text)
        self.assertEqual(parsed.sections["focus"].count("<li>item</li>"), 20_000)

    def test_long_paragraph_does_not_hang(self):
        """One paragraph of 40,000 wrapped lines (re-joined from the start at every line
        before)."""
        text = SEED.replace(
            "\nReview one is an update",
            "\nIt went on" + " and on\n" * 40_000 + "to the end.\nReview one is an update",
            1,
        )
        with does_not_hang():
            parsed = parse_summary(text)
        self.assertIn("on and on and on", parsed.sections["focus"])

    def test_repeated_boilerplate_does_not_hang(self):
        """The toolkit's boilerplate opening repeated thousands of times in the standfirst."""
        text = SEED.replace(
            "histories.This", "histories. " + "This summary is part of the " * 12_000 + "x.", 1
        )
        with does_not_hang():
            parse_summary(text)


class SizeLimitTests(SimpleTestCase):
    def test_default_limit_is_two_megabytes(self):
        """An export just over 2 MB is refused, saying how large it is and the limit."""
        path = write_file(self, SEED.encode() + b" " * (2 * 1024 * 1024))
        with self.assertRaisesMessage(ImportFailed, "export.txt is too large") as caught:
            read_export(path)
        message = str(caught.exception)
        self.assertIn("IMPORT_MAX_BYTES", message)
        self.assertNotIn("\n", message)

    @override_settings(IMPORT_MAX_BYTES=len(SEED.encode()))
    def test_limit_is_a_setting(self):
        """The limit comes from settings; an export of exactly the limit is read."""
        self.assertEqual(read_export(write_file(self, SEED.encode())), SEED)
        with self.assertRaisesMessage(ImportFailed, "too large"):
            read_export(write_file(self, SEED.encode() + b"\n"))

    def test_large_file_is_refused_before_it_is_read(self):
        """A 64 MB export is refused without reading it all into memory."""
        path = write_file(self, b"")
        with path.open("r+b") as handle:
            handle.truncate(64 * 1024 * 1024)  # sparse: no disk space used
        tracemalloc.start()
        try:
            with self.assertRaisesMessage(ImportFailed, "too large"):
                read_export(path)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertLess(peak, 8 * 1024 * 1024)

    @override_settings(IMPORT_MAX_BYTES=1000)
    def test_parse_summary_refuses_text_over_the_limit(self):
        """Text handed to parse_summary directly is bounded by the same limit."""
        with self.assertRaisesMessage(ImportFailed, "too large"):
            parse_summary(SEED)


# --- 8. Every value checked against the models before anything is written --------------

HUGE = "99999999999999999999999"


class ModelValidationTests(TestCase):
    """Run on whichever database DATABASE_URL selects: SQLite and PostgreSQL must agree."""

    def assert_refused(self, text_or_parsed, named: str, *, slug=None):
        parsed = text_or_parsed
        if isinstance(parsed, str):
            parsed = parse_summary(parsed)
        before = row_counts()
        with self.assertRaises(ImportFailed) as caught:
            save_as_draft(parsed, slug=slug)
        message = str(caught.exception)
        self.assertIn(named, message)
        self.assertNotIn("\n", message)
        self.assertEqual(row_counts(), before)
        return message

    def test_huge_study_count(self):
        """A count of 99999999999999999999999 studies is refused, by value."""
        text = SEED.replace(
            "Review one drew upon 35 studies", f"Review one drew upon {HUGE} studies"
        )
        message = self.assert_refused(text, HUGE)
        self.assertIn("Review one", message)
        self.assertIn("studies", message)

    def test_nul_in_the_title(self):
        """A NUL in the title is refused with a line naming it, on PostgreSQL (which
        cannot store one, and raised a DataError) and SQLite alike."""
        text = SEED.replace("Psychosocial treatment", "Psychosocial\x00treatment", 1)
        self.assertNotEqual(text, SEED)
        message = self.assert_refused(text, "Psychosocial\\x00treatment")
        # The title's own rule names it (a NUL in a field without that rule: Django's).
        self.assertIn("one line of plain text; it holds a NUL", message)

    def test_count_just_beyond_the_field_range(self):
        """2,147,483,648 tests is beyond a PositiveIntegerField on every database."""
        text = SEED.replace("produced 37 tests", "produced 2147483648 tests")
        self.assertEqual(parse_summary(text).reviews[0].tests, 2_147_483_648)
        self.assertIn("2147483647", self.assert_refused(text, "2147483648"))

    def test_huge_breakdown_count(self):
        """A breakdown's count beyond the field's range is refused."""
        text = SEED.replace("covered CBT (20 studies)", f"covered CBT ({HUGE} studies)")
        self.assert_refused(text, HUGE)

    def test_years_outside_1900_to_2100(self):
        """A cut-off year before 1900 or after 2100 is refused."""
        for year in ("1850", "2150"):
            with self.subTest(year):
                text = SEED.replace("(published up to 2021)", f"(published up to {year})")
                self.assert_refused(text, year)

    def test_over_long_breakdown_label(self):
        """A breakdown label longer than the model allows (120) is refused."""
        label = "cognitive " * 13 + "therapy"
        text = SEED.replace("covered CBT (20 studies)", f"covered {label} (20 studies)")
        self.assertGreater(len(label), 120)
        self.assert_refused(text, label[:40])

    def test_over_long_review_label(self):
        """A review label longer than the model allows (60) is refused."""
        number = "1" * 60
        text = SEED.replace("Review one is an update", f"Review {number} is an update")
        self.assert_refused(text, f"Review {number}"[:40])

    def test_slug_of_308_characters_from_the_page_address(self):
        """A 308-character slug read from the page address is refused, with nothing saved."""
        slug = "-".join(["long"] * 62)[:308]
        self.assertEqual(len(slug), 308)
        text = with_footer_address(
            f"https://production.copweb.aws.college.police.uk/research/crime-reduction-\n"
            f"toolkit/{slug}"
        )
        parsed = parse_summary(text)
        self.assertEqual(parsed.slug, slug)
        message = self.assert_refused(parsed, slug[:40])
        self.assertIn("not a valid address", message)

    def test_invalid_given_slug_still_refused(self):
        """A slug given by hand is checked the same way."""
        self.assert_refused(parse_summary(SEED), "not a valid address", slug="x" * 121)

    def test_command_prints_one_line_and_writes_nothing(self):
        """import_summary turns the refusal into a one-line CommandError (exit status 1)."""
        text = SEED.replace(
            "Review one drew upon 35 studies", f"Review one drew upon {HUGE} studies"
        )
        path = write_file(self, text.encode())
        before = row_counts()
        with self.assertRaises(CommandError) as caught:
            call_command("import_summary", str(path), stdout=StringIO(), stderr=StringIO())
        self.assertEqual(len(str(caught.exception).splitlines()), 1)
        self.assertIn(HUGE, str(caught.exception))
        self.assertEqual(row_counts(), before)

    def test_dry_run_refuses_what_the_import_would(self):
        """A dry run checks the values as a real import does, so it never prints a summary
        that could not be saved."""
        text = SEED.replace(
            "Review one drew upon 35 studies", f"Review one drew upon {HUGE} studies"
        )
        path = write_file(self, text.encode())
        out = StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command("import_summary", str(path), "--dry-run", stdout=out, stderr=StringIO())
        self.assertIn(HUGE, str(caught.exception))
        self.assertEqual(out.getvalue(), "")

    def test_valid_values_at_the_limits_are_saved(self):
        """Values at the edges of the models' ranges are accepted."""
        text = SEED.replace("(published up to 2021)", "(published up to 2100)").replace(
            "produced 37 tests", "produced 2147483647 tests"
        )
        version = save_as_draft(parse_summary(text))
        review = version.reviews.get(label="Review one")
        self.assertEqual((review.published_up_to, review.tests), (2100, 2_147_483_647))


class HugeNumberParsingTests(SimpleTestCase):
    def test_number_too_long_to_convert(self):
        """A count of 5,000 digits is refused while parsing, not a ValueError."""
        text = SEED.replace(
            "Review one drew upon 35 studies", f"Review one drew upon {'9' * 5000} studies"
        )
        with self.assertRaisesMessage(ImportFailed, "9999") as caught:
            parse_summary(text)
        self.assertLess(len(str(caught.exception)), 300)
        self.assertNotIn("\n", str(caught.exception))


# --- 11 and 12. Page addresses wrapped after '?', and addresses that are not slugs ------

OLD_ADDRESS = "https://whatworks.college.police.uk/toolkit/Pages/Intervention.aspx"


class PageAddressTests(TestCase):
    def test_address_wrapped_after_question_mark_leaks_nothing(self):
        """'...Intervention.aspx?' then 'InterventionID=8' is one address, not text."""
        parsed = parse_summary(with_footer_address(f"{OLD_ADDRESS}?\nInterventionID=8"))
        dumped = " ".join([parsed.standfirst, *parsed.sections.values()])
        self.assertNotIn("InterventionID", dumped)
        self.assertNotIn(f"{OLD_ADDRESS}?InterventionID=8", parsed.links)
        self.assertNotIn(f"{OLD_ADDRESS}?", parsed.links)
        # The rest of the seed reads as before.
        self.assertEqual(parsed.sections, parse_summary(SEED).sections)

    def test_address_wrapped_inside_the_query(self):
        """A query wrapped after '=' or '&' is joined the same way."""
        for lines in (f"{OLD_ADDRESS}?InterventionID=\n8", f"{OLD_ADDRESS}?a=1&\nInterventionID=8"):
            with self.subTest(lines):
                parsed = parse_summary(with_footer_address(lines))
                self.assertEqual(parsed.sections, parse_summary(SEED).sections)

    def test_address_that_is_not_a_slug_falls_back_to_the_title(self):
        """An address ending 'Intervention.aspx?InterventionID=8' gives no slug: the
        title's slug is used, with a warning saying so."""
        for lines in (f"{OLD_ADDRESS}?InterventionID=8", f"{OLD_ADDRESS}?\nInterventionID=8"):
            with self.subTest(lines):
                parsed = parse_summary(with_footer_address(lines))
                self.assertEqual(parsed.slug, "")
                self.assertEqual(len(parsed.warnings), 1)
                self.assertIn("Intervention.aspx", parsed.warnings[0])
                self.assertIn("title", parsed.warnings[0])
        version = save_as_draft(parsed)
        self.assertEqual(version.intervention.slug, "psychosocial-treatment-for-sex-offenders")


# --- 10. Review facts in other wordings, for one to several reviews -------------------


def export_with(focus: str) -> str:
    """A small export whose focus section reads ``focus``; the other sections say little."""
    lines = ["Street lighting", "Better street lighting to reduce crime at night."]
    for kind, label in SectionKind.choices:
        lines.append(label)
        lines.append(focus if kind == SectionKind.FOCUS else "The evidence says little here.")
    return "\n".join(lines)


def studies(text: str) -> list[tuple[str, int | None]]:
    return [(review.label, review.studies) for review in parse_summary(text).reviews]


class ReviewWordingTests(SimpleTestCase):
    def test_one_systematic_review_covering_n_studies(self):
        """'based on one systematic review covering 13 studies' is one review of 13."""
        text = export_with(
            "This summary is based on one systematic review covering 13 studies. "
            "Five of the studies were randomised controlled trials."
        )
        self.assertEqual(
            parse_summary(text).reviews, [ParsedReview(label="Review one", studies=13, rcts=5)]
        )

    def test_a_meta_analysis_of_n_studies(self):
        """'a meta-analysis of 10 studies' is one review of 10."""
        text = export_with("This summary is based on a meta-analysis of 10 studies.")
        self.assertEqual(studies(text), [("Review one", 10)])

    def test_review_one_covered_review_two_covered(self):
        """'Review one covered 33 studies ... Review two covered 11 studies'."""
        text = export_with(
            "Review one covered 33 studies of street lighting in towns. "
            "Review two covered 11 studies, all of them in the USA."
        )
        self.assertEqual(studies(text), [("Review one", 33), ("Review two", 11)])

    def test_several_reviews_in_one_sentence(self):
        """'Review one was based on 32 studies, Review two ..., Review three ...'."""
        text = export_with(
            "Review one was based on 32 studies, Review two on 20 studies and "
            "Review three on 11 studies."
        )
        self.assertEqual(
            studies(text), [("Review one", 32), ("Review two", 20), ("Review three", 11)]
        )

    def test_several_unlabelled_reviews_are_not_taken_for_one(self):
        """Without labels, 'two systematic reviews' gives no review facts, not wrong ones."""
        text = export_with(
            "This summary is based on two systematic reviews. The review covered 13 studies."
        )
        self.assertEqual(parse_summary(text).reviews, [])

    def test_no_review_mentioned_gives_no_reviews(self):
        """Counts of studies that no review is said to hold stay unattributed."""
        self.assertEqual(parse_summary(export_with("Some 40 studies were RCTs.")).reviews, [])


# --- 13. Random text: ImportFailed or a result, never a traceback, never a hang -------

HEADING_LABELS = [label for _kind, label in SectionKind.choices]
heading = st.sampled_from(HEADING_LABELS).flatmap(
    lambda label: st.sampled_from(
        [label, label.replace("–", "-"), label.replace(" – ", "\n"), label.upper(), f" {label}?"]
    )
)
number = st.one_of(
    st.integers(min_value=-10, max_value=10**40).map(str),
    st.sampled_from(["one", "two", "twenty-one", "ninety-nine", "zero", "two thirds"]),
    st.integers(min_value=1000, max_value=3000).map(str),
)
furniture = st.one_of(
    st.builds(lambda d, m: f"{d}/{m}/2026 Street lighting", st.integers(0, 99), st.integers(0, 99)),
    st.builds(lambda n: f"Page {n}", number),
    st.sampled_from(
        [
            "https://production.copweb.aws.college.police.uk/research/crime-reduction-",
            "toolkit/psychosocial-treatment-sex-offenders",
            "https://www.college.police.uk/research/crime-reduction-toolkit/cbt",
            f"{OLD_ADDRESS}?",
            "InterventionID=8",
            "https://example.org/" + "/" * 40,
            "/" * 60 + "!",
            "https://example.org/a.aspx?x=",
        ]
    ),
    st.builds(
        lambda tail: f"https://example.org/{tail}",
        st.text(alphabet="abc-/?=&.%~_+#é", max_size=40),
    ),
)
fact = st.one_of(
    st.builds(lambda n: f"Review {n}", number),
    st.builds(lambda n, y: f"drew upon {n} studies (published up to {y})", number, number),
    st.builds(
        lambda n, m: f"conflict of interest in {n} of the {m} primary studies", number, number
    ),
    st.builds(lambda n: f"produced {n} tests. Of these, {n} were carried out in Canada", number),
    st.builds(lambda n: f"covered CBT ({n} studies), MST ({n} studies)", number),
    st.builds(lambda n: f"{n} studies were randomised controlled trials (RCTs).", number),
    st.builds(lambda n: f"a meta-analysis of {n} studies", number),
    st.sampled_from(
        [
            "based on one systematic review covering",
            "This summary is part of the Crime Reduction Toolkit.",
            "This summary is part of the",
            "See also",
            "For Review one, these included:",
            "Programme focus:",
            "high-",
            "???",
            "? item",
            "conflict of interest in",
            f"drew upon {'9' * 120} studies",
            f"Review {'9' * 4400}",  # more digits than Python converts by default
        ]
    ),
)
fragment = st.one_of(number, fact, st.text(max_size=30))
line = st.one_of(
    heading,
    furniture,
    fact,
    st.text(max_size=80),
    st.lists(fragment, max_size=6).map(" ".join),
)
# Mostly shaped like an export (lines under headings), so that most examples get past
# the check for headings and reach the paragraphs, facts and validation.
section = st.tuples(heading, st.lists(line, max_size=8)).map(lambda s: [s[0], *s[1]])
export_text = st.tuples(
    st.lists(line, max_size=4), st.lists(section, max_size=10), st.lists(line, max_size=3)
).map(lambda t: "\n".join([*t[0], *(text for lines in t[1] for text in lines), *t[2]]))


class RandomTextTests(HypothesisTestCase):
    """Each example runs in its own transaction, rolled back after it."""

    @settings(
        max_examples=150,
        deadline=None,  # no timings: the hang guard below fails a hang instead
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(title=st.one_of(st.just("Street lighting"), st.text(max_size=40)), body=export_text)
    def test_random_exports_fail_cleanly_or_import(self, title, body):
        """Random headings, furniture, numbers and unicode: parsing and saving either
        succeed or raise ImportFailed with one line."""
        with does_not_hang():
            try:
                parsed = parse_summary(f"{title}\n{body}")
                self.assertTrue(set(parsed.sections) <= set(SectionKind.values))
                self.assertIsInstance(parsed.to_dict(), dict)
                save_as_draft(parsed)
            except ImportFailed as exc:
                self.assertEqual(len(str(exc).splitlines()), 1, str(exc))
