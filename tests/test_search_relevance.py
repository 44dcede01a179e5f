"""The relevance set: queries a reader would type and the summaries they should get first.

The same corpus and the same expectations run on SQLite (FTS5, bm25) and on PostgreSQL
(tsvector, ts_rank): CI runs the suite on both, so this file is the proof that the two
engines give the same answers.
"""

from django.test import TestCase

from summaries import search
from summaries.models import Approach, Problem, SectionKind, SummaryVersion
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
}


class RelevanceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
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

    def results(self, query: str) -> list[str]:
        found = search.search_live(SummaryVersion.objects.all(), query)
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
