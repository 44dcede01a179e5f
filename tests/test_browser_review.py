"""Reviewing in a real browser: comments on the review page reach the editor's form, the
four-eyes rule on authorship, notifications and the dashboards.

Playwright drives Debian's Chromium (``browser`` in ``conftest.py``); all database work
happens in ``browser_data``, before the browser starts.
"""

from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail

from summaries.editorial.services import version_request_changes, version_submit
from summaries.models import SummaryVersion
from tests.factories import make_complete_draft, make_live, make_user
from tests.test_browser_workflow import Person, assert_no_csp_violations, write_section

ADMIN = f"/{settings.ADMIN_URL}"

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_data(live_server):
    """An editor and two reviewers (with email addresses); "CCTV in car parks", written
    and submitted by the editor; "Street lighting", written by the reviewer, sent back by
    the second reviewer and resubmitted by the editor; "Alley gating", live, its evidence
    last reviewed in 2019."""
    editors, reviewers = Group.objects.get(name="Editors"), Group.objects.get(name="Reviewers")
    editor = make_user("editor", groups=[editors])
    reviewer = make_user("reviewer", groups=[reviewers])
    reviewer2 = make_user("reviewer2", groups=[reviewers])
    for user in (editor, reviewer, reviewer2):
        user.email = f"{user.username}@example.org"
        user.save()
    cctv = make_complete_draft("cctv-in-car-parks", title="CCTV in car parks", user=editor)
    version_submit(version=cctv, user=editor, change_note="First version.")
    lighting = make_complete_draft("street-lighting", title="Street lighting", user=reviewer)
    version_submit(version=lighting, user=reviewer, change_note="First version.")
    version_request_changes(version=lighting, user=reviewer2, comment="Add the cost.")
    version_submit(version=lighting, user=editor, change_note="Cost added.")
    gating = make_live("alley-gating", title="Alley gating")
    SummaryVersion.objects.filter(pk=gating.pk).update(evidence_reviewed_on=date(2019, 5, 1))
    mail.outbox.clear()
    return {"cctv": cctv.pk, "lighting": lighting.pk}


def review_url(pk):
    return f"{ADMIN}summaries/summaryversion/{pk}/review/"


def test_comment_on_a_section_reaches_the_editor_who_resolves_it(
    browser, live_server, browser_data
):
    """A reviewer comments on a section on the review page and sends the version back;
    the editor is emailed, sees the comment at its part of their form, fixes the text
    and resolves it."""
    reviewer = Person(browser, live_server.url, "reviewer")
    editor = Person(browser, live_server.url, "editor")
    page = reviewer.page
    page.goto(ADMIN)
    page.get_by_role("link", name="Review CCTV in car parks (v1)").click()
    assert "This summary has never been published" in page.inner_text("#review-summary")
    page.get_by_role("link", name="Comment on Effect – how effective").click()
    assert page.input_value("#id_anchor") == "section-effect"
    page.fill("#id_body", "Say how large the effect was.")
    reviewer.press("Add comment")
    assert "Comment added on Section: Effect" in reviewer.message()
    part = page.inner_text("#part-section-effect")
    assert "Say how large the effect was." in part and "reviewer" in part
    page.fill("#id_rc_comment", "See my comment on the effect.")
    reviewer.press("Send version 1 back")
    assert "went back to the editors" in reviewer.message()
    assert any(
        m.subject == "Changes requested: CCTV in car parks (v1)" and m.to == ["editor@example.org"]
        for m in mail.outbox
    )

    page = editor.page
    page.goto(ADMIN)
    editor.click("CCTV in car parks (v1)")
    panel = page.inner_text("#open-comments")
    assert "2 open" in panel
    assert "Say how large the effect was." in panel and "sent the version back" in panel
    page.get_by_role("link", name="Section: Effect – how effective is it?").click()
    # The link shows the Effect part, with the section's text editor focused and in view.
    assert page.locator("#form-parts-nav a[aria-current]").inner_text() == "Effect"
    assert page.locator("#part-effect").is_visible()
    focused = page.evaluate(
        """() => {
            const el = document.activeElement, box = el.getBoundingClientRect();
            return {editor: el.isContentEditable,
                    label: document.getElementById(el.getAttribute('aria-labelledby'))
                           ?.textContent.trim(),
                    inSection: !!el.closest('#part-effect .section-form'),
                    inView: box.top >= 0 && box.top < innerHeight};
        }"""
    )
    assert focused["editor"] and focused["inSection"] and focused["inView"], focused
    write_section(page, 1, "Crime fell by 21% in the car parks with cameras.")
    editor.save_and_continue()
    page.get_by_role(
        "button", name="Resolve the comment on Section: Effect – how effective is it?"
    ).click()
    assert "Comment resolved." in editor.message()
    assert "1 open, 1 resolved" in page.inner_text("#open-comments")

    page = reviewer.page
    page.goto(review_url(browser_data["cctv"]))
    assert "resolved by editor" in page.inner_text("#part-section-effect")
    assert_no_csp_violations(reviewer, editor)


def test_four_eyes_on_authorship(browser, live_server, browser_data):
    """The reviewer who wrote "Street lighting" is told another reviewer publishes it,
    though an editor resubmitted it; the other reviewer publishes it."""
    writer = Person(browser, live_server.url, "reviewer")
    other = Person(browser, live_server.url, "reviewer2")
    writer.page.goto(review_url(browser_data["lighting"]))
    assert "You saved text in this version" in writer.page.inner_text("#four-eyes")
    assert writer.page.locator("#review-publish").count() == 0
    response = writer.page.goto(
        f"{ADMIN}summaries/summaryversion/{browser_data['lighting']}/publish/"
    )
    assert response.status == 403
    other.page.goto(review_url(browser_data["lighting"]))
    other.page.get_by_role("link", name="Approve and publish version 1…").click()
    other.page.get_by_label("Publish with the comments I did not tick still open").check()
    other.press("Yes, publish version 1")
    assert "Version 1 is live" in other.message()
    assert any(m.subject == "Published: Street lighting (v1)" for m in mail.outbox)
    writer.context.close()
    other.context.close()


def test_notifications_and_dashboards(browser, live_server, browser_data):
    """The reviewer's home shows what waits (oldest first, with its age), their unread
    notifications and what is due for evidence review; the editor's home shows their
    version in review; opening a notification marks it read."""
    reviewer = Person(browser, live_server.url, "reviewer")
    editor = Person(browser, live_server.url, "editor")
    page = reviewer.page
    queue = page.inner_text("#review-queue")
    assert "Waiting for review (2)" in queue
    assert queue.index("CCTV in car parks") < queue.index("Street lighting")
    assert "waiting" in page.inner_text("#queue-in-review + ul")
    assert "yours: another reviewer publishes it" in queue
    assert "Due for evidence review (1)" in queue and "Alley gating" in queue
    assert "evidence last reviewed 1 May 2019" in queue
    # Two submissions (CCTV, and Street lighting resubmitted by the editor) and the
    # changes requested on Street lighting, which the reviewer wrote.
    page.get_by_role("link", name="Your notifications (3 unread)").click()
    listing = page.inner_text("#result_list")
    assert "editor submitted “CCTV in car parks” (v1) for review." in listing
    page.get_by_role("link", name="editor submitted “CCTV in car parks” (v1) for review.").click()
    assert page.url.endswith(review_url(browser_data["cctv"]))
    page.goto(ADMIN)
    assert "(2 unread)" in page.inner_text("#notifications-link")

    queue = editor.page.inner_text("#review-queue")
    # Street lighting is the reviewer's text, which the editor only resubmitted.
    assert "Your versions in review (1)" in queue and "CCTV in car parks (v1)" in queue
    assert "Your recent actions" in editor.page.inner_text("#recent-actions-module")
    assert "Now in review" in editor.page.inner_text("#recent-actions-module")
    assert_no_csp_violations(reviewer, editor)
