"""Following a summary in a real browser: enter an address, receive the confirmation
email, follow its link, confirm, see it confirmed (the ``browser`` fixture in
``conftest.py``; all data is written in ``browser_data`` before the browser starts)."""

import re

import pytest
from django.core import mail

from tests.factories import make_live

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_data(live_server, settings):
    settings.SITE_URL = live_server.url
    make_live("cctv-in-car-parks", title="CCTV in car parks")


def test_reader_follows_a_summary(browser, live_server):
    """A reader subscribes on the summary page and confirms through the emailed link."""
    page = browser.new_page(base_url=live_server.url)
    page.set_default_timeout(10_000)
    page.goto("/toolkit/cctv-in-car-parks/")
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_role("button", name="Follow").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()

    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    [link] = re.findall(r"(http://\S+/follow/confirm/\S+/)", message.body)
    assert link.startswith(live_server.url)

    page.goto(link)
    page.get_by_role("button", name="Confirm and follow").click()
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    assert heading.inner_text() == "Confirmed: you follow “CCTV in car parks”"
    assert "reader@example.org" in page.inner_text("main")
    page.close()
