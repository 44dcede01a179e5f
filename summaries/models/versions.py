"""An ``Intervention`` is the stable identity of one summary (its slug and first
publication); everything an editor writes lives on a ``SummaryVersion`` row and its child
rows (``content.py``). Published versions are never edited: editing starts a new draft
copied from the live one, and publishing swaps which version is live inside one
transaction (``editorial/services.py``). Database constraints keep at most one live and at
most one open version per intervention.

Longer than most modules (about 450 lines) because ``SummaryVersion`` has some thirty
fields, each with the verbose name and help text editors read in the admin.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from .plain_text import validate_single_line
from .scales import Dimension, ScaleLevel
from .update_status import MONTHS, UpdateStatus
from .vocabularies import TAXONOMY, Approach, Focus, Population, Problem, Setting, Term


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
        help_text="Set when a version of the summary is first published; not typed.",
    )
    is_synthetic = models.BooleanField(
        "synthetic",
        default=False,
        help_text="Generated test content for benchmarks (manage.py generate_synthetic), "
        "never real evidence; not set by hand.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)

    objects = InterventionQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return reverse("summaries:detail", kwargs={"slug": self.slug})

    def has_public_page(self) -> bool:
        """Whether the public can see anything at its address: a live version, or the
        notice of a withdrawn one (410). One never published answers 404, as if absent."""
        return self.versions.filter(state__in=[State.PUBLISHED, State.WITHDRAWN]).exists()


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
        """Everything a summary page shows, in a fixed number of queries whatever the
        amount of content: the version with its intervention and ratings (with their
        scales), its child rows and its taxonomy. Public pages read their stored copy
        (``PublishedPage``); this loads what builds it, and what the admin shows."""
        from .certainty import DowngradeReason
        from .content import RelatedSummary, SystematicReview
        from .economics import BenefitCost, UnitCost
        from .outcomes import OutcomeResult

        return (
            self.defer("search_vector")
            .select_related(
                "intervention",
                "update_status",
                "cost_band__scale",
                *(f"{field}_rating__scale" for field in RATING_FIELDS),
            )
            .prefetch_related(
                "sections",
                "key_figures",
                "external_links",
                Prefetch("unit_costs", UnitCost.objects.select_related("review")),
                Prefetch("benefit_costs", BenefitCost.objects.select_related("review")),
                Prefetch("reviews", SystematicReview.objects.prefetch_related("breakdowns")),
                Prefetch(
                    "outcome_results",
                    OutcomeResult.objects.select_related(
                        "outcome",
                        "effect_rating__scale",
                        "quality_rating__scale",
                        "certainty__scale",
                    ).prefetch_related(
                        "reviews",
                        Prefetch(
                            "downgrade_reasons", DowngradeReason.objects.select_related("domain")
                        ),
                    ),
                ),
                Prefetch("related_summaries", RelatedSummary.objects.select_related("target")),
                *(vocabulary.field for vocabulary in TAXONOMY),
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


def tag_field(name: str) -> models.ManyToManyField:
    """The ``SummaryVersion`` many-to-many field ``name`` (a vocabulary's, by ``TAXONOMY``)."""
    field = SummaryVersion._meta.get_field(name)
    assert isinstance(field, models.ManyToManyField), name
    return field


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
        validators=[validate_single_line],
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
    cost_band = models.ForeignKey(
        ScaleLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"scale__dimension": Dimension.COST_BAND},
        verbose_name="cost band",
        help_text="What it costs per participant, in bands of pounds (the cost-band scale). "
        "Only if the reviews give the cost; never guessed.",
    )
    headline_certainty = models.ForeignKey(
        ScaleLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        limit_choices_to={"scale__dimension": Dimension.CERTAINTY},
        verbose_name="certainty of the headline outcome",
        help_text="The certainty of the first outcome result, set when the version is "
        "published (it never changes after): what the list's certainty facet filters by.",
    )
    no_economic_evaluation = models.BooleanField(
        "no economic evaluation found",
        default=False,
        help_text="Tick when the reviews report no economic evaluation (e.g. 'no formal "
        "economic analysis was provided'): the page says so. Leave unticked when you give "
        "unit costs or benefit-cost figures.",
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
    # Update status (after Cochrane): is the summary current, and when is it looked at next.
    update_status = models.ForeignKey(
        UpdateStatus,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="update status",
        help_text="Whether the summary is current: up to date, update pending, update in "
        "progress, or no update planned. Shown near the title; needed to submit.",
    )
    update_status_reason = models.CharField(
        "reason for the status",
        max_length=500,
        blank=True,
        validators=[validate_single_line],
        help_text="Why, in a sentence readers see beside the status, e.g. 'A new review "
        "published in 2024 is being assessed'. Needed when no update is planned.",
    )
    last_search_year = models.PositiveSmallIntegerField(
        "last search for evidence (year)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text="The year of the most recent search for evidence the summary rests on "
        "(the reviews' search, e.g. 2021 for studies 'published up to 2021').",
    )
    last_search_month = models.PositiveSmallIntegerField(
        "last search for evidence (month)",
        null=True,
        blank=True,
        choices=MONTHS,
        help_text="The month of that search, if known; leave empty when only the year is.",
    )
    reassess_on = models.DateField(
        "reassess by",
        null=True,
        blank=True,
        help_text="When to look again for new evidence. From this date the summary is "
        "listed on the dashboard as due for evidence review.",
    )
    change_note = models.CharField(
        "change note",
        max_length=500,
        blank=True,
        validators=[validate_single_line],
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

    # The workflow. Set by actions (editorial/services.py), never typed into the version form.
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
    # Who is to review it and by when (set on submission, changed by a reviewer): a
    # reviewer's queue sorts by it. Any reviewer may still publish (the four-eyes rule).
    review_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="assigned reviewer",
        help_text="The reviewer asked to review this version; empty: any reviewer.",
    )
    review_due_on = models.DateField(
        "review due",
        null=True,
        blank=True,
        editable=False,
        help_text="The day the review is due; overdue reviews are listed first and "
        "reviewers are reminded each day.",
    )
    withdrawn_at = models.DateTimeField("withdrawn", null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(
        "reason for withdrawal",
        blank=True,
        editable=False,
        help_text="Shown to the public at the summary's address while it is withdrawn.",
    )
    # Search (search/index.py). On PostgreSQL the weighted text of a live version (title A,
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
            models.CheckConstraint(
                condition=Q(last_search_year__isnull=True)
                | Q(last_search_year__gte=1900, last_search_year__lte=2100),
                name="version_last_search_year_range",
                violation_error_message="Give a year between 1900 and 2100.",
            ),
            models.CheckConstraint(
                condition=Q(last_search_month__isnull=True)
                | Q(
                    last_search_year__isnull=False,
                    last_search_month__gte=1,
                    last_search_month__lte=12,
                ),
                name="version_last_search_month_with_year",
                violation_error_message="A month needs its year.",
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
        if self.last_search_month is not None and self.last_search_year is None:
            errors["last_search_year"] = "Give the year of the search too."
        band = self.cost_band
        if band is not None and band.scale.dimension != Dimension.COST_BAND:
            errors["cost_band"] = "Choose a band of the cost-band scale."
        if errors:
            raise ValidationError(errors)

    @property
    def last_search_text(self) -> str:
        """The last search for evidence as far as it is known: "March 2021", "2021" or ""."""
        if self.last_search_year is None:
            return ""
        if self.last_search_month is None:
            return str(self.last_search_year)
        return f"{dict(MONTHS)[self.last_search_month]} {self.last_search_year}"

    @property
    def last_search_iso(self) -> str:
        """The same as ISO 8601 reduced precision: "2021-03", "2021" or ""."""
        if self.last_search_year is None:
            return ""
        if self.last_search_month is None:
            return f"{self.last_search_year:04d}"
        return f"{self.last_search_year:04d}-{self.last_search_month:02d}"

    def taxonomy(self):
        """(vocabulary, its terms) for each vocabulary with terms on this version."""
        tagged = ((vocabulary, getattr(self, vocabulary.field).all()) for vocabulary in TAXONOMY)
        return [(vocabulary, terms) for vocabulary, terms in tagged if terms]

    def ratings(self):
        """(dimension, level or None) for the six rated dimensions, in EMMIE order."""
        return [
            (dimension, getattr(self, f"{field}_rating"))
            for field, dimension in RATING_FIELDS.items()
        ]


def live_terms(model: type[Term]) -> models.QuerySet:
    """The terms of one vocabulary (a ``Term`` model) that tag at least one live version.

    Only these are ever named to the public: a term that tags drafts alone is a draft's
    content. Every public place that turns a slug into a term (the list's facets, the
    API's facets, following a topic) looks it up here, so such a slug is ignored exactly
    as an unknown one is. A lazy queryset: the semi-join runs with each lookup.
    """
    [vocabulary] = [v for v in TAXONOMY if v.model is model]
    field = tag_field(vocabulary.field)
    through = field.remote_field.through
    assert through is not None  # set when the model class was made
    tagged = through._default_manager.filter(
        **{f"{field.m2m_field_name()}__state": State.PUBLISHED}
    ).values(f"{field.m2m_reverse_field_name()}_id")
    return model._default_manager.filter(pk__in=tagged)
