"""The editors' admin: lists, forms, read-only history, new drafts and publishing."""

from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from summaries import search
from summaries.editorial import services
from summaries.editorial.services import draft_start_from
from summaries.models import (
    Dimension,
    ExternalLink,
    Intervention,
    KeyFigure,
    Outcome,
    OutcomeResult,
    Problem,
    Scale,
    Section,
    SectionKind,
    State,
    SummaryVersion,
    SystematicReview,
)
from summaries.models.generation import current_generation
from tests.factories import make_draft, make_live, make_user, publish, send_to_review
from tests.helpers import count_queries
from toolkit.views import permission_denied


def change_url(obj):
    return reverse(f"admin:summaries_{obj._meta.model_name}_change", args=[obj.pk])


def publish_url(version):
    return reverse("admin:summaries_summaryversion_publish", args=[version.pk])


def new_draft_url(version):
    return reverse("admin:summaries_summaryversion_new_draft", args=[version.pk])


class _FormData(HTMLParser):
    """What a browser would submit from one form of a page, as name -> list of values."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data = defaultdict(list)
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or not (attrs.get("name") or tag == "option"):
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in {"submit", "button", "file"}:
            if kind not in {"checkbox", "radio"}:
                self.data[attrs["name"]].append(attrs.get("value", ""))
            elif "checked" in attrs:
                self.data[attrs["name"]].append(attrs.get("value", "on"))
        elif tag == "select":
            self.select = {"name": attrs["name"], "multiple": "multiple" in attrs, "first": None}
        elif tag == "option" and self.select:
            if self.select["first"] is None:
                self.select["first"] = attrs.get("value", "")
            if "selected" in attrs:
                self.data[self.select["name"]].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea].append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            # A single select with nothing selected submits its first option.
            name = self.select["name"]
            if not self.select["multiple"] and not self.data[name] and self.select["first"]:
                self.data[name].append(self.select["first"])
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data


def form_data(response, form_id):
    parser = _FormData(form_id)
    parser.feed(response.content.decode())
    # Browsers drop the newline Django puts right after <textarea>.
    return {k: [v.removeprefix("\n") for v in values] for k, values in parser.data.items()}


def publisher(**kwargs):
    user = make_user(**kwargs)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="summaries",
            codename__in=["view_summaryversion", "change_summaryversion", "publish_summaryversion"],
        )
    )
    return user


class InterventionAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(superuser=True)
        cls.live = make_live(slug="street-lighting", title="Street lighting")
        cls.draft = draft_start_from(version=cls.live)
        cls.draft.title = "Improved street lighting"
        cls.draft.state = State.IN_REVIEW
        cls.draft.save()
        cls.unpublished = make_draft(slug="cctv", title="CCTV")

    def setUp(self):
        self.client.force_login(self.admin)

    def changelist(self, **params):
        return self.client.get(reverse("admin:summaries_intervention_changelist"), params)

    def test_list_shows_live_title_and_state(self):
        """The list names each summary by its live title and says what is live and open."""
        response = self.changelist()
        self.assertContains(response, "Street lighting")
        self.assertContains(response, "Live v1")
        self.assertContains(response, "draft v2 in review")
        self.assertContains(response, "Draft v1")
        self.assertContains(response, "Last saved (any version)")

    def test_list_query_count_does_not_grow_with_rows(self):
        """Listing 20 interventions costs the same queries as listing 2."""

        def changelist_queries():
            return count_queries(lambda: self.assertEqual(self.changelist().status_code, 200))

        few = changelist_queries()
        for _ in range(18):
            make_live()
        self.assertEqual(Intervention.objects.count(), 20)
        self.assertEqual(changelist_queries(), few)

    def test_search_finds_version_titles(self):
        """Searching finds an intervention by the title of any of its versions."""
        response = self.changelist(q="improved")
        self.assertContains(response, "street-lighting")
        self.assertNotContains(response, "cctv")

    def test_filters_by_live_and_open_draft(self):
        """The live and open-draft filters keep only the matching summaries."""
        response = self.changelist(live="no")
        self.assertEqual([i.slug for i in response.context["cl"].result_list], ["cctv"])
        response = self.changelist(live="yes", draft="yes")
        self.assertEqual([i.slug for i in response.context["cl"].result_list], ["street-lighting"])

    def test_change_page_lists_versions_with_links(self):
        """An intervention's page lists its versions, each linking to its own page."""
        response = self.client.get(change_url(self.live.intervention))
        self.assertContains(response, change_url(self.live))
        self.assertContains(response, change_url(self.draft))
        self.assertContains(response, "Edit the open draft (v2, in review)")

    def test_change_page_offers_new_draft_when_none_is_open(self):
        """Without an open draft, the intervention page offers to start one."""
        version = make_live()
        response = self.client.get(change_url(version.intervention))
        self.assertContains(response, f'action="{new_draft_url(version)}"')

    def test_adding_creates_intervention_and_first_draft(self):
        """Adding an intervention creates its first draft and opens it for writing."""
        response = self.client.post(
            reverse("admin:summaries_intervention_add"),
            {"title": "Alley gating", "slug": "alley-gating", "standfirst": "Gates on alleys."},
        )
        version = SummaryVersion.objects.get(intervention__slug="alley-gating")
        self.assertRedirects(response, change_url(version))
        self.assertEqual(
            (version.number, version.state, version.title, version.created_by),
            (1, State.DRAFT, "Alley gating", self.admin),
        )

    def test_add_page_asks_for_title_address_and_standfirst(self):
        """The add page asks only what a first draft needs, with readable help."""
        response = self.client.get(reverse("admin:summaries_intervention_add"))
        self.assertEqual(
            list(response.context["adminform"].form.fields), ["title", "slug", "standfirst"]
        )
        self.assertContains(response, "/toolkit/&lt;slug&gt;/")
        self.assertNotContains(response, "_addanother")

    def test_adding_a_taken_slug_is_refused(self):
        """A slug already in use gives a form error, not a second intervention."""
        response = self.client.post(
            reverse("admin:summaries_intervention_add"),
            {"title": "Again", "slug": "cctv", "standfirst": ""},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "already exists")
        self.assertEqual(Intervention.objects.filter(slug="cctv").count(), 1)


class InterventionPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        cls.live = make_live("street-lighting", title="Street lighting")
        cls.draft = draft_start_from(version=cls.live)
        cls.intervention = cls.live.intervention

    def setUp(self):
        self.client.force_login(self.editor)

    def test_page_is_headed_by_the_title_and_shows_versions_and_live_state(self):
        """The intervention's page is headed by the summary's title, says what the public
        sees and which version is being worked on, and lists the versions."""
        response = self.client.get(change_url(self.intervention))
        self.assertContains(response, "<h1>Street lighting</h1>", html=True)
        self.assertContains(response, "Summary at /toolkit/street-lighting/")
        self.assertContains(response, "Live at")
        self.assertContains(response, f'href="{change_url(self.draft)}">version 2, draft</a>')
        self.assertContains(response, "Published")  # the versions table

    def test_first_published_and_synthetic_are_not_typed(self):
        """ "First published" and "Synthetic" are shown, not editable, and a crafted
        POST changes neither; there is no "Save and add another"."""
        response = self.client.get(change_url(self.intervention))
        self.assertNotContains(response, 'name="first_published_at')
        self.assertNotContains(response, 'name="is_synthetic"')
        self.assertNotContains(response, 'name="_addanother"')
        first = self.intervention.first_published_at
        data = form_data(response, "intervention_form")
        data.update(is_synthetic=["on"], first_published_at_0=["2001-01-01"], _save=["Save"])
        self.assertEqual(self.client.post(change_url(self.intervention), data).status_code, 302)
        self.intervention.refresh_from_db()
        self.assertFalse(self.intervention.is_synthetic)
        self.assertEqual(self.intervention.first_published_at, first)


class VersionFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(superuser=True)
        cls.draft = make_draft(sections={SectionKind.FOCUS: "<p>What it is.</p>"})

    def setUp(self):
        self.client.force_login(self.admin)

    def test_list_renders(self):
        """The version list shows each version and points to adding an intervention."""
        response = self.client.get(reverse("admin:summaries_summaryversion_changelist"))
        self.assertContains(response, self.draft.title)
        self.assertContains(response, "Add intervention (and its first draft)")

    def test_draft_page_shows_all_nine_sections_and_the_editor(self):
        """An editor sees a form headed by each of the nine section kinds, with rich text."""
        response = self.client.get(change_url(self.draft))
        formset = next(
            f
            for f in response.context["inline_admin_formsets"]
            if f.opts.model.__name__ == "Section"
        )
        kinds = [form["kind"].value() for form in formset.formset]
        self.assertEqual(sorted(kinds), sorted(SectionKind.values))
        self.assertContains(response, "data-django-prose-editor-configurable")
        self.assertContains(response, "Submit for review")
        self.assertNotContains(response, "Approve and publish")

    def test_every_editable_field_has_help_text(self):
        """Every field an editor fills in on a draft's page explains itself."""
        response = self.client.get(change_url(self.draft))
        forms = [response.context["adminform"].form]
        for formset in response.context["inline_admin_formsets"]:
            forms += list(formset.formset)
        missing = {
            f"{form.prefix}-{field.name}"
            for form in forms
            for field in form.visible_fields()
            if field.name != "DELETE" and not field.help_text
        }
        self.assertEqual(missing, set())

    def test_ratings_offer_only_their_own_scale(self):
        """Each rating lists only the levels of its own scale."""
        form = self.client.get(change_url(self.draft)).context["adminform"].form
        effect = Scale.objects.get(dimension=Dimension.EFFECT).levels.all()
        self.assertEqual(list(form.fields["effect_rating"].queryset), list(effect))

    def test_saving_sections_strips_script_and_event_handlers(self):
        """Script and onerror typed into a section never reach the database."""
        data = form_data(self.client.get(change_url(self.draft)), "summaryversion_form")
        bodies = {data[f"sections-{i}-kind"][0]: f"sections-{i}-body" for i in range(9)}
        data[bodies["focus"]] = ['<p>Safe<script>alert(1)</script><img src=x onerror="x()"></p>']
        data[bodies["summary"]] = ["<p>In <strong>short</strong>.</p>"]
        data["_save"] = ["Save"]
        response = self.client.post(change_url(self.draft), data)
        self.assertEqual(response.status_code, 302, response.context and response.context["errors"])
        sections = dict(self.draft.sections.values_list("kind", "body"))
        self.assertEqual(set(sections), {"focus", "summary"})
        self.assertEqual(sections["focus"], "<p>Safe</p>")
        self.assertEqual(sections["summary"], "<p>In <strong>short</strong>.</p>")


class ClosedVersionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(superuser=True)
        cls.live = make_live(title="Street lighting", sections={SectionKind.FOCUS: "<p>Lamps.</p>"})

    def setUp(self):
        self.client.force_login(self.admin)

    def test_published_page_is_read_only(self):
        """A live version's page has no save or delete button and offers a new draft."""
        response = self.client.get(change_url(self.live))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="_save"')
        self.assertNotContains(response, "/delete/")
        self.assertNotContains(response, 'name="title"')
        self.assertContains(response, "Edit: start a new draft from this version")
        self.assertContains(response, "<p>Lamps.</p>", html=True)

    def test_posting_to_a_published_version_changes_nothing(self):
        """A POST to a live version's page is refused and the version stays as it was."""
        response = self.client.post(change_url(self.live), {"title": "Hacked", "_save": "Save"})
        self.assertEqual(response.status_code, 403)
        self.live.refresh_from_db()
        self.assertEqual(self.live.title, "Street lighting")

    def test_deleting_a_published_version_is_refused(self):
        """History is kept: a live version cannot be deleted."""
        url = reverse("admin:summaries_summaryversion_delete", args=[self.live.pk])
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
        self.assertTrue(SummaryVersion.objects.filter(pk=self.live.pk).exists())

    def test_start_new_draft_copies_the_live_version(self):
        """Starting a draft creates v2 with the live content; v1 stays live."""
        response = self.client.post(new_draft_url(self.live))
        draft = SummaryVersion.objects.get(intervention=self.live.intervention, number=2)
        self.assertRedirects(response, change_url(draft))
        self.assertEqual((draft.state, draft.title), (State.DRAFT, "Street lighting"))
        self.assertEqual(draft.sections.get().body, "<p>Lamps.</p>")
        self.live.refresh_from_db()
        self.assertEqual(self.live.state, State.PUBLISHED)

    def test_second_new_draft_gives_a_message(self):
        """Starting a draft when one is open explains why and links to it."""
        self.client.post(new_draft_url(self.live))
        response = self.client.post(new_draft_url(self.live), follow=True)
        self.assertRedirects(response, change_url(self.live))
        self.assertContains(response, "already has an open draft")
        self.assertContains(response, "Open draft v2")
        self.assertEqual(self.live.intervention.versions.count(), 2)

    def test_new_draft_never_sends_editors_to_another_site(self):
        """A forged "next" address pointing at another site is ignored: the editor stays in
        the admin, on the version's page."""
        self.client.post(new_draft_url(self.live))
        for forged in ("https://evil.example/phish", "//evil.example/", "/\\evil.example/"):
            with self.subTest(next=forged):
                response = self.client.post(new_draft_url(self.live), {"next": forged})
                self.assertRedirects(response, change_url(self.live))

    def test_new_draft_keeps_a_next_address_on_this_site(self):
        """A "next" address on this site is still followed after the message."""
        self.client.post(new_draft_url(self.live))
        history = reverse("admin:summaries_intervention_history", args=[self.live.intervention_id])
        response = self.client.post(new_draft_url(self.live), {"next": history})
        self.assertRedirects(response, history)

    def test_new_draft_needs_post(self):
        """Following a link cannot start a draft."""
        self.assertEqual(self.client.get(new_draft_url(self.live)).status_code, 405)


class PublishTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live(title="Street lighting")
        cls.draft = send_to_review(draft_start_from(version=cls.live), user=make_user())
        cls.publisher = publisher()

    def setUp(self):
        self.client.force_login(self.publisher)

    def assert_unchanged(self):
        self.live.refresh_from_db()
        self.draft.refresh_from_db()
        self.assertEqual((self.live.state, self.draft.state), (State.PUBLISHED, State.IN_REVIEW))

    def test_get_shows_confirmation_and_writes_nothing(self):
        """Opening the publish page only asks for confirmation."""
        response = self.client.get(publish_url(self.draft))
        self.assertContains(response, "Yes, publish version 2")
        self.assertContains(response, "replaces the live page")
        self.assert_unchanged()
        self.assertFalse(LogEntry.objects.exists())

    def test_post_publishes_and_supersedes(self):
        """Confirming makes the draft live and the old live version superseded."""
        response = self.client.post(publish_url(self.draft), follow=True)
        self.assertRedirects(response, change_url(self.draft))
        self.assertContains(response, "Version 2 is live")
        self.assertContains(response, self.live.intervention.get_absolute_url())
        self.live.refresh_from_db()
        self.draft.refresh_from_db()
        self.assertEqual((self.live.state, self.draft.state), (State.SUPERSEDED, State.PUBLISHED))
        self.assertEqual(self.draft.published_by, self.publisher)

    def test_publishing_a_closed_version_gives_a_message(self):
        """Publishing a version that is no longer a draft is refused with a message."""
        response = self.client.post(publish_url(self.live), follow=True)
        self.assertContains(response, "Not possible now: version 1 is published.")
        self.assert_unchanged()

    def test_staff_without_permission_get_403(self):
        """A staff editor without the publish permission cannot publish, even by POST."""
        editor = make_user()
        editor.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_summaryversion", "change_summaryversion"]
            )
        )
        self.client.force_login(editor)
        self.assertNotContains(self.client.get(change_url(self.draft)), "Approve and publish")
        self.assertEqual(self.client.post(publish_url(self.draft)).status_code, 403)
        self.assert_unchanged()

    def test_anonymous_users_are_sent_to_login(self):
        """Without a login, admin pages and actions redirect to the login page."""
        self.client.logout()
        login = reverse("admin:login")
        for url in (reverse("admin:summaries_intervention_changelist"), change_url(self.draft)):
            self.assertRedirects(self.client.get(url), f"{login}?next={url}")
        url = publish_url(self.draft)
        self.assertRedirects(self.client.post(url), f"{login}?next={url}")
        self.assert_unchanged()


class RefusalTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        cls.reviewer = make_user(groups=[Group.objects.get(name="Reviewers")])
        cls.version = send_to_review(make_draft(title="Street lighting"), user=cls.reviewer)

    def test_editor_opening_a_publish_address_gets_an_explanation(self):
        """An editor opening a publish address gets the admin's page, saying what
        publishing needs and who can do it, with a link back to the version."""
        self.client.force_login(self.editor)
        response = self.client.get(publish_url(self.version))
        self.assertEqual(response.status_code, 403)
        self.assertTemplateUsed(response, "admin/403.html")
        self.assertTemplateUsed(response, "admin/base_site.html")
        self.assertContains(response, "Your role does not include publishing.", status_code=403)
        self.assertContains(
            response,
            "A reviewer who did not write or submit this version, or an administrator.",
            status_code=403,
        )
        self.assertContains(
            response,
            f'<a class="button" href="{change_url(self.version)}">Back to version 1 of '
            "“Street lighting”</a>",
            status_code=403,
        )
        self.assertEqual(self.client.post(publish_url(self.version)).status_code, 403)
        self.version.refresh_from_db()
        self.assertEqual(self.version.state, State.IN_REVIEW)

    def test_reviewer_is_told_another_reviewer_publishes_their_submission(self):
        """On their own submission a reviewer reads why there is no Publish button, and
        the publish address says so too."""
        self.client.force_login(self.reviewer)
        page = self.client.get(change_url(self.version))
        self.assertNotContains(page, "Approve and publish")
        self.assertContains(page, "another reviewer must publish it or schedule it")
        refused = self.client.post(publish_url(self.version))
        self.assertContains(
            refused,
            "another reviewer must publish it or schedule it",
            status_code=403,
        )

    def test_other_admin_refusals_are_explained_too(self):
        """A page Django's admin refuses by permission is styled, names the user's groups
        and leads back."""
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:summaries_scale_add"))
        self.assertEqual(response.status_code, 403)
        self.assertTemplateUsed(response, "admin/403.html")
        self.assertContains(response, "(Editors)", status_code=403)
        self.assertContains(response, reverse("admin:index"), status_code=403)

    def test_public_refusals_are_not_admin_pages(self):
        """Outside the admin a 403 is not the admin's page (no admin chrome for visitors)."""
        request = self.client.get("/").wsgi_request
        self.assertNotIn(b"Who can do it", permission_denied(request).content)


class ReviewAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(superuser=True)
        cls.draft = make_draft()
        cls.review = SystematicReview.objects.create(
            version=cls.draft, label="Review one", studies=35
        )
        cls.review.breakdowns.create(kind="country", label="Canada", count=13, unit="tests")

    def setUp(self):
        self.client.force_login(self.admin)

    def test_review_page_edits_breakdowns_and_links_back(self):
        """A review's page shows its breakdowns and leads back to its version."""
        response = self.client.get(change_url(self.review))
        self.assertContains(response, "Canada")
        self.assertContains(response, "Back to version")
        self.assertContains(response, f'href="{change_url(self.draft)}"')

    def test_saving_a_review_adds_breakdowns_and_returns_to_the_version(self):
        """Saving a review's page stores a new breakdown row and goes back to the version."""
        data = form_data(self.client.get(change_url(self.review)), "systematicreview_form")
        new_row = {"kind": "approach", "label": "CBT", "count": "20"}
        data.update({f"breakdowns-1-{name}": [value] for name, value in new_row.items()})
        data["_save"] = ["Save"]
        response = self.client.post(change_url(self.review), data)
        self.assertRedirects(response, change_url(self.draft))
        self.assertEqual(
            list(self.review.breakdowns.values_list("label", "count")),
            [("CBT", 20), ("Canada", 13)],
        )

    def test_reviews_of_published_versions_are_read_only(self):
        """A published version's review cannot be changed through its own page."""
        publish(self.draft)
        response = self.client.post(change_url(self.review), {"label": "Changed"})
        self.assertEqual(response.status_code, 403)
        self.review.refresh_from_db()
        self.assertEqual(self.review.label, "Review one")

    def test_version_page_links_to_review(self):
        """The version's review inline links to the review's own page."""
        self.assertContains(self.client.get(change_url(self.draft)), change_url(self.review))

    def test_reviews_are_hidden_from_the_index(self):
        """Reviews are reached through their version, not from the admin index."""
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, "Summary versions")
        self.assertNotContains(response, "Systematic reviews")


class VersionFormErrorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        cls.draft = make_draft()
        cls.figure = KeyFigure.objects.create(
            version=cls.draft,
            outcome="Sexual reoffending",
            comparison_rate=Decimal("13.6"),
            treatment_rate=Decimal("9.3"),
            relative_change=Decimal("-31.8"),
        )

    def setUp(self):
        self.client.force_login(self.editor)

    def post(self, **changes):
        data = form_data(self.client.get(change_url(self.draft)), "summaryversion_form")
        for name, value in changes.items():
            data[name] = [value]
        data["_continue"] = ["Save"]
        return self.client.post(change_url(self.draft), data)

    def test_inconsistent_key_figure_is_refused_with_its_values(self):
        """Changing the treatment rate to 9.2% but leaving −31.8% is not saved, and the
        error summary names the figure and the range the rates allow."""
        response = self.post(**{"key_figures-0-treatment_rate": "9.2"})
        self.assertEqual(response.status_code, 200)
        self.figure.refresh_from_db()
        self.assertEqual(self.figure.treatment_rate, Decimal("9.3"))
        self.assertContains(
            response,
            '<a href="#id_key_figures-0-relative_change">Key figure 1 (Sexual reoffending), '
            "Relative change (%): The relative change (−31.8%) does not match the rates",
        )
        self.assertContains(response, "it must be between −32.8% and −31.9%")

    def test_consistent_key_figure_saves(self):
        """The review's own figures (13.6% → 9.3%, −31.8%) save."""
        response = self.post(**{"key_figures-0-note": "Arrest, charge or conviction."})
        self.assertEqual(response.status_code, 302)

    def test_error_summary_links_to_every_field_in_error(self):
        """A failed save lists each error at the top, each a link to its field's id, in
        place of "Please correct the errors below"."""
        response = self.post(title="", **{"key_figures-0-comparison_rate": "150"})
        self.assertContains(response, 'id="error-summary"')
        self.assertContains(response, "There are 2 problems: this version was not saved")
        self.assertContains(response, '<a href="#id_title">Title: This field is required.</a>')
        self.assertContains(response, 'href="#id_key_figures-0-comparison_rate"')
        self.assertContains(response, 'Evidence base <span class="part-errors">(1 error)</span>')

    def test_form_is_in_parts_with_the_action_bar(self):
        """The form has a part per EMMIE area, the summary, the evidence base and the
        links, each holding its section and its rating; the action bar saves and submits."""
        response = self.client.get(change_url(self.draft))
        parts = response.context["form_parts"]
        self.assertEqual(
            [part.title for part in parts],
            [
                "Summary",
                "Effect",
                "Mechanism",
                "Moderators",
                "Implementation",
                "Economic cost",
                "Evidence base",
                "Links",
            ],
        )
        by_key = {part.key: part for part in parts}
        effect = by_key["effect"]
        self.assertEqual(
            [heading for _, _, heading in effect.section_forms], [SectionKind.EFFECT.label]
        )
        self.assertEqual([fs.name for fs in effect.fieldsets], ["Effect rating"])
        self.assertEqual(
            [f.formset.prefix for f in by_key["evidence"].formsets],
            ["reviews", "key_figures", "outcome_results"],
        )
        self.assertContains(
            response, 'name="_continue" class="default" value="Save" form="summaryversion_form"'
        )
        self.assertContains(response, 'id="action-submit"')

    def test_one_save_that_keeps_the_editor_on_the_form(self):
        """The draft has one kind of Save, at the top and the bottom: both stay on the form
        (Django's bottom row had Save, leaving for the list, beside "continue editing")."""
        response = self.client.get(change_url(self.draft))
        self.assertNotContains(response, 'name="_save"')
        self.assertNotContains(response, 'name="_addanother"')
        self.assertContains(response, 'name="_continue" class="default" value="Save"', count=2)

    def test_the_state_is_said_once_above_the_form(self):
        """ "Version N: draft" is not repeated in a status box above the action bar."""
        response = self.client.get(change_url(self.draft))
        self.assertNotContains(response, f"Version {self.draft.number}: ")

    def test_a_sections_kind_is_fixed_and_it_has_no_delete_box(self):
        """A section is shown under its kind, which cannot be changed or deleted by a slip:
        no kind dropdown, no Delete box, and a posted kind is ignored."""
        response = self.client.get(change_url(self.draft))
        self.assertNotContains(response, '<select name="sections-0-kind"')
        self.assertNotContains(response, 'name="sections-0-DELETE"')
        data = form_data(response, "summaryversion_form")
        section = Section.objects.get(pk=data["sections-0-id"][0])
        other = SectionKind.SUMMARY if section.kind != SectionKind.SUMMARY else SectionKind.FOCUS
        data.update(
            {"sections-0-kind": [other], "sections-0-DELETE": ["on"], "_continue": ["Save"]}
        )
        self.client.post(change_url(self.draft), data)
        kept = Section.objects.get(pk=section.pk)
        self.assertEqual(kept.kind, section.kind)


class TermTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        cls.reviewer = make_user(groups=[Group.objects.get(name="Reviewers")])
        cls.term = Problem.objects.create(name="Burglary", slug="burglary", position=3)
        cls.draft = make_draft()

    def add(self, name, slug):
        return self.client.post(
            reverse("admin:summaries_problem_add"),
            {"name": name, "slug": slug, "description": "", "position": "0", "_save": "Save"},
        )

    def test_editor_adds_a_term(self):
        """An editor adds a new problem from the vocabulary's own add page."""
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(reverse("admin:summaries_problem_add")).status_code, 200)
        self.assertEqual(self.add("Street lighting", "street-lighting").status_code, 302)
        self.assertTrue(Problem.objects.filter(name="Street lighting").exists())

    def test_a_name_in_other_capitals_is_refused(self):
        """Adding "BURGLARY" when "Burglary" exists is refused with a clear form error."""
        self.client.force_login(self.editor)
        response = self.add("  BURGLARY ", "burglary-2")
        self.assertContains(response, "“Burglary” is already a term of problems")
        self.assertEqual(Problem.objects.filter(name__iexact="burglary").count(), 1)

    def test_the_database_refuses_a_name_in_other_capitals(self):
        """Even without the form, the database refuses a second "burglary"."""
        with self.assertRaises(IntegrityError), transaction.atomic():
            Problem.objects.create(name="burglary", slug="burglary-3")

    def test_editors_cannot_rename_or_delete_terms(self):
        """Editors see a term read-only; renaming or deleting it is refused."""
        self.client.force_login(self.editor)
        url = change_url(self.term)
        self.assertNotContains(self.client.get(url), 'name="name"')
        data = {"name": "Theft", "slug": "burglary", "position": "3"}
        self.assertEqual(self.client.post(url, data).status_code, 403)
        delete = reverse("admin:summaries_problem_delete", args=[self.term.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.term.refresh_from_db()
        self.assertEqual(self.term.name, "Burglary")

    def test_reviewers_rename_terms(self):
        """A reviewer renames a term."""
        self.client.force_login(self.reviewer)
        data = {"name": "Domestic burglary", "slug": "burglary", "description": "", "position": "3"}
        self.assertEqual(self.client.post(change_url(self.term), data).status_code, 302)
        self.term.refresh_from_db()
        self.assertEqual(self.term.name, "Domestic burglary")

    def test_reviewers_merge_terms(self):
        """A reviewer merges "Break-ins" into "Burglary": the draft tagged with it is
        tagged with "Burglary" once, and "Break-ins" is gone."""
        duplicate = Problem.objects.create(name="Break-ins", slug="break-ins")
        self.draft.problems.add(duplicate, self.term)
        self.client.force_login(self.reviewer)
        changelist = reverse("admin:summaries_problem_changelist")
        chosen = {"action": "merge_terms", "_selected_action": [self.term.pk, duplicate.pk]}
        confirm = self.client.post(changelist, chosen)
        self.assertContains(confirm, "Keep which term?")
        done = self.client.post(changelist, {**chosen, "keep": self.term.pk, "merge": "1"})
        self.assertEqual(done.status_code, 302)
        self.assertFalse(Problem.objects.filter(pk=duplicate.pk).exists())
        self.assertEqual(list(self.draft.problems.all()), [self.term])

    def test_merging_reindexes_live_summaries_and_raises_the_generation(self):
        """After a merge a live summary that was tagged "Break-ins" is found by "burglary"
        and cached public pages are not reused."""
        duplicate = Problem.objects.create(name="Break-ins", slug="break-ins")
        live = make_live(title="Alley gating")
        live.problems.add(duplicate)
        search.index_versions([live.pk])
        before = current_generation()[0]
        services.terms_merge(keep=self.term, merged=[self.term, duplicate], user=self.reviewer)
        found = search.search_live(SummaryVersion.objects.live(), "burglary")
        self.assertEqual([v.pk for v in found], [live.pk])
        self.assertGreater(current_generation()[0], before)

    def test_editors_are_not_offered_the_merge(self):
        """The merge action is not offered to editors, and posting it changes nothing."""
        duplicate = Problem.objects.create(name="Break-ins", slug="break-ins")
        self.client.force_login(self.editor)
        changelist = reverse("admin:summaries_problem_changelist")
        self.assertNotContains(self.client.get(changelist), "merge_terms")
        self.client.post(
            changelist,
            {
                "action": "merge_terms",
                "_selected_action": [self.term.pk, duplicate.pk],
                "keep": self.term.pk,
                "merge": "1",
            },
        )
        self.assertTrue(Problem.objects.filter(pk=duplicate.pk).exists())

    def test_version_form_adds_new_terms_once(self):
        """An editor types new problems on the version form: each is added once and
        ticked; one that exists in other capitals is ticked, not added again."""
        self.client.force_login(self.editor)
        page = self.client.get(change_url(self.draft))
        self.assertContains(page, 'name="new_problems"')
        data = form_data(page, "summaryversion_form")
        data["new_problems"] = ["Street lighting, street  lighting, burglary"]
        data["_continue"] = ["Save"]
        response = self.client.post(change_url(self.draft), data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            sorted(self.draft.problems.values_list("name", flat=True)),
            ["Burglary", "Street lighting"],
        )
        self.assertEqual(Problem.objects.filter(name__iexact="street lighting").count(), 1)
        new = Problem.objects.get(name="Street lighting")
        self.assertEqual((new.slug, new.position), ("street-lighting", 4))

    def test_only_those_who_may_add_terms_see_the_new_term_boxes(self):
        """Someone who may edit drafts but not add terms gets no "New problems" box, and
        a posted value adds nothing."""
        editor = make_user()
        editor.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_summaryversion", "change_summaryversion"]
            )
        )
        self.client.force_login(editor)
        page = self.client.get(change_url(self.draft))
        self.assertNotContains(page, 'name="new_problems"')
        data = form_data(page, "summaryversion_form")
        data["new_problems"] = ["Street lighting"]
        data["_continue"] = ["Save"]
        self.client.post(change_url(self.draft), data)
        self.assertFalse(Problem.objects.filter(name="Street lighting").exists())


class ChildRowPositionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(superuser=True)
        cls.draft = make_draft()
        for position in (1, 2):
            ExternalLink.objects.create(
                version=cls.draft,
                position=position,
                title=f"Link {position}",
                url=f"https://example.org/{position}",
            )

    def test_a_new_link_comes_after_the_last(self):
        """A new link's position is one after the last link's, not 0 (which put it first);
        an existing link keeps its own."""
        self.client.force_login(self.admin)
        data = form_data(self.client.get(change_url(self.draft)), "summaryversion_form")
        self.assertEqual(data["external_links-0-position"], ["1"])
        self.assertEqual(data["external_links-__prefix__-position"], ["3"])
        self.assertEqual(data["related_summaries-__prefix__-position"], ["1"])


class VocabularyAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(superuser=True)

    def setUp(self):
        self.client.force_login(self.admin)

    def test_vocabulary_and_scale_pages_render(self):
        """Each vocabulary list and a scale with its levels render for an administrator."""
        for model in ("problem", "focus", "approach", "setting", "population", "scale"):
            url = reverse(f"admin:summaries_{model}_changelist")
            self.assertEqual(self.client.get(url).status_code, 200, url)
        scale = Scale.objects.get(dimension=Dimension.EFFECT)
        response = self.client.get(change_url(scale))
        self.assertContains(response, scale.levels.first().label)


class SearchWithNulTests(TestCase):
    """A search term containing NUL (which PostgreSQL cannot store or compare) is
    answered like the same term without it, on both databases."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user("admin", superuser=True)
        cls.live = make_live("street-lighting", title="Street lighting")

    def setUp(self):
        self.client.force_login(self.admin)
        self.client.raise_request_exception = False

    def test_related_summary_picker(self):
        """The "See also" picker's autocomplete finds summaries for a term with NUL."""
        response = self.client.get(
            reverse("admin:autocomplete"),
            {
                "term": "street\x00light",
                "app_label": "summaries",
                "model_name": "relatedsummary",
                "field_name": "target",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [row["id"] for row in response.json()["results"]], [str(self.live.intervention_id)]
        )

    def test_every_admin_search(self):
        """The search box of every list with one answers a term with NUL."""
        for model in ("intervention", "summaryversion", "auditevent", "problem"):
            with self.subTest(model=model):
                url = reverse(f"admin:summaries_{model}_changelist")
                response = self.client.get(url, {"q": "street\x00"})
                self.assertEqual(response.status_code, 200)


class OutcomeResultAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(superuser=True)
        cls.draft = make_draft()
        cls.review = SystematicReview.objects.create(version=cls.draft, label="Review one")
        cls.other_review = SystematicReview.objects.create(
            version=make_draft(), label="Someone else's review"
        )
        cls.outcome = Outcome.objects.create(name="Violent reoffending", slug="violent")

    def setUp(self):
        self.client.force_login(self.admin)

    def post_result(self, review):
        data = form_data(self.client.get(change_url(self.draft)), "summaryversion_form")
        data.update(
            {
                "outcome_results-TOTAL_FORMS": ["1"],
                "outcome_results-0-outcome": [str(self.outcome.pk)],
                "outcome_results-0-position": ["1"],
                "outcome_results-0-direction": ["reduced"],
                "outcome_results-0-stated": ["statistically significant reductions"],
                "outcome_results-0-reviews": [str(review.pk)],
                "_save": ["Save"],
            }
        )
        return self.client.post(change_url(self.draft), data)

    def test_a_result_offers_only_this_versions_reviews(self):
        """The outcome's review checkboxes list this version's reviews and no others."""
        response = self.client.get(change_url(self.draft))
        formset = next(
            f for f in response.context["inline_admin_formsets"] if f.opts.model is OutcomeResult
        )
        field = formset.formset.empty_form.fields["reviews"]
        self.assertEqual(list(field.queryset), [self.review])

    def test_saving_a_result_without_numbers_keeps_them_empty(self):
        """An outcome saved with only the words of the text has no invented numbers."""
        response = self.post_result(self.review)
        self.assertEqual(response.status_code, 302, response.context and response.context["errors"])
        result = self.draft.outcome_results.get()
        self.assertEqual(list(result.reviews.all()), [self.review])
        self.assertFalse(result.has_number)
        self.assertIsNone(result.relative_change)

    def test_citing_another_versions_review_is_refused(self):
        """A review of another version cannot be chosen, even by a hand-made request."""
        response = self.post_result(self.other_review)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Choose reviews of this version only")
        self.assertFalse(self.draft.outcome_results.exists())

    def test_outcomes_are_managed_like_terms(self):
        """Administrators list outcomes with their problems and order them."""
        self.outcome.problems.add(Problem.objects.create(name="Violence", slug="violence"))
        response = self.client.get(reverse("admin:summaries_outcome_changelist"))
        self.assertContains(response, "Violent reoffending")
        self.assertContains(response, "Violence")
