"""The content of the toolkit, one module per kind of thing (see README.md).

Everything is importable from ``summaries.models``: code outside this package never needs
to know which module a model lives in.
"""

from .alerts import AlertDelivery, AlertOutbox, FollowKind, Subscription, UsedConfirmation
from .audit import AuditAction, AuditEvent, AuditEventQuerySet
from .autosave import AutosaveSlot
from .certainty import CertaintyDomain, DowngradeReason, Severity
from .challenges import Challenge, ChallengeQuerySet, ChallengeStatus
from .content import (
    SECTION_ORDER,
    BreakdownKind,
    CountUnit,
    ExternalLink,
    KeyFigure,
    RelatedSummary,
    ReviewBreakdown,
    Section,
    SectionKind,
    SystematicReview,
)
from .economics import BenefitCost, Perspective, UnitCost
from .external_review import EXTERNAL_NAME_MAX_LENGTH, ExternalReview, ExternalReviewQuerySet
from .facet_tags import EVERY_SUMMARY, FacetTag
from .infrastructure import PageGeneration, PublicContent, SearchEntry
from .link_checks import LinkCheck
from .live_words import IndexedWords, LiveWord
from .outcomes import Direction, EffectSizeKind, Outcome, OutcomeResult
from .pipeline import STAGE_MEANINGS, PipelineEntry, PipelineEntryQuerySet, Stage
from .published import PublishedPage
from .review import (
    ANCHOR_CHOICES,
    COMMENT_MAX_LENGTH,
    VERSION_PART,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReviewComment,
    VersionAuthor,
)
from .scales import Dimension, Scale, ScaleLevel
from .suggestions import (
    Suggestion,
    SuggestionKind,
    SuggestionQuerySet,
    SuggestionStatus,
)
from .synonyms import MAX_TERM_WORDS, SynonymChange, SynonymGroup, split_terms, term_words
from .update_status import MONTHS, UpdateStatus
from .versions import (
    EDITABLE_STATES,
    OPEN_STATES,
    RATING_FIELDS,
    Intervention,
    InterventionQuerySet,
    RatingsBasis,
    SlugRedirect,
    State,
    SummaryVersion,
    VersionQuerySet,
    live_terms,
    tag_field,
)
from .vocabularies import (
    TAXONOMY,
    TAXONOMY_FIELDS,
    Approach,
    Focus,
    Population,
    Problem,
    Setting,
    Term,
    Vocabulary,
)

__all__ = [
    "AutosaveSlot",
    "IndexedWords",
    "EXTERNAL_NAME_MAX_LENGTH",
    "ExternalReview",
    "ExternalReviewQuerySet",
    "Challenge",
    "ChallengeQuerySet",
    "ChallengeStatus",
    "Suggestion",
    "SuggestionKind",
    "SuggestionQuerySet",
    "SuggestionStatus",
    "STAGE_MEANINGS",
    "PipelineEntry",
    "PipelineEntryQuerySet",
    "Stage",
    "MONTHS",
    "UpdateStatus",
    "MAX_TERM_WORDS",
    "LiveWord",
    "EVERY_SUMMARY",
    "FacetTag",
    "SynonymChange",
    "SynonymGroup",
    "split_terms",
    "term_words",
    "AlertDelivery",
    "AlertOutbox",
    "FollowKind",
    "Subscription",
    "UsedConfirmation",
    "ANCHOR_CHOICES",
    "COMMENT_MAX_LENGTH",
    "VERSION_PART",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "ReviewComment",
    "VersionAuthor",
    "EDITABLE_STATES",
    "OPEN_STATES",
    "RATING_FIELDS",
    "SECTION_ORDER",
    "TAXONOMY",
    "TAXONOMY_FIELDS",
    "Approach",
    "BenefitCost",
    "Perspective",
    "UnitCost",
    "CertaintyDomain",
    "DowngradeReason",
    "Severity",
    "AuditAction",
    "AuditEvent",
    "AuditEventQuerySet",
    "BreakdownKind",
    "CountUnit",
    "Dimension",
    "Direction",
    "EffectSizeKind",
    "ExternalLink",
    "Focus",
    "Intervention",
    "Outcome",
    "OutcomeResult",
    "InterventionQuerySet",
    "KeyFigure",
    "LinkCheck",
    "PageGeneration",
    "Population",
    "Problem",
    "PublicContent",
    "PublishedPage",
    "RatingsBasis",
    "RelatedSummary",
    "ReviewBreakdown",
    "Scale",
    "ScaleLevel",
    "SearchEntry",
    "Section",
    "SectionKind",
    "Setting",
    "SlugRedirect",
    "State",
    "SummaryVersion",
    "SystematicReview",
    "Term",
    "VersionQuerySet",
    "Vocabulary",
    "live_terms",
    "tag_field",
]
