"""``manage.py search_rebuild``: rebuild the search index from the live summaries.

Publishing and withdrawing keep the index up to date by themselves; this is for after a
restore of the database from a dump, or a change to how summaries are indexed.
"""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from summaries.models.generation import public_content_changed
from summaries.search import index_all_live


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the live summaries."

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            count = index_all_live()
            # Cached search counts and lists read the index; no summary page shows it.
            public_content_changed(interventions=())
        elapsed = time.monotonic() - started
        noun = "summary" if count == 1 else "summaries"
        self.stdout.write(self.style.SUCCESS(f"Indexed {count:,} live {noun} in {elapsed:.1f} s."))
