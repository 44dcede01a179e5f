"""The economic evidence as data: what an intervention costs per participant and what its
benefits are worth, as the reviews state them.

A version may carry, all optional:

- a **cost band** (``SummaryVersion.cost_band``): a level of the cost-band scale, seeded
  EIF-style with five bands and their pound ranges by migration ``0024``; like every
  scale, an administrator edits it;
- ``no_economic_evaluation`` on the version: the reviews report none (the seed: "Neither
  review mentioned the costs ... no formal economic analysis was provided"), which the
  page says in those words rather than showing an empty table;
- **unit costs** (``UnitCost``): a cost per participant with its currency, price year and
  source review;
- **benefit-cost figures** (``BenefitCost``, after WSIPP): benefits and costs per
  participant from one perspective (taxpayers, participants, others, or everyone), the
  benefit-cost ratio, the chance that benefits exceed costs, and the source review.

Amounts are never shown without their currency and price year: the database refuses an
amount without them. A stated ratio must agree with its benefits and costs
(``BenefitCost.inconsistency``, as key figures' relative changes are checked). Both
models are child rows of the version (``on_delete=CASCADE``): ``editorial/copying.py``
copies them, their review pointing at the copied review.
"""

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from .content import SystematicReview
from .plain_text import validate_single_line
from .versions import SummaryVersion

currency_code = RegexValidator(
    r"^[A-Z]{3}\Z", "Give the currency as its three-letter code in capitals, e.g. GBP."
)
PRICE_YEARS = (1950, 2100)


def _currency_field():
    return models.CharField(
        "currency",
        max_length=3,
        blank=True,
        default="GBP",
        validators=[currency_code],
        help_text="The amounts' currency as its ISO code, e.g. GBP, USD, EUR.",
    )


def _price_year_field():
    return models.PositiveSmallIntegerField(
        "price year",
        null=True,
        blank=True,
        validators=[MinValueValidator(PRICE_YEARS[0]), MaxValueValidator(PRICE_YEARS[1])],
        help_text="The year whose prices the amounts are in, e.g. 2023: required with any amount.",
    )


def _review_field():
    return models.ForeignKey(
        SystematicReview,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="source review",
        help_text="The review of this version the figure comes from. A review added in this "
        "save can be chosen after saving.",
    )


def _amount_field(verbose_name: str, help_text: str, *, null: bool = True):
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        null=null,
        blank=null,
        help_text=help_text,
    )


def _year_in_range(field: str) -> Q:
    return Q(**{f"{field}__gte": PRICE_YEARS[0]}) & Q(**{f"{field}__lte": PRICE_YEARS[1]})


class UnitCost(models.Model):
    """What the intervention costs per participant, as a review states it."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.CASCADE,
        related_name="unit_costs",
        verbose_name="version",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=1, help_text="Order on the page; lower numbers come first."
    )
    amount = _amount_field(
        "cost per participant", "As the review states it, e.g. 1250.00.", null=False
    )
    currency = _currency_field()
    price_year = _price_year_field()
    description = models.CharField(
        "what it covers",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Optional: what the cost covers, e.g. 'a 12-week group programme'.",
    )
    review = _review_field()

    class Meta:
        verbose_name = "unit cost"
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="unitcost_amount_not_negative",
                violation_error_message="A cost cannot be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(currency="")
                & Q(price_year__isnull=False)
                & _year_in_range("price_year"),
                name="unitcost_currency_and_price_year",
                violation_error_message="Give the currency and the price year of the cost.",
            ),
        ]

    def __str__(self):
        return f"{self.currency} {self.amount} ({self.price_year} prices)"


class Perspective(models.TextChoices):
    """Whose benefits and costs a figure counts (WSIPP's perspectives)."""

    TAXPAYERS = "taxpayers", "Taxpayers"
    PARTICIPANTS = "participants", "Participants"
    OTHERS = "others", "Others (e.g. victims)"
    TOTAL = "total", "Everyone (total)"


# How precisely amounts and ratios are taken to be stated: amounts to the whole unit, a
# ratio to two decimals, each ± half of that.
AMOUNT_ROUNDING = Decimal("0.5")
RATIO_ROUNDING = Decimal("0.005")
TWO_DECIMALS = Decimal("0.01")


def ratio_bounds(benefits: Decimal, costs: Decimal) -> tuple[Decimal, Decimal]:
    """The benefit-cost ratios consistent with ``benefits`` and ``costs`` stated to the
    whole unit: benefits / costs, allowing each amount and the ratio their rounding
    (combined as independent errors, as key figures' changes are), bounds rounded
    outwards to two decimals. £9,000 and £1,500 allow 5.99 to 6.01."""
    b, c = float(benefits), float(costs)
    centre = b / c
    rounding = float(AMOUNT_ROUNDING)
    tolerance = math.hypot(rounding / c, rounding * b / c**2, float(RATIO_ROUNDING))
    low = Decimal(f"{centre - tolerance:.6f}").quantize(TWO_DECIMALS, rounding=ROUND_FLOOR)
    high = Decimal(f"{centre + tolerance:.6f}").quantize(TWO_DECIMALS, rounding=ROUND_CEILING)
    return low, high


def _plain(amount: Decimal) -> str:
    """9000.00 -> '9000', 99.50 -> '99.5': an amount as typed, whether saved or not."""
    return f"{amount.normalize():f}"


class BenefitCost(models.Model):
    """Benefits and costs per participant from one perspective, the benefit-cost ratio and
    the chance that benefits exceed costs, as a review states them."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.CASCADE,
        related_name="benefit_costs",
        verbose_name="version",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=1, help_text="Order on the page; lower numbers come first."
    )
    perspective = models.CharField(
        "perspective",
        max_length=20,
        choices=Perspective,
        help_text="Whose benefits and costs are counted.",
    )
    benefits = _amount_field(
        "benefits per participant",
        "As stated; negative if the review found a loss. Empty if it gives none.",
    )
    costs = _amount_field(
        "costs per participant", "As stated, e.g. 1500.00. Empty if it gives none."
    )
    ratio = models.DecimalField(
        "benefit-cost ratio",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Benefits per pound (or other unit) of cost, as stated, e.g. 6.00. It must "
        "agree with the benefits and costs when those are given.",
    )
    chance_benefits_exceed_costs = models.DecimalField(
        "chance benefits exceed costs (%)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="As stated, e.g. 85 for an 85% chance. Empty if the review gives none.",
    )
    currency = _currency_field()
    price_year = _price_year_field()
    review = _review_field()
    note = models.CharField(
        "note",
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text="Optional: how the figures were worked out, e.g. 'lifetime benefits, "
        "discounted at 3.5%'.",
    )

    class Meta:
        verbose_name = "benefit-cost figure"
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(perspective__in=Perspective.values),
                name="benefitcost_perspective_known",
                violation_error_message="Choose whose benefits and costs are counted.",
            ),
            models.CheckConstraint(
                condition=(Q(benefits__isnull=True) & Q(costs__isnull=True))
                | (~Q(currency="") & Q(price_year__isnull=False) & _year_in_range("price_year")),
                name="benefitcost_amounts_have_currency_and_year",
                violation_error_message="Give the currency and the price year of the amounts.",
            ),
            models.CheckConstraint(
                condition=Q(costs__isnull=True) | Q(costs__gte=0),
                name="benefitcost_costs_not_negative",
                violation_error_message="Costs cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(ratio__isnull=True) | Q(ratio__gte=0),
                name="benefitcost_ratio_not_negative",
                violation_error_message="A benefit-cost ratio cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(chance_benefits_exceed_costs__isnull=True)
                | (
                    Q(chance_benefits_exceed_costs__gte=0)
                    & Q(chance_benefits_exceed_costs__lte=100)
                ),
                name="benefitcost_chance_is_a_percentage",
                violation_error_message="The chance is a percentage between 0 and 100.",
            ),
        ]

    def __str__(self):
        return self.get_perspective_display()

    def clean(self):
        super().clean()
        if problem := self.inconsistency():
            raise ValidationError({"ratio": problem}, code="inconsistent")

    def inconsistency(self) -> str:
        """Why the stated ratio contradicts the benefits and costs ("" if it does not)."""
        b, c, ratio = self.benefits, self.costs, self.ratio
        if b is None or c is None or ratio is None:
            return ""
        if c <= 0:
            return (
                f"A benefit-cost ratio ({ratio}) needs costs above 0; leave it empty or "
                "correct the costs."
            )
        low, high = ratio_bounds(b, c)
        if low <= ratio <= high:
            return ""
        computed = (b / c).quantize(TWO_DECIMALS)
        return (
            f"The benefit-cost ratio ({ratio}) does not match the amounts: {_plain(b)} / "
            f"{_plain(c)} = "
            f"{computed}. Allowing for the amounts being rounded to the whole unit and the "
            f"ratio to two decimals, it must be between {low} and {high}. Check the "
            "benefits, the costs and the ratio against the review."
        )
