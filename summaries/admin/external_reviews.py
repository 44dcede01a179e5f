"""External review links on the review page: make one for a named person (emailed to
them by a task), see who opened theirs, withdraw one. Reviewers only
(``rules.RULES``: the review permission); the writes are ``editorial/external_reviews.py``.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from summaries.editorial import external_reviews, rules
from summaries.editorial.errors import NotAllowed, ServiceError
from summaries.models import EXTERNAL_NAME_MAX_LENGTH, AuditAction, ExternalReview, SummaryVersion
from summaries.models.plain_text import validate_single_line

from .common import refuse_action


class ExternalReviewForm(forms.Form):
    name = forms.CharField(
        label="Their name",
        max_length=EXTERNAL_NAME_MAX_LENGTH,
        validators=[validate_single_line],
        help_text="As their comments will be signed.",
    )
    email = forms.EmailField(
        label="Their email address",
        max_length=254,
        help_text="The link is sent here, and replies to their comments.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built here, not on the class: the settings are read when the page is.
        most, usual = settings.EXTERNAL_REVIEW_MAX_DAYS, settings.EXTERNAL_REVIEW_DAYS
        self.fields["days"] = forms.IntegerField(
            label="Days the link works",
            min_value=1,
            max_value=most,
            initial=usual,
            help_text=f"From 1 to {most} days.",
        )


def may_send(user, version: SummaryVersion) -> bool:
    return rules.may(user, AuditAction.EXTERNAL_LINK_MADE, version)


def context(user, version: SummaryVersion, form: ExternalReviewForm | None = None) -> dict:
    """What the review page shows of external review: the links, and the form."""
    may_revoke = rules.role_allows(user, AuditAction.EXTERNAL_LINK_REVOKED, version)
    return {
        "external_reviews": list(
            ExternalReview.objects.filter(version=version).select_related("made_by", "revoked_by")
        ),
        "may_send_external": may_send(user, version),
        "may_revoke_external": may_revoke,
        "external_form": form or ExternalReviewForm(auto_id="id_ext_%s"),
    }


def _review_url(version_id: int) -> str:
    return reverse("admin:summaries_summaryversion_review", args=[version_id]) + "#external-review"


def external_review_add_view(request, object_id, *, model_admin, review_page):
    """Make a link (POST); on a mistake, the review page again (``review_page``) with the
    form's errors and what was typed."""
    version = get_object_or_404(SummaryVersion, pk=object_id)
    if not rules.role_allows(request.user, AuditAction.EXTERNAL_LINK_MADE, version):
        raise refuse_action(
            request.user, AuditAction.EXTERNAL_LINK_MADE, version, "Send a review link"
        )
    form = ExternalReviewForm(request.POST, auto_id="id_ext_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = external_reviews.external_review_make(
                version=version,
                user=request.user,
                name=data["name"],
                email=data["email"],
                days=data["days"],
            )
        except NotAllowed as error:
            raise refuse_action(
                request.user, AuditAction.EXTERNAL_LINK_MADE, version, "Send a review link"
            ) from error
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            model_admin.message_user(
                request,
                f"A review link for {review.name} is being emailed to {review.email}; "
                f"it works until {review.expires_at:%d %b %Y}.",
                messages.SUCCESS,
            )
            return redirect(_review_url(version.pk))
    response = review_page(request, object_id, model_admin=model_admin, external_form=form)
    response.status_code = 400
    return response


def external_review_revoke_view(request, object_id, review_id, *, model_admin):
    review = get_object_or_404(
        ExternalReview.objects.select_related("version"), pk=review_id, version_id=object_id
    )
    try:
        external_reviews.external_review_revoke(review=review, user=request.user)
    except NotAllowed as error:
        raise refuse_action(
            request.user,
            AuditAction.EXTERNAL_LINK_REVOKED,
            review.version,
            "Withdraw the review link",
        ) from error
    except ServiceError as error:
        model_admin.message_user(request, str(error), messages.ERROR)
    else:
        model_admin.message_user(
            request, f"The review link for {review.name} is withdrawn.", messages.SUCCESS
        )
    return redirect(_review_url(review.version_id))


def external_review_urls(model_admin, review_page) -> list:
    """The addresses, for ``review.review_urls``; ``review_page``, the review page's view."""
    view = model_admin.admin_site.admin_view
    kwargs = {"model_admin": model_admin}
    return [
        path(
            "<row_id:object_id>/external/add/",
            view(require_POST(external_review_add_view)),
            {**kwargs, "review_page": review_page},
            name="summaries_summaryversion_external_add",
        ),
        path(
            "<row_id:object_id>/external/<row_id:review_id>/withdraw/",
            view(require_POST(external_review_revoke_view)),
            kwargs,
            name="summaries_summaryversion_external_withdraw",
        ),
    ]
