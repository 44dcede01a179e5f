"""Rich text: one definition of what editors may write, enforced with nh3 on every save.

The same extension list configures django-prose-editor's toolbar and the sanitiser, so
what the editor offers is exactly what survives. ``<script>``, event handlers such as
``onerror=`` and ``javascript:`` links never reach a page.
"""

from functools import cache

from django_prose_editor.fields import create_sanitizer

RICH_TEXT_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Heading": {"levels": [3, 4]},
    "HardBreak": True,
}


@cache
def _sanitizer():
    return create_sanitizer(RICH_TEXT_EXTENSIONS)


def sanitize_html(html: str) -> str:
    """Return ``html`` reduced to the tags and attributes the editor can produce."""
    if not html:
        return ""
    return _sanitizer()(html)
