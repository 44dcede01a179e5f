"""The editorial workflow end to end, in a real browser through the real admin.

An editor writes a summary and submits it; a reviewer sends it back; the editor fixes and
resubmits; the reviewer publishes; the public sees it. The editor then edits the live
summary while the public still sees the old text until the reviewer publishes again; the
history shows the difference, and an old version is restored as a draft.

Playwright (Python) drives Debian's Chromium (the ``browser`` fixture in ``conftest.py``:
without Chromium the test skips locally, but fails when ``CI`` is set). All database work
happens in ``browser_data``, before the browser starts; see ``browser`` for why.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from tests.factories import make_user

PASSWORD = "correct horse battery staple"
ADMIN = f"/{settings.ADMIN_URL}"

pytestmark = [
    # A live server needs committed data, hence a transactional database. serialized_rollback
    # gives the data migrations' rows (groups, scales) back to the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_data(live_server):
    """The editor and the reviewer, created before the browser starts (the ``browser``
    fixture depends on this one, and explains why)."""
    make_user("editor", groups=[Group.objects.get(name="Editors")])
    make_user("reviewer", groups=[Group.objects.get(name="Reviewers")])


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


def write_section(page, index, text):
    """Type into a section's rich-text editor, which copies its HTML to the form."""
    editor = page.locator(f"#sections-{index} [contenteditable=true]")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_editorial_workflow(browser, live_server):
    """From a first draft to a restored old version, as editors, reviewers and the public."""
    editor = Person(browser, live_server.url, "editor")
    reviewer = Person(browser, live_server.url, "reviewer")
    public = Person(browser, live_server.url)

    # The editor adds the summary, writes every part review needs, and submits it.
    page = editor.page
    page.goto(f"{ADMIN}summaries/intervention/add/")
    page.locator("#id_title").press_sequentially("Street lighting")  # the slug follows
    assert page.input_value("#id_slug") == "street-lighting"
    page.fill("#id_standfirst", "Brighter street lighting to deter crime at night.")
    page.click("input[name=_save]")
    assert "Created “street-lighting” and its first draft" in editor.message()
    for index in range(9):
        write_section(page, index, f"Section {index} says what the evidence shows.")
    page.select_option("#id_effect_rating", label="Reduced crime")
    page.select_option("#id_quality_rating", label="Moderate")
    page.get_by_text("Add another Systematic review").click()
    page.fill("#id_reviews-0-label", "Review one")
    editor.save_and_continue()
    editor.click("Submit for review")
    page.fill("#id_change_note", "First version.")
    editor.press("Submit version 1 for review")
    assert "Version 1 is in review" in editor.message()

    # The reviewer finds it in the queue and sends it back with a comment.
    page = reviewer.page
    page.goto(ADMIN)
    assert "Waiting for review (1)" in page.inner_text("#review-queue")
    reviewer.click("Street lighting (v1)")
    reviewer.click("Request changes")
    page.fill("#id_comment", "Say where the lamps were installed.")
    reviewer.press("Send version 1 back to the editors")

    # The editor sees the comment, fixes the draft and resubmits.
    page = editor.page
    page.goto(ADMIN)
    assert "Say where the lamps were installed." in page.inner_text("#review-queue")
    editor.click("Street lighting (v1)")
    write_section(page, 0, "Lamps were installed on residential streets.")
    editor.save_and_continue()
    editor.click("Submit for review")
    page.fill("#id_change_note", "First version, with the setting.")
    editor.press("Submit version 1 for review")

    # The reviewer publishes; the public sees it.
    page = reviewer.page
    page.goto(ADMIN)
    reviewer.click("Street lighting (v1)")
    reviewer.click("Approve and publish")
    reviewer.press("Yes, publish version 1")
    assert "Version 1 is live" in reviewer.message()
    public.page.goto("/toolkit/street-lighting/")
    assert "Lamps were installed on residential streets." in public.page.content()

    # The editor edits the live summary: the public still sees the old text.
    page = editor.page
    page.goto(f"{ADMIN}summaries/intervention/")
    editor.click("Street lighting")
    editor.press("Start a new draft from version 1")
    assert "Draft v2 started from version 1" in editor.message()
    write_section(page, 0, "LED lamps were installed on residential streets.")
    editor.save_and_continue()
    editor.click("Submit for review")
    page.fill("#id_change_note", "LED lamps.")
    editor.press("Submit version 2 for review")
    public.page.goto("/toolkit/street-lighting/")
    assert "LED lamps" not in public.page.content()
    assert "Lamps were installed on residential streets." in public.page.content()

    # The reviewer publishes version 2; the public sees the new text and the change log.
    page = reviewer.page
    page.goto(ADMIN)
    reviewer.click("Street lighting (v2)")
    reviewer.click("Approve and publish")
    reviewer.press("Yes, publish version 2")
    public.page.goto("/toolkit/street-lighting/")
    text = public.page.inner_text("main")
    assert "LED lamps were installed on residential streets." in text
    assert "Version 2" in text and "LED lamps." in text

    # The history shows what changed, and restores version 1 as a new draft.
    page = editor.page
    page.goto(f"{ADMIN}summaries/intervention/")
    editor.click("Street lighting")
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
    assert page.input_value("#id_title") == "Street lighting"
    assert "Lamps were installed" in page.locator("#sections-0 [contenteditable=true]").inner_text()

    # The prose editor ran under the Content-Security-Policy (its import map by nonce),
    # and nothing on any page, the version pages included, was blocked.
    for person in (editor, reviewer, public):
        assert person.csp_violations == [], person.csp_violations
        person.context.close()
