"""Print, as JSON, how many queries each URL costs uncached and from the cache.

Usage (the benchmark runs it): python bench/queries.py URL [URL ...]
"""

import json
import sys

import _django  # noqa: F401  (sets Django up)
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

client = Client()
counts = {}
for url in sys.argv[1:]:
    cache.clear()
    measured = []
    for _ in range(2):  # first uncached, then from the cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        measured.append(len(queries))
        response.close()
    counts[url] = {"status": response.status_code, "uncached": measured[0], "cached": measured[1]}
print(json.dumps(counts))
