import pytest
from django.conf import settings
from django.core.cache import cache


def pytest_configure(config):
    # Tests log users in often; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back test data can repeat a generation
    number, and a page cached by an earlier test must not answer a later one."""
    cache.clear()
    yield
    cache.clear()
