"""The content of the toolkit.

An ``Intervention`` is the stable identity of one summary (its slug and first
publication). Everything an editor writes lives on a ``SummaryVersion`` row and its child
rows (sections, reviews and their breakdowns, key figures, links). Published versions are
never edited: editing starts a new draft copied from the live one, and publishing swaps
which version is live inside one transaction (see ``services.py``). Database constraints
keep at most one live and at most one open draft version per intervention.

Vocabularies (taxonomy) and rating scales are data an administrator edits, so the same
CMS can serve another What Works toolkit.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField

from .sanitize import RICH_TEXT_EXTENSIONS, sanitize_html

# --- Vocabularies -------------------------------------------------------------------


class Term(models.Model):
    """A term of one of the taxonomy vocabularies used to browse summaries."""

    name = models.CharField(
        "name", max_length=120, unique=True, help_text="The term as the public sees it."
    )
    slug = models.SlugField(
        "slug",
        max_length=120,
        unique=True,
        help_text="Used in filter links and URLs; lower case letters, digits and hyphens.",
    )
    description = models.TextField(
        "description", blank=True, help_text="Optional: what the term covers, for editors."
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order in lists and filters; lower comes first."
    )

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Problem(Term):
    class Meta(Term.Meta):
        verbose_name = "problem"


class Focus(Term):
    class Meta(Term.Meta):
        verbose_name = "focus"
        verbose_name_plural = "focuses"


class Approach(Term):
    class Meta(Term.Meta):
        verbose_name = "approach"
        verbose_name_plural = "approaches"


class Setting(Term):
    class Meta(Term.Meta):
        verbose_name = "setting"


class Population(Term):
    class Meta(Term.Meta):
        verbose_name = "population"


# --- Rating scales ------------------------------------------------------------------


class Dimension(models.TextChoices):
    """The things a summary is rated on: EMMIE and the quality of the evidence."""

    EFFECT = "effect", "Effect"
    QUALITY = "quality", "Quality of evidence"
    MECHANISM = "mechanism", "Mechanism"
    MODERATORS = "moderators", "Moderators"
    IMPLEMENTATION = "implementation", "Implementation"
    ECONOMIC_COST = "economic-cost", "Economic cost"


class Scale(models.Model):
    """A rating scale, e.g. the eight-level effect scale. One scale per dimension."""

    dimension = models.CharField(
        "dimension",
        max_length=20,
        choices=Dimension,
        unique=True,
        help_text="What this scale rates. Each dimension has exactly one scale.",
    )
    name = models.CharField(
        "name", max_length=120, help_text="The scale's name as shown to the public."
    )
    question = models.CharField(
        "question",
        max_length=200,
        blank=True,
        help_text="The question the rating answers, e.g. 'How effective is it?'.",
    )
    description = models.TextField(
        "description", blank=True, help_text="How to read the scale, shown on its explainer page."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("summaries:scale", kwargs={"dimension": self.dimension})


class ScaleLevel(models.Model):
    """One level of a scale, e.g. 'Reduced crime'."""

    scale = models.ForeignKey(
        Scale, on_delete=models.CASCADE, related_name="levels", verbose_name="scale"
    )
    position = models.PositiveSmallIntegerField(
        "position", help_text="Order within the scale; 1 is the top of the scale."
    )
    slug = models.SlugField(
        "slug", max_length=60, help_text="Stable identifier used in filter links."
    )
    label = models.CharField(
        "label", max_length=120, help_text="The rating in words, as shown to the public."
    )
    description = models.TextField(
        "meaning", help_text="A short, plain-English meaning of this level."
    )
    icon = models.CharField(
        "icon",
        max_length=40,
        blank=True,
        help_text="Optional name of an icon shown beside the words (never instead of them).",
    )

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "position"], name="scalelevel_unique_position"
            ),
            models.UniqueConstraint(fields=["scale", "slug"], name="scalelevel_unique_slug"),
        ]

    def __str__(self):
        return f"{self.scale.get_dimension_display()}: {self.label}"


# --- Interventions and versions ----------------------------------------------------


class InterventionQuerySet(models.QuerySet):
    def live(self):
        """Interventions with a published version: the ones the public can see."""
        return self.filter(versions__state=State.PUBLISHED).distinct()


class Intervention(models.Model):
    """The stable identity of one summary; its content lives in versions."""

    slug = models.SlugField(
        "slug",
        max_length=120,
        unique=True,
        help_text="The summary's address: /toolkit/<slug>/. Change it only with good reason; "
        "the old address keeps working and redirects to the new one.",
    )
    first_published_at = models.DateTimeField(
        "first published",
        null=True,
        blank=True,
        help_text="Set when a version is first published; may be corrected for imported "
        "summaries that were published elsewhere first.",
    )
    is_synthetic = models.BooleanField(
        "synthetic",
        default=False,
        help_text="Generated test content for benchmarks, never real evidence.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)

    objects = InterventionQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return reverse("summaries:detail", kwargs={"slug": self.slug})


class SlugRedirect(models.Model):
    """An address a summary had before its slug was changed; it redirects to the summary.

    Each points straight at the intervention, never at another old slug, so a summary
    renamed A → B → C answers A and B with one redirect each to C. Written only by
    ``services.intervention_rename``.
    """

    old_slug = models.SlugField(
        "old slug",
        max_length=120,
        help_text="The summary's former address: /toolkit/<old slug>/ redirects to its "
        "current one. No other summary may take it.",
    )
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.CASCADE,
        related_name="slug_redirects",
        verbose_name="intervention",
        help_text="The summary the old address leads to.",
    )
    created_at = models.DateTimeField(
        "renamed", auto_now_add=True, help_text="When the summary left this address."
    )

    class Meta:
        verbose_name = "slug redirect"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["old_slug"], name="slugredirect_unique_old_slug"),
            models.CheckConstraint(
                condition=~Q(old_slug=""), name="slugredirect_old_slug_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.get_absolute_url()} → {self.intervention}"

    def get_absolute_url(self):
        """The old address, the one this row answers."""
        return reverse("summaries:detail", kwargs={"slug": self.old_slug})


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ARCHIVED = "archived", "Archived"


OPEN_STATES = (State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED)
# Open versions an editor may still change; one in review is frozen so the reviewer
# approves exactly what was submitted.
EDITABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED)


class RatingsBasis(models.TextChoices):
    PUBLISHED = "published", "As published by the review team"
    EDITOR_READING = "editor_reading", "An editor's reading of the text"


class VersionQuerySet(models.QuerySet):
    def live(self):
        """Published versions: exactly what the public may see."""
        return self.filter(state=State.PUBLISHED)

    def open(self):
        """Versions still being worked on (draft, in review, changes requested)."""
        return self.filter(state__in=OPEN_STATES)

    def for_page(self):
        """Everything a summary page shows, in a fixed number of queries."""
        return (
            self.defer("search_vector")
            .select_related(
                "intervention",
                *(f"{d}_rating__scale" for d in RATING_FIELDS),
            )
            .prefetch_related(
                "sections",
                "key_figures",
                models.Prefetch(
                    "reviews", queryset=SystematicReview.objects.prefetch_related("breakdowns")
                ),
                "external_links",
                models.Prefetch(
                    "related_summaries",
                    queryset=RelatedSummary.objects.select_related("target"),
                ),
                "problems",
                "focuses",
                "approaches",
                "delivery_settings",
                "populations",
            )
        )


RATING_FIELDS = {
    "effect": Dimension.EFFECT,
    "quality": Dimension.QUALITY,
    "mechanism": Dimension.MECHANISM,
    "moderators": Dimension.MODERATORS,
    "implementation": Dimension.IMPLEMENTATION,
    "economic_cost": Dimension.ECONOMIC_COST,
}


def _user_field(verbose_name: str):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=verbose_name,
    )


def _rating_field(dimension: Dimension, help_text: str):
    return models.ForeignKey(
        ScaleLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"scale__dimension": dimension},
        verbose_name=f"{dimension.label.lower()} rating",
        help_text=help_text,
    )


class SummaryVersion(models.Model):
    """One version of a summary: all its content, in one state."""

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name="intervention",
    )
    number = models.PositiveIntegerField(
        "version", help_text="Counts up from 1 for each intervention; set automatically."
    )
    state = models.CharField(
        "state",
        max_length=20,
        choices=State,
        default=State.DRAFT,
        db_index=True,
        help_text="Where this version is in the workflow; changed by actions, not typed.",
    )

    title = models.CharField(
        "title",
        max_length=200,
        help_text="The intervention's name, e.g. 'Psychosocial treatment for sex offenders'.",
    )
    standfirst = models.TextField(
        "standfirst",
        blank=True,
        help_text="One sentence saying what the intervention is, shown under the title "
        "and in search results.",
    )

    problems = models.ManyToManyField(
        Problem, blank=True, verbose_name="problems", help_text="Crime types or outcomes."
    )
    focuses = models.ManyToManyField(
        Focus, blank=True, verbose_name="focus", help_text="Offender, victim, place, ..."
    )
    approaches = models.ManyToManyField(
        Approach, blank=True, verbose_name="approaches", help_text="Kinds of intervention."
    )
    delivery_settings = models.ManyToManyField(
        Setting,
        blank=True,
        verbose_name="settings",
        help_text="Where it is delivered: prison, community, ...",
    )
    populations = models.ManyToManyField(
        Population, blank=True, verbose_name="populations", help_text="Who it is for."
    )

    effect_rating = _rating_field(Dimension.EFFECT, "Effect on crime, on the effect scale.")
    quality_rating = _rating_field(Dimension.QUALITY, "How strong the evidence of the effect is.")
    mechanism_rating = _rating_field(
        Dimension.MECHANISM, "How much the evidence says about how it works."
    )
    moderators_rating = _rating_field(
        Dimension.MODERATORS, "How much the evidence says about where it works best."
    )
    implementation_rating = _rating_field(
        Dimension.IMPLEMENTATION, "How much the evidence says about implementing it."
    )
    economic_cost_rating = _rating_field(
        Dimension.ECONOMIC_COST, "How much the evidence says about its costs."
    )
    ratings_basis = models.CharField(
        "ratings basis",
        max_length=20,
        choices=RatingsBasis,
        default=RatingsBasis.PUBLISHED,
        help_text="Where the ratings come from: published ratings, or an editor's reading "
        "of the text (e.g. for an import whose rating icons were lost).",
    )

    evidence_reviewed_on = models.DateField(
        "evidence last reviewed",
        null=True,
        blank=True,
        help_text="When the evidence base was last checked for new reviews.",
    )
    change_note = models.CharField(
        "change note",
        max_length=500,
        blank=True,
        help_text="What changed in this version and why; shown in the public change log.",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="created by",
    )
    created_at = models.DateTimeField("created", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("last saved", auto_now=True)
    published_at = models.DateTimeField("published", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="published by",
    )

    # The workflow. Set by actions (services.py), never typed into the version form.
    revision = models.PositiveIntegerField(
        "revision",
        default=1,
        editable=False,
        help_text="Counts every save of this version; a form saved from an older revision "
        "is refused, so nobody overwrites someone else's work.",
    )
    last_saved_by = _user_field("last saved by")
    submitted_by = _user_field("submitted by")
    submitted_at = models.DateTimeField("submitted", null=True, blank=True, editable=False)
    review_comment = models.TextField(
        "reviewer's comment",
        blank=True,
        editable=False,
        help_text="What the reviewer asked to be changed when sending the draft back.",
    )
    publish_at = models.DateTimeField(
        "scheduled for",
        null=True,
        blank=True,
        editable=False,
        help_text="When set, `manage.py publish_scheduled` publishes this version at this time.",
    )
    scheduled_by = _user_field("scheduled by")
    withdrawn_at = models.DateTimeField("withdrawn", null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(
        "reason for withdrawal",
        blank=True,
        editable=False,
        help_text="Shown to the public at the summary's address while it is withdrawn.",
    )
    # Search (search.py). On PostgreSQL the weighted text of a live version (title A,
    # standfirst and taxonomy B, sections C), GIN-indexed; NULL for every other version
    # and always NULL on SQLite, which keeps its index in the FTS5 table ``summary_fts``.
    search_vector = SearchVectorField("search index", null=True, editable=False)

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = "summary version"
        ordering = ["intervention", "-number"]
        permissions = [
            ("publish_summaryversion", "Can publish a summary version"),
            ("review_summaryversion", "Can request changes to a summary version in review"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "number"], name="version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["intervention"],
                condition=Q(state=State.PUBLISHED),
                name="version_one_live_per_intervention",
                violation_error_message="This intervention already has a live version.",
            ),
            models.UniqueConstraint(
                fields=["intervention"],
                condition=Q(state__in=OPEN_STATES),
                name="version_one_open_draft_per_intervention",
                violation_error_message="This intervention already has an open draft.",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(
                condition=~Q(state=State.PUBLISHED) | Q(published_at__isnull=False),
                name="version_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "intervention"]),
            # The public list's two orders (views.SORTS), over live versions only.
            models.Index(
                fields=["title", "id"],
                condition=Q(state=State.PUBLISHED),
                name="version_live_by_title",
            ),
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(state=State.PUBLISHED),
                name="version_live_by_date",
            ),
        ]

    def __str__(self):
        return f"{self.title} (v{self.number}, {self.get_state_display().lower()})"

    def save(self, *args, update_fields=None, **kwargs):
        if self.number is None and self.intervention_id is not None:
            last = (
                SummaryVersion.objects.filter(intervention_id=self.intervention_id)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
            self.number = (last or 0) + 1
        adding = self._state.adding
        if not adding:
            # Counted by the database, not from this instance, so two saves can never
            # both produce the same revision.
            self.revision = F("revision") + 1
            if update_fields is not None:
                update_fields = {*update_fields, "revision"}
        super().save(*args, update_fields=update_fields, **kwargs)
        if not adding:
            self.refresh_from_db(fields=["revision"])

    def get_absolute_url(self):
        return self.intervention.get_absolute_url()

    @property
    def is_live(self) -> bool:
        return self.state == State.PUBLISHED

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def clean(self):
        errors = {}
        for field, dimension in RATING_FIELDS.items():
            level = getattr(self, f"{field}_rating")
            if level is not None and level.scale.dimension != dimension:
                errors[f"{field}_rating"] = f"Choose a level of the {dimension.label} scale."
        if errors:
            raise ValidationError(errors)

    def ratings(self):
        """(dimension, level or None) for the six rated dimensions, in EMMIE order."""
        return [
            (dimension, getattr(self, f"{field}_rating"))
            for field, dimension in RATING_FIELDS.items()
        ]


# --- Child rows of a version --------------------------------------------------------


class SectionKind(models.TextChoices):
    """The nine evidence sections, in the order every summary shows them."""

    FOCUS = "focus", "Focus of the intervention"
    EFFECT = "effect", "Effect – how effective is it?"
    EVIDENCE = "evidence", "How strong is the evidence?"
    MECHANISM = "mechanism", "Mechanism – how does it work?"
    MODERATORS = "moderators", "Moderators – in which contexts does it work best?"
    IMPLEMENTATION = (
        "implementation",
        "Implementation – what can be said about implementing this initiative?",
    )
    ECONOMIC = "economic", "Economic considerations – how much might it cost?"
    GENERAL = "general", "General considerations"
    SUMMARY = "summary", "Summary"


SECTION_ORDER = {kind: index for index, kind in enumerate(SectionKind.values, start=1)}


class Section(models.Model):
    """One evidence section of a version, as sanitised rich text."""

    version = models.ForeignKey(
        SummaryVersion, on_delete=models.CASCADE, related_name="sections", verbose_name="version"
    )
    kind = models.CharField(
        "section",
        max_length=20,
        choices=SectionKind,
        help_text="Which of the nine fixed sections this is; the heading comes from it.",
    )
    position = models.PositiveSmallIntegerField(editable=False, default=0)
    body = ProseEditorField(
        "text",
        blank=True,
        extensions=RICH_TEXT_EXTENSIONS,
        sanitize=True,
        help_text="Paragraphs, lists, links, bold and italic. Anything else is removed on save.",
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="section_unique_kind"),
        ]

    def __str__(self):
        return self.get_kind_display()

    def save(self, *args, **kwargs):
        # Sanitise on every save, not only through forms: the importer, the demo loader
        # and any future code path all end here.
        self.body = sanitize_html(self.body)
        self.position = SECTION_ORDER.get(self.kind, 0)
        super().save(*args, **kwargs)

    @property
    def heading(self) -> str:
        return self.get_kind_display()

    @property
    def anchor(self) -> str:
        return f"section-{self.kind}"


class SystematicReview(models.Model):
    """A systematic review (or meta-analysis) the summary rests on."""

    version = models.ForeignKey(
        SummaryVersion, on_delete=models.CASCADE, related_name="reviews", verbose_name="version"
    )
    position = models.PositiveSmallIntegerField(
        "position", default=1, help_text="Order on the page; 1 first."
    )
    label = models.CharField(
        "label", max_length=60, help_text="How the text refers to it, e.g. 'Review one'."
    )
    citation = models.TextField(
        "citation", blank=True, help_text="Full reference: authors, year, title, journal."
    )
    url = models.URLField("link", blank=True, max_length=500, help_text="DOI or publisher link.")
    studies = models.PositiveIntegerField(
        "studies", null=True, blank=True, help_text="Number of primary studies included."
    )
    tests = models.PositiveIntegerField(
        "tests", null=True, blank=True, help_text="Number of tests of the intervention."
    )
    published_up_to = models.PositiveSmallIntegerField(
        "studies published up to",
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text="Year of the latest study included (the search cut-off).",
    )
    rcts = models.PositiveIntegerField(
        "randomised controlled trials",
        null=True,
        blank=True,
        help_text="How many of the studies were RCTs.",
    )
    conflict_of_interest_studies = models.PositiveIntegerField(
        "studies with author conflict of interest",
        null=True,
        blank=True,
        help_text="Studies whose authors were affiliated with the programme evaluated.",
    )

    class Meta:
        verbose_name = "systematic review"
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "label"], name="review_unique_label"),
            models.CheckConstraint(
                condition=Q(rcts__isnull=True)
                | Q(studies__isnull=True)
                | Q(rcts__lte=F("studies")),
                name="review_rcts_within_studies",
                violation_error_message="There cannot be more RCTs than studies.",
            ),
            models.CheckConstraint(
                condition=Q(conflict_of_interest_studies__isnull=True)
                | Q(studies__isnull=True)
                | Q(conflict_of_interest_studies__lte=F("studies")),
                name="review_coi_within_studies",
                violation_error_message="There cannot be more studies with a conflict of "
                "interest than studies.",
            ),
        ]

    def __str__(self):
        return self.label


class BreakdownKind(models.TextChoices):
    APPROACH = "approach", "By approach"
    COUNTRY = "country", "By country"


class CountUnit(models.TextChoices):
    STUDIES = "studies", "studies"
    TESTS = "tests", "tests"


class ReviewBreakdown(models.Model):
    """One row of a review's breakdown, e.g. 'CBT: 20 studies' or 'Canada: 13 tests'."""

    review = models.ForeignKey(
        SystematicReview,
        on_delete=models.CASCADE,
        related_name="breakdowns",
        verbose_name="review",
    )
    kind = models.CharField(
        "breakdown", max_length=20, choices=BreakdownKind, help_text="What is counted."
    )
    label = models.CharField(
        "label", max_length=120, help_text="The approach or country, e.g. 'CBT' or 'Canada'."
    )
    count = models.PositiveIntegerField("count", help_text="How many studies or tests.")
    unit = models.CharField(
        "unit",
        max_length=10,
        choices=CountUnit,
        default=CountUnit.STUDIES,
        help_text="Whether the count is of studies or of tests.",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order within the breakdown."
    )

    class Meta:
        verbose_name = "review breakdown"
        ordering = ["review", "kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "kind", "label"], name="breakdown_unique_label"
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.count} {self.unit}"


class KeyFigure(models.Model):
    """A headline result as data, e.g. sexual reoffending 13.6% → 9.3%, a 31.8% reduction."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.CASCADE,
        related_name="key_figures",
        verbose_name="version",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=1, help_text="Order on the page; lower numbers come first."
    )
    outcome = models.CharField(
        "outcome", max_length=120, help_text="What was measured, e.g. 'Sexual reoffending'."
    )
    comparison_rate = models.DecimalField(
        "comparison rate (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Rate without the intervention, as a percentage, e.g. 13.6.",
    )
    treatment_rate = models.DecimalField(
        "treatment rate (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Rate with the intervention, as a percentage, e.g. 9.3.",
    )
    relative_change = models.DecimalField(
        "relative change (%)",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="As the review states it; negative for a reduction, e.g. -31.8.",
    )
    note = models.CharField(
        "note",
        max_length=300,
        blank=True,
        help_text="How it was measured, e.g. 'arrest, charge or conviction; Review one'.",
    )

    class Meta:
        verbose_name = "key figure"
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(comparison_rate__isnull=True) | Q(comparison_rate__gte=0))
                & (Q(comparison_rate__isnull=True) | Q(comparison_rate__lte=100))
                & (Q(treatment_rate__isnull=True) | Q(treatment_rate__gte=0))
                & (Q(treatment_rate__isnull=True) | Q(treatment_rate__lte=100)),
                name="keyfigure_rates_are_percentages",
                violation_error_message="Rates are percentages between 0 and 100.",
            ),
        ]

    def __str__(self):
        return self.outcome

    @property
    def absolute_change(self):
        """Difference in percentage points (treatment minus comparison), or None."""
        if self.comparison_rate is None or self.treatment_rate is None:
            return None
        return self.treatment_rate - self.comparison_rate


class RelatedSummary(models.Model):
    """'See also': another summary of the toolkit, shown only while it is live."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.CASCADE,
        related_name="related_summaries",
        verbose_name="version",
    )
    target = models.ForeignKey(
        Intervention,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="related intervention",
        help_text="Another summary readers of this one should see.",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order on the page; lower numbers come first."
    )

    class Meta:
        verbose_name = "related summary"
        verbose_name_plural = "related summaries"
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "target"], name="related_unique_target"),
        ]

    def __str__(self):
        return str(self.target)

    def clean(self):
        if self.version_id and self.target_id and self.version.intervention_id == self.target_id:
            raise ValidationError({"target": "A summary cannot be related to itself."})


class ExternalLink(models.Model):
    """A link to further reading outside the toolkit."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.CASCADE,
        related_name="external_links",
        verbose_name="version",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order on the page; lower numbers come first."
    )
    title = models.CharField("title", max_length=200, help_text="The link text.")
    url = models.URLField("address", max_length=500, help_text="Full address, https://...")
    description = models.CharField(
        "description", max_length=300, blank=True, help_text="Optional: why it is worth reading."
    )

    class Meta:
        verbose_name = "external link"
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "url"], name="externallink_unique_url"),
        ]

    def __str__(self):
        return self.title


# --- The audit log ------------------------------------------------------------------


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    START_DRAFT = "start_draft", "Started a new draft"
    RESTORE = "restore", "Restored as a new draft"
    SUBMIT = "submit", "Submitted for review"
    REQUEST_CHANGES = "request_changes", "Requested changes"
    SCHEDULE = "schedule", "Scheduled publication"
    UNSCHEDULE = "unschedule", "Cancelled scheduled publication"
    PUBLISH = "publish", "Published"
    SUPERSEDE = "supersede", "Superseded"
    WITHDRAW = "withdraw", "Withdrew"
    ARCHIVE = "archive", "Archived"
    RENAME = "rename", "Changed the address"


class AuditEventQuerySet(models.QuerySet):
    # Bulk writes would bypass the model's own guard below.
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One transition or publication: who did what to which version, when, and why.

    Append-only: rows are written by the services in the same transaction as the change
    they record, and never changed or deleted (the model refuses; the admin offers neither).
    """

    at = models.DateTimeField("at", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="by",
        help_text="Empty for the system (a scheduled publication or a command).",
    )
    action = models.CharField("action", max_length=20, choices=AuditAction)
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name="intervention",
    )
    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name="version",
    )
    from_state = models.CharField("from", max_length=20, choices=State, blank=True)
    to_state = models.CharField("to", max_length=20, choices=State, blank=True)
    comment = models.TextField("comment", blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "audit event"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["intervention", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} v{self.version.number} ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


# --- What the public sees, as one number -------------------------------------------


class PublicContent(models.Model):
    """One row: a generation number raised in the same transaction as every change to
    what the public sees (a publication, a withdrawal, an edit of a term or a scale).

    Cached pages and ETags are keyed by it (``cache.py``), so a page cached before a
    change is never served after it. It lives in the database, not in the cache, so
    several app servers with caches of their own agree on it, and the row lock taken
    to raise it makes two publications commit one after the other, each with its own
    number.
    """

    generation = models.PositiveBigIntegerField("generation", default=1)
    changed_at = models.DateTimeField("last changed", default=timezone.now)

    class Meta:
        verbose_name = "public content generation"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="publiccontent_single_row"),
        ]

    def __str__(self):
        return f"generation {self.generation} ({self.changed_at:%Y-%m-%d %H:%M})"


# --- Search index -----------------------------------------------------------------------


class SearchEntry(models.Model):
    """A live version's row in SQLite's FTS5 table ``summary_fts`` (see ``search.py``).

    Unmanaged: a migration creates the virtual table on SQLite only, and only search code
    touches it. The model exists so a search can join versions to their matches
    (``SummaryVersion.objects.filter(search_entry__document=...)``) and order by the
    table's ``rank`` column, which FTS5 computes with bm25 once per query rather than once
    per row as a correlated subquery would. ``document`` is FTS5's hidden column named
    after the table: ``summary_fts.summary_fts = 'expression'`` is a full-text match.
    """

    version = models.OneToOneField(
        SummaryVersion,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        related_name="search_entry",
    )
    title = models.TextField()
    standfirst = models.TextField()
    taxonomy = models.TextField()
    body = models.TextField()
    document = models.TextField(db_column="summary_fts")
    rank = models.FloatField(db_column="rank")

    class Meta:
        managed = False
        db_table = "summary_fts"

    def __str__(self):
        return f"Search entry of version {self.version_id}"
