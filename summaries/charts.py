"""Bar charts as plain geometry, drawn as inline SVG by ``svg()`` (``{% chart_svg chart %}``).

The server works out where every bar and every piece of text goes; ``svg()`` only copies
the numbers into SVG (in Python rather than a template loop: a summary page draws a
dozen charts, and the template engine spent a fifth of the page's render time on them).
No JavaScript, nothing fetched, and the chart prints as it shows.

Charts are horizontal bars, one row per value: the label sits on its own line(s) above
its bar, so long labels wrap instead of squeezing the bars, and the value is written as
text just past the end of its bar, so it is readable without colour or a legend. Bars
start at zero and the longest bar is the largest value: lengths compare honestly without
an axis. A row whose value is missing keeps its label and says "not reported" instead
of drawing a bar, so a gap is never mistaken for zero.
"""

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 300  # viewBox units; the SVG scales to the width it is given (CSS caps it).
FONT_SIZE = 15
LINE_HEIGHT = 18
BAR_HEIGHT = 20
ROW_GAP = 14  # between one row's bar and the next row's label
LABEL_GAP = 4  # between a label's last line and its bar
VALUE_GAP = 6  # between a bar's end and its value
# Generous average glyph width (as a share of the font size) for system sans-serif
# fonts, so the text we measure here is never wider on screen than we allowed for.
CHAR_WIDTH = 0.6 * FONT_SIZE
MAX_LABEL_LINES = 3
MISSING_TEXT = "not reported"


class Fill:
    """How a bar is filled. Patterns tell series apart in greyscale; labels still say it."""

    SOLID = "solid"
    HATCHED = "hatched"


@dataclass(frozen=True)
class Row:
    """One value to chart: its label, its value (None if missing) and how to write it."""

    label: str
    value: Decimal | int | float | None
    value_text: str
    fill: str = Fill.SOLID
    missing_text: str = ""  # what a missing value says instead of MISSING_TEXT


@dataclass(frozen=True)
class Bar:
    """Where one row's label, bar and value go, in viewBox units (y is a text baseline)."""

    label_lines: tuple[tuple[str, float], ...]  # (text, baseline y)
    y: float  # top of the bar
    length: float  # 0 for a zero value or a missing one
    value_text: str
    value_x: float
    value_y: float
    fill: str
    is_missing: bool


@dataclass(frozen=True)
class BarChart:
    id: str  # unique on the page: prefixes the ids inside the SVG
    title: str  # the short text alternative
    width: int
    height: float
    bar_height: int
    font_size: int
    bars: tuple[Bar, ...]

    @property
    def fills(self) -> set[str]:
        """The fills in use, so the template defines only the patterns it needs."""
        return {bar.fill for bar in self.bars if not bar.is_missing}


def text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def wrap_label(label: str, width: float = WIDTH) -> list[str]:
    """The label in lines that fit the chart; past MAX_LABEL_LINES it ends with '…'.

    The full label is always in the data table beside the chart.
    """
    chars = max(int(width // CHAR_WIDTH), 1)
    lines = textwrap.wrap(label, width=chars, break_long_words=True) or [""]
    if len(lines) > MAX_LABEL_LINES:
        lines = lines[:MAX_LABEL_LINES]
        lines[-1] = lines[-1][: chars - 1].rstrip() + "…"
    return lines


def bar_chart(rows: Sequence[Row], *, id: str, title: str, width: int = WIDTH) -> BarChart:
    """The geometry of a horizontal bar chart of ``rows``; no bars if there are no rows."""
    # Room for the widest value text past the end of the longest bar.
    value_room = max((text_width(row.value_text) for row in rows), default=0) + VALUE_GAP
    scale_length = max(width - value_room, 0)
    largest = max((row.value for row in rows if row.value is not None), default=0)

    bars = []
    y = 0.0
    for row in rows:
        lines = []
        for text in wrap_label(row.label, width):
            y += LINE_HEIGHT
            lines.append((text, y - (LINE_HEIGHT - FONT_SIZE) / 2))
        y += LABEL_GAP
        missing = row.value is None
        length = 0.0 if missing or not largest else float(row.value) / float(largest) * scale_length
        bars.append(
            Bar(
                label_lines=tuple(lines),
                y=y,
                length=round(length, 1),
                value_text=(row.missing_text or MISSING_TEXT) if missing else row.value_text,
                value_x=round(length + VALUE_GAP, 1) if length else 0,
                value_y=y + BAR_HEIGHT / 2 + FONT_SIZE * 0.35,
                fill=row.fill,
                is_missing=missing,
            )
        )
        y += BAR_HEIGHT + ROW_GAP
    height = y - ROW_GAP if bars else 0
    return BarChart(
        id=id,
        title=title,
        width=width,
        height=height,
        bar_height=BAR_HEIGHT,
        font_size=FONT_SIZE,
        bars=tuple(bars),
    )


def points_change(value: Decimal | None) -> str:
    """-4.3 -> '4.3 percentage points lower'."""
    if value is None:
        return ""
    if value == 0:
        return "no change in percentage points"
    direction = "lower" if value < 0 else "higher"
    return f"{abs(value)} percentage points {direction}"


def relative_change(value: Decimal | None) -> str:
    """-31.8 -> 'a 31.8% reduction', as the review states it."""
    if value is None:
        return ""
    if value == 0:
        return "no change"
    direction = "reduction" if value < 0 else "increase"
    return f"a {abs(value)}% {direction}"


def percent(value: Decimal | None) -> str:
    return MISSING_TEXT if value is None else f"{value}%"


def key_figure_chart(figure) -> BarChart | None:
    """Without and with the intervention, as two bars; None when neither rate is known.

    The untreated bar is hatched and the treated bar solid, and each is labelled in
    words, so the two are told apart without colour.
    """
    if figure.comparison_rate is None and figure.treatment_rate is None:
        return None
    without, with_it = percent(figure.comparison_rate), percent(figure.treatment_rate)
    return bar_chart(
        [
            Row(
                "Without the intervention",
                figure.comparison_rate,
                percent(figure.comparison_rate),
                Fill.HATCHED,
            ),
            Row(
                "With the intervention",
                figure.treatment_rate,
                percent(figure.treatment_rate),
                Fill.SOLID,
            ),
        ],
        id=f"key-figure-{figure.pk}",
        title=f"Bar chart of {figure.outcome.lower()}: {without} without the intervention, "
        f"{with_it} with it.",
    )


def breakdown_chart(rows, review_label: str) -> BarChart | None:
    """One review's breakdown (e.g. studies by approach) as bars; None if it is empty.

    A row counted in another unit than the first row says its unit, as the table does.
    """
    rows = list(rows)
    if not rows:
        return None
    first = rows[0]
    unit = first.unit
    return bar_chart(
        [
            Row(
                row.label,
                row.count,
                f"{row.count} {row.unit}" if row.unit != unit else str(row.count),
            )
            for row in rows
        ],
        id=f"review-{first.review_id}-{first.kind}",
        title=f"Bar chart of {review_label}: {unit} by {first.kind}. "
        "The table gives the same figures.",
    )


def _number(value: float | int) -> str:
    """A coordinate as the template wrote it with localisation off (``str``)."""
    return str(value)


def svg(chart: BarChart) -> SafeString:
    """The chart as inline SVG: values written next to their bars, series told apart by
    pattern and label, never by colour alone, and a title that is the text alternative.

    Every piece of text (labels and titles typed by editors) is escaped.
    """
    cid = escape(chart.id)
    parts = [
        f'<svg class="chart" viewBox="0 0 {_number(chart.width)} {_number(chart.height)}" '
        f'width="{_number(chart.width)}" height="{_number(chart.height)}" '
        f'font-size="{_number(chart.font_size)}" role="img" aria-labelledby="{cid}-title">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
    ]
    if Fill.HATCHED in chart.fills:
        parts.append(
            f'<defs><pattern id="{cid}-hatch" width="7" height="7" '
            'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="7" height="7" class="chart__hatch-ground"/>'
            '<line x1="0" y1="0" x2="0" y2="7" class="chart__hatch-line"/></pattern></defs>'
        )
    bar_height = _number(chart.bar_height)
    for bar in chart.bars:
        for text, y in bar.label_lines:
            parts.append(f'<text x="0" y="{_number(y)}" class="chart__label">{escape(text)}</text>')
        y = _number(bar.y)
        parts.append(f'<rect x="0" y="{y}" width="1.5" height="{bar_height}" class="chart__axis"/>')
        if bar.length:
            fill = f' fill="url(#{cid}-hatch)"' if bar.fill == Fill.HATCHED else ""
            parts.append(
                f'<rect x="0" y="{y}" width="{_number(bar.length)}" height="{bar_height}" '
                f'class="chart__bar chart__bar--{escape(bar.fill)}"{fill}/>'
            )
        value_x = _number(bar.value_x) if bar.length else "6"
        missing = " chart__value--missing" if bar.is_missing else ""
        parts.append(
            f'<text x="{value_x}" y="{_number(bar.value_y)}" class="chart__value{missing}">'
            f"{escape(bar.value_text)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above


NO_FIGURE_TEXT = "no figure given"


def outcome_chart(results) -> BarChart | None:
    """Each outcome's relative change as the text states it, as a bar; None unless at
    least one outcome has one. Outcomes the text gives no figure for keep their label and
    say "no figure given": the table beside the chart quotes what the text says instead.
    """
    results = list(results)
    if not any(result.relative_change is not None for result in results):
        return None
    rows = []
    for result in results:
        change = result.relative_change
        if change is None:
            rows.append(Row(result.outcome.name, None, "", missing_text=NO_FIGURE_TEXT))
            continue
        word = "reduction" if change < 0 else "increase" if change > 0 else "no change"
        text = f"{abs(change)}% {word}" if change else word
        rows.append(Row(result.outcome.name, abs(change), text))
    return bar_chart(
        rows,
        id=f"outcomes-{results[0].version_id}",
        title="Bar chart of the relative change in each outcome, as the text states it. "
        "The table gives the same figures and what the text says for each outcome.",
    )


# --- Natural frequencies and icon arrays --------------------------------------------------

# Below this rate (per cent) on either side, a result is put per 1,000 people rather than
# per 100, so that a small rate does not round to "about 0" or "about 1".
PER_THOUSAND_BELOW = Decimal(5)


def whole_people(rate: Decimal, per: int) -> int:
    """``rate`` per cent of ``per`` people, rounded to the nearest whole person, a half
    upwards: 13.6% of 100 is about 14, 9.3% about 9, 12.5% about 13; 2.4% of 1,000
    about 24."""
    return int((Decimal(rate) * per / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class NaturalFrequency:
    """A result as "of 100 people like those studied, about 14 ... without the
    intervention and about 9 with it": whole people, from the rates as stated."""

    per: int  # 100, or 1000 where a rate is under PER_THOUSAND_BELOW
    without: int
    with_it: int
    comparison_rate: Decimal
    treatment_rate: Decimal

    @property
    def per_text(self) -> str:
        return f"{self.per:,}"


def natural_frequency(comparison_rate, treatment_rate) -> NaturalFrequency | None:
    """Both rates in whole people per 100 (per 1,000 where either is under 5%); None
    unless the text gives both rates: a number is never made up for a missing one."""
    if comparison_rate is None or treatment_rate is None:
        return None
    comparison, treatment = Decimal(comparison_rate), Decimal(treatment_rate)
    per = 1000 if min(comparison, treatment) < PER_THOUSAND_BELOW else 100
    return NaturalFrequency(
        per=per,
        without=whole_people(comparison, per),
        with_it=whole_people(treatment, per),
        comparison_rate=comparison,
        treatment_rate=treatment,
    )


ICON_GRID_WIDTH = 130  # viewBox units: each of the two grids
ICON_GRID_GAP = 40
ICON_COLUMNS = {100: 10, 1000: 40}
ICON_LABEL_HEIGHT = 2 * LINE_HEIGHT + 6  # two lines of text above each grid


@dataclass(frozen=True)
class IconGrid:
    """One group of ``per`` people as a grid of squares, the first ``count`` marked."""

    x: float
    label: str  # "Without" / "With" (the intervention: the sentence beside it says so)
    count: int
    fill: str  # Fill.HATCHED without the intervention, Fill.SOLID with it
    path: str  # the marked squares, as one SVG path


@dataclass(frozen=True)
class IconArray:
    id: str  # unique on the page: prefixes the ids inside the SVG
    per: int
    per_text: str
    width: int
    height: float
    grid_width: int
    grid_top: float
    grid_height: float
    cell: float  # the pitch of the grid
    square: float  # the side of one square
    inset: float  # (cell - square) / 2
    grids: tuple[IconGrid, IconGrid]


def _squares(count: int, columns: int, cell: float, square: float) -> str:
    inset = (cell - square) / 2
    side = _number(round(square, 2))
    return "".join(
        f"M{_number(round(column * cell + inset, 2))} {_number(round(row * cell + inset, 2))}"
        f"h{side}v{side}h-{side}z"
        for index in range(count)
        for row, column in [divmod(index, columns)]
    )


def icon_array(frequency: NaturalFrequency | None, *, id: str) -> IconArray | None:
    """Two grids of ``frequency.per`` people side by side, without and with the
    intervention, each person a square, those with the outcome marked (hatched without,
    solid with), filled row by row from the top left. None without a frequency."""
    if frequency is None:
        return None
    columns = ICON_COLUMNS[frequency.per]
    rows = frequency.per // columns
    cell = ICON_GRID_WIDTH / columns
    square = cell * 0.8
    grids = (
        IconGrid(
            x=0,
            label="Without",
            count=frequency.without,
            fill=Fill.HATCHED,
            path=_squares(frequency.without, columns, cell, square),
        ),
        IconGrid(
            x=ICON_GRID_WIDTH + ICON_GRID_GAP,
            label="With",
            count=frequency.with_it,
            fill=Fill.SOLID,
            path=_squares(frequency.with_it, columns, cell, square),
        ),
    )
    grid_height = rows * cell
    return IconArray(
        id=id,
        per=frequency.per,
        per_text=frequency.per_text,
        width=2 * ICON_GRID_WIDTH + ICON_GRID_GAP,
        height=round(ICON_LABEL_HEIGHT + grid_height, 2),
        grid_width=ICON_GRID_WIDTH,
        grid_top=ICON_LABEL_HEIGHT,
        grid_height=round(grid_height, 2),
        cell=round(cell, 3),
        square=round(square, 3),
        inset=round((cell - square) / 2, 3),
        grids=grids,
    )


# --- Economic evidence ---------------------------------------------------------------------

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "US$", "EUR": "€"}


def money(amount, currency: str) -> str:
    """1250 GBP -> '£1,250'; 99.5 -> '£99.50'; another currency by its code ('AUD 1,250').
    A negative amount (a loss) keeps its minus sign: '−£500'."""
    if amount is None:
        return ""
    value = Decimal(amount)
    number = f"{abs(value):,.0f}" if value == value.to_integral_value() else f"{abs(value):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    text = f"{symbol}{number}" if symbol else f"{currency} {number}"
    return f"−{text}" if value < 0 else text


def benefit_cost_chart(figures) -> BarChart | None:
    """Benefits (solid) and costs (hatched) per participant for each perspective, as bars
    labelled in words; None unless some figure gives an amount. A loss is drawn by its
    size and written with its minus sign; the table beside the chart gives every figure."""
    figures = [f for f in figures if f.benefits is not None or f.costs is not None]
    if not figures:
        return None
    rows = []
    for figure in figures:
        perspective = figure.get_perspective_display()
        for name, value, fill in (
            ("benefits", figure.benefits, Fill.SOLID),
            ("costs", figure.costs, Fill.HATCHED),
        ):
            rows.append(
                Row(
                    f"{perspective}: {name}",
                    None if value is None else abs(value),
                    money(value, figure.currency),
                    fill,
                )
            )
    return bar_chart(
        rows,
        id=f"benefit-costs-{figures[0].version_id}",
        title="Bar chart of benefits and costs per participant by perspective, as the "
        "reviews state them. The table gives the same figures with their price year.",
    )


# --- Evidence map markers -----------------------------------------------------------------

MARKER_BOX = 36  # viewBox units, square; the marker is centred in it
MARKER_MIN = 6.0  # half-size of the marker for one study (or an unknown number)
MARKER_MAX = 17.0  # half-size for MARKER_STUDIES or more
MARKER_STUDIES = 100

# The effect scale's level -> (shape, fill). Shapes say the direction (a triangle down for
# fewer crimes, up for more, a diamond for mixed, a bar for no effect); a solid fill means
# a statistically significant effect, an outline one that was not (or only tended to).
# The cell says the same in words, so neither shape nor fill is ever needed to read it.
MARKERS = {
    "reduced": ("down", "solid"),
    "reduced-some-increase": ("down", "hatched"),
    "tended-to-reduce": ("down", "outline"),
    "mixed": ("diamond", "outline"),
    "no-effect": ("bar", "outline"),
    "tended-to-increase": ("up", "outline"),
    "increased-some-reduction": ("up", "hatched"),
    "increased": ("up", "solid"),
}


@dataclass(frozen=True)
class Marker:
    points: str  # an SVG polygon's points, in a MARKER_BOX square
    fill: str  # solid | hatched | outline
    shape: str


def marker_half_size(studies: int | None) -> float:
    """Area grows with the number of studies (square root), between the two bounds."""
    if not studies or studies < 1:
        return MARKER_MIN
    share = (min(studies, MARKER_STUDIES) / MARKER_STUDIES) ** 0.5
    return round(MARKER_MIN + (MARKER_MAX - MARKER_MIN) * share, 1)


def map_marker(effect_slug: str | None, studies: int | None) -> Marker | None:
    """The marker of one evidence-map cell; None for an effect level with no marker."""
    if effect_slug not in MARKERS:
        return None
    shape, fill = MARKERS[effect_slug]
    r = marker_half_size(studies)
    c = MARKER_BOX / 2
    if shape == "down":
        corners = [(c - r, c - r * 0.8), (c + r, c - r * 0.8), (c, c + r)]
    elif shape == "up":
        corners = [(c - r, c + r * 0.8), (c + r, c + r * 0.8), (c, c - r)]
    elif shape == "diamond":
        corners = [(c, c - r), (c + r, c), (c, c + r), (c - r, c)]
    else:  # a bar: no effect either way
        h = max(r * 0.35, 2.5)
        corners = [(c - r, c - h), (c + r, c - h), (c + r, c + h), (c - r, c + h)]
    points = " ".join(f"{round(x, 1)},{round(y, 1)}" for x, y in corners)
    return Marker(points=points, fill=fill, shape=shape)


# --- Overview: effect against quality ----------------------------------------------------

OVERVIEW_COLUMN = 92  # viewBox units per quality level
OVERVIEW_ROW = 46  # per effect level
OVERVIEW_LABELS = 250  # room on the left for the effect labels
OVERVIEW_TOP = 40  # room above for the quality labels
OVERVIEW_MAX_R = 21.0


@dataclass(frozen=True)
class Bubble:
    cx: float
    cy: float
    r: float
    count: int
    effect: object  # the effect ScaleLevel
    quality: object  # the quality ScaleLevel


@dataclass(frozen=True)
class Overview:
    width: int
    height: int
    rows: tuple[tuple[str, float], ...]  # effect label, baseline y
    columns: tuple[tuple[str, float], ...]  # quality label, centre x
    bubbles: tuple[Bubble, ...]
    title: str


def overview_chart(effects, qualities, counts: dict[tuple[int, int], int]) -> Overview:
    """Effect levels down (the scale's order, "Reduced crime" first), quality levels
    across (strongest first); one bubble per combination with summaries, its area in
    proportion to how many, the count written in it."""
    largest = max(counts.values(), default=0)
    rows = tuple(
        (effect.label, OVERVIEW_TOP + i * OVERVIEW_ROW + OVERVIEW_ROW / 2 + 5)
        for i, effect in enumerate(effects)
    )
    columns = tuple(
        (quality.label, OVERVIEW_LABELS + i * OVERVIEW_COLUMN + OVERVIEW_COLUMN / 2)
        for i, quality in enumerate(qualities)
    )
    bubbles = []
    for i, effect in enumerate(effects):
        for j, quality in enumerate(qualities):
            count = counts.get((effect.pk, quality.pk), 0)
            if not count:
                continue
            r = max(OVERVIEW_MAX_R * (count / largest) ** 0.5, 10.0)
            bubbles.append(
                Bubble(
                    cx=columns[j][1],
                    cy=OVERVIEW_TOP + i * OVERVIEW_ROW + OVERVIEW_ROW / 2,
                    r=round(r, 1),
                    count=count,
                    effect=effect,
                    quality=quality,
                )
            )
    return Overview(
        width=OVERVIEW_LABELS + OVERVIEW_COLUMN * len(qualities),
        height=OVERVIEW_TOP + OVERVIEW_ROW * len(effects),
        rows=rows,
        columns=columns,
        bubbles=tuple(bubbles),
        title="Chart of the number of summaries for each effect rating (down) and quality "
        "of evidence (across). The table below gives the same counts.",
    )
