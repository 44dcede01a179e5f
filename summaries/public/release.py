"""``release_key()``: what a deploy changes in what the public is sent, as one digest.

The page cache and the ETags of public pages and the API (``cache.py``) key a response by
the content generation, the day and the address; a deploy changes none of those. Without
this key, a shared cache (Redis) would go on serving the old release's markup for up to
``PAGE_CACHE_SECONDS`` after a deploy, pointing at stylesheets collectstatic has since
renamed, and browsers would be told with a 304 that their old copy is still right.

The digest covers every template, the code of this app and of the project (views,
middleware, headers), the static files' manifest (their hashed names, which pages link)
when there is one, Django's version and the settings that show on pages. It is computed
once a process, from the files as deployed: about as long as reading them once.
``pages.render_key`` is the narrower digest that decides when stored pages are rebuilt.
"""

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import cast

import django
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

APP = Path(__file__).resolve().parent.parent
ROOT = Path(settings.BASE_DIR)
PROJECT = ROOT / "toolkit"
MANIFEST = "staticfiles.json"
SETTINGS = ("TIME_ZONE", "LANGUAGE_CODE", "TOOLKIT_NAME", "TOOLKIT_ORGANISATION", "STATIC_URL")


# Every setting a key depends on: those that show on pages, and where the templates and
# the static manifest are (``frame_files``).
KEY_SETTINGS = (*SETTINGS, "TEMPLATES", "STATIC_ROOT")


@receiver(setting_changed)
def setting_changed_handler(*, setting, **kwargs):
    # Settings are fixed in a running site; tests change them (override_settings).
    if setting in KEY_SETTINGS:
        release_key.cache_clear()


def frame_files() -> list[Path]:
    """Every template file and the static files' manifest (their hashed names, which
    pages link) when there is one, in a fixed order: what any rendered page depends on
    besides the code."""
    files: list[Path] = []
    for directory in cast(list[str | Path], settings.TEMPLATES[0]["DIRS"]):
        files += sorted(path for path in Path(directory).rglob("*") if path.is_file())
    manifest = Path(settings.STATIC_ROOT) / MANIFEST
    if manifest.is_file():
        files.append(manifest)
    return files


def sources() -> list[Path]:
    """The files the digest reads, in a fixed order."""
    return sorted(APP.rglob("*.py")) + sorted(PROJECT.glob("*.py")) + frame_files()


@cache
def release_key() -> str:
    """A digest of the code, templates, static names and settings this process serves."""
    return code_digest(sources(), SETTINGS, size=8)


def code_digest(paths: Iterable[Path], setting_names: Iterable[str], *, size: int) -> str:
    """A digest of these files (their names and bytes), Django's version and these
    settings' values: what ``release_key`` and ``pages.render_key`` are made of."""
    digest = hashlib.blake2b(digest_size=size)
    for path in paths:
        # Named from the project's root, so servers with checkouts in different places
        # but the same release agree; a file outside it (the static manifest, wherever
        # STATIC_ROOT is) by its name alone, for the same reason.
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        digest.update(str(name).encode())
        digest.update(b"\x00")
        digest.update(path.read_bytes())
    for value in (django.get_version(), *(getattr(settings, name) for name in setting_names)):
        digest.update(f"\x00{value}".encode())
    return digest.hexdigest()
