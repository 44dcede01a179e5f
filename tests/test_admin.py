"""The editors' admin: lists, forms, read-only history, new drafts and publishing."""

from collections import defaultdict
from html.parser import HTMLParser

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.urls import reverse

from summaries.editorial.services import draft_start_from
from summaries.models import (
    Dimension,
    Intervention,
    Outcome,
    OutcomeResult,
    Problem,
    Scale,
    SectionKind,
    State,
    SummaryVersion,
    SystematicReview,
)
from tests.factories import make_draft, make_live, make_user, publish, send_to_review
from tests.helpers import count_queries


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
