"""The demo summary's structured facts, beside the text export they come from.

The sections are imported from ``psychosocial-treatment-sex-offenders.txt`` (a real
College of Policing Crime Reduction Toolkit summary printed to text) by the importer; the
facts below are taken from the same text. The page's rating icons did not survive the
export, so the ratings are an editor's reading of the text and the version says so
(``ratings_basis = editor_reading``). The export did not include the reviews' references,
so no citation is invented here.
"""

from pathlib import Path

SEED_FILE = Path(__file__).with_name("psychosocial-treatment-sex-offenders.txt")
SLUG = "psychosocial-treatment-sex-offenders"
CHANGE_NOTE = "Imported from the Crime Reduction Toolkit text export (demo content)."

# Vocabulary: (slug, name) per taxonomy model; the demo summary is tagged with all of them.
TAXONOMY = {
    "problems": [
        ("sexual-offences", "Sexual offences"),
        ("sexual-reoffending", "Sexual reoffending"),
        ("violent-reoffending", "Violent reoffending"),
        ("general-reoffending", "General reoffending"),
    ],
    "focuses": [("offender", "Offender")],
    "approaches": [
        ("behavioural-therapy", "Behavioural therapy"),
        ("cbt", "Cognitive behavioural therapy (CBT)"),
        ("insight-oriented-therapy", "Insight-oriented therapy"),
        ("multisystemic-therapy", "Multisystemic therapy (MST)"),
        ("therapeutic-communities", "Therapeutic communities"),
    ],
    "delivery_settings": [
        ("prison", "Prison"),
        ("outpatient", "Outpatient"),
        ("hospital", "Hospital"),
        ("community", "Community"),
    ],
    "populations": [
        ("people-with-sexual-offence-histories", "People with sexual offence histories")
    ],
}

# An editor's reading of the text, dimension field -> level slug.
RATINGS = {
    # "reduced reoffending ... also some evidence that they have sometimes increased"
    "effect": "reduced-some-increase",
    # "sufficiently systematic that most forms of bias ... can be ruled out"
    "quality": "strong",
    # "assumed to reduce reoffending ... did not empirically test these assumptions"
    "mechanism": "limited",
    # both reviews tested moderators: programme focus, risk, prior offending, setting
    "moderators": "strong",
    # "Neither review gave an account of how the intervention was implemented"
    "implementation": "limited",
    # "no formal economic analysis was provided"
    "economic_cost": "none",
}

KEY_FIGURES = [
    {
        "outcome": "Sexual reoffending",
        "comparison_rate": "13.6",
        "treatment_rate": "9.3",
        "relative_change": "-31.8",
        "note": "Subsequent arrest, charge or conviction; Review one, 35 studies.",
    },
]

# The outcomes the text reports, exactly as it states them: numbers only where it gives
# them (Review one, "Effect" section). Outcome: (slug, name, problem slugs, what happened
# to a person counted under it, for "of 100 people like those studied, about 14 ...").
OUTCOMES = [
    (
        "sexual-reoffending",
        "Sexual reoffending",
        ["sexual-reoffending", "sexual-offences"],
        "reoffended sexually",
    ),
    ("general-reoffending", "General reoffending", ["general-reoffending"], "reoffended"),
    ("violent-reoffending", "Violent reoffending", ["violent-reoffending"], "reoffended violently"),
]

# The sources of bias the text lists ("How strong is the evidence?"), in its own words,
# each under the review it names and in GRADE's domain for it: (domain slug, explanation).
# The severity ("serious") and the certainty they leave are an editor's reading, like
# the ratings; the text gives reasons for no outcome but sexual reoffending's evidence
# (both reviews studied it), so the other outcomes carry neither reasons nor a certainty.
SEXUAL_REOFFENDING_REASONS = [
    (
        "risk-of-bias",
        "Review one: potential conflict of interest due to author affiliation with the "
        "treatment programme in 24 of the 35 primary studies",
    ),
    ("risk-of-bias", "Review one: only seven studies were randomised controlled trials (RCTs)"),
    (
        "risk-of-bias",
        "Review two: potential conflict of interest due to author affiliation with the "
        "treatment programme in 15 of the 27 primary studies",
    ),
    (
        "inconsistency",
        "Review two: considerable variability in the findings of the primary studies",
    ),
    (
        "risk-of-bias",
        "Review two: only six of the studies were RCTs, five of which had sexual offending as "
        "an outcome",
    ),
    (
        "imprecision",
        "Review two: one third of the studies had small sample sizes (up to 50 offenders)",
    ),
]

# Ratings per outcome are an editor's reading of the text, like the headline ratings:
# each outcome "reduced" (the "some evidence of increase" of the headline is about
# reoffending overall, not one of these outcomes), quality as the headline's.
OUTCOME_RESULTS = [
    {
        "outcome": "sexual-reoffending",
        "effect": "reduced",
        "quality": "strong",
        "direction": "reduced",
        "stated": "Review one found that, overall, the treatment programmes reduced sexual "
        "reoffending by 31.8%. Reoffending – measured in terms of subsequent arrest, charge "
        "or conviction – declined from 13.6% to 9.3%, a reduction of 4.3 percentage points.",
        "comparison_rate": "13.6",
        "treatment_rate": "9.3",
        "relative_change": "-31.8",
        "percentage_points": "-4.3",
        "reviews": ["Review one"],
        "note": "Subsequent arrest, charge or conviction.",
        "certainty": "low",
        "reasons": SEXUAL_REOFFENDING_REASONS,
    },
    {
        "outcome": "general-reoffending",
        "effect": "reduced",
        "quality": "strong",
        "direction": "reduced",
        "stated": "Review one also found treatment programmes resulted in statistically "
        "significant reductions in general and violent reoffending.",
        "reviews": ["Review one"],
        "note": "",
    },
    {
        "outcome": "violent-reoffending",
        "effect": "reduced",
        "quality": "strong",
        "direction": "reduced",
        "stated": "Review one also found treatment programmes resulted in statistically "
        "significant reductions in general and violent reoffending.",
        "reviews": ["Review one"],
        "note": "",
    },
]

REVIEWS = [
    {
        "label": "Review one",
        "studies": 35,
        "tests": 37,
        "published_up_to": 2021,
        "rcts": 7,
        "conflict_of_interest_studies": 24,
        "approaches": [
            ("CBT", 20),
            ("Behavioural therapy", 5),
            ("Therapeutic communities", 5),
            ("MST", 3),
            ("Insight-oriented therapy", 2),
        ],
        "countries": [("Canada", 13), ("USA", 11), ("Other", 13)],
    },
    {
        "label": "Review two",
        "studies": 27,
        "tests": 29,
        "published_up_to": 2010,
        "rcts": 6,
        "conflict_of_interest_studies": 15,
        "approaches": [
            ("CBT", 21),
            ("Therapeutic communities", 4),
            ("MST", 2),
            ("Insight-oriented therapy", 2),
        ],
        "countries": [
            ("Canada", 11),
            ("USA", 8),
            ("United Kingdom", 3),
            ("Germany", 3),
            ("Other", 4),
        ],
    },
]

EXTERNAL_LINKS = [
    (
        "Psychosocial treatment for sex offenders (College of Policing)",
        "https://www.college.police.uk/research/crime-reduction-toolkit/psychosocial-treatment-sex-offenders",
        "The original summary in the Crime Reduction Toolkit.",
    ),
    (
        "Cognitive behavioural therapy (CBT)",
        "https://www.college.police.uk/research/crime-reduction-toolkit/cbt",
        "Crime Reduction Toolkit summary.",
    ),
    (
        "Multisystemic therapy",
        "https://www.college.police.uk/research/crime-reduction-toolkit/multisystemic-therapy",
        "Crime Reduction Toolkit summary.",
    ),
    (
        "Therapeutic communities",
        "https://www.college.police.uk/research/crime-reduction-toolkit/therapeutic-communities",
        "Crime Reduction Toolkit summary.",
    ),
]

# Local-only accounts, created only with DEBUG on. The README states these credentials.
ACCOUNTS = [
    # username, password, group, superuser. Each has an address at example.org (reserved
    # for examples, never delivered), so `make run` prints their notification emails.
    ("editor", "editor-demo-password", "Editors", False),
    ("reviewer", "reviewer-demo-password", "Reviewers", False),
    ("admin", "admin-demo-password", None, True),
]
ACCOUNT_EMAIL = "{username}@example.org"
