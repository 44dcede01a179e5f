"""The editorial workflow end to end, in a real browser through the real admin, as three
tests so that one failure does not hide the rest:

- the editor writes a summary from nothing and submits it;
- the reviewer sends a submitted summary back, the editor fixes and resubmits it, the
  reviewer publishes it and the public sees it; the editor then edits the live summary
  while the public still sees the old text until the reviewer publishes again;
- the history shows the difference between two versions, and an old one is restored.

Playwright (Python) drives Debian's Chromium (the ``browser`` fixture in ``conftest.py``:
without Chromium the test skips locally, but fails when ``CI`` is set). All database work
happens in ``browser_data``, before the browser starts; see ``browser`` for why.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from summaries.editorial.services import draft_start_from, version_submit
from summaries.models import SectionKind
from tests.factories import make_complete_draft, make_live, make_user, publish

PASSWORD = "correct horse battery staple"
ADMIN = f"/{settings.ADMIN_URL}"

pytestmark = [
    # A live server needs committed data, hence a transactional database. serialized_rollback
    # gives the data migrations' rows (groups, scales) back to the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_data(live_server):
    """Everything the tests start from, created before the browser starts (the
    ``browser`` fixture depends on this one, and explains why): the editor and the
    reviewer; "CCTV in car parks", submitted for review by the editor; "Neighbourhood
    lighting", live in version 2 with version 1 superseded."""
    editor = make_user("editor", groups=[Group.objects.get(name="Editors")])
    make_user("reviewer", groups=[Group.objects.get(name="Reviewers")])
    submitted = make_complete_draft("cctv-in-car-parks", title="CCTV in car parks", user=editor)
    version_submit(version=submitted, user=editor, change_note="First version.")
    first = make_live(
        "neighbourhood-lighting",
        title="Neighbourhood lighting",
        sections={SectionKind.FOCUS: "<p>Lamps were installed on residential streets.</p>"},
    )
    second = draft_start_from(version=first, change_note="LED lamps.")
    second.sections.filter(kind=SectionKind.FOCUS).update(
        body="<p>LED lamps were installed on residential streets.</p>"
    )
    publish(second)


class Person:
    """One user in their own browser context (their own cookies), on the live server."""

    def __init__(self, browser, base_url, username=None):
        self.context = browser.new_context(base_url=base_url)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        # Chromium reports what the Content-Security-Policy blocked on the console.
        self.csp_violations = []
        self.page.on("console", self.note_csp_violation)
        if username:
            self.page.goto(f"{ADMIN}login/")
            self.page.fill("#id_username", username)
            self.page.fill("#id_password", PASSWORD)
            self.page.click("input[type=submit]")
            self.page.wait_for_url(f"**{ADMIN}")

    def note_csp_violation(self, message):
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def click(self, text):
        self.page.get_by_role("link", name=text, exact=True).first.click()

    def press(self, value):
        self.page.click(f"input[type=submit][value='{value}']")

    def message(self):
        return self.page.locator(".messagelist").inner_text()

    def save_and_continue(self):
        self.page.click("input[name=_continue]")
        assert "was changed successfully" in self.message(), self.page.content()[:3000]


def open_part_of(page, selector):
    """Show the part of the version form that holds ``selector``, by its tab."""
    page.wait_for_selector(selector, state="attached")
    key = page.evaluate(
        "selector => document.querySelector(selector).closest('.form-part').dataset.part",
        selector,
    )
    page.click(f"#form-parts-nav a[data-part={key}]")


def write_section(page, index, text):
    """Type into a section's rich-text editor, which copies its HTML to the form."""
    open_part_of(page, f"#sections-{index}")
    editor = page.locator(f"#sections-{index} [contenteditable=true]")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def assert_no_csp_violations(*people):
    """The prose editor ran under the Content-Security-Policy (its import map by nonce),
    and nothing on any page, the version pages included, was blocked."""
    for person in people:
        assert person.csp_violations == [], person.csp_violations
        person.context.close()


def test_editor_writes_a_summary_and_submits_it(browser, live_server):
    """An editor adds a summary, writes every part review needs, and submits it; the
    reviewer finds it in their queue."""
    editor = Person(browser, live_server.url, "editor")
    reviewer = Person(browser, live_server.url, "reviewer")
    page = editor.page
    page.goto(f"{ADMIN}summaries/intervention/add/")
    page.locator("#id_title").press_sequentially("Street lighting")  # the slug follows
    assert page.input_value("#id_slug") == "street-lighting"
    page.fill("#id_standfirst", "Brighter street lighting to deter crime at night.")
    page.click("input[name=_save]")
    assert "Created “street-lighting” and its first draft" in editor.message()
    for index in range(9):
        write_section(page, index, f"Section {index} says what the evidence shows.")
    open_part_of(page, "#id_update_status")
    page.select_option("#id_update_status", label="Up to date")
    page.fill("#id_last_search_year", "2024")
    open_part_of(page, "#id_effect_rating")
    page.select_option("#id_effect_rating", label="Reduced crime")
    open_part_of(page, "#id_quality_rating")
    page.select_option("#id_quality_rating", label="Moderate")
    page.get_by_text("Add another Systematic review").click()
    page.fill("#id_reviews-0-label", "Review one")
    editor.save_and_continue()
    editor.click("Submit for review")
    page.fill("#id_change_note", "First version.")
    editor.press("Submit version 1 for review")
    assert "Version 1 is in review" in editor.message()

    reviewer.page.goto(ADMIN)
    queue = reviewer.page.inner_text("#review-queue")
    assert "Waiting for review (2)" in queue and "Street lighting (v1)" in queue
    assert_no_csp_violations(editor, reviewer)


def test_reviewer_sends_back_then_publishes(browser, live_server):
    """A reviewer sends a submission back; the editor fixes and resubmits it; the reviewer
    publishes it and the public sees it. A new draft of the live summary changes nothing
    public until it is published in turn."""
    editor = Person(browser, live_server.url, "editor")
    reviewer = Person(browser, live_server.url, "reviewer")
    public = Person(browser, live_server.url)

    # The reviewer finds it in the queue and sends it back with a comment.
    page = reviewer.page
    page.goto(ADMIN)
    assert "Waiting for review (1)" in page.inner_text("#review-queue")
    reviewer.click("CCTV in car parks (v1)")
    reviewer.click("Request changes")
    page.fill("#id_comment", "Say where the cameras were installed.")
    reviewer.press("Send version 1 back to the editors")

    # The editor sees the comment, fixes the draft and resubmits.
    page = editor.page
    page.goto(ADMIN)
    assert "Say where the cameras were installed." in page.inner_text("#review-queue")
    editor.click("CCTV in car parks (v1)")
    write_section(page, 0, "Cameras were installed in multi-storey car parks.")
    editor.save_and_continue()
    editor.click("Submit for review")
    page.fill("#id_change_note", "First version, with the setting.")
    editor.press("Submit version 1 for review")

    # The reviewer publishes; the public sees it.
    page = reviewer.page
    page.goto(ADMIN)
    reviewer.click("CCTV in car parks (v1)")
    reviewer.click("Approve and publish")
    # The comment that sent it back is still open: named here, resolved as it goes live.
    assert "Say where the cameras were installed." in page.inner_text("#open-comments-check")
    page.get_by_label("The version as a whole: Say where the cameras").check()
    reviewer.press("Yes, publish version 1")
    assert "Version 1 is live" in reviewer.message()
    public.page.goto("/toolkit/cctv-in-car-parks/")
    assert "Cameras were installed in multi-storey car parks." in public.page.content()

    # The editor edits the live summary: the public still sees the old text.
    page = editor.page
    page.goto(f"{ADMIN}summaries/intervention/")
    editor.click("CCTV in car parks")
    editor.press("Start a new draft from version 1")
    assert "Draft v2 started from version 1" in editor.message()
    write_section(page, 0, "Cameras with number-plate recognition were installed.")
    editor.save_and_continue()
    editor.click("Submit for review")
    page.fill("#id_change_note", "Number-plate recognition.")
    editor.press("Submit version 2 for review")
    public.page.goto("/toolkit/cctv-in-car-parks/")
    assert "number-plate recognition" not in public.page.content()
    assert "Cameras were installed in multi-storey car parks." in public.page.content()

    # The reviewer publishes version 2; the public sees the new text and the change log.
    page = reviewer.page
    page.goto(ADMIN)
    reviewer.click("CCTV in car parks (v2)")
    reviewer.click("Approve and publish")
    reviewer.press("Yes, publish version 2")
    public.page.goto("/toolkit/cctv-in-car-parks/")
    text = public.page.inner_text("main")
    assert "Cameras with number-plate recognition were installed." in text
    assert "Version 2" in text and "Number-plate recognition." in text
    assert_no_csp_violations(editor, reviewer, public)


def test_history_compares_and_restores(browser, live_server):
    """The history shows what changed between two versions, word by word, and restores
    the older one as a new draft."""
    editor = Person(browser, live_server.url, "editor")
    page = editor.page
    page.goto(f"{ADMIN}summaries/intervention/")
    editor.click("Neighbourhood lighting")
    page.get_by_role("link", name="History").first.click()
    page.select_option("#compare-old", "1")
    page.select_option("#compare-new", "2")
    page.click("input[value=Compare]")
    focus = page.locator("#diff tr", has_text="Focus of the intervention")
    assert focus.locator("del").inner_text() == "Lamps"
    assert focus.locator("ins").inner_text() == "LED lamps"
    assert "installed on residential streets." in focus.inner_text()
    editor.press("Restore v1 as a new draft")
    assert "Draft v3 started from version 1" in editor.message()
    assert page.input_value("#id_title") == "Neighbourhood lighting"
    assert "Lamps were installed" in page.locator("#sections-0 [contenteditable=true]").inner_text()
    assert_no_csp_violations(editor)
