import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Debian's Chromium: Playwright's own browser download cannot be used on these machines.
CHROMIUM = Path(os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Property tests judge what was generated, never how fast: on a loaded machine (CI's, or
# two suites at once) drawing an input can take over a second, and Hypothesis's timing
# checks would fail a correct test. A hang is still caught by the tests' own timeouts.
hypothesis_settings.register_profile(
    "toolkit", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("toolkit")


def pytest_configure(config):
    # Tests log users in often; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The API's rate limit counts in the cache, which outlives each test: the suite's
    # requests would add up. The tests of the limit set one (tests/test_api.py).
    settings.API_RATE_LIMIT = "0"
    # Tasks run at once, in the test's process, once the transaction commits (which
    # captureOnCommitCallbacks brings about), so a test sees its emails in mail.outbox.
    # The queue itself, the worker and retries are tested on the database backend, with
    # a worker process of its own (tests/test_tasks.py).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)


@pytest.fixture
def browser(live_server, browser_data):
    """Headless Chromium driven by Playwright, started only after ``browser_data``.

    Every browser test module defines a ``browser_data`` fixture that writes all the data
    its tests need, and its tests then talk to the site over HTTP only, as its users do.
    Playwright's sync API runs an asyncio event loop in this thread (in a greenlet), so
    Django refuses ORM calls made while it runs (SynchronousOnlyOperation). Forcing them
    with DJANGO_ALLOW_ASYNC_UNSAFE is worse than it looks: the greenlet has its own
    context, so Django opens a second database connection there that nothing closes
    (PostgreSQL then cannot drop the test database) and that lacks the test database's
    serialized contents, which later transactional tests restore from.

    Without Chromium the tests skip locally, but fail when ``CI`` is set, so CI can never
    pass by silently skipping them.
    """
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium, or set CHROMIUM."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright  # imported here: only browser tests need it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a test's rollback winds the content generation
    back, so a page or a facet count cached by one test could answer another over
    different data. The sign-in counts' cache too: each test's failures are its own."""
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


def pytest_collection_modifyitems(config, items):
    """Every test that drives Chromium is marked ``browser`` (by the fixture it uses, so
    no browser test can miss the mark); ``make test-fast`` leaves them out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
