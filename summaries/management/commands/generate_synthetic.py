"""``manage.py generate_synthetic N [--seed S] [--delete]``: synthetic summaries for benchmarks.

Creates N live, clearly labelled synthetic summaries (see ``summaries/synthetic/`` for
what they contain and their word statistics). A second run adds N more, numbered after
the existing ones. ``--delete`` first removes every synthetic summary; without N it only
deletes. Real summaries are never touched.
"""

import argparse
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError, RestrictedError

from summaries.synthetic import DEFAULT_SEED, MAX_COUNT, synthetic_delete, synthetic_generate


def summary_count(value: str) -> int:
    """N as argparse reads it: a whole number from 1 to MAX_COUNT, else a clear error."""
    try:
        count = int(value)
    except ValueError:
        count = None
    if count is None or not 1 <= count <= MAX_COUNT:
        raise argparse.ArgumentTypeError(
            f"N must be a whole number from 1 to {MAX_COUNT:,}, not {value!r}."
        )
    return count


class Command(BaseCommand):
    help = (
        "Create N live synthetic summaries (titles '[Synthetic] ...', slugs 'synthetic-...') "
        "for search and load benchmarks. With --delete, first remove all synthetic summaries."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "count",
            metavar="N",
            nargs="?",
            type=summary_count,
            help=f"How many summaries to create (1 to {MAX_COUNT:,}); optional with --delete.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed; the same N and seed give the same text (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--delete",
            action="store_true",
            help="Delete every synthetic summary (and only those) before creating any.",
        )

    def handle(self, *args, count=None, seed=DEFAULT_SEED, delete=False, **options):
        if count is None and not delete:
            raise CommandError(
                f"Give N, the number of synthetic summaries to create (1 to {MAX_COUNT:,}), "
                "or --delete to remove them."
            )
        if delete:
            started = time.monotonic()
            try:
                deleted = synthetic_delete()
            except (ProtectedError, RestrictedError) as error:
                # E.g. an editor worked on a synthetic summary: its audit events protect it.
                raise CommandError(
                    "Nothing was deleted: some synthetic summaries are still referenced by "
                    f"rows that protect them ({error.args[0]})"
                ) from error
            elapsed = time.monotonic() - started
            self.stdout.write(f"Deleted {deleted:,} synthetic summaries in {elapsed:.1f} s.")
        if count is None:
            return

        def progress(done, elapsed):
            self.stdout.write(f"  {done:,} / {count:,} created ({elapsed:.1f} s)")

        started = time.monotonic()
        first = synthetic_generate(count=count, seed=seed, progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {count:,} synthetic summaries (numbers {first:,} to "
                f"{first + count - 1:,}, seed {seed}) in {elapsed:.1f} s."
            )
        )
