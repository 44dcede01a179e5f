"""Term names are unique without regard to capitals, and editors may add terms; the
intervention's "first published" and "synthetic" say they are not typed.

Editors add terms (a summary on a new topic, such as street lighting, could otherwise
only be tagged wrongly); reviewers also rename and delete them, which changes what every
summary tagged with the term shows. Administrators (superusers) keep everything.
"""

import django.db.models.functions.text
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

VOCABULARIES = ["problem", "focus", "approach", "setting", "population"]
ADDED = {
    "Editors": [f"add_{model}" for model in VOCABULARIES],
    "Reviewers": [f"{verb}_{model}" for model in VOCABULARIES for verb in ("add", "change", "delete")],
}


def _permissions(apps, codenames):
    # Permissions are normally created after all migrations have run; make sure they
    # exist on a fresh database.
    app_config = apps.get_app_config("summaries")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="summaries", codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions missing: {sorted(missing)}")
    return permissions


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in ADDED.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):

    dependencies = [
        ('summaries', '0014_alerts'),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
        migrations.AddConstraint(
            model_name='approach',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='summaries_approach_name_ci', violation_error_message='A term with this name already exists (names are compared without regard to capitals).'),
        ),
        migrations.AddConstraint(
            model_name='focus',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='summaries_focus_name_ci', violation_error_message='A term with this name already exists (names are compared without regard to capitals).'),
        ),
        migrations.AddConstraint(
            model_name='population',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='summaries_population_name_ci', violation_error_message='A term with this name already exists (names are compared without regard to capitals).'),
        ),
        migrations.AddConstraint(
            model_name='problem',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='summaries_problem_name_ci', violation_error_message='A term with this name already exists (names are compared without regard to capitals).'),
        ),
        migrations.AddConstraint(
            model_name='setting',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='summaries_setting_name_ci', violation_error_message='A term with this name already exists (names are compared without regard to capitals).'),
        ),
        migrations.AlterField(
            model_name='intervention',
            name='first_published_at',
            field=models.DateTimeField(blank=True, help_text='Set when a version of the summary is first published; not typed.', null=True, verbose_name='first published'),
        ),
        migrations.AlterField(
            model_name='intervention',
            name='is_synthetic',
            field=models.BooleanField(default=False, help_text='Generated test content for benchmarks (manage.py generate_synthetic), never real evidence; not set by hand.', verbose_name='synthetic'),
        ),
    
    ]
