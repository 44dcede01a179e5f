"""The content checks' panel in a real browser: a very short section typed (not saved)
shows its warning while the editor types, and a finding's link opens its part of the form
and focuses its field.

Playwright (Python) drives Debian's Chromium (the ``browser`` fixture in ``conftest.py``).
All database work happens in ``browser_data``, before the browser starts.
"""

import pytest
from django.contrib.auth.models import Group

from summaries.models import Section, SectionKind
from tests.factories import make_complete_draft, make_user
from tests.test_browser_editing import log_in, version_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ENOUGH = "<p>" + " ".join(["This section says enough about the evidence."] * 5) + "</p>"


@pytest.fixture
def browser_data(live_server):
    """An editor and a complete draft whose sections are all long enough."""
    make_user("editor", groups=[Group.objects.get(name="Editors")])
    draft = make_complete_draft("street-lighting", title="Street lighting")
    Section.objects.filter(version=draft).update(body=ENOUGH)
    return {"draft": draft.pk}


def test_short_section_is_flagged_while_typing_and_its_link_focuses_it(
    browser, live_server, browser_data
):
    """Typing a very short effect section updates the count (a live region) and lists the
    warning without saving; its link shows the Effect part and focuses the section's
    editor."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    status = page.locator("#content-checks-status")
    assert page.locator("#content-checks").get_attribute("aria-labelledby")
    assert status.get_attribute("role") == "status"
    before = status.inner_text()
    page.click("#form-parts-nav a[data-part=effect]")
    editor = page.locator("#part-effect [contenteditable=true]").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Too short.")
    effect = SectionKind.EFFECT.label
    finding = page.locator("#content-checks-list li", has_text=f"Section “{effect}”")
    finding.wait_for(state="attached")
    assert "very short: 2 words" in finding.text_content()
    assert status.inner_text() != before
    assert "Warning:" in finding.text_content()

    page.click("#form-parts-nav a[data-part=summary]")
    assert page.locator("#part-effect").is_hidden()
    page.click("#content-checks-details summary")
    finding.locator("a").click()
    assert page.locator("#part-effect").is_visible()
    focused = page.evaluate(
        "() => document.activeElement.closest('.section-form')?.querySelector('h3')?.id"
    )
    assert focused == "section-effect"
    assert page.evaluate("() => document.activeElement.isContentEditable")
