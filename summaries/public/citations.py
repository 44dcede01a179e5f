"""How to cite one published version: plain text, BibTeX, RIS and CSL-JSON.

Every format names the same things: the organisation as author, the year and date the
version was published, its title, the toolkit, the version number and the version's own
address (``/toolkit/<slug>/v/<n>/``), which keeps showing that text after the summary is
updated. No format carries an "accessed" date: the files are cached like the pages, and
the reader's reference manager adds one when it imports them.
"""

import json
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from summaries.models import SummaryVersion
from summaries.models.plain_text import single_line

FORMATS = {
    # suffix: (label, content type)
    "bib": ("BibTeX", "application/x-bibtex; charset=utf-8"),
    "ris": ("RIS", "application/x-research-info-systems; charset=utf-8"),
    "json": ("CSL-JSON", "application/vnd.citationstyles.csl+json; charset=utf-8"),
}


def version_url(version: SummaryVersion) -> str:
    """The stable address of one published version (``version.intervention`` loaded)."""
    return reverse(
        "summaries:version",
        kwargs={"slug": version.intervention.slug, "number": version.number},
    )


@dataclass(frozen=True)
class Reference:
    """What every citation format says about one version."""

    key: str
    author: str
    title: str
    container: str
    version: int
    published: date
    url: str

    @classmethod
    def of(cls, version: SummaryVersion, url: str) -> "Reference":
        # Every format is line based or one-line per value: a line break or another
        # control character stored in a title (before the models refused them) is a space.
        return cls(
            key=f"{version.intervention.slug}-v{version.number}",
            author=single_line(settings.TOOLKIT_ORGANISATION),
            title=single_line(version.title),
            container=single_line(settings.TOOLKIT_NAME),
            version=version.number,
            published=timezone.localdate(version.published_at),
            url=url,
        )


def text(ref: Reference) -> str:
    """Organisation (year) Title. Toolkit, version n, published d Month yyyy. URL."""
    return (
        f"{ref.author} ({ref.published:%Y}) {ref.title}. "
        f"{ref.container}, version {ref.version}, "
        f"published {ref.published.day} {ref.published:%B %Y}. Available at: {ref.url}"
    )


# Characters BibTeX (and LaTeX behind it) treats as commands; each becomes its escaped form.
# Braces become commands, not \{ and \}: BibTeX counts every brace in a field's value,
# escaped or not, so "\{" alone leaves the entry unbalanced and a strict parser (pybtex)
# refuses the file. Each replacement is itself balanced.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\xa0": "~",  # a no-break space is BibTeX's tie (a literal ~ is escaped above)
}
_BIBTEX_SPACES = re.compile(r"[^\S\xa0]+")
_BIBTEX_SPECIAL = re.compile("[" + re.escape("".join(_BIBTEX_ESCAPES)) + "]")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _bibtex_text(value: str) -> str:
    # No line breaks inside a field, and every other space one plain space, as BibTeX
    # reads them anyway (a no-break space is kept, as a tie).
    value = _BIBTEX_SPACES.sub(" ", single_line(value)).strip()
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_ESCAPES[match.group()], value)


def bibtex(ref: Reference) -> str:
    """A ``@misc`` entry (biblatex reads ``version``, ``date`` and ``url``; classic BibTeX
    ``howpublished`` and ``note``). The author is braced twice: an organisation, not a
    person to split into first and last names."""
    fields = [
        ("author", "{" + _bibtex_text(ref.author) + "}"),
        ("title", _bibtex_text(ref.title)),
        ("organization", _bibtex_text(ref.author)),
        ("howpublished", _bibtex_text(ref.container)),
        ("version", str(ref.version)),
        ("year", f"{ref.published:%Y}"),
        ("month", _MONTHS[ref.published.month - 1]),
        ("date", ref.published.isoformat()),
        ("url", ref.url),
        ("note", _bibtex_text(f"Version {ref.version}, published {ref.published.isoformat()}")),
    ]
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    return f"@misc{{{ref.key},\n{body}\n}}\n"


def _ris_text(value: str) -> str:
    return single_line(value)  # one tag a line: a line break would start a new one


def ris(ref: Reference) -> str:
    """An RIS record: ``TY`` first, ``ER`` last, one ``TAG  - value`` a line, CRLF."""
    lines = [
        ("TY", "ELEC"),
        ("AU", _ris_text(ref.author)),
        ("TI", _ris_text(ref.title)),
        ("T2", _ris_text(ref.container)),
        ("PB", _ris_text(ref.author)),
        ("PY", f"{ref.published:%Y}"),
        ("DA", f"{ref.published:%Y/%m/%d}/"),
        ("ET", f"Version {ref.version}"),
        ("UR", ref.url),
        ("ER", ""),
    ]
    # "ER  - " keeps its space: the tag is always followed by two spaces, a hyphen, a space.
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def csl(ref: Reference) -> list[dict]:
    """CSL-JSON: a list of one item, as Zotero, Pandoc and citeproc read it. Its text
    values are one line, as in the other formats, whatever a stored reference holds."""
    author = single_line(ref.author)
    return [
        {
            "id": ref.key,
            "type": "webpage",
            "title": single_line(ref.title),
            "author": [{"literal": author}],
            "publisher": author,
            "container-title": single_line(ref.container),
            "version": str(ref.version),
            "issued": {
                "date-parts": [[ref.published.year, ref.published.month, ref.published.day]]
            },
            "URL": ref.url,
        }
    ]


def csl_json(ref: Reference) -> str:
    return json.dumps(csl(ref), ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"bib": bibtex, "ris": ris, "json": csl_json}
