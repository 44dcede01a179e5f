"""On PostgreSQL, statements a connection runs again and again (every page's reads) are
prepared on the server and planned once (``toolkit/settings.py``), unless an operator
behind a transaction-mode pooler turns it off."""

import json
from unittest import skipUnless

from django.core.cache import cache
from django.db import connection
from django.test import SimpleTestCase, TestCase

from tests.factories import make_live
from tests.helpers import build_pages
from tests.test_production import run_python

ON_POSTGRESQL = connection.vendor == "postgresql"

OPTIONS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "o = s.DATABASES['default'].get('OPTIONS', {}); "
    "print(json.dumps([o.get('server_side_binding'), o.get('prepare_threshold')]))"
)


class PreparedStatementSettingsTests(SimpleTestCase):
    def test_on_for_postgresql_off_when_asked_and_for_sqlite(self):
        """PostgreSQL binds parameters on the server and prepares statements run five
        times; DATABASE_PREPARED_STATEMENTS=0 leaves Django's default; SQLite has none."""
        postgres = "postgres://toolkit:secret@db.example:5432/toolkit"
        cases = [
            ({"DATABASE_URL": postgres}, [True, 5]),
            ({"DATABASE_URL": postgres, "DATABASE_PREPARE_THRESHOLD": "2"}, [True, 2]),
            ({"DATABASE_URL": postgres, "DATABASE_PREPARED_STATEMENTS": "0"}, [None, None]),
            ({"DATABASE_URL": "sqlite:///db.sqlite3"}, [None, None]),
        ]
        for env, expected in cases:
            with self.subTest(env=env):
                result = run_python(OPTIONS, **env)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(json.loads(result.stdout), expected)


@skipUnless(ON_POSTGRESQL, "prepared statements: needs PostgreSQL")
class PreparedStatementTests(TestCase):
    def test_a_page_read_again_and_again_is_planned_once(self):
        """A summary page read repeatedly: its reads (the generation, the stored page)
        are prepared statements on the server after a few requests."""
        make_live("cctv", title="CCTV")
        build_pages()
        for _ in range(8):
            cache.clear()  # rendered each time, not answered from the page cache
            self.assertEqual(self.client.get("/toolkit/cctv/").status_code, 200)
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [statement for (statement,) in cursor.fetchall()]
        self.assertTrue(any("summaries_publishedpage" in s for s in prepared), prepared)
        self.assertTrue(any("summaries_pagegeneration" in s for s in prepared), prepared)
