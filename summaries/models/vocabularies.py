"""The taxonomy: five vocabularies of terms that tag summaries, and ``TAXONOMY``, the one
list of them that everything else reads (the version form, search, facets, the summary
page, the diff, the downloads, the demo and the synthetic data).

A new vocabulary is a ``Term`` subclass, a many-to-many field on ``SummaryVersion`` and
an entry here; ``tests/test_models.py`` checks that the registry and the fields agree.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models.functions import Lower

from .plain_text import validate_single_line


class Term(models.Model):
    """A term of one of the taxonomy vocabularies used to browse summaries."""

    name = models.CharField(
        "name",
        max_length=120,
        unique=True,
        validators=[validate_single_line],
        help_text="The term as the public sees it.",
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

    # Declared, as Django would add it to each vocabulary, so that code reading any
    # vocabulary (a ``type[Term]``) can name it.
    objects = models.Manager()

    class Meta:
        abstract = True
        ordering = ["position", "name"]
        constraints = [
            # "Street lighting" and "street lighting" would be two facets for one thing.
            models.UniqueConstraint(
                Lower("name"),
                name="%(app_label)s_%(class)s_name_ci",
                violation_error_message="A term with this name already exists (names are "
                "compared without regard to capitals).",
            ),
        ]

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


@dataclass(frozen=True)
class Vocabulary:
    """One vocabulary, and every name it goes by."""

    model: type[Term]
    field: str  # the SummaryVersion many-to-many field that tags a version with its terms
    param: str  # the list page's facet: ``/toolkit/?<param>=<term slug>``
    key: str  # the name in the open data downloads
    label: str  # a heading for one vocabulary's terms on the summary page and in facets
    plural: str  # the heading in the version form's comparison (diff)
    linked: bool = False  # the summary page links each term to the summaries that share it


TAXONOMY: tuple[Vocabulary, ...] = (
    Vocabulary(Problem, "problems", "problem", "problems", "Problem", "Problems", linked=True),
    Vocabulary(Focus, "focuses", "focus", "focuses", "Focus", "Focus"),
    Vocabulary(
        Approach, "approaches", "approach", "approaches", "Approach", "Approaches", linked=True
    ),
    Vocabulary(Setting, "delivery_settings", "setting", "settings", "Setting", "Settings"),
    Vocabulary(Population, "populations", "population", "populations", "Population", "Populations"),
)
TAXONOMY_FIELDS: tuple[str, ...] = tuple(vocabulary.field for vocabulary in TAXONOMY)
