"""The relevance set: queries a reader would type and the summaries they should get first.

The same corpus and the same expectations run on SQLite (FTS5, bm25) and on PostgreSQL
(tsvector, ts_rank): CI runs the suite on both, so this file is the proof that the two
engines give the same answers. Every query is read as the list page reads it (other
spellings, compounds, the synonym list below); ``FORGIVING`` adds what the page does when
a query finds little (a correction run in its place, or "did you mean").
"""

from django.test import TestCase

from summaries import search
from summaries.editorial.synonyms import synonym_group_save, synonym_groups_delete
from summaries.models import Approach, Problem, SectionKind, SummaryVersion, SynonymGroup
from summaries.models.generation import current_generation
from summaries.search.filters import SummaryFilter
from tests.factories import make_draft, publish

CORPUS = {
    "street-lighting": (
        "Street lighting",
        "Improved street lighting in public spaces to deter crime at night.",
        ["vehicle-crime"],
        ["situational-prevention"],
        "Brighter lamps increase natural surveillance, so people feel safer and offenders "
        "feel watched. Studies in the United Kingdom and the United States found falls in "
        "crime by day as well as by night, which suggests community pride also matters.",
    ),
    "cctv": (
        "CCTV",
        "Closed-circuit television cameras to deter and detect crime.",
        ["vehicle-crime"],
        ["situational-prevention"],
        "Cameras in car parks reduced vehicle crime the most. Effects were smaller in city "
        "centres and residential areas. Lighting was often improved at the same time.",
    ),
    "hot-spots": (
        "Hot spots policing",
        "Concentrating police patrols at the small places where crime clusters.",
        ["violence"],
        ["policing"],
        "Crime is concentrated in a few hot spots. Patrols there reduced violence and "
        "anti-social behaviour. Displacement was rare; a diffusion of benefits to nearby "
        "areas was more common. Unlike situational measures it relies on officers' time.",
    ),
    "cbt-offenders": (
        "Cognitive behavioural therapy for offenders",
        "Programmes that help people change the thinking behind their offending.",
        ["general-reoffending"],
        ["cbt"],
        "Reasoning and rehabilitation and similar programmes reduced reoffending by around "
        "a quarter. Group sessions teach problem solving and self-control.",
    ),
    "psychosocial": (
        "Psychosocial treatment for sex offenders",
        "Treatment programmes to reduce reoffending among people with sexual offence histories.",
        ["sexual-offences"],
        ["cbt", "multisystemic-therapy"],
        "Treatments include cognitive behavioural therapy and multisystemic therapy. "
        "Programmes were more effective for sex offenders assessed as higher risk with the "
        "RRASOR tool. Sexual reoffending fell from 13.6% to 9.3%.",
    ),
    "neighbourhood-watch": (
        "Neighbourhood watch",
        "Residents look out for their neighbours' homes and report suspicious activity.",
        ["burglary"],
        [],
        "How it works: members share information with the police. Burglary fell where "
        "schemes were active, most of all when combined with property marking or alley "
        "gating.",
    ),
    "alley-gating": (
        "Alley gating",
        "Lockable gates across the alleys behind terraced houses.",
        ["burglary"],
        ["situational-prevention"],
        "Gates stop burglars reaching the backs of homes. Burglary fell in gated areas, "
        "and it works best with better lighting and residents who keep the gates locked.",
    ),
    "restorative-justice": (
        "Restorative justice conferencing",
        "Victims and offenders meet to talk about the harm done and how to repair it.",
        ["general-reoffending"],
        ["restorative-justice"],
        "Victims were more satisfied than in court. Reoffending was reduced modestly, "
        "more for violent than for property offences.",
    ),
    "mentoring": (
        "Mentoring for young people",
        "Adult mentors support young people at risk of getting into trouble.",
        [],
        ["mentoring"],
        "Regular meetings with a trusted adult improved school attendance and reduced "
        "delinquency, especially when mentors were motivated by professional development.",
    ),
    "boot-camps": (
        "Boot camps",
        "Military-style training for young offenders.",
        ["general-reoffending"],
        [],
        "Camps made no difference to reoffending overall; some increased it. Camps with "
        "aftercare and therapy did better.",
    ),
    "scared-straight": (
        "Scared Straight",
        "Prison visits meant to deter young people from crime.",
        [],
        [],
        "Participants offended more than those who did not take part: the programme did harm.",
    ),
}

PROBLEMS = {
    "vehicle-crime": "Vehicle crime",
    "violence": "Violence",
    "general-reoffending": "General reoffending",
    "sexual-offences": "Sexual offences",
    "burglary": "Burglary",
}
APPROACHES = {
    "situational-prevention": "Situational prevention",
    "policing": "Policing",
    "cbt": "CBT",
    "multisystemic-therapy": "Multisystemic therapy",
    "restorative-justice": "Restorative justice",
    "mentoring": "Mentoring",
}

# Query -> (the first results, in order; the complete set of results, or None when only
# the first results are specified).
EXPECTED = {
    # Title above everything else.
    "street lighting": (["street-lighting"], None),
    "STREET LIGHTING": (["street-lighting"], None),
    "lighting": (["street-lighting"], {"street-lighting", "cctv", "alley-gating"}),
    # Stemming: "lights" and "lamp" find "lighting" and "lamps".
    "lights": (["street-lighting"], {"street-lighting", "cctv", "alley-gating"}),
    "lamp": (["street-lighting"], {"street-lighting"}),
    "reoffend": (
        [],
        {"cbt-offenders", "psychosocial", "restorative-justice", "boot-camps"},
    ),
    "reoffending": (
        [],
        {"cbt-offenders", "psychosocial", "restorative-justice", "boot-camps"},
    ),
    "cctv": (["cctv"], {"cctv"}),
    "cameras": (["cctv"], {"cctv"}),
    # Phrases: quoted words together, in order.
    '"cognitive behavioural"': (["cbt-offenders"], {"cbt-offenders", "psychosocial"}),
    '"hot spots"': (["hot-spots"], {"hot-spots"}),
    '"spots hot"': ([], set()),
    "RRASOR": (["psychosocial"], {"psychosocial"}),
    # Questions as people ask them: stop words are dropped, the rest must all match.
    "is CBT effective for sex offenders?": (["psychosocial"], {"psychosocial"}),
    "what works for burglary?": ([], {"neighbourhood-watch", "alley-gating"}),
    # Title above body text.
    "gating": (["alley-gating"], {"alley-gating", "neighbourhood-watch"}),
    "mentoring": (["mentoring"], {"mentoring"}),
    # Taxonomy above body text: "situational" is a tagged approach of three summaries
    # and only in the body of hot spots policing.
    "situational": (
        [],
        {"street-lighting", "cctv", "alley-gating", "hot-spots"},
    ),
    # All words must match.
    "burglary lighting": (["alley-gating"], {"alley-gating"}),
    "burglary gates locked": (["alley-gating"], {"alley-gating"}),
    # Exclusion and alternatives.
    "lighting -cctv": (["street-lighting"], {"street-lighting", "alley-gating"}),
    "cctv or mentoring": ([], {"cctv", "mentoring"}),
    "anti-social": (["hot-spots"], {"hot-spots"}),
    "scared straight": (["scared-straight"], {"scared-straight"}),
    "restorative": (["restorative-justice"], {"restorative-justice"}),
    # Syntax of either engine is just punctuation.
    "lighting*": (["street-lighting"], {"street-lighting", "cctv", "alley-gating"}),
    "(cctv)": (["cctv"], {"cctv"}),
    "title:cctv": ([], set()),
    # Nothing to find.
    "xylophone": ([], set()),
    "the and of": ([], set()),
    "-cctv": ([], set()),
    # British and American spellings find each other, both ways.
    "cognitive behavioral": (["cbt-offenders"], {"cbt-offenders", "psychosocial"}),
    '"cognitive behavioral"': (["cbt-offenders"], {"cbt-offenders", "psychosocial"}),
    "sex offense": (["psychosocial"], {"psychosocial"}),
    "neighborhood watch": (["neighbourhood-watch"], {"neighbourhood-watch"}),
    "anti-social behavior": (["hot-spots"], {"hot-spots"}),
    "program": (
        [],
        {"cbt-offenders", "psychosocial", "scared-straight"},
    ),
    # Compounds: one word, two words or hyphenated.
    "multi systemic": (["psychosocial"], {"psychosocial"}),
    "multi-systemic": (["psychosocial"], {"psychosocial"}),
    "multisystemic": (["psychosocial"], {"psychosocial"}),
    "psycho-social": (["psychosocial"], {"psychosocial"}),
    "psycho social treatment": (["psychosocial"], {"psychosocial"}),
    "anti social": (["hot-spots"], {"hot-spots"}),
    # Synonyms and abbreviations (SYNONYMS): the summary says only one of them.
    "recidivism": (
        [],
        {"cbt-offenders", "psychosocial", "restorative-justice", "boot-camps"},
    ),
    "closed circuit television": (["cctv"], {"cctv"}),
    "cognitive behavioural therapy": (["cbt-offenders"], {"cbt-offenders", "psychosocial"}),
    "MST": (["psychosocial"], {"psychosocial"}),
    "recidivism -sexual": ([], {"cbt-offenders", "restorative-justice", "boot-camps"}),
    # What must not match: a near word is not the word.
    "fighting": ([], set()),
    "lighter": ([], set()),
    "reoffending -reoffending": ([], set()),
}

# The synonym groups the corpus is searched with (the seeded list is tested elsewhere).
SYNONYMS = [
    "reoffending, recidivism",
    "CBT, cognitive behavioural therapy",
    "MST, multisystemic therapy",
    "CCTV, closed-circuit television",
]

# Query -> (what the results are for, "did you mean" offered, the results as a set).
FORGIVING = {
    # The four: each finds the demo's summary, and says why.
    "reofending": (
        "reoffending",
        "",
        {"cbt-offenders", "psychosocial", "restorative-justice", "boot-camps"},
    ),
    "reofending programmes": ("reoffending programmes", "", {"cbt-offenders", "psychosocial"}),
    "behavoural": ("behavioural", "", {"cbt-offenders", "psychosocial", "hot-spots"}),
    "mentorng": ("mentoring", "", {"mentoring"}),
    "RRASR": ("rrasor", "", {"psychosocial"}),
    # A word the summaries use is never corrected, even when it finds nothing with the rest.
    "lighting mentoring": ("lighting mentoring", "", set()),
    # No live word with the same first letter is near: nothing to offer.
    "fighting": ("fighting", "", set()),
    "xylophone": ("xylophone", "", set()),
    # Found a little, and the better spelling finds more: offered, not run.
    "lamp or gatng": ("lamp or gatng", "lamp or gating", {"street-lighting"}),
    # Found a little, and the correction would find no more: nothing offered.
    "lamp": ("lamp", "", {"street-lighting"}),
}


def load_corpus():
    synonym_groups_delete(groups=SynonymGroup.objects.all(), user=None)
    for terms in SYNONYMS:
        synonym_group_save(group=SynonymGroup(terms=terms, source="Test corpus"), user=None)
    problems = {s: Problem.objects.create(slug=s, name=n) for s, n in PROBLEMS.items()}
    approaches = {s: Approach.objects.create(slug=s, name=n) for s, n in APPROACHES.items()}
    for slug, (title, standfirst, problem_slugs, approach_slugs, body) in CORPUS.items():
        draft = make_draft(
            slug,
            title=title,
            standfirst=standfirst,
            sections={SectionKind.EFFECT: f"<p>{body}</p>"},
        )
        draft.problems.set([problems[p] for p in problem_slugs])
        draft.approaches.set([approaches[a] for a in approach_slugs])
        publish(draft)


def read(query: str) -> search.Reading:
    """The query as the list page reads it."""
    generation = current_generation()
    return search.read_query(
        query,
        synonyms=search.synonym_table(generation),
        vocabulary=search.live_vocabulary(generation),
    )


class RelevanceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_corpus()

    def results(self, query: str) -> list[str]:
        found = search.search_live(SummaryVersion.objects.all(), read(query).query)
        return list(found.order_by("-rank", "title").values_list("intervention__slug", flat=True))

    def test_at_least_twenty_queries(self):
        """The set is big enough to mean something."""
        self.assertGreaterEqual(len(EXPECTED), 20)

    def test_expected_results(self):
        """Each query finds what a reader expects, best first, on either database."""
        for query, (first, complete) in EXPECTED.items():
            with self.subTest(query=query):
                found = self.results(query)
                self.assertEqual(found[: len(first)], first)
                if complete is not None:
                    self.assertEqual(set(found), complete)

    def test_taxonomy_ranks_above_body_text(self):
        """A summary tagged with a term ranks above one that only mentions it."""
        found = self.results("situational")
        self.assertEqual(found[-1], "hot-spots")

    def test_title_ranks_above_standfirst(self):
        """ "offenders" in a title ranks above "offenders" in a standfirst only."""
        found = self.results("offenders")
        self.assertLess(found.index("cbt-offenders"), found.index("boot-camps"))
        self.assertLess(found.index("psychosocial"), found.index("restorative-justice"))


class ExactFirstTests(TestCase):
    """Forgiving matches rank below exact ones: a summary using the word as typed comes
    before one found only through another spelling, a compound or a synonym, however
    much stronger the latter's match (title, taxonomy) would score on its own."""

    @classmethod
    def setUpTestData(cls):
        load_corpus()
        draft = make_draft(
            "desistance",
            title="Desistance support",
            standfirst="Help for people leaving prison to settle and find work.",
            sections={
                SectionKind.EFFECT: "<p>Recidivism fell a little. Behavioral problems in "
                "the first months were the main risk.</p>"
            },
        )
        publish(draft)

    def results(self, query: str) -> list[str]:
        found = search.search_live(SummaryVersion.objects.all(), read(query).query)
        return list(found.order_by("-rank", "title").values_list("intervention__slug", flat=True))

    def test_the_typed_word_ranks_first(self):
        cases = {
            # Only "desistance" says "recidivism"; the others say "reoffending", three of
            # them in their taxonomy, which alone would rank them first.
            "recidivism": "desistance",
            # Only "desistance" spells it the American way; the others have "behavioural"
            # in their title or body.
            "behavioral": "desistance",
        }
        for query, first in cases.items():
            with self.subTest(query=query):
                found = self.results(query)
                self.assertGreater(len(found), 1)
                self.assertEqual(found[0], first)

    def test_the_synonym_only_match_ranks_last(self):
        found = self.results("reoffending")
        self.assertEqual(
            set(found),
            {"cbt-offenders", "psychosocial", "restorative-justice", "boot-camps"} | {"desistance"},
        )
        self.assertEqual(found[-1], "desistance")

    def test_without_other_forms_ranking_is_unchanged(self):
        """A query with no added form gets no bonus: the engine's own order."""
        reading = read("lamp")
        self.assertEqual(reading.query.tsquery(), reading.typed.tsquery())
        self.assertEqual(self.results("lamp"), ["street-lighting"])


class ForgivingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_corpus()

    def counted(self, query: str) -> search.CountedSearch:
        return search.search_counted(
            SummaryFilter({}, queryset=SummaryVersion.objects.live()),
            query,
            generation=current_generation(),
        )

    def test_corrections_and_suggestions(self):
        """A query that finds little is corrected from live words only, and a word the
        summaries use is never changed."""
        for query, (searched, suggestion, expected) in FORGIVING.items():
            with self.subTest(query=query):
                counted = self.counted(query)
                self.assertEqual(counted.reading.typed.text(), searched)
                self.assertEqual(counted.suggestion, suggestion)
                self.assertEqual(
                    counted.corrected_from, query.lower() if searched != query.lower() else ""
                )
                slugs = counted.matching.values_list("intervention__slug", flat=True)
                self.assertEqual(set(slugs), expected)
                self.assertEqual(counted.total, len(expected))

    def test_the_reader_is_told_what_else_was_searched_for(self):
        """ "Also searched for" names the other forms and synonyms live summaries use."""
        cases = {
            "recidivism": ["reoffending"],
            "cognitive behavioral": ["behavioural"],
            "multi systemic": ["multisystemic"],
            "sex offense": ["offence"],
            "cbt": ["cognitive behavioural therapy"],
            # Forms no summary uses are not shown: "lightings", "cameras" have none.
            "lighting": [],
        }
        for query, also in cases.items():
            with self.subTest(query=query):
                self.assertEqual(list(read(query).also), also)

    def test_corrected_results_rank_as_the_correction_would(self):
        """A corrected search is the corrected query's search: same results, same order."""
        corrected = self.counted("reofending").reading.query
        exact = read("reoffending").query
        order = ("-rank", "title")
        live = SummaryVersion.objects.all()
        self.assertEqual(
            list(search.search_live(live, corrected).order_by(*order).values_list("pk")),
            list(search.search_live(live, exact).order_by(*order).values_list("pk")),
        )

    def test_a_changed_synonym_list_applies_at_once(self):
        """A new group finds summaries at once, with no reindex."""
        self.assertEqual(self.counted("alleygates").total, 0)
        synonym_group_save(
            group=SynonymGroup(terms="alleygates, alley gating", source="Test"), user=None
        )
        self.assertEqual(self.counted("alleygates").total, 2)
