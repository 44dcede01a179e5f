"""The version form as editors use it, in a real browser: its parts and the action bar
that stays in view, the error summary, the unsaved-changes warning, key figures that must
agree, refusals that explain, adding a term, the intervention page, and two people on one
draft.

Playwright (Python) drives Debian's Chromium (the ``browser`` fixture in ``conftest.py``).
All database work happens in ``browser_data``, before the browser starts.
"""

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from summaries.editorial.services import version_submit
from summaries.models import ExternalLink, KeyFigure
from tests.factories import make_complete_draft, make_user

PASSWORD = "correct horse battery staple"
ADMIN = f"/{settings.ADMIN_URL}"

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_data(live_server):
    """Two editors and a reviewer; "Street lighting", a complete draft with the demo's
    key figure (13.6% → 9.3%, −31.8%); "CCTV in car parks", submitted by the reviewer."""
    editors = Group.objects.get(name="Editors")
    reviewers = Group.objects.get(name="Reviewers")
    editor = make_user("editor", groups=[editors])
    make_user("other-editor", groups=[editors])
    reviewer = make_user("reviewer", groups=[reviewers])
    draft = make_complete_draft("street-lighting", title="Street lighting", user=editor)
    KeyFigure.objects.create(
        version=draft,
        outcome="Sexual reoffending",
        comparison_rate=Decimal("13.6"),
        treatment_rate=Decimal("9.3"),
        relative_change=Decimal("-31.8"),
    )
    ExternalLink.objects.create(
        version=draft, position=4, title="Lighting and crime", url="https://example.org/lighting"
    )
    submitted = make_complete_draft("cctv-in-car-parks", title="CCTV in car parks", user=reviewer)
    version_submit(version=submitted, user=reviewer, change_note="First version.")
    return {"draft": draft.pk, "submitted": submitted.pk, "intervention": draft.intervention_id}


def log_in(browser, base_url, username, *, width=1280, javascript=True):
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": width, "height": 900},
        java_script_enabled=javascript,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{ADMIN}login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{ADMIN}")
    return page


def version_url(pk):
    return f"{ADMIN}summaries/summaryversion/{pk}/change/"


def in_viewport(page, selector):
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.parametrize("width", [1280, 390])
def test_form_parts_and_sticky_action_bar(browser, live_server, browser_data, width):
    """The form shows one part at a time, chosen by its tab, and the action bar (state,
    Save, Preview, Submit) stays in view however far the editor scrolls."""
    page = log_in(browser, live_server.url, "editor", width=width)
    page.goto(version_url(browser_data["draft"]))
    assert page.is_visible("#id_title")
    assert not page.is_visible("#id_effect_rating")
    page.click("#form-parts-nav a[data-part=effect]")
    assert page.is_visible("#id_effect_rating")
    assert page.is_visible("#part-effect [contenteditable=true]")
    assert not page.is_visible("#id_title")
    assert page.get_attribute("#form-parts-nav a[data-part=effect]", "aria-current") == "step"

    page.click("#form-parts-nav a[data-part=evidence]")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    bar = page.locator("#action-bar")
    assert "Version 1" in bar.inner_text() and "Draft" in bar.inner_text()
    for control in ["input[name=_continue]", "a:text-is('Preview')", "#action-submit"]:
        assert in_viewport(page, f"#action-bar {control}"), control
    page.context.close()


def test_without_javascript_every_part_is_on_the_page(browser, live_server, browser_data):
    """Without JavaScript all parts show one after another, and saving still works."""
    page = log_in(browser, live_server.url, "editor", javascript=False)
    page.goto(version_url(browser_data["draft"]))
    for selector in [
        "#id_title",
        "#id_effect_rating",
        "#id_quality_rating",
        "#id_mechanism_rating",
    ]:
        assert page.is_visible(selector), selector
    page.fill("#id_title", "Street lighting at night")
    page.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in page.inner_text(".messagelist")
    page.context.close()


def test_error_summary_links_to_each_field(browser, live_server, browser_data):
    """A failed save lists every error at the top, focused; each link opens the field's
    part and puts the cursor in the field."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    page.fill("#id_title", "")
    page.click("#form-parts-nav a[data-part=evidence]")
    page.fill("#id_key_figures-0-treatment_rate", "150")
    page.click("#action-bar input[name=_continue]")

    summary = page.locator("#error-summary")
    summary.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "There are 2 problems" in summary.inner_text()
    links = summary.locator("a")
    assert links.count() == 2
    assert links.nth(0).get_attribute("href") == "#id_title"
    assert page.is_visible("#id_title"), "the part with the first error is shown"
    assert "(1 error)" in page.inner_text("#form-parts-nav a[data-part=evidence]")

    links.nth(1).click()
    assert page.is_visible("#id_key_figures-0-treatment_rate")
    assert page.evaluate("document.activeElement.id") == "id_key_figures-0-treatment_rate"
    assert not page.is_visible("#id_title")
    page.context.close()


def test_leaving_with_unsaved_changes_warns(browser, live_server, browser_data):
    """Leaving the form after changing it asks first; saving it does not."""
    page = log_in(browser, live_server.url, "editor")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.goto(version_url(browser_data["draft"]))
    page.click("#action-bar a:text-is('Preview')")  # nothing changed: no question
    page.wait_for_url("**/preview/")
    assert dialogs == []
    page.go_back()
    page.locator("#id_title").press("End")
    page.locator("#id_title").press_sequentially(" at night")
    page.click("#action-bar a:text-is('Preview')")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/change/"), "the editor stayed on the form"
    page.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in page.inner_text(".messagelist")
    assert dialogs == ["beforeunload"], "saving does not ask"
    assert page.input_value("#id_title") == "Street lighting at night"
    page.context.close()


def test_inconsistent_key_figure_is_refused(browser, live_server, browser_data):
    """Changing the treatment rate from 9.3% to 9.2% but leaving −31.8% is refused, the
    message giving the sum and the range the rates allow; 9.3% saves."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    page.click("#form-parts-nav a[data-part=evidence]")
    page.fill("#id_key_figures-0-treatment_rate", "9.2")
    page.click("#action-bar input[name=_continue]")
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "The relative change (−31.8%) does not match the rates" in summary.inner_text()
    assert page.is_visible("#id_key_figures-0-treatment_rate"), "the figure's part is shown"
    field_error = page.locator(".form-row.field-relative_change .errorlist, .fieldBox.errors")
    assert "it must be between −32.8% and −31.9%" in page.inner_text("#key_figures-0")
    assert field_error.count() >= 1
    page.fill("#id_key_figures-0-treatment_rate", "9.3")
    page.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in page.inner_text(".messagelist")
    page.context.close()


def test_refusals_explain_themselves(browser, live_server, browser_data):
    """An editor opening a publish address reads what publishing needs and who can do
    it, and goes back to the version; a reviewer on their own submission reads why they
    see no Publish button."""
    page = log_in(browser, live_server.url, "editor")
    response = page.goto(f"{ADMIN}summaries/summaryversion/{browser_data['submitted']}/publish/")
    assert response.status == 403
    assert page.inner_text("h1") == "You can’t use “Approve and publish” on version 1"
    text = page.inner_text("#content-main")
    assert "Your role does not include publishing." in text
    assert "A reviewer who did not write or submit this version, or an administrator." in text
    page.click("text=Back to version 1 of “CCTV in car parks”")
    page.wait_for_url(f"**{version_url(browser_data['submitted'])}")
    page.context.close()

    page = log_in(browser, live_server.url, "reviewer")
    page.goto(version_url(browser_data["submitted"]))
    assert "another reviewer must publish it" in page.inner_text("#action-bar")
    assert page.locator("#action-publish").count() == 0
    page.context.close()


def test_editor_adds_a_term_from_the_version_form(browser, live_server, browser_data):
    """An editor tags a summary on a new topic by typing a new problem under the list;
    after saving it is ticked, and typing it again in other capitals adds nothing."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    page.fill("#id_new_problems", "Street lighting")
    page.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in page.inner_text(".messagelist")
    box = page.get_by_label("Street lighting", exact=True)
    assert box.is_checked()
    page.fill("#id_new_problems", "STREET LIGHTING")
    page.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in page.inner_text(".messagelist")
    assert page.get_by_label("Street lighting", exact=True).count() == 1
    page.context.close()


def test_intervention_page_is_headed_by_the_title(browser, live_server, browser_data):
    """The intervention's page is headed by the summary's title, shows its versions and
    public state, and offers no field for "first published" or "synthetic" and no
    "Save and add another"."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(f"{ADMIN}summaries/intervention/{browser_data['intervention']}/change/")
    assert page.inner_text("h1") == "Street lighting"
    assert "Not published yet" in page.inner_text(".field-public_state")
    assert "Being worked on: version 1, draft" in page.inner_text(".field-public_state")
    assert page.locator("[name^=first_published_at], [name=is_synthetic]").count() == 0
    assert page.locator("input[name=_addanother]").count() == 0
    assert "Street lighting" in page.inner_text("#versions-group")
    page.context.close()


def test_two_people_on_one_draft(browser, live_server, browser_data):
    """Opening a draft another editor has open says who and since when; when they save
    first, the refused save keeps the editor's text and shows their changes beside it,
    and saving again after merging works."""
    other = log_in(browser, live_server.url, "other-editor")
    other.goto(version_url(browser_data["draft"]))
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    warning = page.inner_text("#presence-warning")
    assert "other-editor has had this draft open since" in warning
    assert page.is_editable("#id_title"), "it warns, it does not block"

    other.fill("#id_title", "Street lighting at night")
    other.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in other.inner_text(".messagelist")

    page.fill("#id_standfirst", "Brighter lamps on residential streets.")
    page.click("#action-bar input[name=_continue]")
    changes = page.locator("#stale-changes")
    changes.wait_for()
    assert "What other-editor changed since you opened this version" in changes.inner_text()
    title_row = changes.locator("tr", has_text="Title")
    assert title_row.locator("ins").inner_text() == "at night"
    assert "Street lighting at night" in title_row.inner_text()
    assert page.input_value("#id_standfirst") == "Brighter lamps on residential streets."
    assert "Not saved: other-editor saved this version" in page.inner_text("#error-summary")

    page.fill("#id_title", "Street lighting at night")  # takes in the other's change
    page.click("#action-bar input[name=_continue]")
    assert "was changed successfully" in page.inner_text(".messagelist")
    assert page.input_value("#id_title") == "Street lighting at night"
    assert page.input_value("#id_standfirst") == "Brighter lamps on residential streets."
    other.context.close()
    page.context.close()


def test_new_link_position_and_toolbar_glyphs(browser, live_server, browser_data):
    """ "Add another External link" starts at the next position, not 0; every button of
    the rich-text toolbar shows its icon (the icon font loads under the CSP) and the
    block-type picker's arrow is drawn, not a missing character."""
    page = log_in(browser, live_server.url, "editor")
    page.goto(version_url(browser_data["draft"]))
    page.click("#form-parts-nav a[data-part=links]")
    page.get_by_text("Add another External link").click()
    assert page.input_value("#id_external_links-1-position") == "5", "after the link at 4"

    page.click("#form-parts-nav a[data-part=effect]")
    toolbar = page.locator("#part-effect .prose-menubar").first
    toolbar.wait_for()
    page.evaluate("document.fonts.ready")
    assert page.evaluate("""document.fonts.check('24px "Material Icons"')""")
    for button in toolbar.locator("button.material-icons").all():
        assert button.get_attribute("aria-label"), button.inner_text()
    arrow = page.evaluate(
        """() => getComputedStyle(
            document.querySelector('#part-effect .prose-menubar__selected'), '::after'
        ).content"""
    )
    assert arrow == '""', arrow
    page.context.close()
