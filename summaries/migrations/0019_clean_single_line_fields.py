"""Existing rows lose the control characters their single-line fields now refuse.

Each run of control characters and spaces becomes one space, trimmed at both ends (the
same ``single_line`` the outputs use), so a title typed before the rule keeps its words.
A unique name that would then clash with another row's gets its row id appended, and a
required value left empty says so, rather than the migration failing. The public
content generation is raised when anything changed, so no page cached before is served.
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

from summaries.models.plain_text import single_line

FIELDS = [
    # (model, field, unique among rows, may be blank)
    ("SummaryVersion", "title", False, False),
    ("SummaryVersion", "change_note", False, True),
    ("SystematicReview", "label", False, False),
    ("ReviewBreakdown", "label", False, False),
    ("KeyFigure", "outcome", False, False),
    ("KeyFigure", "note", False, True),
    ("ExternalLink", "title", False, False),
    ("ExternalLink", "description", False, True),
    ("OutcomeResult", "note", False, True),
    ("Outcome", "name", True, False),
    ("Scale", "name", False, False),
    ("Scale", "question", False, True),
    ("ScaleLevel", "label", False, False),
    ("ScaleLevel", "icon", False, True),
    ("Problem", "name", True, False),
    ("Focus", "name", True, False),
    ("Approach", "name", True, False),
    ("Setting", "name", True, False),
    ("Population", "name", True, False),
]


def clean(apps, schema_editor):
    changed = 0
    for model_name, field, unique, blank in FIELDS:
        model = apps.get_model("summaries", model_name)
        rows = model.objects.values_list("pk", field)
        taken = {value.lower() for _, value in rows} if unique else set()
        for pk, value in rows.iterator():
            cleaned = single_line(value)
            if cleaned == value:
                continue
            if not cleaned and not blank:
                cleaned = f"(untitled {pk})"
            if unique and cleaned.lower() in taken:
                cleaned = f"{cleaned} ({pk})"
            taken.add(cleaned.lower())
            model.objects.filter(pk=pk).update(**{field: cleaned})
            changed += 1
    if changed:
        PublicContent = apps.get_model("summaries", "PublicContent")
        PublicContent.objects.filter(pk=1).update(
            generation=F("generation") + 1,
            site_generation=F("site_generation") + 1,
            changed_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("summaries", "0018_single_line_fields")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
