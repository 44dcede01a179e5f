import pytest
from django.conf import settings
from django.core.cache import cache


def pytest_configure(config):
    # Tests log users in often; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache. The search page caches counts under the
    search generation, which a test's rollback winds back: without this, one test could
    read counts cached by another over different data."""
    cache.clear()
    yield
    cache.clear()
