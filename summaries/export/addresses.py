"""Where each exported page lives on a static host: one address of the live site (a path
and a query string) maps to one file of the export.

- A page at a directory address (``/toolkit/``) becomes ``toolkit/index.html``, which
  static hosts serve for ``/toolkit/`` as well.
- A page whose address has a query string gets a file of its own beside it, named by its
  parameters in a fixed order: ``/toolkit/?problem=burglary&page=2`` becomes
  ``toolkit/index.page-2.problem-burglary.html``. Slugs and parameter names hold no dots,
  so no such name can be a summary's directory, or another page's file.
- Anything else that is not HTML at a directory address (the Atom feed) gets
  ``index.<extension>`` from its content type, since a static host picks the type from
  the file's name.
- Files (``data.json``, ``cite.bib``, ``sitemap.xml``) keep their names.

Only the views named in ``EXPORTED_VIEWS`` are exported, and only the list and the map
take a query string (their filters, sort, grouping and page): a static host cannot run a
search, a comparison or a form, and never sees the admin, the API or the follow pages.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.urls import Resolver404, resolve

EXPORTED_VIEWS = frozenset(
    {
        "home",
        "accessibility",
        "sitemap",
        "robots_txt",
        "summaries:list",
        "summaries:scale",
        "summaries:feed",
        "summaries:data_json",
        "summaries:data_csv",
        "summaries:map",
        "summaries:map_csv",
        "summaries:map_json",
        "summaries:overview",
        "summaries:pipeline",
        "summaries:pipeline_csv",
        "summaries:numbers",
        "summaries:detail",
        "summaries:detail_data",
        "summaries:version",
        "summaries:version_citation",
    }
)

# Views whose query strings have static equivalents: each parameter single-valued. The
# free-text query `q` has none (the export's own search page answers it); `format` is a
# download the map also offers at its own address.
QUERY_VIEWS = frozenset({"summaries:list", "summaries:map"})
NEVER_STATIC_PARAMETERS = frozenset({"q", "format"})

# What may appear in a file name: a parameter's name never holds the "-" that follows it.
KEY = re.compile(r"[a-z_]+")
VALUE = re.compile(r"[A-Za-z0-9_-]+")

EXTENSIONS = {
    "application/atom+xml": "xml",
    "application/rss+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/json": "json",
    "text/csv": "csv",
    "text/plain": "txt",
}


@dataclass(frozen=True, order=True)
class Address:
    """An address of the live site below the base URL: a path starting with "/", and its
    query parameters, sorted, without the ones that change nothing (``page=1``)."""

    path: str
    query: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.path + (f"?{urlencode(self.query)}" if self.query else "")

    @property
    def is_directory(self) -> bool:
        return self.path.endswith("/")

    def file(self, content_type: str = "text/html") -> str:
        """The export's file for this address, relative to the export's root."""
        directory = self.path.lstrip("/")
        if not self.is_directory:
            return directory
        mime = content_type.split(";")[0].strip().lower()
        extension = "html" if mime == "text/html" else EXTENSIONS.get(mime, "bin")
        name = ".".join(["index", *(f"{key}-{value}" for key, value in self.query), extension])
        return directory + name


def exportable(path: str, query: str = "") -> Address | None:
    """The address of ``path`` (below the base URL) and ``query`` if the export holds such
    a page, else None: a view the export leaves out, a query string with no static
    equivalent, or a path no view answers."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name not in EXPORTED_VIEWS:
        return None
    pairs = [(key, value) for key, value in parse_qsl(query, keep_blank_values=True) if value]
    if not pairs:
        return Address(path)
    if match.view_name not in QUERY_VIEWS:
        return None
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys) or NEVER_STATIC_PARAMETERS & set(keys):
        return None
    if not all(KEY.fullmatch(key) and VALUE.fullmatch(value) for key, value in pairs):
        return None
    pairs = [(key, value) for key, value in pairs if (key, value) != ("page", "1")]
    return Address(path, tuple(sorted(pairs)))
