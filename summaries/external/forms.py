"""The comment form on an external reviewer's page."""

from django import forms

from summaries.editorial.external_reviews import EXTERNAL_ANCHORS
from summaries.models import COMMENT_MAX_LENGTH, EXTERNAL_NAME_MAX_LENGTH, VERSION_PART
from summaries.models.plain_text import validate_single_line


class ExternalCommentForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=EXTERNAL_NAME_MAX_LENGTH,
        validators=[validate_single_line],
        help_text="Your comment is signed with it.",
    )
    anchor = forms.ChoiceField(
        label="About",
        choices=EXTERNAL_ANCHORS,
        initial=VERSION_PART,
        help_text="The part of the summary your comment is about, if it is about one.",
    )
    body = forms.CharField(
        label="Your comment",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"At most {COMMENT_MAX_LENGTH:,} characters. The editors read it in their "
        "review of the draft.",
    )
