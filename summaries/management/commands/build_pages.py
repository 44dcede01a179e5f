"""``manage.py build_pages [--all] [--batch N]``: build the stored pages readers are served.

Builds every public version's ``PublishedPage`` that is missing or stale (new templates or
code after a deploy, a change whose rebuild did not run); ``--all`` rebuilds every one.
Safe to run while the site serves: a page not yet rebuilt is built by its first reader,
and a rebuild never changes what a page says, only how soon it is ready. Prints progress
on a terminal, and a line of figures at the end.
"""

import sys
import time

from django.core.management.base import BaseCommand

from summaries.public import pages


class Command(BaseCommand):
    help = (
        "Build the stored pages (body, card, data) of every public version that is missing "
        "or stale; with --all, of every public version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="rebuild every page, current or not")
        parser.add_argument(
            "--batch", type=int, default=100, help="versions built per transaction (1-1000)"
        )

    def handle(self, *args, **options):
        batch = max(1, min(options["batch"], 1000))
        started = time.monotonic()
        if options["all"]:
            ids = pages.public_versions_of_all()
        else:
            ids = pages.stale_versions()
        total = len(ids)
        tty = getattr(self.stdout, "isatty", lambda: False)() or sys.stdout.isatty()
        for done in range(0, total, batch):
            pages.materialise(ids[done : done + batch])
            if tty:
                self.stdout.write(_bar(min(done + batch, total), total, started), ending="\r")
                self.stdout.flush()
        elapsed = time.monotonic() - started
        if tty and total:
            self.stdout.write("")
        rate = f", {total / elapsed:,.0f} a second" if total and elapsed else ""
        noun = "page" if total == 1 else "pages"
        self.stdout.write(self.style.SUCCESS(f"Built {total:,} {noun} in {elapsed:.1f} s{rate}."))


def _bar(done: int, total: int, started: float, width: int = 30) -> str:
    """``[#########.....]  1,234 / 10,000  12%  ETA 40 s``"""
    filled = width * done // total
    elapsed = time.monotonic() - started
    eta = elapsed / done * (total - done) if done else 0
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {done:,} / {total:,} "
        f"{100 * done // total:3d}%  ETA {eta:,.0f} s "
    )
