"""Give the Editors and Reviewers groups exactly what the editorial workflow needs.

Editors write drafts and submit them: they view, add and change interventions, change
versions (which also lets them start and restore drafts and archive their own), edit every
child row of a draft, and read the audit log. Reviewers can do all that, and request
changes (``review_summaryversion``) and publish, schedule and withdraw
(``publish_summaryversion``). Versions are never added blank and never deleted, so neither
group may add or delete them; nobody may change the audit log. Vocabularies and scales
stay read-only; administrators (superusers) manage them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CHILD_ROWS = [
    "section",
    "systematicreview",
    "reviewbreakdown",
    "keyfigure",
    "relatedsummary",
    "externallink",
]
REFERENCE = ["problem", "focus", "approach", "setting", "population", "scale", "scalelevel"]


def codenames_for_editors():
    codenames = ["view_intervention", "add_intervention", "change_intervention"]
    codenames += ["view_summaryversion", "change_summaryversion", "view_auditevent"]
    for model in CHILD_ROWS:
        codenames += [f"view_{model}", f"add_{model}", f"change_{model}", f"delete_{model}"]
    codenames += [f"view_{model}" for model in REFERENCE]
    return codenames


GROUPS = {
    "Editors": codenames_for_editors(),
    "Reviewers": codenames_for_editors()
    + ["review_summaryversion", "publish_summaryversion"],
}


def set_permissions(apps, groups):
    # Permissions are normally created after all migrations have run; make sure the new
    # ones exist on a fresh database.
    app_config = apps.get_app_config("summaries")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in groups.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="summaries", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def forwards(apps, schema_editor):
    set_permissions(apps, GROUPS)


def backwards(apps, schema_editor):
    # Back to the permissions migration 0004 gave.
    previous = {
        "Editors": codenames_for_editors() + ["add_summaryversion"],
        "Reviewers": codenames_for_editors() + ["add_summaryversion", "publish_summaryversion"],
    }
    for codenames in previous.values():
        codenames.remove("view_auditevent")
    set_permissions(apps, previous)


class Migration(migrations.Migration):
    dependencies = [("summaries", "0006_workflow")]

    operations = [migrations.RunPython(forwards, backwards)]
