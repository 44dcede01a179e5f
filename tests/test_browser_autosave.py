"""Autosave and unsaved changes on the version form, in a real browser: typing is kept in
the editor's slot, coming back offers to restore or discard it, each part with unsaved
changes is marked on its tab, an autosave after someone else's save says so, and a save
refused as stale opens on the part of the editor's own edit. axe finds nothing on the
form with the restore prompt.

Playwright (Python) drives Debian's Chromium (the ``browser`` fixture in ``conftest.py``).
All database work happens in ``browser_data``, before the browser starts.
"""

import re

import pytest
from django.contrib.auth.models import Group

from tests.factories import make_complete_draft, make_user
from tests.test_accessibility import ADMIN_EXCLUDE, assert_no_violations, axe_violations
from tests.test_browser_editing import log_in, version_url

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AUTOSAVED = re.compile(r"Autosaved at \d\d:\d\d")


@pytest.fixture
def browser_data(live_server, settings):
    """Two editors and "Street lighting", a complete draft; autosaves paced at 0 s so
    the tests need not wait between them."""
    settings.AUTOSAVE_MIN_SECONDS = 0
    editors = Group.objects.get(name="Editors")
    make_user("editor", groups=[editors])
    make_user("other-editor", groups=[editors])
    draft = make_complete_draft("street-lighting", title="Street lighting")
    return {"draft": draft.pk}


def type_title(page, words):
    page.locator("#id_title").press("End")
    page.locator("#id_title").press_sequentially(words)


def wait_autosaved(page):
    page.locator("#autosave-message", has_text=AUTOSAVED).wait_for(timeout=10_000)


def test_typing_is_autosaved_and_restored_after_coming_back(browser, live_server, browser_data):
    """Typing is autosaved after a pause; opening the form again (a closed tab) offers
    Restore or Discard and lists the field and its part; Restore fills the field and the
    rich text, Save keeps them and the prompt does not come back."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    assert "Autosave is on" in page.inner_text("#autosave-status")
    type_title(page, " at night")
    page.click("#form-parts-nav a[data-part=effect]")
    editor = page.locator("#part-effect [contenteditable=true]").first
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Lamps were brighter.")
    wait_autosaved(page)
    page.close()  # the tab is closed without saving

    page = page.context.new_page()
    page.goto(version_url(browser_data["draft"]))
    prompt = page.locator("#autosave-prompt")
    assert "You have unsaved changes, autosaved at" in prompt.inner_text()
    differences = page.inner_text(".autosave-differences")
    assert "Summary: Title" in differences
    assert "Effect: Effect – how effective is it?" in differences
    assert page.evaluate("document.activeElement.id") == "autosave-prompt"
    assert not page.is_visible("#autosave-needs-script")
    assert "paused" in page.inner_text("#autosave-status")
    assert page.input_value("#id_title") == "Street lighting"

    page.click("#autosave-restore")
    assert page.locator("#autosave-prompt").count() == 0
    assert page.input_value("#id_title") == "Street lighting at night"
    page.click("#form-parts-nav a[data-part=effect]")
    assert "Lamps were brighter." in page.inner_text("#part-effect [contenteditable=true]")
    assert "Restored your changes" in page.inner_text("#autosave-status")
    assert "(unsaved changes)" in page.inner_text("#form-parts-nav a[data-part=summary]")

    page.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in page.inner_text(".messagelist")
    assert page.input_value("#id_title") == "Street lighting at night"
    assert page.locator(".part-unsaved").count() == 0, "the marks are cleared after saving"
    page.reload()
    assert page.locator("#autosave-prompt").count() == 0, "saving deleted the slot"
    page.context.close()


def test_discard_deletes_what_was_autosaved(browser, live_server, browser_data):
    """Discard leaves the form as saved and the prompt does not come back."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    type_title(page, " (draft words)")
    wait_autosaved(page)
    page.goto(version_url(browser_data["draft"]))
    page.click("#autosave-discard")
    assert "Your autosaved changes were discarded." in page.inner_text(".messagelist")
    assert page.locator("#autosave-prompt").count() == 0
    assert page.input_value("#id_title") == "Street lighting"
    page.reload()
    assert page.locator("#autosave-prompt").count() == 0
    page.context.close()


def test_without_javascript_the_prompt_offers_discard_only(browser, live_server, browser_data):
    """Without JavaScript the prompt says restoring needs it and Discard works; the form
    has no autosave line."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    type_title(page, " (typed with scripts on)")
    wait_autosaved(page)
    page.context.close()
    page = log_in(browser, live_server.url, "editor", javascript=False)
    page.goto(version_url(browser_data["draft"]))
    assert not page.is_visible("#autosave-restore")
    assert not page.is_visible("#autosave-status")
    assert "needs JavaScript" in page.inner_text("#autosave-prompt")
    page.click("#autosave-discard")
    assert page.locator("#autosave-prompt").count() == 0
    page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_parts_with_unsaved_changes_are_marked(browser, live_server, browser_data, width):
    """A part whose fields differ from what was loaded is marked on its tab, in words for
    screen readers, and named under the tabs; undoing the change clears the mark."""
    page = log_in(browser, live_server.url, "editor", width=width)
    page.goto(version_url(browser_data["draft"]))
    page.wait_for_timeout(500)  # the rich-text editors are ready
    assert page.locator(".part-unsaved").count() == 0, "nothing is marked on opening"
    page.click("#form-parts-nav a[data-part=effect]")
    loaded = page.input_value("#id_effect_rating")
    page.select_option("#id_effect_rating", index=3)
    assert page.input_value("#id_effect_rating") != loaded
    link = page.locator("#form-parts-nav a[data-part=effect]")
    link.locator(".part-unsaved").wait_for()
    assert link.inner_text().replace("\n", "").startswith("Effect ●")
    assert "(unsaved changes)" in link.text_content()
    assert page.locator("#form-parts-nav a[data-part=summary] .part-unsaved").count() == 0
    assert page.inner_text("#unsaved-parts") == "● Unsaved changes in: Effect. Save keeps them."
    page.select_option("#id_effect_rating", loaded)
    link.locator(".part-unsaved").wait_for(state="detached")
    assert not page.is_visible("#unsaved-parts")
    page.context.close()


def test_autosave_after_someone_elses_save_says_so(browser, live_server, browser_data):
    """When another editor saves while this one types, the autosave line says in words
    that someone else saved and that Save will be refused as stale."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    other = log_in(browser, live_server.url, "other-editor")
    other.goto(version_url(browser_data["draft"]))
    other.fill("#id_standfirst", "Their standfirst.")
    other.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in other.inner_text(".messagelist")

    type_title(page, " (mine)")
    conflict = page.locator("#autosave-conflict")
    conflict.wait_for()
    text = conflict.inner_text()
    assert text.startswith("Someone else saved: other-editor saved this version at")
    assert "a Save will be refused as stale" in text
    assert page.get_attribute("#autosave-conflict", "role") == "alert"
    other.context.close()
    page.context.close()


def test_stale_refusal_opens_the_part_of_the_users_own_edit(browser, live_server, browser_data):
    """A save refused as stale opens on the part holding the editor's own edit (not the
    first part) and says which field it was."""
    other = log_in(browser, live_server.url, "other-editor")
    other.goto(version_url(browser_data["draft"]))
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    other.fill("#id_title", "Street lighting at night")
    other.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in other.inner_text(".messagelist")

    page.click("#form-parts-nav a[data-part=mechanism]")
    page.select_option("#id_mechanism_rating", index=2)
    page.click("#action-bar input[name=_continue]")
    page.locator("#stale-changes").wait_for()
    page.wait_for_load_state()  # the form's script has chosen the part to show
    own = page.inner_text("#stale-own-edit")
    assert "Your own edit (the first field you changed) is in the part “Mechanism”" in own
    assert "Mechanism rating" in own
    assert page.is_visible("#id_mechanism_rating")
    assert not page.is_visible("#id_title")
    assert page.get_attribute("#form-parts-nav a[data-part=mechanism]", "aria-current") == "step"
    other.context.close()
    page.context.close()


def test_form_with_the_restore_prompt_has_no_axe_violations(browser, live_server, browser_data):
    """The form with the restore prompt, and with a part marked unsaved, has no axe
    violation at 1280 and 390 pixels."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    type_title(page, " at night")
    wait_autosaved(page)
    found = {"unsaved mark, 1280": axe_violations(page, ADMIN_EXCLUDE)}
    page.goto(version_url(browser_data["draft"]))
    page.locator("#autosave-prompt").wait_for()
    page.wait_for_load_state("networkidle")
    found["restore prompt, 1280"] = axe_violations(page, ADMIN_EXCLUDE)
    page.set_viewport_size({"width": 390, "height": 900})
    found["restore prompt, 390"] = axe_violations(page, ADMIN_EXCLUDE)
    assert_no_violations(found)
    page.context.close()
