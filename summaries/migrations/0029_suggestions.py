"""The queue of suggestions and problem reports from the public; editors and reviewers
view and work through it (no one adds or deletes items there). A problem reported is a
new kind of notification."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import summaries.models.plain_text
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


GRANTS = {
    "Editors": ["view_suggestion", "change_suggestion"],
    "Reviewers": ["view_suggestion", "change_suggestion"],
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
        ('summaries', '0028_pipeline'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('submitted', 'Submitted for review'), ('changes_requested', 'Changes requested'), ('published', 'Published'), ('scheduled', 'Scheduled'), ('withdrawn', 'Withdrawn'), ('review_assigned', 'Review assigned to you'), ('review_overdue', 'Review overdue'), ('problem_reported', 'Problem reported')], max_length=20, verbose_name='what happened'),
        ),
        migrations.CreateModel(
            name='Suggestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('suggestion', 'Suggestion to assess'), ('problem', 'Problem with a page')], editable=False, help_text='A suggestion of what to assess, or a problem with a page.', max_length=20, verbose_name='kind')),
                ('subject', models.CharField(blank=True, help_text='The intervention or review suggested (suggestions only).', max_length=200, validators=[summaries.models.plain_text.validate_single_line], verbose_name='what to assess')),
                ('body', models.TextField(help_text='Why it should be assessed, or what is wrong with the page: as sent.', validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='message')),
                ('evidence_url', models.URLField(blank=True, help_text='A link the sender gave to the evidence (suggestions only).', max_length=500, verbose_name='link to evidence')),
                ('email', models.EmailField(blank=True, help_text='Only for a reply; deleted when the item is closed.', max_length=254, verbose_name='email address')),
                ('status', models.CharField(choices=[('new', 'New'), ('accepted', 'Accepted into the pipeline'), ('merged', 'Merged with a pipeline entry'), ('declined', 'Declined'), ('resolved', 'Dealt with')], db_index=True, default='new', help_text="Changed by the queue's actions: accept, merge, decline or dealt with.", max_length=20, verbose_name='status')),
                ('reply', models.TextField(blank=True, help_text='What the team replied (emailed to the sender if they gave an address).', validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='reply')),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='received')),
                ('closed_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='closed')),
                ('closed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='closed by')),
                ('intervention', models.ForeignKey(blank=True, help_text='The summary whose page the problem is about.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='summaries.intervention', verbose_name='summary')),
                ('pipeline_entry', models.ForeignKey(blank=True, help_text='The entry it was accepted as or merged with.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='suggestions', to='summaries.pipelineentry', verbose_name='pipeline entry')),
                ('version', models.ForeignKey(blank=True, help_text='The version the sender was reading.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='summaries.summaryversion', verbose_name='version')),
            ],
            options={
                'verbose_name': 'suggestion or problem report',
                'verbose_name_plural': 'suggestions and problem reports',
                'ordering': ['-received_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['suggestion', 'problem'])), name='suggestion_kind_known'), models.CheckConstraint(condition=models.Q(('status__in', ['new', 'accepted', 'merged', 'declined', 'resolved'])), name='suggestion_status_known'), models.CheckConstraint(condition=models.Q(('body', ''), _negated=True), name='suggestion_body_not_empty'), models.CheckConstraint(condition=models.Q(('status', 'new'), ('email', ''), _connector='OR'), name='suggestion_closed_holds_no_email'), models.CheckConstraint(condition=models.Q(models.Q(('closed_at__isnull', True), ('status', 'new')), models.Q(models.Q(('status', 'new'), _negated=True), ('closed_at__isnull', False)), _connector='OR'), name='suggestion_closed_has_date'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'suggestion'), _negated=True), models.Q(('subject', ''), _negated=True), _connector='OR'), name='suggestion_has_subject')],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
