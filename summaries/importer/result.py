"""What the importer produces, and the one error it raises."""

from dataclasses import asdict, dataclass, field


class ImportFailed(Exception):
    """The export cannot be imported; the message is one line for the user."""


@dataclass
class ParsedReview:
    """What the text says about one systematic review; None where it does not say."""

    label: str
    studies: int | None = None
    tests: int | None = None
    published_up_to: int | None = None
    rcts: int | None = None
    conflict_of_interest_studies: int | None = None
    approaches: list[tuple[str, int]] = field(default_factory=list)
    countries: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class ParsedSummary:
    """A summary read from an export, ready to be checked (dry run) or saved as a draft."""

    title: str
    standfirst: str
    sections: dict[str, str]
    reviews: list[ParsedReview] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The economic section says the reviews hold no economic evaluation ("Neither review
    # mentioned the costs"): the draft says "no economic evaluation found", no cost band.
    no_economic_evaluation: bool = False
    # The address the toolkit gave the page, when the export shows it: importing under
    # the same address keeps old links working. Empty when unknown.
    slug: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
