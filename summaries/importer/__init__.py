"""Turn a toolkit text export (a summary page printed to PDF, then to text) into a draft.

Three steps, each usable on its own:

- ``read_export`` reads the file and refuses anything that is not UTF-8 text, so a wrong
  file never reaches the parser and we never guess an encoding;
- ``parse_summary`` undoes the damage of the PDF-to-text export (hard-wrapped lines, page
  header/footer blocks, lost bullets, ``?`` artefacts, wrapped headings) and reads the
  review facts (study counts, breakdowns) from the text;
- ``save_as_draft`` checks every value against the model fields it goes into, then writes
  the result as a new draft version, never touching a live one.

Blank lines carry no meaning in these exports (most wrapped lines of one paragraph are
separated by one), so the parser ignores them and decides where paragraphs and list items
end from punctuation, capitals and line length instead.

The modules, in the order the text passes through them: ``reading`` (the file),
``text`` (lines, page furniture, headings), ``paragraphs`` (paragraphs and lists),
``facts`` (review facts), ``parsing`` (puts those together), ``validation`` (the models'
rules, before anything is written), ``saving`` (the database);
``result`` holds what they hand each other.
"""

from .facts import states_no_economic_evaluation
from .parsing import parse_summary
from .reading import read_export
from .result import ImportFailed, ParsedReview, ParsedSummary
from .saving import save_as_draft

__all__ = [
    "ImportFailed",
    "ParsedReview",
    "ParsedSummary",
    "parse_summary",
    "read_export",
    "save_as_draft",
    "states_no_economic_evaluation",
]
