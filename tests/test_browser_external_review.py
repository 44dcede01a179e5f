"""An external reviewer in a real browser: a reviewer emails a link, the person opens it
in a browser of their own (no account, no session), comments, and the reviewer sees the
comment on the review page, replies (emailed back) and resolves it.

Playwright drives Debian's Chromium (``browser`` in ``conftest.py``); all database work
happens in ``browser_data``, before the browser starts.
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail

from tests.factories import make_complete_draft, make_user
from tests.test_browser_workflow import Person, assert_no_csp_violations

ADMIN = f"/{settings.ADMIN_URL}"

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_data(live_server):
    """An editor's draft, "CCTV in car parks", and a reviewer."""
    editor = make_user("editor", groups=[Group.objects.get(name="Editors")])
    editor.email = "editor@example.org"
    editor.save()
    reviewer = make_user("reviewer", groups=[Group.objects.get(name="Reviewers")])
    reviewer.first_name, reviewer.last_name = "Rita", "Reviewer"
    reviewer.email = "reviewer@example.org"
    reviewer.save()
    draft = make_complete_draft("cctv-in-car-parks", title="CCTV in car parks", user=editor)
    mail.outbox.clear()
    return {"draft": draft.pk}


def test_external_reviewer_comments_and_staff_resolve(browser, live_server, browser_data):
    """Make a link on the review page; open it in a fresh browser with no session; the
    draft shows under its banner; comment on a section; the reviewer sees it marked as an
    external reviewer's, replies (emailed to the person) and resolves it."""
    reviewer = Person(browser, live_server.url, "reviewer")
    page = reviewer.page
    review_url = f"{ADMIN}summaries/summaryversion/{browser_data['draft']}/review/"
    page.goto(review_url)
    page.fill("#id_ext_name", "Dr Ada Academic")
    page.fill("#id_ext_email", "ada@university.example")
    page.fill("#id_ext_days", "10")
    reviewer.press("Email the review link")
    assert "A review link for Dr Ada Academic is being emailed" in reviewer.message()
    assert "not opened yet" in page.inner_text("#external-review")
    (sent,) = [m for m in mail.outbox if m.to == ["ada@university.example"]]
    link = re.search(r"http://\S+/review/[\w-]{43}/", sent.body).group()
    path = link[link.index("/review/") :]

    ada = Person(browser, live_server.url)  # a browser of her own: no account, no cookies
    response = ada.page.goto(path)
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "private, no-store"
    assert ada.page.title().startswith("Draft for review: CCTV in car parks")
    assert "Draft for review" in ada.page.inner_text(".draft-banner")
    assert "The effect section." in ada.page.inner_text("article.summary")
    assert ada.page.locator(f"a[href*='{ADMIN}']").count() == 0
    assert ada.page.input_value("#id_name") == "Dr Ada Academic"
    ada.page.select_option("#id_anchor", label="Section: Effect – how effective is it?")
    ada.page.fill("#id_body", "The effect needs its confidence interval.")
    ada.page.get_by_role("button", name="Send comment").click()
    assert "your comment was sent to the editors" in ada.page.inner_text("[role=status]")
    assert "The effect needs its confidence interval." in ada.page.inner_text("#external-comments")
    assert not [c for c in ada.context.cookies() if c["name"] == "sessionid"]

    page.goto(review_url)
    part = page.inner_text("#part-section-effect")
    assert "External reviewer: Dr Ada Academic" in part
    assert "The effect needs its confidence interval." in part
    # Opened, then shown again after the comment (redirect after POST).
    assert "opened 2 times" in page.inner_text("#external-review")
    page.fill("#part-section-effect textarea[name=body]", "Added: 95% CI 0.6 to 0.9.")
    page.locator("#part-section-effect").get_by_role("button", name="Reply").click()
    assert "Reply added." in reviewer.message()
    replies = [m for m in mail.outbox if m.to == ["ada@university.example"]]
    assert replies[-1].subject == "Reply to your comment on CCTV in car parks"
    assert "Added: 95% CI 0.6 to 0.9." in replies[-1].body and path in replies[-1].body
    page.get_by_role(
        "button", name="Resolve the comment on Section: Effect – how effective is it?"
    ).click()
    assert "Comment resolved." in reviewer.message()
    assert "resolved by reviewer" in page.inner_text("#part-section-effect")

    ada.page.goto(path)
    mine = ada.page.inner_text("#external-comments")
    assert "Added: 95% CI 0.6 to 0.9." in mine and "(resolved)" in mine
    assert_no_csp_violations(reviewer, ada)
