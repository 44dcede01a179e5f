"""Load the demo: the seed summary, published, with its taxonomy, ratings, key figures,
reviews and links; and, for local use only, demo editor, reviewer and admin accounts.

Idempotent: a second run finds the demo in place and changes nothing.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from summaries import importer
from summaries.demo import data
from summaries.editorial.services import version_publish, version_submit
from summaries.models import (
    RATING_FIELDS,
    TAXONOMY,
    CertaintyDomain,
    Dimension,
    DowngradeReason,
    ExternalLink,
    Intervention,
    KeyFigure,
    Outcome,
    OutcomeResult,
    Problem,
    RatingsBasis,
    ScaleLevel,
)


class Command(BaseCommand):
    help = "Load the demo summary (published) and, with DEBUG on, demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="Do not create the demo editor, reviewer and admin accounts.",
        )

    def handle(self, *args, no_accounts=False, **options):
        terms = self.load_taxonomy()
        self.load_outcomes()
        if Intervention.objects.filter(slug=data.SLUG).exists():
            self.stdout.write(f"Demo summary already loaded: /toolkit/{data.SLUG}/")
        else:
            self.load_summary(terms)
            self.stdout.write(self.style.SUCCESS(f"Demo summary published: /toolkit/{data.SLUG}/"))
        if not no_accounts:
            self.load_accounts()

    def load_taxonomy(self):
        terms = {}
        for vocabulary in TAXONOMY:
            entries = data.TAXONOMY.get(vocabulary.field, [])
            terms[vocabulary.field] = [
                vocabulary.model.objects.get_or_create(
                    slug=slug, defaults={"name": name, "position": position}
                )[0]
                for position, (slug, name) in enumerate(entries, start=1)
            ]
        return terms

    def load_outcomes(self):
        problems = Problem.objects.in_bulk(field_name="slug")
        for position, (slug, name, problem_slugs, phrase) in enumerate(data.OUTCOMES, start=1):
            outcome, created = Outcome.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "position": position, "frequency_phrase": phrase},
            )
            if created:
                outcome.problems.set([problems[s] for s in problem_slugs if s in problems])

    def load_outcome_results(self, version):
        outcomes = Outcome.objects.in_bulk(field_name="slug")
        domains = CertaintyDomain.objects.in_bulk(field_name="slug")
        reviews = {review.label: review for review in version.reviews.all()}
        for position, result in enumerate(data.OUTCOME_RESULTS, start=1):
            numbers = {
                field: Decimal(result[field])
                for field in (
                    "comparison_rate",
                    "treatment_rate",
                    "relative_change",
                    "percentage_points",
                )
                if field in result
            }
            row = OutcomeResult.objects.create(
                version=version,
                outcome=outcomes[result["outcome"]],
                position=position,
                effect_rating=ScaleLevel.objects.get(
                    scale__dimension=RATING_FIELDS["effect"], slug=result["effect"]
                ),
                quality_rating=ScaleLevel.objects.get(
                    scale__dimension=RATING_FIELDS["quality"], slug=result["quality"]
                ),
                certainty=ScaleLevel.objects.get(
                    scale__dimension=Dimension.CERTAINTY, slug=result["certainty"]
                )
                if "certainty" in result
                else None,
                direction=result["direction"],
                stated=result["stated"],
                note=result["note"],
                **numbers,
            )
            row.reviews.set([reviews[label] for label in result["reviews"]])
            DowngradeReason.objects.bulk_create(
                DowngradeReason(
                    result=row, domain=domains[domain], explanation=explanation, position=number
                )
                for number, (domain, explanation) in enumerate(result.get("reasons", ()), start=1)
            )

    @transaction.atomic
    def load_summary(self, terms):
        try:
            parsed = importer.parse_summary(importer.read_export(data.SEED_FILE))
        except importer.ImportFailed as error:
            raise CommandError(f"The demo file could not be imported: {error}") from error
        # The reviews' facts come from the demo data, so the demo does not depend on how
        # much the importer recognised; the importer's own tests check that separately.
        parsed.reviews = [importer.ParsedReview(**review) for review in data.REVIEWS]
        version = importer.save_as_draft(parsed, slug=data.SLUG, source_name=data.SEED_FILE.name)
        version.change_note = data.CHANGE_NOTE
        version.ratings_basis = RatingsBasis.EDITOR_READING
        for field, slug in data.RATINGS.items():
            level = ScaleLevel.objects.get(scale__dimension=RATING_FIELDS[field], slug=slug)
            setattr(version, f"{field}_rating", level)
        version.save()
        for field, field_terms in terms.items():
            getattr(version, field).set(field_terms)

        for position, figure in enumerate(data.KEY_FIGURES, start=1):
            KeyFigure.objects.create(
                version=version,
                position=position,
                outcome=figure["outcome"],
                comparison_rate=Decimal(figure["comparison_rate"]),
                treatment_rate=Decimal(figure["treatment_rate"]),
                relative_change=Decimal(figure["relative_change"]),
                note=figure["note"],
            )
        self.load_outcome_results(version)
        for position, (title, url, description) in enumerate(data.EXTERNAL_LINKS, start=1):
            ExternalLink.objects.create(
                version=version, position=position, title=title, url=url, description=description
            )
        # Through review like any summary: the submit check proves the demo is complete.
        version_submit(version=version, change_note=data.CHANGE_NOTE)
        version_publish(version=version)

    def load_accounts(self):
        if not settings.DEBUG:
            self.stderr.write(
                "Demo accounts not created: DEBUG is off, and publicly known passwords "
                "must never exist on a real site."
            )
            return
        User = get_user_model()
        for username, password, group_name, superuser in data.ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": True, "is_superuser": superuser},
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
                if group_name:
                    user.groups.add(Group.objects.get(name=group_name))
                self.stdout.write(f"Demo account created: {username} / {password}")
            if not user.email:
                # Also for accounts made before the demo had addresses; one a user set
                # for themselves is kept.
                user.email = data.ACCOUNT_EMAIL.format(username=username)
                user.save(update_fields=["email"])
