"""The evidence map and the comparison in a real browser: keyboard use, a phone's width,
print, and no JavaScript needed. All data is written in ``browser_data``, before the
browser starts (see ``conftest.browser``)."""

import pytest
from django.core.management import call_command

from summaries.demo import data
from summaries.models import Dimension, Direction, Outcome, OutcomeResult, SystematicReview
from tests.factories import level, make_live

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MAP = "/toolkit/map/"


@pytest.fixture
def browser_data(live_server):
    call_command("load_demo", "--no-accounts", verbosity=0)
    lighting = make_live("street-lighting", title="Street lighting")
    review = SystematicReview.objects.create(version=lighting, label="Review one", studies=8)
    result = OutcomeResult.objects.create(
        version=lighting,
        outcome=Outcome.objects.get(slug="general-reoffending"),
        effect_rating=level(Dimension.EFFECT, "no-effect"),
        direction=Direction.NO_CLEAR_EFFECT,
        stated="No significant difference.",
    )
    result.reviews.add(review)


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    yield page
    context.close()


def test_a_map_cell_leads_by_keyboard_to_that_outcome(page, live_server):
    """Tabbing to a cell's link and pressing Enter opens the summary at that outcome's row."""
    page.goto(live_server.url + MAP)
    link = page.locator(f'a[href="/toolkit/{data.SLUG}/#outcome-violent-reoffending"]')
    link.focus()
    assert page.evaluate("document.activeElement.textContent").strip().startswith("Reduced crime")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/toolkit/{data.SLUG}/#outcome-violent-reoffending")
    row = page.locator("#outcome-violent-reoffending")
    assert row.locator("th").inner_text() == "Violent reoffending"
    assert row.is_visible()


def test_the_map_reads_as_a_table_without_javascript(page, live_server):
    """With JavaScript off, the map is a captioned table whose cells are words, with gaps."""
    page.goto(live_server.url + MAP)
    table = page.get_by_role("table", name="Evidence map")
    assert table.is_visible()
    headers = table.locator("thead th").all_inner_texts()
    assert headers[0] == "Intervention" and any("Violent reoffending" in h for h in headers)
    lighting = table.get_by_role("row").filter(has_text="Street lighting")
    assert "No effect on crime; quality not rated; 8 studies" in lighting.inner_text()
    assert "No evidence" in lighting.inner_text()
    # The shapes are hidden from assistive technology: the words say it all.
    assert page.locator("svg.marker:not([aria-hidden='true'])").count() == 0


def test_on_a_phone_the_map_scrolls_in_its_own_region(page, live_server):
    """At 390 px the page does not scroll sideways; the table's region does, by keyboard too."""
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + MAP)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    region = page.get_by_role("region", name="Evidence map")
    assert region.get_attribute("tabindex") == "0"
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")


def test_compare_stacks_on_a_phone_and_sits_side_by_side_on_a_desktop(page, live_server):
    """Two summaries share a row at 1280 px and come one after the other at 390 px."""
    url = f"{live_server.url}/toolkit/compare/?s={data.SLUG}&s=street-lighting"
    page.goto(url)
    first, second = page.locator(".compare__item").all()
    assert first.bounding_box()["y"] == second.bounding_box()["y"]
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(url)
    first, second = page.locator(".compare__item").all()
    assert (
        second.bounding_box()["y"] > first.bounding_box()["y"] + first.bounding_box()["height"] - 1
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_list_checkboxes_lead_to_the_comparison(page, live_server):
    """Ticking two summaries on the list and pressing Compare opens them side by side."""
    page.goto(live_server.url + "/toolkit/")
    page.get_by_label("Compare Psychosocial treatment for sex offenders").check()
    page.get_by_label("Compare Street lighting").check()
    page.get_by_role("button", name="Compare the summaries you ticked").click()
    page.wait_for_url("**/toolkit/compare/?s=*")
    assert page.locator(".compare__item").count() == 2


def test_the_map_prints_whole(page, live_server):
    """Printed, the map keeps every column (no scroll region clips it) and drops the controls."""
    page.goto(live_server.url + MAP)
    page.emulate_media(media="print")
    assert page.locator(".map-controls").is_hidden()
    region = page.get_by_role("region", name="Evidence map")
    assert region.evaluate("el => getComputedStyle(el).overflowX") == "visible"
