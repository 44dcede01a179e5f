"""The export's search: a Pagefind index of the live summaries' pages.

Pagefind (https://pagefind.app, the ``pagefind`` package with its binary from the
``pagefind-bin`` wheel) splits the index into small compressed files that the reader's
browser fetches as it searches, so a static host serves search over thousands of
summaries. Only the summaries' own pages are indexed (not their versions, not the list),
and only their ``<main>``: the same set the live site's search covers.
"""

import asyncio
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex

OUTPUT = "pagefind"


def build_search_index(root: Path, files: list[str]) -> int:
    """Index ``files`` (paths relative to ``root``) into ``root/pagefind/``; the result
    links each match by its path from the export's root (``toolkit/<slug>/index.html``)."""
    return asyncio.run(_build(root, files))


async def _build(root: Path, files: list[str]) -> int:
    config = IndexConfig(
        root_selector="main",
        keep_index_url=True,
        force_language="en",
        output_path=str(root / OUTPUT),
    )
    indexed = 0
    async with PagefindIndex(config=config) as index:
        for file in files:
            await index.add_html_file(content=(root / file).read_text(), url=f"/{file}")
            indexed += 1
    return indexed
