"""``manage.py import_summary FILE``: a toolkit text export becomes a new draft."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse

from summaries.importer import ImportFailed, parse_summary, read_export, save_as_draft
from summaries.importer.saving import address_for
from summaries.importer.validation import validate_parsed


class Command(BaseCommand):
    help = (
        "Import a summary exported from the toolkit as text (a PDF printed to text) as a "
        "new draft. With --dry-run, print what was read as JSON and write nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The text export to import.")
        parser.add_argument(
            "--slug",
            help="The summary's address; defaults to the page's own address in the export, "
            "else the title made into a slug.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the parsed summary as JSON and write nothing to the database.",
        )

    def handle(self, *args, file, slug=None, dry_run=False, **options):
        # ImportFailed becomes CommandError: one line on stderr and exit status 1,
        # without a traceback; nothing has been written by then.
        try:
            parsed = parse_summary(read_export(file))
            if dry_run:
                if slug:
                    parsed.slug = slug
                # The same checks as a real import, so a dry run never promises more.
                validate_parsed(parsed, slug=address_for(parsed, slug))
                self.stdout.write(json.dumps(parsed.to_dict(), indent=2, ensure_ascii=False))
                return
            version = save_as_draft(parsed, slug=slug, source_name=Path(file).name)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        slug = version.intervention.slug
        self.stdout.write(
            f"Imported '{version.title}' as draft version {version.number} of '{slug}'; "
            f"check it in the admin: {_admin_url(version)}"
        )
        for warning in parsed.warnings:
            self.stderr.write(f"Warning: {warning}")


def _admin_url(version) -> str:
    try:
        return reverse("admin:summaries_summaryversion_change", args=[version.pk])
    except NoReverseMatch:  # the version admin is not registered
        return reverse("admin:index")
