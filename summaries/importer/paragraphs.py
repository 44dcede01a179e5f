"""Paragraphs and list items of a section, told apart without the bullets the export lost."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.utils.html import escape

from summaries.sanitize import sanitize_html

from .text import Line, join_lines

STOP_END = re.compile(r"[.?!;][\"'’”)\]]*$")
NEW_SENTENCE = re.compile(r"^[\"'‘“(\[]*[A-Z0-9]")
CAPITALISED = re.compile(r"^[A-Z][a-z]")
CONNECTIVE = re.compile(
    r"^(?:However|Although|Though|While|Whilst|Similarly|Overall|Additionally|"
    r"In addition|Furthermore|Moreover|Nevertheless|Nonetheless|Therefore|Thus|"
    r"Consequently|As such|For example|In contrast|By contrast|In summary|Finally|See also)\b"
)
LABELLED_ITEM = re.compile(r"^[A-Z][\w'’ -]{0,40}:\s+\S")
# Proportional fonts wrap a few characters early, so where the export has such wraps a
# line counts as ending short only with this much room to spare (a share of the width).
PROPORTIONAL_SLACK = 0.04
# Before the wrap width is measured, a line plus the next word must stay under this share
# of the longest line to count as ending short.
FIRST_READING_FIT = 0.9


@dataclass
class Block:
    kind: str  # "p" or "li"
    lines: list[Line]

    @cached_property
    def text(self) -> str:
        # Cached: a block's lines never change once it is made, and its text is asked
        # for at every following line.
        return join_lines(self.lines)


@dataclass
class _ListRun:
    """The list items at the end of the blocks read so far, as ``_classify`` needs them:
    kept up to date item by item, so a long list is not re-read at every item."""

    first: str | None = None  # the first item's text; None when the last block is no item
    punctuated: bool = False  # whether any item ends with final punctuation

    def follow(self, block: Block) -> None:
        if block.kind != "li":
            self.first, self.punctuated = None, False
            return
        if self.first is None:
            self.first = block.text
        self.punctuated = self.punctuated or bool(STOP_END.search(block.text))


def _wrap_total(line: Line, next_line: Line) -> int:
    """The length the line would have had if the next line's first word had stayed on it."""
    return len(line.text) + 1 + len(next_line.text.split(" ", 1)[0])


def _ends_block(block: list[Line], next_line: Line, *, in_list: bool, limit: float) -> bool:
    """Whether the paragraph or list item made of ``block`` ends before ``next_line``."""
    line = block[-1]
    if next_line.bullet or line.text.endswith(":"):
        return True
    if STOP_END.search(line.text):
        return bool(NEW_SENTENCE.match(next_line.text))
    if not in_list:
        return False
    # Lost bullets: an item without final punctuation ends where its line ends short
    # (the next word would have fitted on it), or where a list of lower-case items
    # meets a capitalised word that starts the text after the list.
    return _wrap_total(line, next_line) <= limit or (
        block[0].text[:1].islower() and bool(CAPITALISED.match(next_line.text))
    )


def _in_list(blocks: list[Block]) -> bool:
    return bool(blocks) and (blocks[-1].kind == "li" or blocks[-1].text.endswith(":"))


def _classify(lines: list[Line], blocks: list[Block], items: _ListRun) -> Block:
    """A paragraph, or an item of the list that a line ending in ':' opened.

    ``items`` describes the list items that end ``blocks``, if any.
    """
    block = Block("li", lines)
    text = block.text
    if lines[0].bullet:
        return block
    if not _in_list(blocks) or text.endswith(":") or CONNECTIVE.match(text):
        return Block("p", lines)
    if items.first is None:
        return block
    if STOP_END.search(text) and not items.punctuated:
        return Block("p", lines)  # prose after a list of short unpunctuated items
    if items.first[:1].islower() and CAPITALISED.match(text) and STOP_END.search(text):
        return Block("p", lines)  # a sentence after a list of lower-case items
    if LABELLED_ITEM.match(items.first) and not LABELLED_ITEM.match(text):
        return Block("p", lines)  # the list was "Label: sentence" items and this is not
    return block


def _blocks(lines: list[Line], limit: float) -> list[Block]:
    blocks: list[Block] = []
    items = _ListRun()
    current: list[Line] = []
    for line in lines:
        in_list = _in_list(blocks) or bool(current and current[0].bullet)
        if current and _ends_block(current, line, in_list=in_list, limit=limit):
            blocks.append(_classify(current, blocks, items))
            items.follow(blocks[-1])
            current = []
        current.append(line)
    if current:
        blocks.append(_classify(current, blocks, items))
    return _mend_labelled_lists(_rejoin_run_on_colons(blocks))


def _rejoin_run_on_colons(blocks: list[Block]) -> list[Block]:
    """A colon that merely fell at a line end opens no list: "...two factors:" / "the risk
    posed ... and how specialised it is." is one paragraph, not a list of one item."""
    result: list[Block] = []
    for index, block in enumerate(blocks):
        follows = blocks[index + 1].kind if index + 1 < len(blocks) else None
        if (
            block.kind == "li"
            and follows != "li"
            and result
            and result[-1].kind == "p"
            and result[-1].text.endswith(":")
            and block.text[:1].islower()
            and STOP_END.search(block.text)
        ):
            result[-1] = Block("p", result[-1].lines + block.lines)
        else:
            result.append(block)
    return result


def _mend_labelled_lists(blocks: list[Block]) -> list[Block]:
    """Keep a list of "Label: sentences." items whole when an item's second sentence
    started a line: that sentence belongs to the item, and the items after it too."""
    result: list[Block] = []
    for index, block in enumerate(blocks):
        after_item = bool(result) and result[-1].kind == "li"
        after_item = after_item and bool(LABELLED_ITEM.match(result[-1].text))
        follows = blocks[index + 1].text if index + 1 < len(blocks) else ""
        if after_item and block.kind == "p" and LABELLED_ITEM.match(block.text):
            result.append(Block("li", block.lines))
        elif after_item and block.kind == "p" and LABELLED_ITEM.match(follows):
            result[-1] = Block("li", result[-1].lines + block.lines)
        else:
            result.append(block)
    return result


def section_blocks(sections: dict[str, list[Line]]) -> dict[str, list[Block]]:
    """Paragraphs and list items of each section.

    Where a list item without final punctuation ends can only be told from line lengths,
    so the wrap width is measured first, from the paragraphs of a rough first reading.
    """
    lines = [line for section in sections.values() for line in section]
    width = max((len(line.text) for line in lines), default=0)
    rough = {
        kind: _blocks(section, FIRST_READING_FIT * width) for kind, section in sections.items()
    }
    limit = _fit_limit(rough.values(), width)
    return {kind: _blocks(section, limit) for kind, section in sections.items()}


def _fit_limit(sections: Iterable[list[Block]], width: int) -> float:
    """The longest a line plus the next word may be and still count as a deliberate break.

    Inside paragraphs, a line without final punctuation followed by a lower-case word is
    certainly wrapped. If every such wrap really overflowed the width, the export wraps
    exactly (a fixed-width font): trust the width. Otherwise it wraps early by a font's
    varying letter widths: stay clear of the tightest wrap seen.
    """
    totals = [
        _wrap_total(line, next_line)
        for blocks in sections
        for block in blocks
        if block.kind == "p"
        for line, next_line in zip(block.lines, block.lines[1:], strict=False)
        if not STOP_END.search(line.text) and next_line.text[:1].islower()
    ]
    if not totals:
        return FIRST_READING_FIT * width
    if min(totals) > width:
        return width
    return min(totals) - 1 - PROPORTIONAL_SLACK * width


def to_html(blocks: list[Block]) -> str:
    parts = []
    for index, block in enumerate(blocks):
        text = escape(block.text)
        if block.kind == "p":
            parts.append(f"<p>{text}</p>")
            continue
        opens = index == 0 or blocks[index - 1].kind != "li"
        closes = index == len(blocks) - 1 or blocks[index + 1].kind != "li"
        parts.append(f"{'<ul>' if opens else ''}<li>{text}</li>{'</ul>' if closes else ''}")
    return sanitize_html("".join(parts))
