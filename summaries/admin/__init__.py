"""The editors' admin.

Editors add an intervention (which creates its first draft), write the draft, and publish
it. Published and superseded versions are history: the admin shows them read-only and
offers to start a new draft copied from them instead. Every write that spans models goes
through ``services``; the admin only turns ``ServiceError`` into a message.

- ``vocabularies``: taxonomy terms and rating scales, edited by administrators.
- ``interventions``: the list of summaries, and adding one with its first draft.
- ``versions``: writing a version, its child rows, starting drafts, preview.
- ``actions``: the workflow actions on a version (submit, review, publish, withdraw...).
- ``audit``: the append-only audit log, read-only for everyone.
- ``pipeline``: the evidence pipeline's entries, and starting a summary from one.
- ``challenges``: challenges to a rating and their workflow, overdue first.
- ``suggestions``: the queue of suggestions and problem reports from the public.
- ``synonyms``: the synonyms and abbreviations search applies, kept by editors, and their log.
"""

from django.conf import settings
from django.contrib import admin

from . import (  # noqa: F401  (they register models)
    audit,
    challenges,
    interventions,
    notifications,
    pipeline,
    suggestions,
    synonyms,
    versions,
    vocabularies,
)

admin.site.site_header = f"{settings.TOOLKIT_NAME} admin"
admin.site.site_title = settings.TOOLKIT_NAME
admin.site.index_title = "Summaries, vocabularies and scales"
