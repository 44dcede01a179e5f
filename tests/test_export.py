"""The static export (summaries/export, ``manage.py export_site``): the demo, a summary
with a superseded version, drafts and a withdrawn summary, exported and read back as a
static host would serve it: every link resolves, nothing unpublished is anywhere in it,
and its search finds the demo."""

import gzip
import json
import posixpath
import re
import shutil
import tempfile
from io import StringIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.management import CommandError, call_command
from django.test import TestCase

from summaries.demo import data
from summaries.editorial.services import draft_start_from, version_withdraw
from summaries.export.html import internal_urls
from summaries.models import Section, SectionKind
from tests.factories import make_draft, make_live, publish

BASE_URL = "https://archive.example.org/toolkit-archive/"
PREFIX = "/toolkit-archive"
# Words that only unpublished content holds: none may appear anywhere in the export.
DRAFT_WORDS = "Quokkadraft"
WITHDRAWN_WORDS = "Wombatwithdrawn"
IDS = re.compile(r"""\sid=["']([^"']+)["']""")


def make_site() -> None:
    """The demo; a summary whose first version was superseded; a draft of that summary
    and of a summary never published; a withdrawn summary."""
    call_command("load_demo", no_accounts=True, stdout=StringIO())
    first = make_live(
        "street-lighting",
        title="Street lighting",
        sections={SectionKind.FOCUS: "<p>Brighter streets at night, first reading.</p>"},
    )
    current = publish(draft_start_from(version=first, change_note="Re-read the review."))
    Section.objects.filter(version=current).update(
        body="<p>Brighter streets at night, second reading.</p>"
    )
    draft = draft_start_from(version=current, change_note=f"{DRAFT_WORDS} change note")
    draft.title = f"Street lighting {DRAFT_WORDS}"
    draft.standfirst = f"A {DRAFT_WORDS} standfirst."
    draft.save()
    Section.objects.filter(version=draft).update(body=f"<p>{DRAFT_WORDS} section.</p>")
    make_draft(
        "never-published",
        title=f"{DRAFT_WORDS} summary",
        sections={SectionKind.FOCUS: f"<p>{DRAFT_WORDS} body.</p>"},
    )
    gone = make_live("withdrawn-summary", title=f"{WITHDRAWN_WORDS} summary")
    version_withdraw(version=gone, reason="Superseded by newer research.")


def export(directory: Path, base_url: str = BASE_URL, **options) -> str:
    out = StringIO()
    call_command("export_site", str(directory), base_url=base_url, stdout=out, **options)
    return out.getvalue()


def file_for(root: Path, path: str) -> Path:
    """The file a static host serves for ``path`` (below the export's root)."""
    target = root / unquote(path).lstrip("/")
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def broken_links(root: Path, base_url: str = BASE_URL) -> list[str]:
    """Every link, asset, form action and #fragment in the export's HTML that a static
    host would not find, as "page: URL" lines."""
    base = urlsplit(base_url)
    prefix = base.path.rstrip("/")
    ids: dict[Path, set[str]] = {}

    def ids_of(page: Path) -> set[str]:
        if page not in ids:
            ids[page] = set(IDS.findall(page.read_text()))
        return ids[page]

    problems = []
    for page in sorted(root.rglob("*.html")):
        here = page.relative_to(root).as_posix()
        for _tag, url in internal_urls(page.read_text()):
            parts = urlsplit(url)
            if parts.scheme in {"mailto", "data"}:
                continue
            if parts.scheme or parts.netloc:
                if parts.netloc != base.netloc or not parts.path.startswith(base.path):
                    continue  # another site
                target = file_for(root, parts.path[len(base.path) :])
            elif not parts.path:
                target = page  # "#fragment" or "?query" on this page
            elif parts.path.startswith("/"):
                if not parts.path.startswith(prefix + "/"):
                    problems.append(f"{here}: {url} is outside the export's base path")
                    continue
                target = file_for(root, parts.path[len(prefix) :])
            else:
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(here), parts.path))
                if joined.startswith(".."):
                    problems.append(f"{here}: {url} leaves the export")
                    continue
                target = file_for(root, joined + ("/" if parts.path.endswith("/") else ""))
            if not target.is_file():
                problems.append(f"{here}: {url} (no {target.relative_to(root)})")
            elif parts.fragment and target.suffix == ".html":
                if parts.fragment not in ids_of(target):
                    problems.append(f"{here}: {url} (no id {parts.fragment})")
    return problems


def every_text(root: Path):
    """Each file's text, Pagefind's compressed index files decompressed."""
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        if content[:2] == b"\x1f\x8b":
            content = gzip.decompress(content)
        yield path, content.decode("utf-8", errors="replace")


class ExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workspace = Path(tempfile.mkdtemp())
        cls.root = cls.workspace / "site"
        cls.output = export(cls.root)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workspace, ignore_errors=True)
        super().tearDownClass()

    def test_pages_of_the_whole_public_site_are_exported(self):
        """Home, lists, map, overview, pipeline, numbers, scales, statement, feed, sitemap,
        robots, downloads, each live summary, its data, every published version and its
        citations, 404."""
        expected = [
            "index.html",
            "404.html",
            "search/index.html",
            "accessibility/index.html",
            "robots.txt",
            "sitemap.xml",
            "toolkit/index.html",
            "toolkit/feed/index.xml",
            "toolkit/data.json",
            "toolkit/data.csv",
            "toolkit/map/index.html",
            "toolkit/map.csv",
            "toolkit/map.json",
            "toolkit/overview/index.html",
            "toolkit/pipeline/index.html",
            "toolkit/pipeline.csv",
            "toolkit/numbers/index.html",
            "toolkit/scales/effect/index.html",
            f"toolkit/{data.SLUG}/index.html",
            f"toolkit/{data.SLUG}/data.json",
            f"toolkit/{data.SLUG}/v/1/index.html",
            "toolkit/street-lighting/index.html",
            "toolkit/street-lighting/v/1/index.html",
            "toolkit/street-lighting/v/2/index.html",
            "toolkit/street-lighting/v/2/cite.bib",
            "toolkit/street-lighting/v/2/cite.ris",
            "toolkit/street-lighting/v/2/cite.json",
            "toolkit/index.problem-sexual-offences.html",
        ]
        missing = [name for name in expected if not (self.root / name).is_file()]
        self.assertEqual(missing, [])
        self.assertTrue(list((self.root / "static/css").glob("site.*.css")))
        self.assertIn("Exported 2 summaries, 3 versions", self.output)

    def test_every_internal_link_resolves_to_an_exported_file(self):
        """Links, stylesheets, scripts, form actions and fragments all land on a file."""
        self.assertEqual(broken_links(self.root), [])

    def test_no_draft_or_withdrawn_text_anywhere(self):
        """No file (search index included) holds a draft's or a withdrawn summary's text."""
        leaks = [
            str(path.relative_to(self.root))
            for path, text in every_text(self.root)
            if DRAFT_WORDS in text or WITHDRAWN_WORDS in text
        ]
        self.assertEqual(leaks, [])
        self.assertFalse((self.root / "toolkit/street-lighting/v/3").exists())
        self.assertFalse((self.root / "toolkit/never-published").exists())
        self.assertFalse((self.root / "toolkit/withdrawn-summary").exists())

    def test_superseded_version_is_the_text_as_published(self):
        """A superseded version's page shows its own text, and links the current one."""
        page = (self.root / "toolkit/street-lighting/v/1/index.html").read_text()
        self.assertIn("first reading", page)
        self.assertIn('href="../../index.html"', page)

    def test_no_form_posts_and_searches_go_to_the_search_page(self):
        """Following by email is replaced by a note; every search form opens /search/."""
        page = (self.root / f"toolkit/{data.SLUG}/index.html").read_text()
        self.assertNotIn('method="post"', page)
        self.assertIn("“Follow this summary” is not available in this copy", page)
        self.assertIn('action="../../search/index.html"', page)
        listing = (self.root / "toolkit/index.html").read_text()
        self.assertIn('action="../search/index.html"', listing)
        self.assertNotIn('name="s"', listing)  # the comparison's checkboxes
        for path in self.root.rglob("*.html"):
            self.assertNotIn('method="post"', path.read_text(), path)

    def test_pipeline_filters_are_a_note_not_the_toolkit_search(self):
        """The pipeline's filter form (stages, words) is replaced by a note: the export's
        search page searches summaries, and could not answer it. Its CSV is there."""
        page = (self.root / "toolkit/pipeline/index.html").read_text()
        self.assertIn("“Filter the list” is not available in this copy", page)
        self.assertNotIn('name="stage"', page)
        self.assertEqual(page.count('action="../../search/index.html"'), 1)  # the header's
        self.assertIn('href="../pipeline.csv"', page)
        self.assertTrue(
            (self.root / "toolkit/pipeline.csv").read_text().startswith("id,title,description")
        )
        numbers = (self.root / "toolkit/numbers/index.html").read_text()
        self.assertIn("By the numbers", numbers)

    def test_absolute_addresses_name_the_base_url(self):
        """The feed, sitemap, citations and canonical links name where the export lives."""
        summary = f"{BASE_URL}toolkit/{data.SLUG}/"
        self.assertIn(f"<loc>{summary}</loc>", (self.root / "sitemap.xml").read_text())
        feed = (self.root / "toolkit/feed/index.xml").read_text()
        self.assertIn(summary, feed)
        self.assertIn(f'href="{BASE_URL}toolkit/feed/index.xml"', feed)
        self.assertIn(
            f'<link rel="canonical" href="{summary}">',
            (self.root / f"toolkit/{data.SLUG}/index.html").read_text(),
        )
        citation = json.loads((self.root / f"toolkit/{data.SLUG}/v/1/cite.json").read_text())
        self.assertIn(f"{summary}v/1/", json.dumps(citation))
        self.assertIn(f"Sitemap: {BASE_URL}sitemap.xml", (self.root / "robots.txt").read_text())

    def test_404_page_links_from_the_base_path(self):
        """The 404 page, served at any depth, links from the base URL's path."""
        page = (self.root / "404.html").read_text()
        self.assertIn(f'href="{PREFIX}/toolkit/index.html"', page)
        self.assertRegex(page, rf'href="{PREFIX}/static/css/site\.[0-9a-f]+\.css"')

    def test_search_index_holds_the_live_summaries(self):
        """Pagefind's index is written, with the two live summaries' pages in it."""
        self.assertTrue((self.root / "pagefind/pagefind.js").is_file())
        fragments = [
            json.loads(text.removeprefix("pagefind_dcd"))
            for path, text in every_text(self.root / "pagefind")
            if path.suffix == ".pf_fragment"
        ]
        self.assertEqual(
            sorted(fragment["url"] for fragment in fragments),
            [f"/toolkit/{data.SLUG}/index.html", "/toolkit/street-lighting/index.html"],
        )


class ExportCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_live("street-lighting", title="Street lighting")

    def setUp(self):
        self.workspace = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.workspace, ignore_errors=True)

    def test_refuses_a_directory_that_is_not_empty(self):
        """An export never writes over files unless told to, and then keeps dotfiles."""
        target = self.workspace / "site"
        target.mkdir()
        (target / "notes.txt").write_text("mine")
        (target / ".git").mkdir()
        with self.assertRaisesMessage(CommandError, "is not empty"):
            export(target, no_search=True)
        self.assertTrue((target / "notes.txt").exists())
        export(target, force=True, no_search=True)
        self.assertFalse((target / "notes.txt").exists())
        self.assertTrue((target / ".git").is_dir())
        self.assertTrue((target / "toolkit/street-lighting/index.html").is_file())

    def test_refuses_a_file_and_a_bad_base_url(self):
        """A file in the way, or a base URL that is not http(s), is a one-line error."""
        in_the_way = self.workspace / "file"
        in_the_way.write_text("")
        with self.assertRaisesMessage(CommandError, "is not a directory"):
            export(in_the_way)
        with self.assertRaisesMessage(CommandError, "must be an http or https address"):
            export(self.workspace / "site", base_url="ftp://example.org/")
        self.assertFalse((self.workspace / "site").exists())

    def test_export_at_a_host_root(self):
        """Without a sub-path the links are still relative and all resolve."""
        root = self.workspace / "site"
        export(root, base_url="http://toolkit.example/", no_search=True)
        self.assertEqual(broken_links(root, "http://toolkit.example/"), [])
        self.assertFalse((root / "pagefind").exists())
