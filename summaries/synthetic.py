"""Synthetic summaries for search and load benchmarks (``manage.py generate_synthetic``).

Every synthetic summary is clearly labelled: ``Intervention.is_synthetic`` is set, the slug
starts with ``synthetic-`` and the title with ``[Synthetic] ``. Generation only inserts
rows; ``synthetic_delete()`` removes exactly the interventions flagged synthetic, with all
their versions and child rows. Taxonomy terms are ordinary shared data and are never
deleted.

Each summary is live (one published version, number 1) and has a title, a standfirst, the
nine sections (about 250-400 words in all), taxonomy, the six ratings, one to three
systematic reviews with breakdowns and, for some, a key figure. Its text depends only on
the seed and its number, so the same N and seed give the same text; publication dates are
spread over the five years before the run.

Word statistics, which the search benchmark relies on. "Hits" are the summaries whose
title, standfirst or sections contain the word, case-insensitively. They are the same
whether counted with ``LIKE '%word%'`` or with PostgreSQL full-text search (``english``
configuration, ``websearch_to_tsquery``): no other word in the text shares a substring or a
stem with these terms. Measured at N = 1,000, 10,000 and 100,000 (seed 20250101):

- ``COMMON_TERMS`` (word -> share): "crime" 75%, "evidence" 85%, "review" 70%, "reduce"
  65%. Each is switched on per summary with that probability; when it is off, the summary
  uses a synonym throughout ("offending", "research", "meta-analysis", "lower"/"fall"), so
  the hit rate is the probability whatever N (measured within 1 point at 10,000+).
- ``TYPICAL_TERMS`` (word -> expected share, 2.6% to 4.9%): one word per problem (crime
  type) and per approach (intervention type), e.g. "burglary", "shoplifting", "fraud",
  "cctv", "mentoring", "restorative"; a few are hyphenated ("anti-social", "body-worn") and
  one is a phrase ("hot spots"). A summary has one primary problem and one primary
  approach, drawn with mild weights, and with probability 0.15 a second of each. The word
  appears exactly in the summaries tagged with its term, so its hits equal that tag's count
  (2.5% to 5.1% measured at 100,000).
- ``RARE_TERMS``: twenty made-up names ("Kestrelwood", "PRISMAX", "tessellated", ...).
  Each run puts each of them in exactly ``RARE_TERM_HITS`` (10) summaries spread evenly
  over the run, so each has 10 hits at any N >= 10 (fewer below). A second run
  adds 10 more.
- Also: "Synthetic" is in every title; setting and population names such as "prison",
  "residential areas" or "young people" in about 15-25% of summaries.

A second ``generate_synthetic N`` adds N more summaries numbered after the existing ones
(their text differs, as it depends on the number); run ``--delete`` first (or together)
for a set with exactly the statistics above.
"""

import html
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import reset_queries, transaction
from django.db.models import CASCADE
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone
from django.utils.text import slugify

from . import search
from .cache import public_content_changed
from .models import (
    RATING_FIELDS,
    SECTION_ORDER,
    Approach,
    BreakdownKind,
    CountUnit,
    Focus,
    Intervention,
    KeyFigure,
    Population,
    Problem,
    ReviewBreakdown,
    ScaleLevel,
    Section,
    SectionKind,
    Setting,
    State,
    SummaryVersion,
    SystematicReview,
)

DEFAULT_SEED = 20250101
MAX_COUNT = 1_000_000
BATCH_SIZE = 2_000
TITLE_PREFIX = "[Synthetic] "
SLUG_PREFIX = "synthetic-"
PUBLISHED_WITHIN_DAYS = 5 * 365
CHANGE_NOTE = "Synthetic content generated for benchmarks; not real evidence."

# --- Vocabulary ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemTopic:
    """A crime type. ``keyword`` is in its name and phrase and nowhere else in the text."""

    slug: str
    name: str
    keyword: str
    phrase: str
    weight: float = 1.0


@dataclass(frozen=True)
class ApproachTopic:
    """A kind of intervention, with what it does and how it is thought to work."""

    slug: str
    name: str
    keyword: str | None
    phrase: str
    description: str
    focus: str
    settings: tuple[str, ...]
    mechanisms: tuple[str, str, str]
    weight: float = 1.0


# fmt: off
PROBLEMS = (
    ProblemTopic("burglary", "Burglary", "burglary", "burglary of homes", 1.2),
    ProblemTopic("vehicle-theft", "Vehicle theft", "vehicle", "theft of and from vehicles", 1.2),
    ProblemTopic("violence-against-the-person", "Violence against the person", "violence",
                 "violence against the person", 1.2),
    ProblemTopic("domestic-abuse", "Domestic abuse", "domestic", "domestic abuse", 1.2),
    ProblemTopic("anti-social-behaviour", "Anti-social behaviour", "anti-social",
                 "anti-social behaviour", 1.2),
    ProblemTopic("shoplifting", "Shoplifting", "shoplifting", "shoplifting", 1.1),
    ProblemTopic("drug-offences", "Drug offences", "drug", "drug dealing and possession", 1.2),
    ProblemTopic("fraud", "Fraud", "fraud", "fraud and scams"),
    ProblemTopic("robbery", "Robbery", "robbery", "street robbery", 1.1),
    ProblemTopic("criminal-damage", "Criminal damage", "damage", "criminal damage and graffiti"),
    ProblemTopic("knife-carrying", "Knife carrying", "knife", "knife carrying"),
    ProblemTopic("firearms-offences", "Firearms offences", "firearms", "firearms offences"),
    ProblemTopic("sexual-offences", "Sexual offences", "sexual", "sexual offending"),
    ProblemTopic("general-reoffending", "General reoffending", "reoffending",
                 "general reoffending", 1.2),
    ProblemTopic("alcohol-related-disorder", "Alcohol-related disorder", "alcohol",
                 "alcohol-related disorder"),
    ProblemTopic("hate-incidents", "Hate incidents", "hate", "hate incidents"),
    ProblemTopic("stalking-and-harassment", "Stalking and harassment", "stalking",
                 "stalking and harassment"),
    ProblemTopic("child-exploitation", "Child exploitation", "exploitation",
                 "the exploitation of children"),
    ProblemTopic("computer-misuse", "Computer misuse", "computer", "computer misuse and hacking"),
    ProblemTopic("metal-theft", "Metal theft", "metal", "metal theft", 0.7),
    ProblemTopic("bicycle-theft", "Bicycle theft", "bicycle", "bicycle theft"),
    ProblemTopic("homicide", "Homicide", "homicide", "homicide", 0.7),
    ProblemTopic("arson", "Arson", "arson", "arson and deliberate fires", 0.7),
    ProblemTopic("gang-activity", "Gang activity", "gang", "gang activity"),
    ProblemTopic("modern-slavery", "Modern slavery", "slavery",
                 "modern slavery and forced labour", 0.7),
    ProblemTopic("youth-offending", "Youth offending", "youth", "youth offending", 1.2),
    ProblemTopic("pickpocketing", "Pickpocketing", "pickpocketing", "pickpocketing", 0.7),
    ProblemTopic("road-traffic-offences", "Road traffic offences", "traffic",
                 "road traffic offences"),
)

APPROACHES = (
    ApproachTopic("cctv", "CCTV", "cctv", "CCTV cameras",
        "places closed-circuit television cameras in public spaces so that incidents can be "
        "seen, recorded and acted on",
        "place", ("town-centres", "car-parks", "public-transport", "retail-premises"),
        ("making offenders feel more likely to be seen and caught",
         "helping police to respond quickly to incidents",
         "providing recordings that help to identify suspects"), 1.2),
    ApproachTopic("street-lighting", "Street lighting", "lighting", "improved street lighting",
        "makes streets, paths and public spaces brighter at night",
        "place", ("residential-areas", "town-centres", "car-parks"),
        ("increasing natural surveillance after dark",
         "signalling that an area is cared for",
         "encouraging more people to use the streets at night"), 1.1),
    ApproachTopic("alley-gating", "Alley gating", "alley", "alley gates",
        "installs lockable gates across the alleys behind rows of houses so that only "
        "residents can use them",
        "place", ("residential-areas",),
        ("removing easy routes to the backs of homes",
         "making strangers stand out",
         "giving residents control over shared space")),
    ApproachTopic("neighbourhood-watch", "Neighbourhood watch", "neighbourhood",
        "neighbourhood watch schemes",
        "brings residents together to look out for suspicious activity and report it to the "
        "police",
        "community", ("residential-areas",),
        ("increasing the chance that suspicious activity is noticed",
         "strengthening ties between residents",
         "improving the flow of information to the police")),
    ApproachTopic("hot-spots-policing", "Hot spots policing", "hot spots", "hot spots policing",
        "concentrates police patrols on the small places where incidents cluster",
        "place", ("town-centres", "residential-areas", "night-time-economy"),
        ("raising the visible presence of officers where incidents cluster",
         "disrupting established patterns of offending",
         "making offenders believe they are more likely to be caught"), 1.2),
    ApproachTopic("mentoring", "Mentoring", "mentoring", "mentoring programmes",
        "pairs a young person at risk of offending with a trained adult who meets them "
        "regularly",
        "potential-offender", ("community", "schools"),
        ("providing a positive role model",
         "building skills and confidence",
         "diverting time away from risky peers"), 1.1),
    ApproachTopic("cbt", "Cognitive behavioural therapy (CBT)", "cognitive",
        "cognitive behavioural therapy",
        "helps people who have offended to recognise and change the thinking patterns that "
        "lead to offending",
        "offender", ("prison", "community", "outpatient"),
        ("challenging distorted thinking",
         "improving self-control and problem solving",
         "rehearsing alternative responses to risky situations"), 1.2),
    ApproachTopic("restorative-justice", "Restorative justice", "restorative",
        "restorative justice conferences",
        "brings victims and offenders together, with a trained facilitator, to discuss the "
        "harm done and how to repair it",
        "offender", ("community", "courts", "prison"),
        ("helping offenders understand the harm they caused",
         "giving victims a voice and a sense of closure",
         "reintegrating offenders through shame that is not stigmatising"), 1.1),
    ApproachTopic("electronic-monitoring", "Electronic monitoring", "electronic",
        "electronic monitoring",
        "fits people on bail, probation or licence with a tag that reports their location or "
        "presence at home",
        "offender", ("community",),
        ("making breaches of conditions more likely to be detected",
         "structuring daily routines",
         "keeping people out of prison and in work")),
    ApproachTopic("curfews", "Curfews", "curfew", "curfew orders",
        "require people to stay at a set address during set hours, usually at night",
        "offender", ("community",),
        ("limiting the time available for offending",
         "separating people from risky places and peers at night",
         "adding a visible condition that can be enforced")),
    ApproachTopic("boot-camps", "Boot camps", "boot", "boot camps",
        "place young people who have offended in a short, military-style regime of discipline "
        "and physical training",
        "offender", ("prison", "community"),
        ("instilling discipline and routine",
         "building physical fitness and self-esteem",
         "deterring through a harsh regime"), 0.7),
    ApproachTopic("multisystemic-therapy", "Multisystemic therapy (MST)", "multisystemic",
        "multisystemic therapy",
        "works intensively with young people and their families, schools and peers to change "
        "the causes of offending at home",
        "family", ("community",),
        ("improving supervision and discipline at home",
         "cutting contact with offending peers",
         "strengthening ties with school")),
    ApproachTopic("therapeutic-communities", "Therapeutic communities", None,
        "therapeutic communities",
        "house people in a structured group setting where residents and staff share "
        "responsibility for recovery",
        "offender", ("prison", "hospital"),
        ("using the group as the main agent of change",
         "building a sense of responsibility",
         "practising new behaviour in a safe setting")),
    ApproachTopic("substance-misuse-treatment", "Substance misuse treatment", "substance",
        "substance misuse treatment",
        "offers people who have offended treatment for dependence on illegal substances",
        "offender", ("prison", "community", "outpatient"),
        ("lowering the need to offend to fund a habit",
         "stabilising people's lives",
         "improving health and links with services"), 1.1),
    ApproachTopic("target-hardening", "Target hardening", "hardening", "target hardening",
        "fits stronger locks, doors, windows and alarms to homes and businesses",
        "property", ("residential-areas", "retail-premises"),
        ("making entry harder and slower",
         "raising the risk of being heard or seen",
         "signalling that a property is protected")),
    ApproachTopic("property-marking", "Property marking", "marking", "property marking",
        "marks valuable items with a unique code so that stolen goods are harder to sell and "
        "easier to return",
        "property", ("residential-areas",),
        ("making stolen goods harder to sell",
         "raising the risk of being caught with stolen items",
         "helping police return property to owners")),
    ApproachTopic("focused-deterrence", "Focused deterrence", "deterrence",
        "focused deterrence strategies",
        "tells a small group of high-risk people directly that further offending will bring "
        "swift sanctions, while offering support to stop",
        "offender", ("community",),
        ("making sanctions certain, swift and well understood",
         "offering a credible route out through support",
         "using peer and community pressure")),
    ApproachTopic("pre-court-diversion", "Pre-court diversion", "diversion", "pre-court diversion",
        "steers people away from prosecution into support or a warning after a first or minor "
        "offence",
        "offender", ("police-custody", "community"),
        ("avoiding the labelling effect of a conviction",
         "addressing needs early",
         "keeping people in school or work"), 1.1),
    ApproachTopic("classroom-based-prevention", "Classroom-based prevention", "classroom",
        "classroom-based prevention programmes",
        "teaches pupils social and emotional skills in regular lessons",
        "potential-offender", ("schools",),
        ("building self-control and empathy",
         "changing attitudes that support offending",
         "improving how pupils handle conflict")),
    ApproachTopic("parenting-programmes", "Parenting programmes", "parenting",
        "parenting programmes",
        "support parents to manage their children's behaviour with warmth and consistent "
        "boundaries",
        "family", ("community",),
        ("improving supervision at home",
         "making discipline consistent",
         "strengthening the bond between parent and child")),
    ApproachTopic("employment-programmes", "Employment programmes", "employment",
        "employment programmes",
        "help people with convictions to find and keep paid work through training and job "
        "placements",
        "offender", ("community", "prison"),
        ("providing a legitimate income",
         "structuring time and routines",
         "building a new identity and social ties")),
    ApproachTopic("problem-oriented-policing", "Problem-oriented policing", "problem-oriented",
        "problem-oriented policing",
        "analyses the underlying causes of recurring incidents and designs tailored responses "
        "with partners",
        "place", ("town-centres", "residential-areas"),
        ("removing the conditions that make incidents easy",
         "tailoring responses to local causes",
         "involving partners who control the places concerned"), 1.1),
    ApproachTopic("repeat-victimisation-prevention", "Repeat victimisation prevention",
        "victimisation", "repeat victimisation prevention",
        "gives rapid, targeted protection to people and places that have recently been "
        "victimised",
        "victim", ("residential-areas",),
        ("protecting the targets most likely to be hit again",
         "focusing scarce resources where risk is highest",
         "reassuring victims")),
    ApproachTopic("body-worn-cameras", "Body-worn cameras", "body-worn", "body-worn cameras",
        "equip police officers with small cameras that record their encounters with the "
        "public",
        "guardian", ("town-centres", "night-time-economy"),
        ("making both officers and the public behave better when recorded",
         "providing footage for prosecutions",
         "improving trust through transparency")),
    ApproachTopic("licensing-enforcement", "Licensing enforcement", "licensing",
        "licensing enforcement",
        "uses inspections and the threat of losing a licence to make bars, clubs and shops "
        "run their premises responsibly",
        "place", ("night-time-economy", "retail-premises"),
        ("making managers responsible for what happens on their premises",
         "removing the worst-run venues",
         "improving staff practice at the door and the bar")),
    ApproachTopic("scared-straight", "Scared Straight programmes", "scared",
        "Scared Straight programmes",
        "take young people on organised visits to prisons to see the consequences of "
        "offending at first hand",
        "potential-offender", ("prison",),
        ("deterring through fear of prison",
         "confronting young people with inmates' stories",
         "changing how young people weigh the costs of offending"), 0.7),
    ApproachTopic("prison-education", "Prison education", "education", "prison education",
        "offers classes, qualifications and vocational training to people serving prison "
        "sentences",
        "offender", ("prison",),
        ("improving the chance of work after release",
         "building confidence and a new identity",
         "structuring time in prison")),
    ApproachTopic("text-message-reminders", "Text message reminders", "reminders",
        "text message reminders",
        "send people automatic reminders of court dates and probation appointments",
        "offender", ("courts", "community"),
        ("making appointments harder to forget",
         "lowering the cost of complying",
         "signalling that attendance is checked"), 0.7),
    ApproachTopic("sports-programmes", "Sports programmes", "sports", "sports programmes",
        "offer young people organised games and coaching in their free time",
        "potential-offender", ("community", "schools"),
        ("filling unsupervised time",
         "providing positive role models in coaches",
         "building teamwork and self-discipline")),
    ApproachTopic("motivational-interviewing", "Motivational interviewing", "motivational",
        "motivational interviewing",
        "uses short, structured conversations to strengthen a person's own reasons for change",
        "offender", ("community", "prison", "outpatient"),
        ("strengthening commitment to change",
         "resolving mixed feelings about stopping",
         "building trust with practitioners")),
    ApproachTopic("weapons-amnesties", "Weapons amnesties", "amnesties", "weapons amnesties",
        "invite the public to hand in weapons anonymously, without prosecution, for a limited "
        "period",
        "community", ("community",),
        ("taking weapons out of circulation",
         "signalling that carrying weapons is not acceptable",
         "opening conversations with communities")),
)
# fmt: on

FOCUSES = {
    "offender": "Offender",
    "victim": "Victim",
    "place": "Place",
    "property": "Property",
    "potential-offender": "Potential offender",
    "family": "Family",
    "community": "Community",
    "guardian": "Guardian",
}

# slug -> (term name, phrase used in the text)
SETTINGS = {
    "prison": ("Prison", "prisons"),
    "community": ("Community", "the community"),
    "hospital": ("Hospital", "secure hospitals"),
    "outpatient": ("Outpatient", "outpatient clinics"),
    "residential-areas": ("Residential areas", "residential areas"),
    "town-centres": ("Town centres", "town centres"),
    "retail-premises": ("Retail premises", "shops and shopping centres"),
    "public-transport": ("Public transport", "buses, trains and stations"),
    "schools": ("Schools", "schools"),
    "night-time-economy": ("Night-time economy", "the night-time economy"),
    "car-parks": ("Car parks", "car parks"),
    "courts": ("Courts", "courts"),
    "police-custody": ("Police custody", "police custody suites"),
}

POPULATIONS = {
    "young-people": ("Young people", "young people"),
    "children": ("Children", "children"),
    "adults": ("Adults", "adults"),
    "women": ("Women", "women"),
    "men": ("Men", "men"),
    "families": ("Families", "families"),
    "residents": ("Residents", "local residents"),
    "businesses": ("Businesses", "local businesses"),
    "older-people": ("Older people", "older people"),
    "prisoners": ("Prisoners", "people in prison"),
    "people-on-probation": ("People on probation", "people on probation"),
}

# Who a summary is for follows from its approach's focus.
POPULATIONS_BY_FOCUS = {
    "offender": ("adults", "young-people", "men", "women", "prisoners", "people-on-probation"),
    "potential-offender": ("young-people", "children"),
    "family": ("families", "children", "young-people"),
    "victim": ("residents", "women", "older-people"),
    "place": ("residents", "businesses"),
    "property": ("residents", "businesses"),
    "community": ("residents", "young-people"),
    "guardian": ("residents", "adults"),
}

# --- Word statistics ---------------------------------------------------------------------

# Each common word with the probability that a summary uses it (else a synonym).
COMMON_TERMS = {"crime": 0.75, "evidence": 0.85, "review": 0.70, "reduce": 0.65}

# Word forms per common term: (with the term, with its synonym).
LEXICON = {
    "crime": {"crime": ("crime", "offending")},
    "evidence": {"evidence": ("evidence", "research")},
    "review": {
        "review": ("systematic review", "meta-analysis"),
        "reviews": ("systematic reviews", "meta-analyses"),
        "the_review": ("the review", "the meta-analysis"),
        "the_reviews": ("the reviews", "the meta-analyses"),
        "label": ("Review", "Meta-analysis"),
    },
    "reduce": {
        "reduce": ("reduce", "lower"),
        "reduced": ("reduced", "lowered"),
        "reduction": ("reduction", "fall"),
    },
}

PROBLEM_EXTRA = 0.15  # probability of a second problem
APPROACH_EXTRA = 0.15  # probability of a second approach


def _topic_shares(topics, extra: float) -> dict[str, float]:
    """Probability that each topic is a summary's primary or (with ``extra``) second one."""
    total = sum(t.weight for t in topics)
    share = {t.slug: t.weight / total for t in topics}
    return {
        t.slug: share[t.slug]
        + extra * sum(share[o.slug] * share[t.slug] / (1 - share[o.slug]) for o in topics if o != t)
        for t in topics
    }


def _typical_terms() -> dict[str, float]:
    shares = _topic_shares(PROBLEMS, PROBLEM_EXTRA) | _topic_shares(APPROACHES, APPROACH_EXTRA)
    return {t.keyword: round(shares[t.slug], 4) for t in (*PROBLEMS, *APPROACHES) if t.keyword}


# Keyword -> expected share of summaries containing it (about 0.02 to 0.05).
TYPICAL_TERMS = _typical_terms()

# Made-up names, each used in exactly RARE_TERM_HITS summaries per run, with how the text
# introduces it.
RARE_TERM_HITS = 10
_RARE_SENTENCES = {
    "programme": "One programme, known as {term}, was evaluated in more depth than the others.",
    "tool": "Several studies assessed the risk of participants with the {term} screening tool.",
    "technique": "A few sites tried a {term} variant, which changed how the work was scheduled.",
}
_RARE_KINDS = {
    "Kestrelwood": "programme",
    "Quorvale": "programme",
    "Velthorpe": "programme",
    "Brantholme": "programme",
    "Maribeck": "programme",
    "Tolliscombe": "programme",
    "Ardwenna": "programme",
    "Fenmarrow": "programme",
    "PRISMAX": "tool",
    "CORVANT": "tool",
    "SENTRIQ": "tool",
    "VIGILUX": "tool",
    "TRAMOS": "tool",
    "ORBISCALE": "tool",
    "KALDRA": "tool",
    "tessellated": "technique",
    "lanternwise": "technique",
    "quillmapping": "technique",
    "gloamwatch": "technique",
    "brackenfold": "technique",
}
RARE_TERMS = tuple(_RARE_KINDS)


def rare_term_placement(count: int) -> dict[int, list[str]]:
    """Run-local summary index -> the rare terms it mentions.

    Term k goes to ``RARE_TERM_HITS`` indexes spaced ``count / RARE_TERM_HITS`` apart and
    offset by k, so the terms are spread over the run and rarely share a summary.
    """
    placement: dict[int, list[str]] = {}
    for k, term in enumerate(RARE_TERMS):
        offset = k * count // len(RARE_TERMS)
        indexes = {(j * count + offset) // RARE_TERM_HITS for j in range(RARE_TERM_HITS)}
        for index in sorted(indexes):
            placement.setdefault(index, []).append(term)
    return placement


# --- Ratings -------------------------------------------------------------------------------

# Level slugs (as seeded by migration 0002) with weights: realistic, not uniform.
RATING_WEIGHTS = {
    "effect": {
        "reduced": 28,
        "reduced-some-increase": 10,
        "tended-to-reduce": 16,
        "mixed": 12,
        "no-effect": 22,
        "tended-to-increase": 4,
        "increased-some-reduction": 3,
        "increased": 5,
    },
    "quality": {"very-strong": 8, "strong": 30, "moderate": 34, "limited": 20, "very-limited": 8},
    "mechanism": {"strong": 10, "moderate": 28, "limited": 42, "none": 20},
    "moderators": {"strong": 15, "moderate": 30, "limited": 35, "none": 20},
    "implementation": {"strong": 8, "moderate": 30, "limited": 37, "none": 25},
    "economic_cost": {"strong": 5, "moderate": 15, "limited": 25, "none": 55},
}

# Sign of the effect (-1 fewer incidents, +1 more, 0 unclear) for the key figures.
EFFECT_DIRECTION = {
    "reduced": -1,
    "reduced-some-increase": -1,
    "tended-to-reduce": -1,
    "mixed": 0,
    "no-effect": 0,
    "tended-to-increase": 1,
    "increased-some-reduction": 1,
    "increased": 1,
}

EFFECT_CLAUSES = {
    "reduced": "has {reduced} {problem}",
    "reduced-some-increase": "has {reduced} {problem}, although there is also some {evidence} "
    "that it has sometimes increased it",
    "tended-to-reduce": "has tended to {reduce} {problem}, but the overall effect was not "
    "statistically significant",
    "mixed": "has had mixed effects on {problem}",
    "no-effect": "has had no statistically significant effect on {problem}",
    "tended-to-increase": "has tended to increase {problem}, but the overall effect was not "
    "statistically significant",
    "increased-some-reduction": "has increased {problem}, although some studies found that it "
    "{reduced} it",
    "increased": "has increased {problem}",
}

QUALITY_SENTENCES = {
    "very-strong": "{Label} one was systematic enough that almost all forms of bias that could "
    "influence its conclusions can be ruled out.",
    "strong": "{Label} one was sufficiently systematic that most forms of bias that could "
    "influence its conclusions can be ruled out.",
    "moderate": "{Label} one was systematic enough to rule out many forms of bias, but not all.",
    "limited": "{Label} one left several sources of bias that could explain its findings.",
    "very-limited": "{Label} one could rule out few forms of bias, so its findings should be "
    "treated with caution.",
}

BIAS_ITEMS = (
    "small sample sizes in many of the studies",
    "short follow-up periods",
    "considerable variability in the findings of the primary studies",
    "comparison groups that were not always well matched",
)

MODERATORS = (
    "the risk level of participants",
    "the length and intensity of the programme",
    "whether it was combined with other measures",
    "the age of participants",
    "the quality of delivery",
    "the type of area",
    "how well the programme was targeted",
    "whether participants took part voluntarily",
    "the size of the area covered",
)

IMPLEMENTATION_FACTORS = (
    "training staff before the programme started",
    "securing the support of local partners",
    "sharing information between agencies",
    "keeping participants engaged over time",
    "maintaining equipment and premises",
    "clear leadership",
    "funding for the whole period of the programme",
    "consistent delivery across sites",
)

# Where primary studies were done, with weights: most evidence is North American or British.
COUNTRIES = {
    "USA": 40,
    "United Kingdom": 20,
    "Canada": 10,
    "Australia": 8,
    "Netherlands": 5,
    "Sweden": 5,
    "Germany": 4,
    "New Zealand": 4,
}

SURNAMES = (
    "Hartley", "Osei", "Lindqvist", "Moreau", "Brennan", "Okafor", "Ferreira", "Nakamura",
    "Whitfield", "Kowalski", "Adeyemi", "Sorensen", "Castellano", "Byrne", "Mahmood", "Larsen",
)  # fmt: skip

NUMBER_WORDS = ("one", "two", "three")

# --- Planning one summary (pure: no database) ---------------------------------------------


@dataclass
class ReviewPlan:
    label: str
    citation: str
    studies: int
    tests: int
    rcts: int
    conflict_of_interest_studies: int | None
    published_up_to: int
    breakdowns: list[tuple[str, str, int, str]]  # kind, label, count, unit


@dataclass
class KeyFigurePlan:
    outcome: str
    comparison_rate: Decimal
    treatment_rate: Decimal
    relative_change: Decimal
    note: str


@dataclass
class SummaryPlan:
    """Everything one synthetic summary holds, as plain values."""

    number: int
    slug: str
    title: str
    standfirst: str
    sections: dict[str, str]
    terms: dict[str, list[str]]  # M2M field -> term slugs
    ratings: dict[str, str]  # rating field -> level slug
    reviews: list[ReviewPlan]
    key_figures: list[KeyFigurePlan]
    published_days_ago: float
    evidence_reviewed_days_before: int
    common_terms: set[str] = field(default_factory=set)  # those not replaced by synonyms


def _pick(rng: random.Random, topics, extra: float):
    """A weighted primary topic and, with probability ``extra``, a distinct second one."""
    primary = rng.choices(topics, weights=[t.weight for t in topics])[0]
    if rng.random() >= extra:
        return [primary]
    others = [t for t in topics if t is not primary]
    return [primary, rng.choices(others, weights=[t.weight for t in others])[0]]


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _weighted_sample(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    """``k`` distinct keys, heavier ones likelier and earlier (Efraimidis-Spirakis)."""
    return sorted(weights, key=lambda key: rng.random() ** (1 / weights[key]), reverse=True)[:k]


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split into at most ``parts`` positive counts, largest first."""
    parts = max(1, min(parts, total))
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return sorted((b - a for a, b in zip(bounds, bounds[1:], strict=False)), reverse=True)


def _p(*sentences: str) -> str:
    return "<p>" + html.escape(" ".join(sentences), quote=False) + "</p>"


def _ul(items) -> str:
    return (
        "<ul>" + "".join(f"<li><p>{html.escape(i, quote=False)}</p></li>" for i in items) + "</ul>"
    )


def _lexicon(rng: random.Random) -> tuple[dict[str, str], set[str]]:
    """Word forms for this summary: each common term, or its synonym throughout."""
    words, used = {}, set()
    for term, probability in COMMON_TERMS.items():
        on = rng.random() < probability
        if on:
            used.add(term)
        for key, (word, synonym) in LEXICON[term].items():
            words[key] = word if on else synonym
    words |= {
        key[0].upper() + key[1:]: value[0].upper() + value[1:] for key, value in words.items()
    }
    return words, used


def _plan_reviews(rng: random.Random, words, approaches, number: int) -> list[ReviewPlan]:
    """One to three reviews with plausible counts: RCTs and conflicted studies are a share
    of the studies (so the database's checks hold), breakdowns add up to the totals."""
    reviews = []
    for position in range(rng.choices((1, 2, 3), weights=(50, 35, 15))[0]):
        studies = max(3, min(180, round(rng.lognormvariate(3.0, 0.6))))
        tests = studies + rng.randint(0, studies // 3)
        year = rng.randint(1998, 2023)
        countries = _weighted_sample(rng, COUNTRIES, rng.randint(1, 3)) + ["Other"]
        names = [a.name for a in approaches] + ["Other"]
        breakdowns = [
            (BreakdownKind.APPROACH, label, count, CountUnit.STUDIES)
            for label, count in zip(names, _split(rng, studies, len(names)), strict=False)
        ] + [
            (BreakdownKind.COUNTRY, label, count, CountUnit.TESTS)
            for label, count in zip(countries, _split(rng, tests, len(countries)), strict=False)
        ]
        authors = rng.sample(SURNAMES, 2)
        reviews.append(
            ReviewPlan(
                label=f"{words['Label']} {NUMBER_WORDS[position]}",
                citation=f"{authors[0]} and {authors[1]} ({year + 1}). {approaches[0].name}: "
                f"a synthetic {words['review']} (#{number}). Not a real publication.",
                studies=studies,
                tests=tests,
                rcts=round(studies * rng.betavariate(1.2, 3)),
                conflict_of_interest_studies=(
                    round(studies * rng.betavariate(1, 4)) if rng.random() < 0.8 else None
                ),
                published_up_to=year,
                breakdowns=breakdowns,
            )
        )
    return reviews


def _plan_key_figure(rng, effect: str, offender_focus: bool, problem, label: str):
    comparison = round(rng.uniform(5, 60), 1)
    direction = EFFECT_DIRECTION.get(effect, 0) or rng.choice((-1, 1)) * 0.3
    relative = direction * rng.uniform(5, 45)
    treatment = round(min(100.0, comparison * (1 + relative / 100)), 1)
    outcome = "Reconviction" if offender_focus else problem.name
    note = "Reconviction within two years" if offender_focus else "Police-recorded incidents"
    return KeyFigurePlan(
        outcome=outcome,
        comparison_rate=Decimal(f"{comparison:.1f}"),
        treatment_rate=Decimal(f"{treatment:.1f}"),
        relative_change=Decimal(f"{(treatment - comparison) / comparison * 100:.1f}"),
        note=f"{note}; {label}.",
    )


class _Writer:
    """Fills templates with one summary's words and picks among variants with its rng."""

    def __init__(self, rng: random.Random, context: dict[str, str]):
        self.rng = rng
        self.context = context

    def __call__(self, template: str) -> str:
        return template.format_map(self.context)

    def one(self, *templates: str) -> str:
        return self(self.rng.choice(templates))


def _focus_section(say: _Writer, approaches, problems, reviews: list[ReviewPlan]) -> str:
    paragraphs = [_p(say("{Approach} {description}."))]
    where = say.one(
        "This summary looks at its use against {problem}, mainly in {settings}.",
        "The programmes covered here were aimed at {problem} and were delivered in {settings}.",
        "Here the focus is on {problem}, with most programmes run in {settings} for {populations}.",
    )
    extra = []
    if len(approaches) > 1:
        extra.append(f"Some programmes combined it with {approaches[1].phrase}.")
    if len(problems) > 1:
        extra.append(f"Some studies also measured {problems[1].phrase}.")
    paragraphs.append(_p(where, *extra))
    first = reviews[0]
    count = NUMBER_WORDS[len(reviews) - 1]
    noun = say("{review}") if len(reviews) == 1 else say("{reviews}")
    paragraphs.append(
        _p(
            f"This summary is based on {count} {noun}.",
            say(
                f"{{Label}} one drew on {first.studies} studies published up to "
                f"{first.published_up_to}, with {first.tests} tests of the intervention."
            ),
        )
    )
    return "".join(paragraphs)


def _effect_section(say: _Writer, effect: str, key_figures, first) -> str:
    clause = say(EFFECT_CLAUSES.get(effect, EFFECT_CLAUSES["mixed"]))
    paragraphs = [_p(say("Overall, the {evidence} suggests that {intervention} ") + clause + ".")]
    if key_figures:
        figure = key_figures[0]
        change = figure.relative_change
        went, what = ("fell", say("a {reduction}")) if change < 0 else ("rose", "an increase")
        outcome = (
            "reconviction rates" if figure.outcome == "Reconviction" else say("rates of {problem}")
        )
        paragraphs.append(
            _p(
                f"In {first.label}, {outcome} {went} from {figure.comparison_rate}% to "
                f"{figure.treatment_rate}%, {what} of {abs(change)}%."
            )
        )
    else:
        paragraphs.append(
            _p(
                say.one(
                    f"The size of the effect varied considerably between the {first.studies} "
                    f"studies in {first.label}.",
                    "Effects were larger in studies with longer follow-up periods.",
                    "Few studies reported effect sizes in a form that could be pooled.",
                )
            )
        )
    return "".join(paragraphs)


def _evidence_section(say: _Writer, quality: str, first: ReviewPlan) -> str:
    items = [
        f"only {first.rcts} of the {first.studies} studies were randomised controlled trials (RCTs)"
    ]
    if first.conflict_of_interest_studies:
        items.append(
            "potential conflict of interest due to author links with the programme in "
            f"{first.conflict_of_interest_studies} studies"
        )
    items.append(say.rng.choice(BIAS_ITEMS))
    design = say.one(
        "Its search strategy was transparent and the outcome measures were clearly defined.",
        "It paid attention to the validity of outcome measures and to publication bias.",
        "Its search covered several databases and unpublished reports as well as journals.",
        "It did not say how the quality of the primary studies was assessed.",
    )
    return (
        _p(say(QUALITY_SENTENCES.get(quality, QUALITY_SENTENCES["moderate"])), design)
        + _p("Sources of bias in the primary studies included:")
        + _ul(items)
    )


def _mechanism_section(say: _Writer, level: str, mechanisms) -> str:
    m = say.rng.sample(mechanisms, 3)
    if level == "strong":
        return _p(
            say("{The_reviews} tested how {intervention} works and found support for:")
        ) + _ul(m)
    if level == "moderate":
        return (
            _p(say("{Intervention} is thought to work by:"))
            + _ul(m[:2])
            + _p(say("{The_reviews} offered some supporting {evidence} for these mechanisms."))
        )
    if level == "limited":
        return _p(
            say(f"{{Intervention}} is assumed to work by {m[0]} and {m[1]}."),
            say("However, {the_reviews} did not test these assumptions."),
        )
    return _p(say("{The_reviews} did not say how {intervention} is meant to work."))


def _moderators_section(say: _Writer, level: str) -> str:
    m = say.rng.sample(MODERATORS, 3)
    if level == "strong":
        return _p(say("Studies show that the effect of {intervention} varies with:")) + _ul(m)
    if level == "moderate":
        return _p(say(f"{{The_reviews}} found that {m[0]} and {m[1]} made a difference."))
    if level == "limited":
        return _p(say(f"{{The_reviews}} suggested that {m[0]} might matter, but did not test it."))
    return _p(say("{The_reviews} did not examine where {intervention} works best."))


def _implementation_section(say: _Writer, level: str) -> str:
    f = say.rng.sample(IMPLEMENTATION_FACTORS, 3)
    if level == "strong":
        return _p(
            say("{The_reviews} gave practical guidance on implementation."),
            "Success depended on:",
        ) + _ul(f)
    if level == "moderate":
        return _p(say(f"{{The_reviews}} described some challenges, including {f[0]} and {f[1]}."))
    if level == "limited":
        return _p(
            say(
                f"{{The_reviews}} said little about implementation, although {f[0]} was "
                "mentioned as important."
            )
        )
    return _p(say("{The_reviews} gave no account of how {intervention} was implemented."))


def _economic_section(say: _Writer, level: str) -> str:
    rng = say.rng
    if level == "strong":
        benefit = f"{rng.uniform(1.2, 6.0):.2f}"
        return _p(
            say(
                f"A formal economic analysis in {{Label}} one found benefits of £{benefit} for "
                "every £1 spent."
            )
        )
    if level == "moderate":
        low = rng.randrange(50, 2000, 50)
        high = low * rng.randint(2, 6)
        return _p(
            say(
                f"{{Label}} one reported costs of between £{low} and £{high} per participant, "
                "but no formal cost-benefit analysis was done."
            )
        )
    if level == "limited":
        return _p(
            say(
                "{The_reviews} mentioned costs only in passing, and no formal economic "
                "analysis was provided."
            )
        )
    return _p(say("{The_reviews} did not mention the costs or benefits of {intervention}."))


def _general_section(say: _Writer, first: ReviewPlan, rare: list[str]) -> str:
    country = _main_country(first)
    if country == "United Kingdom":
        where = (
            "Most of the studies were carried out in the United Kingdom, so the findings may "
            "apply more readily here than elsewhere."
        )
    else:
        place = f"the {country}" if country in ("USA", "Netherlands") else country
        where = (
            f"Most of the studies were carried out in {place}, so caution is needed when "
            "applying the findings to the UK."
        )
    caveat = say.one(
        f"{first.label} only covered studies up to {first.published_up_to}.",
        "Few studies followed participants for more than two years.",
        "The studies rarely described the comparison group in detail.",
    )
    rare_sentences = (_RARE_SENTENCES[_RARE_KINDS[term]].format(term=term) for term in rare)
    return _p(where) + _p(caveat, *rare_sentences)


def _main_country(review: ReviewPlan) -> str:
    countries = [(count, label) for kind, label, count, _ in review.breakdowns if kind == "country"]
    named = [c for c in countries if c[1] != "Other"]
    return max(named)[1]


def _summary_section(say: _Writer, effect: str, quality: str) -> str:
    clause = say(EFFECT_CLAUSES.get(effect, EFFECT_CLAUSES["mixed"]))
    strength = {
        "very-strong": "The quality of the {evidence} is very strong.",
        "strong": "The quality of the {evidence} is strong.",
        "moderate": "The quality of the {evidence} is moderate.",
        "limited": "The quality of the {evidence} is limited.",
        "very-limited": "The quality of the {evidence} is very limited.",
    }.get(quality, "The quality of the {evidence} is moderate.")
    return _p(say("Overall, {intervention} ") + clause + ".", say(strength)) + _p(
        say.one(
            "Those planning to use it to {reduce} {crime} should weigh these findings against "
            "local conditions.",
            "Anyone hoping to {reduce} {crime} in this way should plan for careful delivery "
            "and measure the results.",
            "It is one of several ways to {reduce} {crime}; local conditions matter.",
        )
    )


def plan_summary(number: int, *, seed: int = DEFAULT_SEED, rare: list[str] = ()) -> SummaryPlan:
    """Plan synthetic summary ``number``; the result depends only on ``seed`` and ``number``.

    ``rare`` are the rare terms to mention (see ``rare_term_placement``).
    """
    rng = random.Random(f"synthetic:{seed}:{number}")
    words, used = _lexicon(rng)
    problems = _pick(rng, PROBLEMS, PROBLEM_EXTRA)
    approaches = _pick(rng, APPROACHES, APPROACH_EXTRA)
    approach, problem = approaches[0], problems[0]
    settings = rng.sample(approach.settings, min(len(approach.settings), rng.randint(1, 2)))
    candidates = POPULATIONS_BY_FOCUS[approach.focus]
    populations = rng.sample(candidates, rng.randint(1, 2))
    focuses = [approach.focus]
    if rng.random() < 0.2:
        focuses.append(rng.choice([f for f in FOCUSES if f != approach.focus]))
    ratings = {f: _weighted(rng, weights) for f, weights in RATING_WEIGHTS.items()}

    context = words | {
        "Approach": approach.name,
        "description": approach.description,
        "intervention": approach.phrase,
        "Intervention": approach.phrase[0].upper() + approach.phrase[1:],
        "problem": problem.phrase,
        "settings": _join([SETTINGS[s][1] for s in settings]),
        "populations": _join([POPULATIONS[p][1] for p in populations]),
    }
    say = _Writer(rng, context)
    reviews = _plan_reviews(rng, words, approaches, number)
    if len(reviews) == 1:
        context["the_reviews"], context["The_reviews"] = words["the_review"], words["The_review"]
    key_figures = []
    if rng.random() < 0.4:
        key_figures.append(
            _plan_key_figure(
                rng, ratings["effect"], approach.focus == "offender", problem, reviews[0].label
            )
        )
    title = TITLE_PREFIX + say.one(
        "{Approach} to prevent {problem}",
        "{Approach} for {problem}",
        "{Approach} in {settings}",
        "{Approach}: effects on {problem}",
    )
    standfirst = say.one(
        "{Approach} {description}.",
        "How {intervention} can be used to prevent {problem}.",
        "{Intervention} delivered in {settings} to {reduce} {problem}.",
    )
    sections = {
        SectionKind.FOCUS: _focus_section(say, approaches, problems, reviews),
        SectionKind.EFFECT: _effect_section(say, ratings["effect"], key_figures, reviews[0]),
        SectionKind.EVIDENCE: _evidence_section(say, ratings["quality"], reviews[0]),
        SectionKind.MECHANISM: _mechanism_section(say, ratings["mechanism"], approach.mechanisms),
        SectionKind.MODERATORS: _moderators_section(say, ratings["moderators"]),
        SectionKind.IMPLEMENTATION: _implementation_section(say, ratings["implementation"]),
        SectionKind.ECONOMIC: _economic_section(say, ratings["economic_cost"]),
        SectionKind.GENERAL: _general_section(say, reviews[0], list(rare)),
        SectionKind.SUMMARY: _summary_section(say, ratings["effect"], ratings["quality"]),
    }
    slug = f"{SLUG_PREFIX}{number}-{slugify(approach.name)}-{slugify(problem.name)}"
    return SummaryPlan(
        number=number,
        slug=slug[:120],
        title=title[:200],
        standfirst=standfirst,
        sections=sections,
        terms={
            "problems": [p.slug for p in problems],
            "approaches": [a.slug for a in approaches],
            "focuses": focuses,
            "delivery_settings": settings,
            "populations": populations,
        },
        ratings=ratings,
        reviews=reviews,
        key_figures=key_figures,
        published_days_ago=rng.uniform(0, PUBLISHED_WITHIN_DAYS),
        evidence_reviewed_days_before=rng.randint(0, 120),
        common_terms=used,
    )


# --- Writing to the database ---------------------------------------------------------------

TAXONOMY = {
    "problems": (Problem, [(t.slug, t.name) for t in PROBLEMS]),
    "approaches": (Approach, [(t.slug, t.name) for t in APPROACHES]),
    "focuses": (Focus, list(FOCUSES.items())),
    "delivery_settings": (Setting, [(slug, name) for slug, (name, _) in SETTINGS.items()]),
    "populations": (Population, [(slug, name) for slug, (name, _) in POPULATIONS.items()]),
}


def vocabulary_ensure() -> dict[str, dict[str, int]]:
    """The synthetic vocabulary as M2M field -> {our slug: term id}, creating what is missing.

    A term is reused when one with the same slug or the same name exists (so the demo's
    "Prison" or "Offender" serve both), otherwise created as an ordinary term. Terms are
    shared data, so they stay after ``synthetic_delete()`` and the next run reuses them.
    """
    vocabulary = {}
    for field_name, (model, entries) in TAXONOMY.items():
        by_slug = dict(model.objects.values_list("slug", "id"))
        by_name = {name.lower(): pk for name, pk in model.objects.values_list("name", "id")}
        ids = {}
        for position, (slug, name) in enumerate(entries, start=1):
            pk = by_slug.get(slug) or by_name.get(name.lower())
            if pk is None:
                pk = model.objects.create(slug=slug, name=name, position=position).pk
            ids[slug] = pk
        vocabulary[field_name] = ids
    return vocabulary


def _rating_levels() -> dict[str, dict[str, int]]:
    """Rating field -> {level slug: level id}; a level an admin removed is left unset."""
    levels = {field_name: {} for field_name in RATING_FIELDS}
    dimensions = {dimension: f for f, dimension in RATING_FIELDS.items()}
    for dimension, slug, pk in ScaleLevel.objects.values_list("scale__dimension", "slug", "id"):
        if dimension in dimensions:
            levels[dimensions[dimension]][slug] = pk
    return levels


def _next_number() -> int:
    """One more than the highest number in an existing synthetic slug, so runs add up."""
    pattern = re.compile(rf"^{SLUG_PREFIX}(\d+)-")
    highest = 0
    slugs = Intervention.objects.filter(is_synthetic=True).values_list("slug", flat=True)
    for slug in slugs.iterator(chunk_size=10_000):
        match = pattern.match(slug)
        if match:
            highest = max(highest, int(match[1]))
    return highest + 1


def _through_rows(version_ids, plans, vocabulary):
    """M2M rows built directly: one bulk insert per vocabulary instead of .set() per version."""
    for field_name, term_ids in vocabulary.items():
        m2m = SummaryVersion._meta.get_field(field_name)
        through = m2m.remote_field.through
        source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
        rows = [
            through(**{source: version_id, target: term_ids[slug]})
            for version_id, plan in zip(version_ids, plans, strict=True)
            for slug in dict.fromkeys(plan.terms[field_name])
        ]
        through.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _write_batch(plans: list[SummaryPlan], vocabulary, levels, now) -> None:
    """Insert one batch of planned summaries with a handful of bulk inserts."""
    published = [now - timedelta(days=plan.published_days_ago) for plan in plans]
    interventions = Intervention.objects.bulk_create(
        [
            Intervention(slug=plan.slug, is_synthetic=True, first_published_at=when)
            for plan, when in zip(plans, published, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    versions = SummaryVersion.objects.bulk_create(
        [
            _version(plan, intervention.pk, when, levels)
            for plan, intervention, when in zip(plans, interventions, published, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    version_ids = [v.pk for v in versions]
    Section.objects.bulk_create(
        [
            Section(version_id=vid, kind=kind, position=SECTION_ORDER[kind], body=body)
            for vid, plan in zip(version_ids, plans, strict=True)
            for kind, body in plan.sections.items()
        ],
        batch_size=BATCH_SIZE,
    )
    KeyFigure.objects.bulk_create(
        [
            KeyFigure(version_id=vid, position=position, **vars(figure))
            for vid, plan in zip(version_ids, plans, strict=True)
            for position, figure in enumerate(plan.key_figures, start=1)
        ],
        batch_size=BATCH_SIZE,
    )
    _write_reviews(version_ids, plans)
    _through_rows(version_ids, plans, vocabulary)
    # Searchable in the same transaction as the rows, like any publication.
    search.index_versions(version_ids)


def _version(plan: SummaryPlan, intervention_id: int, published_at, levels) -> SummaryVersion:
    reviewed = published_at.date() - timedelta(days=plan.evidence_reviewed_days_before)
    return SummaryVersion(
        intervention_id=intervention_id,
        number=1,
        state=State.PUBLISHED,
        title=plan.title,
        standfirst=plan.standfirst,
        evidence_reviewed_on=reviewed,
        change_note=CHANGE_NOTE,
        created_at=published_at - timedelta(days=plan.evidence_reviewed_days_before % 30 + 1),
        published_at=published_at,
        **{
            f"{field_name}_rating_id": levels[field_name].get(slug)
            for field_name, slug in plan.ratings.items()
        },
    )


def _write_reviews(version_ids, plans) -> None:
    pairs = [
        (
            review_plan,
            SystematicReview(
                version_id=vid,
                position=position,
                label=review_plan.label,
                citation=review_plan.citation,
                studies=review_plan.studies,
                tests=review_plan.tests,
                rcts=review_plan.rcts,
                conflict_of_interest_studies=review_plan.conflict_of_interest_studies,
                published_up_to=review_plan.published_up_to,
            ),
        )
        for vid, plan in zip(version_ids, plans, strict=True)
        for position, review_plan in enumerate(plan.reviews, start=1)
    ]
    SystematicReview.objects.bulk_create([review for _, review in pairs], batch_size=BATCH_SIZE)
    ReviewBreakdown.objects.bulk_create(
        [
            ReviewBreakdown(
                review_id=review.pk, kind=kind, label=label, count=count, unit=unit, position=i
            )
            for review_plan, review in pairs
            for i, (kind, label, count, unit) in enumerate(review_plan.breakdowns, start=1)
        ],
        batch_size=BATCH_SIZE,
    )


def _plans(first_number: int, count: int, seed: int) -> Iterator[list[SummaryPlan]]:
    """Plans in batches, so memory stays bounded whatever ``count`` is."""
    placement = rare_term_placement(count)
    for start in range(0, count, BATCH_SIZE):
        yield [
            plan_summary(first_number + index, seed=seed, rare=placement.get(index, ()))
            for index in range(start, min(start + BATCH_SIZE, count))
        ]


def synthetic_generate(
    *, count: int, seed: int = DEFAULT_SEED, progress: Callable[[int, float], None] | None = None
) -> int:
    """Create ``count`` live synthetic summaries, numbered after any existing ones.

    Each batch is one transaction, so an interrupted run leaves whole summaries only.
    ``progress(done, elapsed_seconds)`` is called after each batch. Returns the first number.
    """
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be between 1 and {MAX_COUNT:,}")
    started = time.monotonic()
    vocabulary = vocabulary_ensure()
    levels = _rating_levels()
    first_number = _next_number()
    now = timezone.now()
    done = 0
    for plans in _plans(first_number, count, seed):
        with transaction.atomic():
            _write_batch(plans, vocabulary, levels, now)
            public_content_changed()  # bulk inserts bypass the services
        # With DEBUG on (the local default) Django keeps every query's SQL, and each bulk
        # insert's SQL holds a whole batch of text: drop it so memory stays bounded.
        reset_queries()
        done += len(plans)
        if progress:
            progress(done, time.monotonic() - started)
    return first_number


def synthetic_delete() -> int:
    """Delete every synthetic intervention with all its versions and their child rows.

    Only rows reached from ``Intervention.is_synthetic`` are touched (plus, as the model's
    CASCADE rule says, any "see also" link to a synthetic summary). Versions go before
    interventions because ``SummaryVersion.intervention`` is PROTECT. Returns the number
    of interventions deleted.
    """
    with transaction.atomic():
        versions = SummaryVersion.objects.filter(intervention__is_synthetic=True)
        search.unindex_versions(versions.values_list("pk", flat=True))
        _delete_bottom_up(versions)
        deleted = _delete_bottom_up(Intervention.objects.filter(is_synthetic=True))
        public_content_changed()
        return deleted


def _delete_bottom_up(queryset, path=()) -> int:
    """Delete ``queryset`` and, first, every row pointing at it through a CASCADE relation.

    Each table gets one set-based DELETE (``_raw_delete``, the statement Django's own fast
    path runs), where ``QuerySet.delete()`` would load every primary key and delete in
    chunks of a hundred: minutes instead of seconds at 100,000 summaries. Anything that
    needs the ORM's care (delete signals, a PROTECT or SET_NULL relation with rows in it,
    a cycle) falls back to ``QuerySet.delete()``, so a model added later stays correct.
    """
    model = queryset.model
    relations = [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created
        and not f.concrete
        and (f.one_to_many or f.one_to_one)
        # The search index (an unmanaged table, SQLite only) is cleared by
        # ``search.unindex_versions``, not as a relation.
        and f.related_model._meta.managed
    ]
    needs_orm = (
        model in path
        or any(signal.has_listeners(model) for signal in (pre_delete, post_delete))
        or any(
            r.on_delete is not CASCADE
            and r.related_model._base_manager.filter(**{f"{r.field.name}__in": queryset}).exists()
            for r in relations
        )
    )
    if needs_orm:
        return queryset.delete()[1].get(model._meta.label, 0)
    for relation in relations:
        if relation.on_delete is CASCADE:
            children = relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": queryset}
            )
            _delete_bottom_up(children, (*path, model))
    return queryset._raw_delete(queryset.db)
