"""The public forms: suggest something to assess, report a problem with a page,
challenge a rating."""

from django import forms
from django.conf import settings

from summaries.models import RATING_FIELDS
from summaries.models.challenges import TEXT_MAX_LENGTH
from summaries.models.plain_text import validate_single_line
from summaries.models.suggestions import BODY_MAX_LENGTH

from . import spam


class FeedbackForm(forms.Form):
    """What both forms share: the optional address, and the spam checks."""

    email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        max_length=254,
        help_text="Only if you would like a reply. We delete it once we have dealt with "
        "your message.",
    )
    # The honeypot: hidden from people (``spam.py``); named like a field bots fill.
    website = forms.CharField(required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput)

    text_fields: tuple[str, ...] = ()

    def is_spam(self) -> bool:
        """The honeypot was filled: answer as if kept, keep nothing."""
        return bool(self.data.get("website"))

    def clean_started(self):
        elapsed = spam.seconds_since(self.cleaned_data["started"])
        if elapsed is None:
            raise forms.ValidationError(
                "This form was open for more than a day. Check what you wrote and send it again."
            )
        if elapsed < settings.FEEDBACK_MIN_FILL_SECONDS:
            raise forms.ValidationError(
                "That was sent very quickly after the page opened. Check what you wrote "
                "and send it again."
            )
        return self.cleaned_data["started"]

    def clean(self):
        cleaned = super().clean()
        texts = [cleaned.get(name) or "" for name in self.text_fields]
        if spam.links_in(*texts) > settings.FEEDBACK_MAX_LINKS:
            raise forms.ValidationError(
                f"Include at most {settings.FEEDBACK_MAX_LINKS} links in your message."
            )
        return cleaned


class SuggestionForm(FeedbackForm):
    subject = forms.CharField(
        label="What should we assess?",
        max_length=200,
        validators=[validate_single_line],
        help_text="An intervention, or a systematic review of one.",
    )
    body = forms.CharField(
        label="Why should we assess it?",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"For example, where it is used or what you know of its evidence. At most "
        f"{BODY_MAX_LENGTH} characters.",
    )
    evidence_url = forms.URLField(
        label="Link to the evidence (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A systematic review or an evaluation, if you know of one.",
    )

    field_order = ["subject", "body", "evidence_url", "email", "website", "started"]
    text_fields = ("subject", "body")


class ProblemForm(FeedbackForm):
    body = forms.CharField(
        label="What is wrong with this page?",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"For example, a mistake, a broken link or something hard to follow. At "
        f"most {BODY_MAX_LENGTH} characters. Do not include personal information.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    field_order = ["body", "email", "website", "started", "version"]
    text_fields = ("body",)


def rating_choices(version) -> list[tuple[str, str]]:
    """What may be challenged on ``version`` (loaded with ``for_page()``): each rating it
    has, then each outcome's rating, as the page names them."""
    choices = [
        (field, f"{dimension.label}: {level.label}")
        for field, (dimension, level) in zip(RATING_FIELDS, version.ratings(), strict=True)
        if level is not None
    ]
    for result in version.outcome_results.all():
        effect = result.effect_rating.label if result.effect_rating else "not rated"
        choices.append((f"outcome:{result.outcome.slug}", f"{result.outcome.name}: {effect}"))
    return choices


class ChallengeForm(FeedbackForm):
    rating = forms.ChoiceField(
        label="Which rating do you challenge?",
        help_text="A headline rating, or the rating of one outcome.",
    )
    reasons = forms.CharField(
        label="Why is it wrong?",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Your reasons. At most {TEXT_MAX_LENGTH} characters.",
    )
    evidence = forms.CharField(
        label="Your evidence (optional)",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Studies or reviews that support your challenge, with references or links.",
    )

    field_order = ["rating", "reasons", "evidence", "email", "website", "started"]
    # Evidence may well cite several studies by their links; the reasons are limited.
    text_fields = ("reasons",)

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [("", "Choose a rating"), *choices]
        email = self.fields["email"]
        email.required = True
        email.label = "Your email address"
        email.help_text = (
            "We send the decision here, then delete the address. We do not publish it."
        )
