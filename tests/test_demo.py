"""The demo loader: the seed summary published with its facts, idempotent, safe in production."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings

from summaries.models import Intervention, RatingsBasis, SectionKind, State, SummaryVersion


def load_demo(**options):
    out, err = StringIO(), StringIO()
    call_command("load_demo", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def snapshot():
    """Every row the demo touches, as comparable values."""
    from django.apps import apps

    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_app_config("summaries").get_models()
        # SQLite's search table reports a per-query cursor in its hidden columns.
        if model._meta.managed
    } | {"users": sorted(get_user_model().objects.values_list("username", "password"))}


class LoadDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with override_settings(DEBUG=True):
            load_demo()
        cls.version = SummaryVersion.objects.live().get(
            intervention__slug="psychosocial-treatment-sex-offenders"
        )

    def test_seed_summary_is_live(self):
        """The demo summary is published at its agreed address."""
        self.assertEqual(self.version.state, State.PUBLISHED)
        self.assertEqual(self.version.title, "Psychosocial treatment for sex offenders")
        self.assertIsNotNone(self.version.intervention.first_published_at)

    def test_all_nine_sections(self):
        """Every section of the seed is imported, in order."""
        self.assertEqual(
            list(self.version.sections.values_list("kind", flat=True)), SectionKind.values
        )

    def test_facts_are_data(self):
        """Key figures, reviews, breakdowns, taxonomy and ratings are structured rows."""
        figure = self.version.key_figures.get()
        self.assertEqual(
            (str(figure.comparison_rate), str(figure.treatment_rate), str(figure.relative_change)),
            ("13.6", "9.3", "-31.8"),
        )
        self.assertEqual(str(figure.absolute_change), "-4.3")
        one, two = self.version.reviews.all()
        self.assertEqual((one.studies, one.tests, one.rcts, one.published_up_to), (35, 37, 7, 2021))
        self.assertEqual((two.studies, two.tests, two.rcts, two.published_up_to), (27, 29, 6, 2010))
        self.assertEqual(
            list(one.breakdowns.filter(kind="country").values_list("label", "count")),
            [("Canada", 13), ("USA", 11), ("Other", 13)],
        )
        self.assertEqual(self.version.approaches.count(), 5)
        self.assertEqual(self.version.effect_rating.slug, "reduced-some-increase")

    def test_three_outcomes_exactly_as_the_text_states_them(self):
        """Sexual reoffending has its figures; general and violent only the words the text uses."""
        results = list(self.version.outcome_results.select_related("outcome", "effect_rating"))
        self.assertEqual(
            [r.outcome.name for r in results],
            ["Sexual reoffending", "General reoffending", "Violent reoffending"],
        )
        sexual, general, violent = results
        self.assertEqual(
            tuple(
                str(v)
                for v in (
                    sexual.comparison_rate,
                    sexual.treatment_rate,
                    sexual.relative_change,
                    sexual.percentage_points,
                )
            ),
            ("13.6", "9.3", "-31.8", "-4.3"),
        )
        for result in (general, violent):
            with self.subTest(result.outcome.name):
                self.assertFalse(result.has_number)
                self.assertIn("statistically significant reductions", result.stated)
                self.assertEqual(result.direction, "reduced")
        for result in results:
            self.assertEqual([r.label for r in result.reviews.all()], ["Review one"])
            self.assertEqual(result.effect_rating.slug, "reduced")
        # The headline rating stays as it was.
        self.assertEqual(self.version.effect_rating.slug, "reduced-some-increase")

    def test_ratings_marked_as_an_editors_reading(self):
        """The demo says its ratings are an editor's reading, not published ratings."""
        self.assertEqual(self.version.ratings_basis, RatingsBasis.EDITOR_READING)

    def test_up_to_date_with_the_last_search_from_review_one(self):
        """The demo summary is up to date, its last search for evidence 2021 (Review one,
        studies published up to 2021), and its page says so near the title."""
        self.assertEqual(self.version.update_status.slug, "up-to-date")
        self.assertEqual(
            (self.version.last_search_year, self.version.last_search_month), (2021, None)
        )
        response = self.client.get(self.version.get_absolute_url())
        self.assertContains(response, "Up to date")
        self.assertContains(response, 'Last search for evidence: <time datetime="2021">2021</time>')

    def test_second_run_changes_nothing(self):
        """Loading the demo twice gives the same database."""
        before = snapshot()
        out, _ = load_demo()
        self.assertIn("already loaded", out)
        self.assertEqual(snapshot(), before)
        self.assertEqual(Intervention.objects.count(), 1)

    def test_demo_accounts_for_local_use(self):
        """With DEBUG on, the demo editor and reviewer can log in with the README's passwords."""
        User = get_user_model()
        editor = User.objects.get(username="editor")
        reviewer = User.objects.get(username="reviewer")
        self.assertTrue(editor.check_password("editor-demo-password"))
        self.assertTrue(reviewer.check_password("reviewer-demo-password"))
        self.assertFalse(editor.has_perm("summaries.publish_summaryversion"))
        self.assertTrue(reviewer.has_perm("summaries.publish_summaryversion"))

    def test_demo_accounts_have_addresses_so_emails_are_printed(self):
        """Each demo account has an example.org address, so notifications reach the console."""
        User = get_user_model()
        addresses = dict(User.objects.values_list("username", "email"))
        self.assertEqual(addresses["editor"], "editor@example.org")
        self.assertEqual(addresses["reviewer"], "reviewer@example.org")
        self.assertEqual(addresses["admin"], "admin@example.org")

    def test_an_address_the_user_set_is_kept(self):
        """Loading the demo again keeps an address a demo user set for themselves."""
        User = get_user_model()
        User.objects.filter(username="editor").update(email="me@example.net")
        load_demo()
        self.assertEqual(User.objects.get(username="editor").email, "me@example.net")


class LoadDemoProductionTests(TestCase):
    @override_settings(DEBUG=False)
    def test_no_accounts_with_debug_off(self):
        """With DEBUG off the demo content loads but no account with a known password."""
        _, err = load_demo()
        self.assertIn("not created", err)
        self.assertFalse(get_user_model().objects.exists())
        self.assertTrue(SummaryVersion.objects.live().exists())
