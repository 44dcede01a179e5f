"""Suggesting, reporting a problem and challenging a rating, then finding them in the
admin, in a real browser (the
``browser`` fixture in ``conftest.py``; all data is written in ``browser_data`` before the
browser starts, and the test then talks to the site over HTTP only)."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tests.factories import make_complete_draft, publish

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "queue admin password"


@pytest.fixture
def browser_data(live_server, settings):
    settings.SITE_URL = live_server.url
    # A person takes seconds; the browser takes milliseconds.
    settings.FEEDBACK_MIN_FILL_SECONDS = 0
    publish(make_complete_draft("cctv-in-car-parks", title="CCTV in car parks"))
    get_user_model().objects.create_superuser("queue-admin", password=PASSWORD)


def test_reader_suggests_reports_and_challenges_and_staff_find_them(browser, live_server):
    """A reader suggests an intervention from the pipeline page, reports a problem from
    a summary's foot and challenges its effect rating; staff find the suggestion and the
    report in the queue (the report tied to its summary) and the challenge received."""
    page = browser.new_page(base_url=live_server.url)
    page.set_default_timeout(10_000)

    page.goto("/toolkit/pipeline/")
    page.get_by_role("link", name="Suggest an intervention or a review").click()
    page.get_by_label("What should we assess?").fill("Street triage")
    page.get_by_label("Why should we assess it?").fill("Nurses go out with police officers.")
    # Sent without a valid address first: the error summary names it and links to it.
    page.get_by_label("Your email address (optional)").fill("not an address")
    page.get_by_role("button", name="Send suggestion").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    page.get_by_role("link", name="Enter a valid email address.").click()
    page.get_by_label("Your email address (optional)").fill("reader@example.org")
    page.get_by_role("button", name="Send suggestion").click()
    page.get_by_role("heading", name="Thank you", level=1).wait_for()

    page.goto("/toolkit/cctv-in-car-parks/")
    page.get_by_role("link", name="Report a problem with this page").click()
    page.get_by_label("What is wrong with this page?").fill("The second link is broken.")
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("heading", name="Thank you", level=1).wait_for()
    assert "The summary's editors will look at it." in page.inner_text("main")

    page.goto("/toolkit/cctv-in-car-parks/")
    page.get_by_role("link", name="Challenge a rating").click()
    page.get_by_label("Which rating do you challenge?").select_option("effect")
    page.get_by_label("Why is it wrong?").fill("Most of the studies were small.")
    page.get_by_label("Your email address").fill("critic@example.org")
    page.get_by_role("button", name="Send challenge").click()
    page.get_by_role("heading", name="Thank you", level=1).wait_for()
    assert "two reviewers who had no part" in page.inner_text("main")

    page.goto(f"/{settings.ADMIN_URL}login/")
    page.fill("#id_username", "queue-admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"/{settings.ADMIN_URL}summaries/suggestion/")
    queue = page.inner_text("#result_list")
    assert "Street triage" in queue
    assert "Problem: The second link is broken." in queue
    assert "cctv-in-car-parks" in queue
    page.goto(f"/{settings.ADMIN_URL}summaries/challenge/")
    challenges = page.inner_text("#result_list")
    assert "Effect: Reduced crime" in challenges
    assert "Received" in challenges
    page.close()
