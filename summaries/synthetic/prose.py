"""Planning and writing one synthetic summary, as pure functions of the seed and its
number (no database): which terms, ratings and reviews it has, and its nine sections.

About 500 lines: one short writer per section, each with its own sentence templates.
"""

import html
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify

from summaries.models import (
    BreakdownKind,
    CountUnit,
    SectionKind,
)

from .corpus import (
    APPROACH_EXTRA,
    APPROACHES,
    BIAS_ITEMS,
    COMMON_TERMS,
    COUNTRIES,
    DEFAULT_SEED,
    EFFECT_CLAUSES,
    EFFECT_DIRECTION,
    FOCUSES,
    IMPLEMENTATION_FACTORS,
    LEXICON,
    MODERATORS,
    NUMBER_WORDS,
    OUTCOMES,
    POPULATIONS,
    POPULATIONS_BY_FOCUS,
    PROBLEM_EXTRA,
    PROBLEMS,
    PUBLISHED_WITHIN_DAYS,
    QUALITY_SENTENCES,
    RARE_KINDS,
    RARE_SENTENCES,
    RATING_WEIGHTS,
    SETTINGS,
    SLUG_PREFIX,
    STATED_WITHOUT_NUMBER,
    SURNAMES,
    TITLE_PREFIX,
)

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
class OutcomeResultPlan:
    """One outcome result: ratings, direction, what is "stated", and numbers only when the
    synthetic text gives them (the key figure's rates, for its own outcome)."""

    outcome: str  # slug of corpus.OUTCOMES
    effect: str  # effect level slug
    quality: str  # quality level slug
    direction: str
    stated: str
    comparison_rate: Decimal | None = None
    treatment_rate: Decimal | None = None
    relative_change: Decimal | None = None
    reviews: tuple[int, ...] = (0,)  # indexes into the plan's reviews


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
    outcome_results: list[OutcomeResultPlan] = field(default_factory=list)


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


EFFECT_LEVELS = (
    "reduced",
    "reduced-some-increase",
    "tended-to-reduce",
    "mixed",
    "no-effect",
    "tended-to-increase",
    "increased-some-reduction",
    "increased",
)
QUALITY_LEVELS = ("very-strong", "strong", "moderate", "limited", "very-limited")
# What an effect level says about direction, as a result's "direction".
DIRECTION_OF_EFFECT = {
    "reduced": "reduced",
    "reduced-some-increase": "reduced",
    "tended-to-reduce": "no_clear_effect",
    "mixed": "mixed",
    "no-effect": "no_clear_effect",
    "tended-to-increase": "no_clear_effect",
    "increased-some-reduction": "increased",
    "increased": "increased",
}


def _plan_outcomes(
    number: int, seed: int, ratings, offender_focus: bool, key_figures, reviews
) -> list[OutcomeResultPlan]:
    """One to three outcome results near the headline ratings. Its own random stream, so
    the rest of the plan (and the search benchmark's word statistics) does not change.

    The key figure's outcome, when there is one, carries the key figure's rates; every
    other result states its direction in words only, like much real evidence does.
    """
    rng = random.Random(f"synthetic-outcomes:{seed}:{number}")
    main = "reconviction" if offender_focus else "police-recorded-crime"
    others = [slug for slug, _ in OUTCOMES if slug != main]
    chosen = [main, *rng.sample(others, rng.randint(0, 2))]
    names = dict(OUTCOMES)
    plans = []
    for index, slug in enumerate(chosen):
        effect_at = EFFECT_LEVELS.index(ratings["effect"])
        if index:
            effect_at = min(max(effect_at + rng.choice((-1, 0, 0, 1)), 0), len(EFFECT_LEVELS) - 1)
        quality_at = QUALITY_LEVELS.index(ratings["quality"])
        if index and rng.random() < 0.5:
            quality_at = min(quality_at + 1, len(QUALITY_LEVELS) - 1)
        effect = EFFECT_LEVELS[effect_at]
        direction = DIRECTION_OF_EFFECT[effect]
        review = rng.randrange(len(reviews))
        label = reviews[review].label
        plan = OutcomeResultPlan(
            outcome=slug,
            effect=effect,
            quality=QUALITY_LEVELS[quality_at],
            direction=direction,
            stated=STATED_WITHOUT_NUMBER[direction].format(
                label=label, outcome=names[slug].lower()
            ),
            reviews=(review,),
        )
        if index == 0 and key_figures:
            figure = key_figures[0]
            plan.comparison_rate = figure.comparison_rate
            plan.treatment_rate = figure.treatment_rate
            plan.relative_change = figure.relative_change
            plan.reviews = (0,)
            plan.stated = (
                f"{reviews[0].label}: {names[slug].lower()} went from {figure.comparison_rate}% "
                f"to {figure.treatment_rate}%, a relative change of {figure.relative_change}%."
            )
        plans.append(plan)
    return plans


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
    rare_sentences = (RARE_SENTENCES[RARE_KINDS[term]].format(term=term) for term in rare)
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
        outcome_results=_plan_outcomes(
            number, seed, ratings, approach.focus == "offender", key_figures, reviews
        ),
    )
