"""Plain text the public sees on one line: titles, labels, names, link texts, notes.

Every single-line field of the content refuses control characters (line breaks, tabs,
escape, NUL ...) in its own validation (``validate_single_line`` in the field's
``validators``), so the admin, the importer and any other path that cleans a model get
the same clear message. A title holding a line break would otherwise break an email's
subject (``BadHeaderError``), and one holding ``\\x0b`` or ``\\x1b`` the Atom feed (XML 1.0
cannot carry it) for every reader.

Defence in depth: what writes such values into a format with rules of its own (email
subjects, the feed, citation files) still passes them through ``single_line`` or
``xml_text``, so a row stored before this rule, or by raw SQL, cannot break the output.
"""

import re

from django.core.exceptions import ValidationError

# C0 and C1 controls, DEL, and Unicode's line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, plus ordinary spaces, for collapsing into one space.
_CONTROL_OR_SPACE = re.compile("[\x00-\x20\x7f-\x9f\u2028\u2029]+")
# What XML 1.0 cannot carry at all (tab, line feed and carriage return it can).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _describe(character: str) -> str:
    names = {"\n": "a line break", "\r": "a line break", "\t": "a tab", "\x00": "a NUL"}
    return names.get(character, f"the control character U+{ord(character):04X}")


def validate_single_line(value: str) -> None:
    """Refuse any control character: the value is shown on one line everywhere."""
    if isinstance(value, str) and (match := _CONTROL.search(value)):
        raise ValidationError(
            "This must be one line of plain text; it holds %(character)s. "
            "Retype it or paste it as plain text.",
            code="control_character",
            params={"character": _describe(match.group())},
        )


def single_line(value: str) -> str:
    """``value`` on one line: each run of control characters and spaces becomes one
    space, and none is left at either end."""
    return _CONTROL_OR_SPACE.sub(" ", value).strip()


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry (each becomes a space)."""
    return _NOT_XML.sub(" ", value)
