"""The evidence pipeline's entries. Editors and reviewers keep them (view, add, change);
reviewers also delete them."""

import django.core.validators
import django.db.models.deletion
import summaries.models.pipeline
import summaries.models.plain_text
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


GRANTS = {
    "Editors": ["view_pipelineentry", "add_pipelineentry", "change_pipelineentry"],
    "Reviewers": [
        "view_pipelineentry",
        "add_pipelineentry",
        "change_pipelineentry",
        "delete_pipelineentry",
    ],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("summaries")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="summaries", codename__in=codenames
                )
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="summaries", codename__in=GRANTS[group.name]
            )
        )


class Migration(migrations.Migration):

    dependencies = [
        ('summaries', '0027_update_status'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PipelineEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(help_text="The intervention's name as readers would look for it, e.g. 'Restorative justice conferencing'.", max_length=200, validators=[summaries.models.plain_text.validate_single_line], verbose_name='title')),
                ('description', models.TextField(help_text='What the intervention is, in a sentence or two (plain text, at most 1000 characters). Shown to the public.', validators=[django.core.validators.MaxLengthValidator(1000)], verbose_name='short description')),
                ('stage', models.CharField(choices=[('suggested', 'Suggested'), ('screening', 'Screening'), ('being_assessed', 'Being assessed'), ('not_rated', 'Considered and not rated')], db_index=True, default='suggested', help_text='Suggested, screening, being assessed, or considered and not rated.', max_length=20, verbose_name='stage')),
                ('not_rated_reason', models.CharField(blank=True, help_text="Why it was not rated, e.g. 'No systematic review meets the inclusion criteria'. Needed for 'considered and not rated'; shown to the public.", max_length=500, validators=[summaries.models.plain_text.validate_single_line], verbose_name='reason not rated')),
                ('stage_changed_on', models.DateField(default=summaries.models.pipeline.today, editable=False, help_text='Set to the day the stage changes; not typed.', verbose_name='stage last changed')),
                ('is_demo', models.BooleanField(default=False, help_text='Made up for the demo (manage.py load_demo), not a real assessment; the public page says so.', verbose_name='demo content')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last saved')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('intervention', models.ForeignKey(blank=True, help_text="The summary this entry became (the 'Start a summary' action sets it).", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='pipeline_entries', to='summaries.intervention', verbose_name='summary')),
            ],
            options={
                'verbose_name': 'pipeline entry',
                'verbose_name_plural': 'pipeline entries',
                'ordering': ['stage', '-stage_changed_on', 'title', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('title', ''), _negated=True), name='pipelineentry_title_not_empty'), models.CheckConstraint(condition=models.Q(('stage__in', ['suggested', 'screening', 'being_assessed', 'not_rated'])), name='pipelineentry_stage_known'), models.CheckConstraint(condition=models.Q(models.Q(('stage', 'not_rated'), _negated=True), models.Q(('not_rated_reason', ''), _negated=True), _connector='OR'), name='pipelineentry_not_rated_has_reason', violation_error_message='Say why it was not rated.')],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
