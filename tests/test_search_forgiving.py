"""Search that forgives, as the reader and the editor meet it: the page's "showing results
for", "did you mean" and "also searched for", snippets marking both spellings, the live
words suggestions come from, the synonym list in the admin, and what it all costs.

Which queries find what, on both engines, is in ``test_search_relevance.py``.
"""

from django.contrib.auth.models import Group
from django.test import TestCase

from summaries import search
from summaries.editorial.services import draft_start_from, version_withdraw
from summaries.models import (
    LiveWord,
    Problem,
    PublicContent,
    SectionKind,
    SummaryVersion,
    SynonymChange,
    SynonymGroup,
)
from tests.factories import make_draft, make_live, make_user, publish
from tests.helpers import count_get

LIST_URL = "/toolkit/"


def live_words() -> set[str]:
    return set(LiveWord.objects.values_list("word", flat=True))


class ForgivingPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.problem = Problem.objects.create(name="Sexual offences", slug="sexual-offences")
        draft = make_draft(
            "psychosocial-treatment",
            title="Psychosocial treatment for sex offenders",
            standfirst="Programmes to reduce reoffending among people with sexual offence "
            "histories.",
            sections={
                SectionKind.EFFECT: "<p>Cognitive behavioural therapy and multisystemic "
                "therapy reduced sexual reoffending.</p>"
            },
        )
        draft.problems.add(cls.problem)
        publish(draft)
        make_live(
            "street-lighting",
            title="Street lighting",
            sections={SectionKind.EFFECT: "<p>Brighter lamps at night.</p>"},
        )

    def test_the_issues_four_queries_find_the_demo_and_say_why(self):
        """A typo, a US spelling, a split compound and a US spelling: each finds the
        summary, with what was done shown."""
        cases = {
            "reofending": "Showing results for <strong>reoffending</strong>",
            "cognitive behavioral": "Also searched for: "
            '<span class="search-reading__form">behavioural</span>',
            "multi systemic": "Also searched for: "
            '<span class="search-reading__form">multisystemic</span>',
            "sex offense": 'Also searched for: <span class="search-reading__form">offence</span>',
        }
        for query, why in cases.items():
            with self.subTest(query=query):
                response = self.client.get(LIST_URL, {"q": query})
                self.assertContains(response, "Psychosocial treatment for sex offenders")
                self.assertContains(response, why, html=False)

    def test_a_clear_correction_runs_and_the_typed_query_stays_one_click_away(self):
        """ "Showing results for" the correction; "search instead for" the typed words,
        which then searches exactly as typed and offers the correction as a link."""
        response = self.client.get(LIST_URL, {"q": "reofending"})
        self.assertContains(response, "1 result for ‘reoffending’")
        self.assertContains(response, 'href="/toolkit/?q=reofending&amp;verbatim=1"')
        response = self.client.get(LIST_URL, {"q": "reofending", "verbatim": "1"})
        self.assertContains(response, "No summaries match ‘reofending’")
        self.assertContains(
            response, 'Did you mean <a href="/toolkit/?q=reoffending"><strong>reoffending'
        )

    def test_suggestion_links_keep_the_filters_and_sort(self):
        """The corrected search keeps what the reader chose besides the words."""
        response = self.client.get(
            LIST_URL,
            {"q": "reofending", "verbatim": "1", "problem": "sexual-offences", "sort": "title"},
        )
        self.assertContains(
            response, 'href="/toolkit/?q=reoffending&amp;problem=sexual-offences&amp;sort=title"'
        )

    def test_snippets_mark_either_spelling(self):
        """A US spelling marks the British word in the snippet, and the reverse."""
        for query, marked in [
            ("behavioral", "<mark>behavioural</mark>"),
            ("behavioural", "<mark>behavioural</mark>"),
            ("multi-systemic", "<mark>multisystemic</mark>"),
            ("recidivism", "<mark>reoffending</mark>"),
        ]:
            with self.subTest(query=query):
                self.assertContains(self.client.get(LIST_URL, {"q": query}), marked)

    def test_nothing_is_offered_for_a_word_of_the_summaries(self):
        """A live word is never corrected, and nothing near a live word's neighbour."""
        for query in ["lighting therapy", "fighting", "xylophone"]:
            with self.subTest(query=query):
                response = self.client.get(LIST_URL, {"q": query})
                self.assertNotContains(response, "Did you mean")
                self.assertNotContains(response, "Showing results for")

    def test_api_gives_the_same_reading(self):
        """The API's list says what its results are for, and what it also searched for."""
        data = self.client.get("/api/v1/summaries/", {"q": "reofending"}).json()
        self.assertEqual(data["total"], 1)
        self.assertEqual(data["search"]["query"], "reoffending")
        self.assertEqual(data["search"]["corrected_from"], "reofending")
        data = self.client.get("/api/v1/summaries/", {"q": "reofending", "verbatim": "true"}).json()
        self.assertEqual((data["total"], data["search"]["suggestion"]), (0, "reoffending"))
        data = self.client.get("/api/v1/summaries/", {"q": "cognitive behavioral"}).json()
        self.assertEqual(data["search"]["also_searched_for"], ["behavioural"])
        self.assertIsNone(self.client.get("/api/v1/summaries/").json()["search"])


class ForgivingQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for n in range(1, 31):
            make_live(title=f"Lighting scheme {n:02}")

    def test_a_corrected_search_costs_the_same_whatever_it_finds(self):
        """A misspelt search, corrected, costs the same queries with 30 results as with 1,
        and as many as an ordinary search plus the correction's count."""
        self.client.get(LIST_URL, {"q": "warm"})  # the live words and synonyms, once

        def count(query):
            return count_get(self, self.client, LIST_URL, {"q": query})

        one = count("lightng scheme 07")
        many = count("lightng")
        self.assertEqual(one, many)
        self.assertEqual(many, count("scheme") + 1)


class LiveWordTests(TestCase):
    """Suggestions come from live summaries' words only."""

    def test_drafts_withdrawn_and_superseded_words_are_not_live(self):
        live = make_live(title="Kestrel patrols")
        make_draft(title="Ptarmigan draft")
        self.assertIn("kestrel", live_words())
        self.assertNotIn("ptarmigan", live_words())
        draft = draft_start_from(version=live)
        draft.title = "Osprey patrols"
        draft.save()
        publish(draft)
        self.assertIn("osprey", live_words())
        self.assertNotIn("kestrel", live_words())
        current = SummaryVersion.objects.live().get()
        version_withdraw(version=current, reason="Withdrawn for review.")
        self.assertEqual(live_words(), set())

    def test_counts_follow_the_summaries_using_a_word(self):
        """A word stays live while any live summary uses it."""
        first = make_live(title="Lighting one")
        make_live(title="Lighting two")
        self.assertEqual(LiveWord.objects.get(word="lighting").summaries, 2)
        version_withdraw(version=first, reason="Withdrawn for review.")
        self.assertEqual(LiveWord.objects.get(word="lighting").summaries, 1)

    def test_rebuild_gives_the_same_words(self):
        """search_rebuild recounts the live words from scratch, to the same result."""
        make_live(title="Street lighting", standfirst="Lamps at night.")
        before = dict(LiveWord.objects.values_list("word", "summaries"))
        search.index_all_live()
        self.assertEqual(dict(LiveWord.objects.values_list("word", "summaries")), before)


class SynonymAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(groups=[Group.objects.get(name="Editors")])
        make_live(title="Alley gating", standfirst="Gates behind terraced houses.")

    def setUp(self):
        self.client.force_login(self.editor)

    def add(self, terms, source="Test source"):
        return self.client.post(
            "/admin/summaries/synonymgroup/add/", {"terms": terms, "source": source, "note": ""}
        )

    def test_an_editor_adds_a_group_and_search_uses_it_at_once(self):
        """Saved, logged with who and what, the generation raised: the next search uses it."""
        generation = PublicContent.objects.get().generation
        self.assertContains(self.client.get(LIST_URL, {"q": "ginnels"}), "No summaries match")
        response = self.add("ginnels, alley gating")
        self.assertEqual(response.status_code, 302)
        change = SynonymChange.objects.get(terms_after="ginnels, alley gating")
        self.assertEqual((change.actor, change.action), (self.editor, "add"))
        self.assertGreater(PublicContent.objects.get().generation, generation)
        response = self.client.get(LIST_URL, {"q": "ginnels"})
        self.assertContains(response, "Alley gating")
        self.assertContains(response, '<span class="search-reading__form">alley gating</span>')

    def test_changes_and_deletions_are_logged_before_and_after(self):
        """The log keeps the terms and the source before and after each change."""
        self.add("ginnels, alley gating")
        group = SynonymGroup.objects.get(terms="ginnels, alley gating")
        url = f"/admin/summaries/synonymgroup/{group.pk}/"
        self.client.post(
            f"{url}change/", {"terms": "ginnels, snickets", "source": "Dialect atlas", "note": ""}
        )
        self.client.post(f"{url}delete/", {"post": "yes"})
        changes = list(SynonymChange.objects.filter(group_id_at_change=group.pk).order_by("id"))
        self.assertEqual([c.action for c in changes], ["add", "change", "delete"])
        self.assertEqual(
            (changes[1].terms_before, changes[1].terms_after, changes[1].source_after),
            ("ginnels, alley gating", "ginnels, snickets", "Dialect atlas"),
        )
        self.assertEqual(changes[2].terms_before, "ginnels, snickets")
        with self.assertRaises(TypeError):
            changes[0].delete()

    def test_the_form_refuses_what_search_cannot_use(self):
        """One term, terms search already treats as one, a term of another group, a
        term with no letters or one too long: each refused with a message."""
        self.add("ginnels, alley gating")
        for terms, message in [
            ("ginnels", "List two or more terms"),
            ("behaviour, behavior", "are the same to search"),
            ("Multi-systemic, multisystemic", "are the same to search"),
            ("snickets, Alley-gating", "is already in the group"),
            ("snickets, ---", "has no letters or digits"),
            ("snickets, a b c d e f", "at most 5"),
            ("\x00, snickets", "Null characters are not allowed"),
        ]:
            with self.subTest(terms=terms):
                response = self.add(terms)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)

    def test_the_log_is_read_only_and_the_seed_names_its_sources(self):
        """Nobody edits the log; every seeded group says where it comes from."""
        response = self.client.get("/admin/summaries/synonymchange/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "/admin/summaries/synonymchange/add/")
        seeded = SynonymGroup.objects.all()
        self.assertGreaterEqual(seeded.count(), 15)
        for group in seeded:
            with self.subTest(group=str(group)):
                self.assertGreater(len(group.source), 10)
                self.assertGreaterEqual(len(group.term_list()), 2)
