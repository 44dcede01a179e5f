"""The synthetic corpus's word lists and tables: problems and approaches with their
vocabulary, the other taxonomy terms, the benchmark's common, typical and rare words,
rating weights and the phrases the prose is made of.

Long (about 560 lines) because it is data: splitting the tables would only scatter them.
"""

from dataclasses import dataclass

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
RARE_SENTENCES = {
    "programme": "One programme, known as {term}, was evaluated in more depth than the others.",
    "tool": "Several studies assessed the risk of participants with the {term} screening tool.",
    "technique": "A few sites tried a {term} variant, which changed how the work was scheduled.",
}
RARE_KINDS = {
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
RARE_TERMS = tuple(RARE_KINDS)


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


# Each vocabulary's synthetic terms as (slug, name), in order, by its field (``TAXONOMY``).
TERMS = {
    "problems": [(t.slug, t.name) for t in PROBLEMS],
    "focuses": list(FOCUSES.items()),
    "approaches": [(t.slug, t.name) for t in APPROACHES],
    "delivery_settings": [(slug, name) for slug, (name, _) in SETTINGS.items()],
    "populations": [(slug, name) for slug, (name, _) in POPULATIONS.items()],
}


# The synthetic outcomes (slug, name): the evidence map's columns for synthetic summaries.
# Reused, like terms, when an outcome of the same slug or name exists.
OUTCOMES = (
    ("reconviction", "Reconviction"),
    ("self-reported-offending", "Self-reported offending"),
    ("police-recorded-crime", "Police-recorded crime"),
    ("victimisation", "Victimisation"),
    ("calls-for-service", "Calls for service"),
)

# What the text of a synthetic summary "states" for an outcome it gives no number for,
# by direction (reduced, increased, no clear effect, mixed).
STATED_WITHOUT_NUMBER = {
    "reduced": "{label} found statistically significant reductions in {outcome}.",
    "increased": "{label} found statistically significant increases in {outcome}.",
    "no_clear_effect": "{label} found no statistically significant effect on {outcome}.",
    "mixed": "{label} found reductions in {outcome} in some studies and increases in others.",
}
