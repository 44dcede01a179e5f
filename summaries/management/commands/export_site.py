"""``manage.py export_site DIR``: the public site as static files (summaries/export)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from summaries.export.site import ExportError, export_site


class Command(BaseCommand):
    help = (
        "Write the public site (live summaries, their published versions, downloads, the "
        "map, feed, sitemap and a search page) into DIR as static files for any static host."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="where to write the site (new or empty)")
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="the address the export will be served at, for absolute links in the feed, "
            "the sitemap, citations and canonical addresses (default: SITE_URL, %(default)s). "
            "A path is fine: https://example.org/toolkit-archive/",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what DIR holds (its files whose names start with a dot are kept)",
        )
        parser.add_argument(
            "--no-search", action="store_true", help="leave the Pagefind search index out"
        )

    def handle(
        self, *args, directory: Path, base_url: str, force: bool, no_search: bool, **options
    ):
        def progress(message: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(message)

        try:
            result = export_site(
                directory, base_url=base_url, force=force, search=not no_search, progress=progress
            )
        except ExportError as error:
            raise CommandError(str(error)) from error
        for address, status in sorted(result.left_out.items()):
            self.stderr.write(f"Left out {address}: the site answered {status}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {result.summaries} summaries, {result.versions} versions and "
                f"{result.pages} pages in all: {result.files} files, "
                f"{result.bytes / 1_000_000:.1f} MB, in {result.seconds:.1f} s, to {directory}"
            )
        )
