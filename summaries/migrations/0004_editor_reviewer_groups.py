"""Create the Editors and Reviewers groups with the permissions each role needs.

Editors write drafts: they add and change interventions and versions and every child row
of a version, and may remove child rows (a section, a link) from a draft. Reviewers can do
all that and publish. Neither may delete interventions or versions: history is kept.
Vocabularies and scales are read-only to both; administrators (superusers) manage them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = ["intervention", "summaryversion"]
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
    codenames = []
    for model in CONTENT:
        codenames += [f"view_{model}", f"add_{model}", f"change_{model}"]
    for model in CHILD_ROWS:
        codenames += [f"view_{model}", f"add_{model}", f"change_{model}", f"delete_{model}"]
    codenames += [f"view_{model}" for model in REFERENCE]
    return codenames


GROUPS = {
    "Editors": codenames_for_editors(),
    "Reviewers": codenames_for_editors() + ["publish_summaryversion"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make sure the ones
    # this migration refers to exist on a fresh database.
    app_config = apps.get_app_config("summaries")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="summaries", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("summaries", "0003_publish_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
