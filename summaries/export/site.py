"""The whole public site as static files: every page requested through Django's own
URLconf, views and templates (the test client, with DEBUG off), so the export is what the
live site serves, whatever renders its pages; then rewritten to work from a static host.

``export_site`` runs in four steps:

1. **Pages.** It requests the pages it knows of from the database (home, the list, the
   map, the overview, the scales, the accessibility statement, the feed, the sitemap,
   robots.txt, the downloads, every live summary with its data, every published version of
   it, live or superseded, with its citations), then every page those pages link to that
   a static host can serve (``addresses.py``): the list's and the map's pages, sorts and
   filters. What a link names and the export cannot hold (a search, the comparison, the
   API) is left out, and its links unwrapped (``html.py``).
2. **Links.** Each HTML page is rewritten so its links are relative (``html.py``).
3. **Static files.** Only those the pages use, with the hashed names the live site uses
   (collected afresh into a temporary folder).
4. **Search.** A search page (``templates/export/search.html``) and a Pagefind index of
   the live summaries' pages, searched in the reader's browser.

Nothing is written to the target until the export is complete: it is built beside it and
moved in at the end, so a failed export leaves the target as it was.
"""

import logging
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings
from django.urls import get_script_prefix, resolve, reverse, set_script_prefix

from summaries.models import Intervention, Scale, State, SummaryVersion
from summaries.models.snapshot import one_snapshot

from .addresses import Address, exportable
from .html import PageContext, PageRewriter

SEARCH_FILE = "search/index.html"
NOT_FOUND_FILE = "404.html"
# An address no view answers, for the 404 page as the site renders it.
NOT_FOUND_PATH = "/404.html"
PAGEFIND_FOLDER = "pagefind"
CITATION_FORMATS = ("bib", "ris", "json")
LINK_HREF = re.compile(
    r"""<(?:a|link)\s[^>]*?\bhref\s*=\s*(?P<quote>["']?)(?P<url>[^"'\s>]*)(?P=quote)""",
    re.IGNORECASE,
)
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


class ExportError(Exception):
    """The export cannot be completed; the message says why, in a reader's words."""


@dataclass
class ExportResult:
    directory: Path
    pages: int = 0
    summaries: int = 0
    versions: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    left_out: dict[str, int] = field(default_factory=dict)  # address -> status


@dataclass(frozen=True)
class BaseURL:
    """Where the export will be served: absolute links (feed, sitemap, citations,
    canonical addresses) name it."""

    scheme: str
    host: str  # with the port, if any
    prefix: str  # the path without its trailing "/": "" or "/archive"

    @classmethod
    def parse(cls, value: str) -> "BaseURL":
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ExportError(
                f"The base URL must be an http or https address, like "
                f"https://toolkit.example/ (got {value!r})."
            )
        if parts.query or parts.fragment:
            raise ExportError(f"The base URL cannot have a query or a fragment (got {value!r}).")
        return cls(parts.scheme, parts.netloc, parts.path.rstrip("/"))

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}"

    def absolute(self, address: Address | str) -> str:
        return f"{self.origin}{self.prefix}{address}"


def _seeds() -> list[Address]:
    """Every page the export must hold, from the database: each answers 200, or the export
    fails (a page the site links to but cannot serve is left out with a warning instead)."""
    fixed = [
        reverse("home"),
        reverse("summaries:list"),
        reverse("summaries:map"),
        reverse("summaries:overview"),
        reverse("accessibility"),
        reverse("summaries:feed"),
        reverse("sitemap"),
        reverse("robots_txt"),
        reverse("summaries:data_json"),
        reverse("summaries:data_csv"),
        reverse("summaries:map_csv"),
        reverse("summaries:map_json"),
    ]
    fixed += [
        reverse("summaries:scale", args=[dimension])
        for dimension in Scale.objects.order_by("dimension").values_list("dimension", flat=True)
    ]
    summaries = []
    for slug in Intervention.objects.live().order_by("slug").values_list("slug", flat=True):
        summaries += [
            reverse("summaries:detail", args=[slug]),
            reverse("summaries:detail_data", args=[slug]),
        ]
    # Every version the public has seen of a summary that is live now: the live one and
    # the ones it superseded. (A withdrawn summary's versions answer 410 on the live site.)
    versions = (
        SummaryVersion.objects.filter(
            state__in=[State.PUBLISHED, State.SUPERSEDED],
            intervention__in=Intervention.objects.live(),
        )
        .order_by("intervention__slug", "number")
        .values_list("intervention__slug", "number")
    )
    for slug, number in versions:
        summaries.append(reverse("summaries:version", args=[slug, number]))
        summaries += [
            reverse("summaries:version_citation", args=[slug, number, fmt])
            for fmt in CITATION_FORMATS
        ]
    return [Address(path) for path in fixed + summaries]


class _Exporter:
    def __init__(self, base: BaseURL, build: Path, progress: Callable[[str], None]):
        self.base = base
        self.build = build
        self.progress = progress
        self.collected = build.parent / (build.name + "-static")
        self.files: dict[Address, str] = {}
        self.content_types: dict[str, str] = {}
        self.left_out: dict[Address, int] = {}
        self.static_used: set[str] = set()
        secure = base.scheme == "https"
        self.client = Client(HTTP_HOST=base.host, SCRIPT_NAME=base.prefix)
        self.factory = RequestFactory(HTTP_HOST=base.host, SCRIPT_NAME=base.prefix)
        self.secure = secure
        self.list_path = reverse("summaries:list")

    # -- requests ------------------------------------------------------------------------

    def crawl(self, seeds: list[Address]) -> None:
        required = set(seeds)
        queue = deque(seeds)
        seen = set(seeds)
        started = time.monotonic()
        while queue:
            address = queue.popleft()
            response = self.client.get(address.path, dict(address.query), secure=self.secure)
            if response.status_code != 200:
                if address in required:
                    raise ExportError(
                        f"{address} answered {response.status_code} instead of a page: "
                        "the export needs every public page (is the site in maintenance "
                        "mode, or a summary half-published?)."
                    )
                self.left_out[address] = response.status_code
                continue
            content_type = response.get("Content-Type", "text/html")
            file = address.file(content_type)
            if file in self.content_types:
                raise ExportError(f"Two pages would be written to {file}: {address}.")
            body = response.getvalue()  # a streamed download's content too
            self._write(file, body)
            self.files[address] = file
            self.content_types[file] = content_type
            if content_type.startswith("text/html"):
                for linked in self._linked(body.decode(), address):
                    if linked not in seen:
                        seen.add(linked)
                        queue.append(linked)
            if len(self.files) % 100 == 0:
                self.progress(
                    f"  {len(self.files)} pages and files written, {len(queue)} to go "
                    f"({time.monotonic() - started:.0f} s)"
                )

    def _linked(self, text: str, address: Address) -> list[Address]:
        """The exportable addresses the page's links and <link>s name. A pattern, not the
        parser (twice as fast over thousands of pages): it may find a candidate too many,
        which is then requested and left out if it is no page, never one too few."""
        page_url = self.base.absolute(address)
        found = []
        for match in LINK_HREF.finditer(text):
            value = unescape(match.group("url")).strip()
            given = urlsplit(value)
            if given.scheme or given.netloc or not given.path and not given.query:
                continue
            parts = urlsplit(urljoin(page_url, value))
            if not parts.path.startswith(self.base.prefix + "/"):
                continue
            linked = exportable(parts.path[len(self.base.prefix) :], parts.query)
            if linked is not None:
                found.append(linked)
        return found

    # -- files ---------------------------------------------------------------------------

    def _write(self, file: str, body: bytes) -> None:
        path = self.build / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    def locate(self, path: str, query: str) -> str | None:
        static_root = "/" + settings.STATIC_URL[len(self.base.prefix) :].lstrip("/")
        if path.startswith(static_root) and not query:
            relative = path[len(static_root) :]
            if (self.collected / relative).is_file():
                self.static_used.add(relative)
                return "static/" + relative
            return None
        address = exportable(path, query)
        return self.files.get(address) if address is not None else None

    def rewrite_page(self, text: str, address: Address | str, page_file: str | None) -> str:
        context = PageContext(
            origin=self.base.origin,
            prefix=self.base.prefix,
            page_url=self.base.absolute(address),
            page_file=page_file,
            locate=self.locate,
            search_file=SEARCH_FILE,
        )
        return PageRewriter(text, context).rewrite()

    def rewrite_all(self) -> None:
        for address, file in self.files.items():
            content_type = self.content_types[file]
            path = self.build / file
            if content_type.startswith("text/html"):
                text = path.read_text()
                path.write_text(self.rewrite_page(text, address, file))
            elif "xml" in content_type:
                path.write_text(self._absolute_files(path.read_text()))

    def _absolute_files(self, text: str) -> str:
        """Absolute addresses of pages that are not HTML at a directory address (the
        feed's own address, in the feed) name their file: a static host serves only
        index.html for a directory."""
        for address, file in self.files.items():
            if address.is_directory and not file.endswith(".html"):
                text = text.replace(
                    f'"{self.base.absolute(address)}"',
                    f'"{self.base.origin}{self.base.prefix}/{file}"',
                )
        return text

    def search_page(self) -> None:
        request = self.factory.get("/search/", secure=self.secure)
        # The search page belongs to the toolkit, as the list does: the header marks it so
        # and leaves its own search form out, as on the list.
        request.resolver_match = resolve(self.list_path)
        text = render_to_string("export/search.html", {}, request=request)
        self._write(SEARCH_FILE, self.rewrite_page(text, "/search/", SEARCH_FILE).encode())

    def not_found_page(self) -> None:
        response = self.client.get(NOT_FOUND_PATH, secure=self.secure)
        if response.status_code != 404:
            raise ExportError(f"{NOT_FOUND_PATH} answered {response.status_code}, not 404.")
        # Written with links from the site's root: a host serves it at any depth.
        text = self.rewrite_page(response.content.decode(), NOT_FOUND_PATH, None)
        self._write(NOT_FOUND_FILE, text.encode())

    def copy_static(self) -> int:
        pending = sorted(self.static_used)
        copied = set()
        while pending:
            relative = pending.pop()
            if relative in copied:
                continue
            source = self.collected / relative
            target = self.build / "static" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied.add(relative)
            if relative.endswith(".css"):
                for _quote, url in CSS_URL.findall(source.read_text()):
                    if url.startswith(("data:", "#")) or urlsplit(url).scheme:
                        continue
                    dependency = urljoin(relative, urlsplit(url).path)
                    if (self.collected / dependency).is_file():
                        pending.append(dependency)
        return len(copied)


def export_site(
    directory: Path,
    *,
    base_url: str,
    force: bool = False,
    search: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> ExportResult:
    """Write the public site into ``directory`` as static files; see the module's
    docstring. Raises ExportError with a reader's explanation when it cannot."""
    started = time.monotonic()
    base = BaseURL.parse(base_url)
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} exists and is not a directory.")
    if directory.is_dir() and _visible_entries(directory) and not force:
        raise ExportError(
            f"{directory} is not empty. Choose an empty or new directory, or use --force to "
            "replace what it holds (files whose names start with a dot, such as .git, are kept)."
        )
    parent = directory.resolve().parent
    if not parent.is_dir():
        raise ExportError(f"{parent} does not exist.")
    build = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=parent))
    result = ExportResult(directory=directory)
    try:
        exporter = _Exporter(base, build, progress)
        _build(exporter, search=search, result=result)
        _move_into(build, directory)
    finally:
        shutil.rmtree(build, ignore_errors=True)
        shutil.rmtree(build.parent / (build.name + "-static"), ignore_errors=True)
    for path in directory.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            result.files += 1
            result.bytes += path.stat().st_size
    result.seconds = time.monotonic() - started
    return result


def _build(exporter: _Exporter, *, search: bool, result: ExportResult) -> None:
    base, progress = exporter.base, exporter.progress
    overrides = override_settings(
        # Pages as the public gets them: error pages, not debugging ones.
        DEBUG=False,
        ALLOWED_HOSTS=[urlsplit(base.origin).hostname],
        SECURE_SSL_REDIRECT=False,
        MAINTENANCE_MODE=False,
        # Every page rendered afresh for this address, never a copy cached for the live one.
        CACHES={
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        },
        STATIC_ROOT=str(exporter.collected),
        STATIC_URL=f"{base.prefix}/static/",
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            },
        },
    )
    previous_prefix = get_script_prefix()
    with overrides:
        progress("Collecting static files")
        call_command("collectstatic", interactive=False, verbosity=0)
        # The views' reverse() then names addresses under the base URL's path.
        with one_snapshot(), _quiet_request_log():
            seeds = _seeds()
            set_script_prefix(f"{base.prefix}/")
            try:
                progress(f"Requesting {len(seeds)} pages and files, and the pages they link to")
                exporter.crawl(seeds)
                exporter.not_found_page()
                exporter.search_page()
                progress(f"Rewriting the links of {len(exporter.files)} pages for a static host")
                exporter.rewrite_all()
            finally:
                set_script_prefix(previous_prefix)
    copied = exporter.copy_static()
    progress(f"Copied {copied} static files")
    (exporter.build / ".nojekyll").write_text("")  # GitHub Pages: serve files as they are
    summary_files = [
        file
        for address, file in exporter.files.items()
        if resolve(address.path).view_name == "summaries:detail"
    ]
    if search:
        progress(f"Indexing {len(summary_files)} summaries for search (Pagefind)")
        from .search_index import build_search_index

        build_search_index(exporter.build, summary_files)
    result.pages = sum(1 for file in exporter.files.values() if file.endswith(".html"))
    result.summaries = len(summary_files)
    result.versions = sum(
        1 for address in exporter.files if resolve(address.path).view_name == "summaries:version"
    )
    result.left_out = {str(address): status for address, status in exporter.left_out.items()}


@contextmanager
def _quiet_request_log():
    """Pages the export leaves out (and its own 404 page) are reported once at the end,
    not as a warning each in the site's log."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _visible_entries(directory: Path) -> list[Path]:
    return [path for path in directory.iterdir() if not path.name.startswith(".")]


def _move_into(build: Path, directory: Path) -> None:
    """Replace the directory's visible contents with the build's."""
    directory.mkdir(exist_ok=True)
    for path in _visible_entries(directory):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    for path in build.iterdir():
        target = directory / path.name
        if path.name.startswith(".") and target.exists():
            continue  # the directory's own dotfiles (.git) stay
        shutil.move(str(path), str(target))
