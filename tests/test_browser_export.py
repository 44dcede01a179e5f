"""The static export in a browser: served by a plain static file server under a sub-path,
its search page finds the demo through Pagefind, and its pages meet WCAG 2.2 AA (axe-core).

Chromium is Debian's, driven by Playwright (the ``browser`` fixture in ``conftest.py``).
All database work, the export included, happens in ``browser_data``, before the browser
starts.
"""

import functools
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command

from summaries.demo import data
from tests.test_accessibility import assert_no_violations, axe_violations
from tests.test_export import make_site

AXE_PAGES = [
    "search/index.html?q=reoffending",
    "index.html",
    "toolkit/index.html",
    f"toolkit/{data.SLUG}/index.html",
    "toolkit/street-lighting/v/1/index.html",
    "toolkit/map/index.html",
    "404.html",
]

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def browser_data(live_server):
    """The export, written under archive/ of a folder a static file server serves."""
    make_site()
    served = Path(tempfile.mkdtemp())
    handler = functools.partial(QuietHandler, directory=str(served))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_port}/archive/"
    call_command("export_site", str(served / "archive"), base_url=base, verbosity=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    shutil.rmtree(served, ignore_errors=True)


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def test_search_page_finds_the_demo(page, browser_data):
    """Searching from a summary page's header opens the export's search page, which lists
    the demo and links to its exported page."""
    page.goto(browser_data + "toolkit/street-lighting/index.html")
    page.fill("#header-search", "sex offenders reoffending")
    page.press("#header-search", "Enter")
    status = page.locator("#archive-search-status")
    status.filter(has_text="found for").wait_for()
    assert status.inner_text().startswith("1 summary found for ‘sex offenders reoffending’")
    link = page.locator("#archive-search-results a").first
    assert "Psychosocial treatment" in link.inner_text()
    link.click()
    page.wait_for_url(f"**/toolkit/{data.SLUG}/index.html")
    assert "Psychosocial treatment" in page.locator("h1").inner_text()


def test_search_page_says_when_nothing_is_found(page, browser_data):
    """A search with no match says so in the status line, which screen readers announce;
    and axe-core finds no WCAG 2.2 A/AA or best-practice violation on the exported pages,
    the search page with its results included. (One test: each export takes seconds.)"""
    page.goto(browser_data + "search/index.html?q=zebracrossingxyz")
    status = page.locator("#archive-search-status")
    status.filter(has_text="found for").wait_for()
    assert status.inner_text() == "0 summaries found for ‘zebracrossingxyz’."
    assert page.locator("#archive-search-results li").count() == 0

    found = {}
    for path in AXE_PAGES:
        page.goto(browser_data + path)
        if path.startswith("search/"):
            page.locator("#archive-search-status").filter(has_text="found for").wait_for()
        found[path] = axe_violations(page)
    assert_no_violations(found)
