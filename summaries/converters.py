"""The integers an address may carry, each bounded by the column it is looked up in.

Django's ``int`` converter takes any run of digits. A number past the column's range then
reaches the database: the ORM's lookups guard against it, but raw SQL and cursor
parameters do not (PostgreSQL and psycopg refuse the value, SQLite's driver overflows),
and the answer is a 500 instead of a 404. These converters refuse such a number while
the address is resolved, before any view code runs, so the guard holds whatever view
sits behind the pattern: the address simply matches nothing and answers 404 (the API's
middleware turns that into a problem document).

Every pattern that takes a row id or a version number uses one of them:

- ``<row_id:...>``: a primary key (``BigAutoField``, 1 to 2**63 - 1);
- ``<version_number:...>``: ``SummaryVersion.number`` (``PositiveIntegerField``; Django
  documents 0 to 2147483647 as safe on every database, and numbers start at 1).

They are registered when this module is first imported; every URL module that uses them
imports it.
"""

from django.urls import register_converter


class BoundedIntConverter:
    """Digits only, with at most as many as the largest value has; in ``[low, high]``."""

    low: int
    high: int

    def __init__(self):
        self.regex = f"[0-9]{{1,{len(str(self.high))}}}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not self.low <= number <= self.high:
            # Django's contract: a ValueError means "this pattern does not match".
            raise ValueError(f"{number} is outside {self.low}..{self.high}")
        return number

    def to_url(self, value: int) -> str:
        number = int(value)
        if not self.low <= number <= self.high:
            raise ValueError(f"{number} is outside {self.low}..{self.high}")
        return str(number)


class RowIdConverter(BoundedIntConverter):
    low = 1
    high = 2**63 - 1


class VersionNumberConverter(BoundedIntConverter):
    low = 1
    high = 2**31 - 1


ROW_ID_MAX = RowIdConverter.high
VERSION_NUMBER_MAX = VersionNumberConverter.high

register_converter(RowIdConverter, "row_id")
register_converter(VersionNumberConverter, "version_number")
