"""Who may do what: every role against every workflow action and staff-only address.

Each cell of ``MATRIX`` is run on its own fresh data. "ok" means the action happened (the
version reached the expected state); any other outcome is a status code or "login" (the
admin's redirect to its login page), and then nothing in the database may have changed.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from summaries.editorial.services import draft_start_from, version_submit
from summaries.models import AuditEvent, State, SummaryVersion
from tests.factories import make_complete_draft, make_live, make_user, publish
from tests.test_admin import form_data

IN_REVIEW = ("state", State.IN_REVIEW)
PUBLISHED = ("state", State.PUBLISHED)

ROLES = ["anonymous", "editor", "second editor", "reviewer", "superuser"]

#                          anonymous  editor  2nd editor  reviewer  superuser
MATRIX = {
    "view change page":   ("login",   200,    200,        200,      200),
    "save draft":         ("login",   "ok",   "ok",       "ok",     "ok"),
    "submit":             ("login",   "ok",   "ok",       "ok",     "ok"),
    "request changes":    ("login",   403,    403,        "ok",     "ok"),
    "publish":            ("login",   403,    403,        "ok",     "ok"),
    "publish own":        ("login",   403,    403,        403,      "ok"),
    "schedule":           ("login",   403,    403,        "ok",     "ok"),
    "schedule own":       ("login",   403,    403,        403,      "ok"),
    "withdraw":           ("login",   403,    403,        "ok",     "ok"),
    "restore":            ("login",   "ok",   "ok",       "ok",     "ok"),
    "archive":            ("login",   "ok",   "ok",       "ok",     "ok"),
    "preview":            (404,       200,    200,        200,      200),
    "history":            ("login",   200,    200,        200,      200),
    "diff":               ("login",   200,    200,        200,      200),
    "audit log list":     ("login",   200,    200,        200,      200),
    "audit log edit":     ("login",   403,    403,        403,      403),
    "audit log delete":   ("login",   403,    403,        403,      403),
}  # fmt: skip


@dataclass
class World:
    users: dict
    author: object  # the editor who wrote and submitted the drafts

    def user(self, role):
        return self.users[role]


@pytest.fixture
def world(db):
    editors, reviewers = Group.objects.get(name="Editors"), Group.objects.get(name="Reviewers")
    users = {
        "anonymous": None,
        "editor": make_user("editor", groups=[editors]),
        "second editor": make_user("editor2", groups=[editors]),
        "reviewer": make_user("reviewer", groups=[reviewers]),
        "superuser": make_user("admin", superuser=True),
    }
    return World(users=users, author=users["editor"])


def _in_review(by):
    draft = make_complete_draft(user=by)
    version_submit(version=draft, user=by, change_note="Ready for review.")
    return draft


def _action_url(version, name):
    return reverse(f"admin:summaries_summaryversion_{name}", args=[version.pk])


def _change_url(version):
    return reverse("admin:summaries_summaryversion_change", args=[version.pk])


# Each action sets up its data and returns (version, the request, the success it expects):
# the request runs later, so the test can note the database state right before it.


def view_change_page(world, user):
    draft = make_complete_draft(user=world.author)
    return draft, lambda client: client.get(_change_url(draft)), None


def save_draft(world, user):
    draft = make_complete_draft(user=world.author)
    reader = Client()
    reader.force_login(world.user("superuser"))
    data = form_data(reader.get(_change_url(draft)), "summaryversion_form")
    data["title"] = ["Changed title"]
    data["_save"] = ["Save"]
    return draft, lambda client: client.post(_change_url(draft), data), ("title", "Changed title")


def submit(world, user):
    draft = make_complete_draft(user=world.author)
    url = _action_url(draft, "submit")
    return draft, lambda client: client.post(url, {"change_note": "Done."}), IN_REVIEW


def request_changes(world, user):
    version = _in_review(world.author)
    url = _action_url(version, "request_changes")
    post = lambda client: client.post(url, {"comment": "More detail."})  # noqa: E731
    return version, post, ("state", State.CHANGES_REQUESTED)


def _publish(version):
    return version, lambda client: client.post(_action_url(version, "publish")), PUBLISHED


def publish_(world, user):
    return _publish(_in_review(world.author))


def publish_own(world, user):
    return _publish(_in_review(user))


def _schedule(version):
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    post = lambda client: client.post(_action_url(version, "schedule"), {"publish_at": when})  # noqa: E731
    return version, post, ("scheduled", True)


def schedule(world, user):
    return _schedule(_in_review(world.author))


def schedule_own(world, user):
    return _schedule(_in_review(user))


def withdraw(world, user):
    live = make_live()
    post = lambda client: client.post(_action_url(live, "withdraw"), {"reason": "Old."})  # noqa: E731
    return live, post, ("state", State.WITHDRAWN)


def restore(world, user):
    old = make_live()
    publish(draft_start_from(version=old))
    return old, lambda client: client.post(_action_url(old, "new_draft")), ("open drafts", 1)


def archive(world, user):
    draft = make_complete_draft(user=world.author)
    post = lambda client: client.post(_action_url(draft, "archive"), {})  # noqa: E731
    return draft, post, ("state", State.ARCHIVED)


def preview(world, user):
    draft = make_complete_draft(user=world.author)
    return draft, lambda client: client.get(_action_url(draft, "preview")), None


def _history_url(version):
    return reverse("admin:summaries_intervention_history", args=[version.intervention_id])


def history(world, user):
    draft = make_complete_draft(user=world.author)
    return draft, lambda client: client.get(_history_url(draft)), None


def diff(world, user):
    live = make_live()
    draft_start_from(version=live)
    return live, lambda client: client.get(_history_url(live) + "?old=1&new=2"), None


def audit_log_list(world, user):
    draft = make_complete_draft(user=world.author)
    url = reverse("admin:summaries_auditevent_changelist")
    return draft, lambda client: client.get(url), None


def audit_log_edit(world, user):
    draft = make_complete_draft(user=world.author)
    event = AuditEvent.objects.get(version=draft)
    url = reverse("admin:summaries_auditevent_change", args=[event.pk])
    post = lambda client: client.post(url, {"comment": "rewritten", "action": "publish"})  # noqa: E731
    return draft, post, None


def audit_log_delete(world, user):
    draft = make_complete_draft(user=world.author)
    event = AuditEvent.objects.get(version=draft)
    url = reverse("admin:summaries_auditevent_delete", args=[event.pk])
    return draft, lambda client: client.post(url, {"post": "yes"}), None


ACTIONS = {
    "view change page": view_change_page,
    "save draft": save_draft,
    "submit": submit,
    "request changes": request_changes,
    "publish": publish_,
    "publish own": publish_own,
    "schedule": schedule,
    "schedule own": schedule_own,
    "withdraw": withdraw,
    "restore": restore,
    "archive": archive,
    "preview": preview,
    "history": history,
    "diff": diff,
    "audit log list": audit_log_list,
    "audit log edit": audit_log_edit,
    "audit log delete": audit_log_delete,
}


def snapshot():
    """Everything a refused request must leave as it was."""
    versions = SummaryVersion.objects.order_by("pk").values_list(
        "pk", "state", "revision", "title", "publish_at", "change_note"
    )
    events = AuditEvent.objects.order_by("pk").values_list("pk", "action", "comment")
    return list(versions), list(events)


def observed(version, what):
    version = SummaryVersion.objects.get(pk=version.pk)
    if what == "scheduled":
        return version.publish_at is not None
    if what == "open drafts":
        return version.intervention.versions.open().count()
    return getattr(version, what)


CELLS = [
    pytest.param(action, role, expected, id=f"{action}-{role}")
    for action, row in MATRIX.items()
    for role, expected in zip(ROLES, row, strict=True)
]


@pytest.mark.parametrize(("action", "role", "expected"), CELLS)
def test_permission_matrix(world, client, action, role, expected):
    """Each role can do exactly what the matrix says; a refusal changes nothing."""
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    version, request, success = ACTIONS[action](world, user)
    before = snapshot()
    response = request(client)

    if expected == "ok":
        assert response.status_code == 302, response.content[:2000]
        field, value = success
        assert observed(version, field) == value
        return
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == expected
    assert snapshot() == before
