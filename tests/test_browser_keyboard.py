"""The admin by keyboard and at any zoom (WCAG 2.2 AA), in a real browser: what axe cannot
see. Focus never hides under the sticky action bar, "Next part" keeps focus, the rich-text
editor shows focus and has a way out, the sticky bar and the review page's decision panel
never fill the window, and nothing scrolls sideways at 320 CSS pixels or with large text.

"200% text" is the browser's text size doubled, as a phone's or a browser's large-text
setting does: the admin sizes its text in rem, so it is simulated by doubling the root
font size. 320 CSS pixels wide is 400% zoom of a 1280-pixel window.

Playwright drives Debian's Chromium (``browser`` in ``conftest.py``); all database work
happens in ``browser_data``, before the browser starts. Every step is a key press, as a
keyboard user makes it.
"""

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from summaries.editorial import comments
from summaries.editorial.services import version_submit
from summaries.models import KeyFigure
from tests.factories import make_complete_draft, make_user

PASSWORD = "correct horse battery staple"
ADMIN = f"/{settings.ADMIN_URL}"
LARGE_TEXT = "html { font-size: 200% !important; }"

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_data(live_server):
    """An editor and a reviewer; "Street lighting", the editor's complete draft with a key
    figure; "CCTV in car parks", the editor's, submitted, with two comment threads."""
    editor = make_user("editor", groups=[Group.objects.get(name="Editors")])
    make_user("reviewer", groups=[Group.objects.get(name="Reviewers")])
    draft = make_complete_draft("street-lighting", title="Street lighting", user=editor)
    KeyFigure.objects.create(
        version=draft,
        outcome="Sexual reoffending",
        comparison_rate=Decimal("13.6"),
        treatment_rate=Decimal("9.3"),
        relative_change=Decimal("-31.8"),
    )
    submitted = make_complete_draft("cctv-in-car-parks", title="CCTV in car parks", user=editor)
    version_submit(version=submitted, user=editor, change_note="First version.")
    first = comments.comment_add(
        version=submitted, user=editor, anchor="section-effect", body="Effect size added."
    )
    comments.comment_reply(comment=first, user=editor, body="And its interval.")
    comments.comment_add(version=submitted, user=editor, anchor="title", body="Shorter?")
    return {"draft": draft.pk, "submitted": submitted.pk}


def log_in(browser, base_url, username, *, width=1280, height=900, large_text=False):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    if large_text:
        # On every page the context opens, before its own styles apply.
        context.add_init_script(
            "document.addEventListener('DOMContentLoaded', () => {"
            " const style = document.createElement('style');"
            f" style.textContent = {LARGE_TEXT!r};"
            " document.head.append(style); });"
        )
    page = context.new_page()
    page.goto(f"{ADMIN}login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"**{ADMIN}")
    return page


def open_form(page, pk, fragment=""):
    page.goto(f"{ADMIN}summaries/summaryversion/{pk}/change/{fragment}")
    page.wait_for_load_state("networkidle")


# Where the focused element is, and whether any element that stays in view while the page
# scrolls (position sticky and stuck, or fixed) lies over any part of it.
FOCUS_PLACE = """() => {
    const focused = document.activeElement;
    const box = focused.getBoundingClientRect();
    const covers = [...document.querySelectorAll('body *')].filter(el => {
        const position = getComputedStyle(el).position;
        if (position !== 'sticky' && position !== 'fixed') return false;
        if (el.contains(focused)) return false;
        const r = el.getBoundingClientRect();
        return r.height > 0 && r.bottom > box.top + 1 && r.top < box.bottom - 1
            && r.right > box.left + 1 && r.left < box.right - 1;
    });
    return {
        what: focused.tagName + '#' + focused.id + ' '
            + (focused.value || focused.textContent || '').trim().slice(0, 30),
        top: box.top, bottom: box.bottom, height: window.innerHeight,
        under: covers.map(el => el.tagName + '#' + el.id + '.' + el.className),
        part: focused.closest('.form-part')?.dataset.part || null,
        inBar: !!focused.closest('#action-bar'),
        editor: focused.matches('[contenteditable=true]'),
    };
}"""


def assert_focus_in_view(page, step=""):
    """The focused element is in the window and no sticky element lies over it."""
    place = page.evaluate(FOCUS_PLACE)
    assert place["under"] == [], f"{step}: {place['what']} is under {place['under']}"
    assert place["bottom"] > 0 and place["top"] < place["height"], (
        f"{step}: {place['what']} is outside the window ({place['top']:.0f} to "
        f"{place['bottom']:.0f} of {place['height']})"
    )
    return place


@pytest.mark.parametrize("width", [1280, 390])
def test_shift_tab_back_to_save_never_hides_focus_under_the_bar(
    browser, live_server, browser_data, width
):
    """From a key figure back to Save by Shift+Tab, every control focused on the way is
    in the window and not under the sticky action bar."""
    page = log_in(browser, live_server.url, "editor", width=width)
    open_form(page, browser_data["draft"], "#part-evidence")
    page.focus("#id_key_figures-0-outcome")
    for step in range(200):
        page.keyboard.press("Shift+Tab")
        place = assert_focus_in_view(page, f"Shift+Tab {step + 1}")
        if place["inBar"]:
            break
    else:
        pytest.fail("Shift+Tab never reached the action bar")
    assert page.evaluate("document.activeElement.value") == "Save" or place["inBar"]
    page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_tab_through_a_part_never_hides_focus_under_the_bar(
    browser, live_server, browser_data, width
):
    """Arriving at a part's address and tabbing on through it, every control focused is
    in the window and not under the sticky action bar."""
    page = log_in(browser, live_server.url, "editor", width=width)
    open_form(page, browser_data["draft"], "#part-evidence")
    for step in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break  # past the page's last control
        if page.evaluate("document.activeElement.matches('[contenteditable=true]')"):
            # Tab in a rich-text list indents; Escape first to move on (tested below).
            assert_focus_in_view(page, f"Tab {step + 1}")
            page.keyboard.press("Escape")
            continue
        assert_focus_in_view(page, f"Tab {step + 1}")
    page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_next_part_keeps_focus_in_the_next_part(browser, live_server, browser_data, width):
    """Enter on "Next part" shows the next part with focus on its heading, in view and not
    under the bar; the next Tab goes to that part's first field, not back to the top."""
    page = log_in(browser, live_server.url, "editor", width=width)
    open_form(page, browser_data["draft"])
    page.focus("#part-summary .form-part-next a")
    page.keyboard.press("Enter")
    place = assert_focus_in_view(page, "after Enter")
    assert place["part"] == "effect", place
    assert page.evaluate("document.activeElement.id") == "part-effect-heading"
    current = page.locator("#form-parts-nav a[aria-current]")
    assert current.get_attribute("data-part") == "effect"
    page.keyboard.press("Tab")
    place = assert_focus_in_view(page, "first Tab")
    assert place["part"] == "effect", place
    page.context.close()


def test_rich_text_editor_shows_focus_and_lets_go_after_escape(browser, live_server, browser_data):
    """The rich-text editor shows a 2px-or-more outline when focused; in a list, Escape
    then Tab leaves it without changing the text, as the note the editor is described by
    says."""
    page = log_in(browser, live_server.url, "editor")
    open_form(page, browser_data["draft"], "#part-effect")
    editor = page.locator("#part-effect [contenteditable=true]").first
    # Reach the editor by keyboard from the part's heading.
    page.evaluate(
        "() => { const h = document.getElementById('part-effect-heading');"
        " h.tabIndex = -1; h.focus(); }"
    )
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('[contenteditable=true]')"):
            break
    else:
        pytest.fail("Tab never reached the rich-text editor")
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
            return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
    )
    assert style["style"] != "none" and style["width"] >= 2, style

    hint = editor.get_attribute("aria-describedby").split()
    assert "rich-text-keys" in hint
    assert "Escape, then Tab" in page.inner_text("#rich-text-keys")

    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("- first point")
    page.keyboard.press("Enter")
    page.keyboard.type("second point")
    assert editor.locator("ul li").count() == 2
    before = editor.inner_html()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not page.evaluate("document.activeElement.matches('[contenteditable=true]')")
    assert editor.inner_html() == before, "leaving the editor changed its text"
    page.context.close()


# (width, height, large text)
SMALL_WINDOWS = [(320, 800, False), (320, 256, False), (390, 844, True), (1280, 400, False)]


@pytest.mark.parametrize(("width", "height", "large_text"), SMALL_WINDOWS)
def test_action_bar_never_takes_over_a_quarter_of_the_window(
    browser, live_server, browser_data, width, height, large_text
):
    """In a narrow or short window, or with large text, the action bar scrolls with the
    page instead of staying over it: scrolled down, it covers at most a quarter of the
    window, and a followed error link or a Tab leaves the field in view."""
    page = log_in(
        browser, live_server.url, "editor", width=width, height=height, large_text=large_text
    )
    open_form(page, browser_data["draft"])
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    covered = page.evaluate(
        """() => { const r = document.getElementById('action-bar').getBoundingClientRect();
            return Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)); }"""
    )
    assert covered <= height / 4, f"the bar covers {covered:.0f} of {height} pixels"
    page.focus("#id_title")
    page.keyboard.press("Tab")
    assert_focus_in_view(page, "Tab from the title")
    page.context.close()


def test_action_bar_stays_in_view_where_it_fits(browser, live_server, browser_data):
    """At 1280 by 900 the bar (one line) still stays at the top as the form scrolls; no
    template comment shows on the page."""
    page = log_in(browser, live_server.url, "editor")
    open_form(page, browser_data["draft"])
    assert "{#" not in page.inner_text("body")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    top = page.locator("#action-bar").bounding_box()["y"]
    assert 0 <= top < 1
    page.context.close()


def test_review_panel_with_large_text_never_leaves_focus_off_screen(
    browser, live_server, browser_data
):
    """At 200% text on a 1280-pixel window, tabbing through the review page's decision
    panel to "Send back" and "Approve and publish" keeps each control in the window."""
    page = log_in(browser, live_server.url, "reviewer", large_text=True)
    page.goto(f"{ADMIN}summaries/summaryversion/{browser_data['submitted']}/review/")
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "() => { const h = document.getElementById('review-actions-heading');"
        " h.tabIndex = -1; h.focus(); }"
    )
    seen = []
    for step in range(30):
        page.keyboard.press("Tab")
        if not page.evaluate("!!document.activeElement.closest('.review-actions')"):
            break
        place = assert_focus_in_view(page, f"Tab {step + 1}")
        seen.append(place["what"])
    assert any("back" in what for what in seen), seen
    assert any("Approve and publish" in what for what in seen), seen
    page.context.close()


OVERFLOW = """() => ({
    wide: document.documentElement.scrollWidth,
    culprits: [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
        .map(el => el.tagName + '#' + el.id + '.' + el.className).slice(0, 5),
})"""


@pytest.mark.parametrize(("width", "large_text"), [(320, False), (390, True)])
def test_form_parts_and_review_page_reflow(browser, live_server, browser_data, width, large_text):
    """Every part of the form and the review page fit the window's width, at 320 CSS
    pixels and at 200% text on a 390-pixel phone: no scrolling sideways."""
    page = log_in(browser, live_server.url, "editor", width=width, large_text=large_text)
    open_form(page, browser_data["draft"])
    parts = page.eval_on_selector_all(
        "#form-parts-nav a[data-part]", "links => links.map(a => a.dataset.part)"
    )
    assert len(parts) == 8
    found = {}
    for part in parts:
        page.focus(f"#form-parts-nav a[data-part={part}]")
        page.keyboard.press("Enter")
        overflow = page.evaluate(OVERFLOW)
        if overflow["wide"] > width:
            found[part] = overflow
    page.context.close()

    page = log_in(browser, live_server.url, "reviewer", width=width, large_text=large_text)
    page.goto(f"{ADMIN}summaries/summaryversion/{browser_data['submitted']}/review/")
    overflow = page.evaluate(OVERFLOW)
    if overflow["wide"] > width:
        found["review page"] = overflow
    assert found == {}
    page.context.close()
