"""Rewrite one exported HTML page so that it works from a static host.

The page is the live site's own markup, as Django rendered it; only what a static host
cannot serve changes, and nothing else is touched (no re-serialising: edits are spliced
into the original text):

- **Links** to exported pages and static files become relative (``../index.html``), so
  the export works at any address, under a sub-path and from disk. Links with an explicit
  host (the canonical address, Open Graph) are left alone: they name the site's address.
- A **link to a page the export cannot hold** (the comparison, the API, a search, a
  combination of filters) is unwrapped: its text stays, the link goes; a paragraph or list
  item that held only that link goes with it.
- **Forms that post** (following by email) cannot work without a server: the section that
  holds one is replaced by a note saying so (``templates/export/unavailable.html``).
- **The search form** (a GET form marked ``role="search"`` with a visible ``q`` field)
  goes to the export's search page instead, without the list's hidden filters, which that
  page cannot apply. A page's own filter form with words to look for (the pipeline's) is
  not the toolkit's search: the export's search page could not answer it.
- **Other GET forms** to pages the export cannot hold (the list's filters, the
  comparison's checkboxes): a form that wraps content (cards with links) keeps it and
  loses its controls, together with the paragraph holding each control and the labels
  naming them; a form of controls only is replaced by the note.
- A ``#fragment`` link whose target went with a removed part is unwrapped the same way.
"""

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.template.loader import render_to_string
from django.utils.html import strip_tags

VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
URL_ATTRIBUTES = {
    "a": "href",
    "area": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "source": "src",
    "iframe": "src",
    "audio": "src",
    "video": "src",
    "form": "action",
}
CONTROLS = frozenset({"input", "select", "textarea", "button"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    start: int  # the "<" of the start tag
    open_end: int  # just after the start tag's ">"
    parent: "Element | None"
    close_start: int | None = None  # the "<" of the end tag
    end: int | None = None  # just after the end tag's ">"
    children: list["Element"] = field(default_factory=list)

    @property
    def outer_end(self) -> int:
        return self.end if self.end is not None else self.open_end

    def descendants(self):
        for child in self.children:
            yield child
            yield from child.descendants()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Tree(HTMLParser):
    """The page's elements with their offsets in the text (the standard library's
    tolerant parser: end tags close the nearest open element of their name)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.root = Element("#document", {}, 0, 0, None)
        self.open: list[Element] = [self.root]
        self.elements: list[Element] = []
        self.feed(text)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        raw = self.get_starttag_text() or ""
        element = Element(
            tag, {name: value or "" for name, value in attrs}, start, start + len(raw), None
        )
        element.parent = self.open[-1]
        element.parent.children.append(element)
        self.elements.append(element)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.open.pop()

    def handle_endtag(self, tag):
        start = self._offset()
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                element = self.open[depth]
                element.close_start = start
                element.end = self.text.index(">", start) + 1
                del self.open[depth:]
                return


@dataclass(frozen=True)
class Target:
    """What a URL in the page names: ``file`` is the export's file (relative to its root)
    or None when the export does not hold it; ``fragment`` is kept."""

    file: str | None
    fragment: str = ""


@dataclass
class PageContext:
    """What the rewriter needs to know about the site and the page.

    ``locate(path, query)`` returns the export's file for an internal address below the
    base URL (a path starting with "/"), or None when the export does not hold it.
    ``page_file`` is the page's own file, for relative links; None writes links from the
    export's root (the 404 page, which a host serves at any depth).
    """

    origin: str  # scheme://host[:port]
    prefix: str  # the base URL's path without its trailing "/" ("" at a host's root)
    page_url: str  # the page's address, absolute
    page_file: str | None
    locate: Callable[[str, str], str | None]
    search_file: str


class PageRewriter:
    def __init__(self, text: str, context: PageContext):
        self.text = text
        self.context = context
        self.tree = _Tree(text)
        self.edits: list[tuple[int, int, str]] = []
        self.removed: list[tuple[int, int]] = []

    # -- the edits ---------------------------------------------------------------------

    def _replace(self, start: int, end: int, new: str) -> None:
        self.edits.append((start, end, new))

    def _remove(self, element: Element) -> None:
        self.edits.append((element.start, element.outer_end, ""))
        self.removed.append((element.start, element.outer_end))

    def _unwrap(self, element: Element) -> None:
        """Drop the element's tags and keep its content; or drop the paragraph or list
        item it was the whole of."""
        parent = element.parent
        if (
            parent is not None
            and parent.tag in {"p", "li"}
            and parent.close_start is not None
            and self.text[parent.open_end : parent.close_start].strip()
            == self.text[element.start : element.outer_end]
        ):
            self._remove(parent)
            return
        self._replace(element.start, element.open_end, "")
        if element.close_start is not None and element.end is not None:
            self._replace(element.close_start, element.end, "")

    def _set_attribute(self, element: Element, name: str, value: str) -> None:
        raw = self.text[element.start : element.open_end]
        pattern = re.compile(
            r"(\s" + re.escape(name) + r"\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s\"'>=`]+)",
            re.IGNORECASE,
        )
        match = pattern.search(raw)
        if match is None:
            raise ValueError(f"<{element.tag}> has no {name} to rewrite")
        start = element.start + match.start(2)
        self._replace(start, element.start + match.end(2), '"' + escape(value) + '"')

    def _inside_removed(self, element: Element) -> bool:
        return any(start <= element.start < end for start, end in self.removed)

    # -- addresses ---------------------------------------------------------------------

    def target(self, value: str) -> Target | None:
        """What ``value`` names inside the site, or None for a URL outside it (another
        site, mailto:, a fragment of this page) or one with an explicit host."""
        value = value.strip()
        if not value or value.startswith("#"):
            return None
        given = urlsplit(value)
        if given.scheme or given.netloc:
            return None
        parts = urlsplit(urljoin(self.context.page_url, value))
        root = self.context.prefix + "/"
        if not parts.path.startswith(root):
            return None
        path = parts.path[len(self.context.prefix) :]
        return Target(self.context.locate(path, parts.query), parts.fragment)

    def href(self, file: str, fragment: str = "") -> str:
        if self.context.page_file is None:
            url = f"{self.context.prefix}/{file}"
        else:
            url = posixpath.relpath(file, posixpath.dirname(self.context.page_file) or ".")
        return url + (f"#{fragment}" if fragment else "")

    # -- the rules ---------------------------------------------------------------------

    def _label(self, element: Element) -> str:
        """A part's name as its reader hears it: the heading it is labelled by, or its
        first heading, or its aria-label."""
        labelled_by = element.attrs.get("aria-labelledby", "")
        for candidate in element.descendants():
            if labelled_by and candidate.attrs.get("id") == labelled_by:
                return self._text_of(candidate)
        for candidate in element.descendants():
            if candidate.tag in HEADINGS:
                return self._text_of(candidate)
        return element.attrs.get("aria-label", "")

    def _text_of(self, element: Element) -> str:
        if element.close_start is None:
            return ""
        inner = self.text[element.open_end : element.close_start]
        return " ".join(unescape(strip_tags(inner)).split())

    def _note(self, element: Element, label: str) -> None:
        note = render_to_string(
            "export/unavailable.html", {"name": label, "id": element.attrs.get("id", "")}
        )
        self._replace(element.start, element.outer_end, note.strip())
        self.removed.append((element.start, element.outer_end))

    def _forms(self) -> None:
        for form in [element for element in self.tree.elements if element.tag == "form"]:
            if self._inside_removed(form):
                continue
            method = form.attrs.get("method", "get").lower()
            action = form.attrs.get("action", "")
            if urlsplit(action.strip()).netloc:
                continue  # another site's form: not ours to judge
            if method != "get":
                holder = next((a for a in form.ancestors() if a.tag == "section"), form)
                self._note(holder, self._label(holder))
                continue
            controls = [each for each in form.descendants() if each.tag in CONTROLS]
            if form.attrs.get("role") == "search" and any(
                control.attrs.get("name") == "q" and control.attrs.get("type") != "hidden"
                for control in controls
            ):
                self._set_attribute(form, "action", self.href(self.context.search_file))
                for control in controls:
                    if control.attrs.get("type") == "hidden":
                        self._remove(control)
                continue
            if any(each.tag == "a" for each in form.descendants()):
                self._strip_controls(form, controls)
            else:
                self._note(form, self._label(form))

    def _strip_controls(self, form: Element, controls: list[Element]) -> None:
        self._replace(form.start, form.open_end, "")
        if form.close_start is not None and form.end is not None:
            self._replace(form.close_start, form.end, "")
        ids = {control.attrs["id"] for control in controls if control.attrs.get("id")}
        for element in form.descendants():
            if element.tag == "label" and element.attrs.get("for") in ids:
                self._remove(element)
        for control in controls:
            parent = control.parent
            self._remove(parent if parent is not None and parent.tag == "p" else control)

    def _links(self) -> None:
        for element in self.tree.elements:
            name = URL_ATTRIBUTES.get(element.tag)
            if name is None or element.tag == "form" or name not in element.attrs:
                continue
            if self._inside_removed(element):
                continue
            target = self.target(element.attrs[name])
            if target is None:
                continue
            if target.file is not None:
                self._set_attribute(element, name, self.href(target.file, target.fragment))
            elif element.tag == "a":
                self._unwrap(element)
            else:
                self._remove(element)

    def _dangling_fragments(self) -> None:
        """Links to a part of the page that the rules above removed."""
        kept: set[str] = set()
        gone: set[str] = set()
        for element in self.tree.elements:
            identifier = element.attrs.get("id")
            if identifier:
                (gone if self._inside_removed(element) else kept).add(identifier)
        for element in self.tree.elements:
            href = element.attrs.get("href", "")
            if element.tag == "a" and href.startswith("#") and not self._inside_removed(element):
                if href[1:] in gone - kept:
                    self._unwrap(element)

    def rewrite(self) -> str:
        self._forms()
        self._links()
        self._dangling_fragments()
        return self._apply()

    def _apply(self) -> str:
        """Splice the edits in; an edit inside a part that is replaced or removed is
        dropped with it."""
        pieces = []
        position = 0
        for start, end, new in sorted(self.edits, key=lambda edit: (edit[0], -edit[1])):
            if start < position:
                continue
            pieces.append(self.text[position:start])
            pieces.append(new)
            position = end
        pieces.append(self.text[position:])
        return "".join(pieces)


def internal_urls(text: str) -> list[tuple[str, str]]:
    """Every (tag, URL) in a page's link-bearing attributes, for checks and tests."""
    tree = _Tree(text)
    found = []
    for element in tree.elements:
        name = URL_ATTRIBUTES.get(element.tag)
        if name and name in element.attrs:
            found.append((element.tag, element.attrs[name]))
    return found


__all__ = ["PageContext", "PageRewriter", "Target", "internal_urls"]
