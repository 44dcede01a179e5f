"""The evidence pipeline: interventions being assessed, or considered and not rated.

An entry is public from the moment an editor saves it (``/toolkit/pipeline/``, its CSV
and the API): what the team is working on, and what it looked at and chose not to rate,
with the reason. An entry can become a summary (``editorial/pipeline.py``); once that
summary is live the entry leaves the pipeline's public lists, and until then it is shown
as the entry it is, never as the draft (whose title and text are not public).
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .plain_text import validate_single_line
from .versions import Intervention, State

DESCRIPTION_MAX_LENGTH = 1000


class Stage(models.TextChoices):
    """Where an entry is, in the order entries move through them."""

    SUGGESTED = "suggested", "Suggested"
    SCREENING = "screening", "Screening"
    BEING_ASSESSED = "being_assessed", "Being assessed"
    NOT_RATED = "not_rated", "Considered and not rated"


STAGE_MEANINGS = {
    Stage.SUGGESTED: "Put to us, by the public or the team; not yet looked at.",
    Stage.SCREENING: "We are checking whether systematic reviews exist that meet our "
    "inclusion criteria.",
    Stage.BEING_ASSESSED: "We are assessing the evidence and writing a summary.",
    Stage.NOT_RATED: "We looked at the evidence and did not rate it; the reason is given.",
}


class PipelineEntryQuerySet(models.QuerySet):
    def public(self):
        """Entries the pipeline lists: every entry but those whose summary is live now
        (they are in the toolkit itself)."""
        return self.exclude(intervention__versions__state=State.PUBLISHED)


def today():
    return timezone.localdate()


class PipelineEntry(models.Model):
    """An intervention being assessed, or considered and not rated."""

    title = models.CharField(
        "title",
        max_length=200,
        validators=[validate_single_line],
        help_text="The intervention's name as readers would look for it, e.g. "
        "'Restorative justice conferencing'.",
    )
    description = models.TextField(
        "short description",
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
        help_text=f"What the intervention is, in a sentence or two (plain text, at most "
        f"{DESCRIPTION_MAX_LENGTH} characters). Shown to the public.",
    )
    stage = models.CharField(
        "stage",
        max_length=20,
        choices=Stage,
        default=Stage.SUGGESTED,
        db_index=True,
        help_text="Suggested, screening, being assessed, or considered and not rated.",
    )
    not_rated_reason = models.CharField(
        "reason not rated",
        max_length=500,
        blank=True,
        validators=[validate_single_line],
        help_text="Why it was not rated, e.g. 'No systematic review meets the inclusion "
        "criteria'. Needed for 'considered and not rated'; shown to the public.",
    )
    stage_changed_on = models.DateField(
        "stage last changed",
        default=today,
        editable=False,
        help_text="Set to the day the stage changes; not typed.",
    )
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pipeline_entries",
        verbose_name="summary",
        help_text="The summary this entry became (the 'Start a summary' action sets it).",
    )
    is_demo = models.BooleanField(
        "demo content",
        default=False,
        help_text="Made up for the demo (manage.py load_demo), not a real assessment; "
        "the public page says so.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("last saved", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="created by",
    )

    objects = PipelineEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "pipeline entry"
        verbose_name_plural = "pipeline entries"
        ordering = ["stage", "-stage_changed_on", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="pipelineentry_title_not_empty"),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="pipelineentry_stage_known"
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.NOT_RATED) | ~Q(not_rated_reason=""),
                name="pipelineentry_not_rated_has_reason",
                violation_error_message="Say why it was not rated.",
            ),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stage as loaded, so that save() knows when it changes.
        self.loaded_stage = self.__dict__.get("stage") if self.pk else None

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.loaded_stage is not None and self.stage != self.loaded_stage:
            self.stage_changed_on = today()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "stage_changed_on"}
        super().save(*args, **kwargs)
        self.loaded_stage = self.stage

    def get_absolute_url(self):
        return f"{reverse('summaries:pipeline')}#entry-{self.pk}"

    @property
    def stage_meaning(self) -> str:
        return STAGE_MEANINGS[Stage(self.stage)]
