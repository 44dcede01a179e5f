"""Reading rich text as the checks need it: its blocks (paragraphs, list items, headings)
as plain text, its links, its sentences and words."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Tags that end a block of text: a paragraph, a list item or a heading reads as a
# sentence of its own even without a full stop.
_BLOCK_TAGS = {"p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div"}
_WORD = re.compile(r"[^\W_](?:[\w’'.-]*[^\W_])?")
# A sentence ends at . ! or ? followed by space and what starts a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])[”’\"')\]]*\s+(?=[“‘\"'(\[]?[A-Z0-9])")


@dataclass
class Link:
    href: str
    text: str


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.links: list[Link] = []
        self.current: list[str] = []
        self.link: Link | None = None

    def end_block(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS or tag == "br":
            self.end_block()
        elif tag == "a":
            self.link = Link(dict(attrs).get("href") or "", "")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.end_block()
        elif tag == "a" and self.link is not None:
            self.link.text = " ".join(self.link.text.split())
            self.links.append(self.link)
            self.link = None

    def handle_data(self, data):
        self.current.append(data)
        if self.link is not None:
            self.link.text += data


def read_html(html: str) -> tuple[list[str], list[Link]]:
    """The blocks of text of ``html`` and its links."""
    reader = _Reader()
    reader.feed(html or "")
    reader.close()
    reader.end_block()
    return reader.blocks, reader.links


def blocks_of(html: str) -> list[str]:
    return read_html(html)[0]


def as_prose(blocks: list[str]) -> str:
    """The blocks as running text, each ending as a sentence does (for the readability
    formula, which counts sentences by their full stops)."""
    return " ".join(block if block[-1] in ".!?:;" else f"{block}." for block in blocks)


def sentences(blocks: list[str]) -> list[str]:
    return [s.strip() for block in blocks for s in _SENTENCE_END.split(block) if s.strip()]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def shorten(text: str, max_words: int = 14) -> str:
    """The first words of ``text``, and "…" if there were more."""
    found = text.split()
    return text if len(found) <= max_words else " ".join(found[:max_words]) + " …"


def around(text: str, start: int, end: int, width: int = 60) -> str:
    """The words around ``text[start:end]``, with "…" where cut."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:
        left = text.find(" ", left) + 1 or left
    if right < len(text):
        right = text.rfind(" ", end, right) if text.rfind(" ", end, right) > end else right
    return (
        ("… " if left > 0 else "") + text[left:right].strip() + (" …" if right < len(text) else "")
    )
