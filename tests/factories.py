"""Plain functions that make test data. Each returns saved objects."""

from itertools import count

from django.contrib.auth import get_user_model

from summaries import search
from summaries.editorial.services import intervention_create, version_publish
from summaries.models import (
    Dimension,
    ScaleLevel,
    Section,
    SectionKind,
    State,
    SummaryVersion,
    SystematicReview,
    UpdateStatus,
)

_serial = count(1)


def make_user(username=None, *, staff=True, superuser=False, groups=()):
    User = get_user_model()
    user = User.objects.create_user(
        username=username or f"user{next(_serial)}",
        password="correct horse battery staple",
        is_staff=staff or superuser,
        is_superuser=superuser,
    )
    for group in groups:
        user.groups.add(group)
    return user


def level(dimension: Dimension, slug: str) -> ScaleLevel:
    return ScaleLevel.objects.get(scale__dimension=dimension, slug=slug)


def make_draft(
    slug=None, *, title=None, standfirst="A one-sentence standfirst.", sections=None, user=None
) -> SummaryVersion:
    """A draft version of a new intervention, with the given sections (kind -> html)."""
    n = next(_serial)
    version = intervention_create(
        slug=slug or f"intervention-{n}",
        title=title or f"Intervention {n}",
        standfirst=standfirst,
        user=user,
    )
    for kind, body in (sections or {SectionKind.FOCUS: "<p>What it is.</p>"}).items():
        Section.objects.create(version=version, kind=kind, body=body)
    return version


def make_complete_draft(slug=None, *, user=None, **kwargs) -> SummaryVersion:
    """A draft with everything review needs: all nine sections, ratings and a review."""
    sections = {kind: f"<p>The {kind} section.</p>" for kind in SectionKind.values}
    version = make_draft(slug, sections=sections, user=user, **kwargs)
    version.effect_rating = level(Dimension.EFFECT, "reduced")
    version.quality_rating = level(Dimension.QUALITY, "moderate")
    version.update_status = update_status()
    version.change_note = "First version."
    version.save()
    SystematicReview.objects.create(version=version, label="Review one", studies=10)
    return version


def update_status(slug: str = UpdateStatus.UP_TO_DATE) -> UpdateStatus:
    return UpdateStatus.objects.get(slug=slug)


def send_to_review(version: SummaryVersion, *, user=None) -> SummaryVersion:
    """Put a version in review directly, skipping the completeness check of
    ``version_submit``: test data often holds only what a test looks at."""
    SummaryVersion.objects.filter(pk=version.pk).update(state=State.IN_REVIEW, submitted_by=user)
    version.refresh_from_db()
    return version


def publish(version: SummaryVersion, *, user=None) -> SummaryVersion:
    """Review and publish ``version`` (by the system unless ``user`` is given)."""
    version_publish(version=send_to_review(version), user=user)
    version.refresh_from_db()
    assert version.state == State.PUBLISHED
    return version


def retagged(*versions: SummaryVersion) -> None:
    """After test set-up tags or rates live versions directly (the admin never lets
    anyone change a live version), index them again, as a publication would: their
    search text and facet tags (``FacetTag``) follow."""
    search.index_versions([version.pk for version in versions])


def make_live(slug=None, **kwargs) -> SummaryVersion:
    """A published version of a new intervention."""
    return publish(make_draft(slug, **kwargs))
