"""Challenges to a rating, and their steps in the audit log. Reviewers view and decide
them; editors view them."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import summaries.models.plain_text
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


GRANTS = {
    "Editors": ["view_challenge"],
    "Reviewers": ["view_challenge", "decide_challenge"],
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
        ('summaries', '0029_suggestions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('create', 'Created'), ('start_draft', 'Started a new draft'), ('restore', 'Restored as a new draft'), ('submit', 'Submitted for review'), ('request_changes', 'Requested changes'), ('schedule', 'Scheduled publication'), ('unschedule', 'Cancelled scheduled publication'), ('publish', 'Published'), ('supersede', 'Superseded'), ('withdraw', 'Withdrew'), ('archive', 'Archived'), ('rename', 'Changed the address'), ('comment', 'Commented'), ('resolve_comment', 'Resolved a comment'), ('assign_review', 'Assigned the review'), ('challenge_received', 'Challenge received'), ('challenge_ack', 'Acknowledged a challenge'), ('challenge_review', 'Sent a challenge to two reviewers'), ('challenge_decided', 'Decided a challenge')], max_length=20, verbose_name='action'),
        ),
        migrations.CreateModel(
            name='Challenge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rating', models.CharField(help_text="Which rating or outcome: a dimension (effect, quality, ...) or 'outcome:<slug>'.", max_length=140, verbose_name='rating challenged')),
                ('rating_label', models.CharField(help_text='The rating as the page showed it when the challenge was made.', max_length=300, validators=[summaries.models.plain_text.validate_single_line], verbose_name='rating as shown')),
                ('reasons', models.TextField(help_text='As sent.', validators=[django.core.validators.MaxLengthValidator(5000)], verbose_name='reasons')),
                ('evidence', models.TextField(blank=True, help_text='The evidence the challenger points to, as sent.', validators=[django.core.validators.MaxLengthValidator(5000)], verbose_name='evidence')),
                ('email', models.EmailField(blank=True, help_text='Where the decision is sent; deleted once it is.', max_length=254, verbose_name='email address')),
                ('status', models.CharField(choices=[('received', 'Received'), ('acknowledged', 'Acknowledged'), ('under_review', 'Under review'), ('upheld', 'Upheld'), ('partly_upheld', 'Partly upheld'), ('not_upheld', 'Not upheld')], db_index=True, default='received', help_text="Changed by the workflow's actions, never typed.", max_length=20, verbose_name='status')),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='received')),
                ('target_on', models.DateField(help_text='The date by which it should be decided: the setting CHALLENGE_TARGET_DAYS (60 by default) after it was received.', verbose_name='target date')),
                ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged')),
                ('review_started_at', models.DateTimeField(blank=True, null=True, verbose_name='review started')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                ('decision', models.TextField(blank=True, help_text='The written decision, emailed to the challenger.', validators=[django.core.validators.MaxLengthValidator(5000)], verbose_name='decision')),
                ('led_to_change', models.BooleanField(default=False, help_text='The summary was or will be changed because of it: noted in its public change log.', verbose_name='led to a change')),
                ('change_log_note', models.CharField(blank=True, help_text="What the summary's public change log says of it, when it led to a change.", max_length=300, validators=[summaries.models.plain_text.validate_single_line], verbose_name='change log note')),
                ('intervention', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='challenges', to='summaries.intervention', verbose_name='summary')),
                ('reviewer_one', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='first reviewer')),
                ('reviewer_two', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='second reviewer')),
                ('version', models.ForeignKey(help_text='The version whose rating is challenged.', on_delete=django.db.models.deletion.PROTECT, related_name='challenges', to='summaries.summaryversion', verbose_name='version')),
            ],
            options={
                'verbose_name': 'challenge',
                'ordering': ['target_on', 'received_at', 'id'],
                'permissions': [('decide_challenge', 'Can acknowledge, review and decide challenges')],
                'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['received', 'acknowledged', 'under_review', 'upheld', 'partly_upheld', 'not_upheld'])), name='challenge_status_known'), models.CheckConstraint(condition=models.Q(('reasons', ''), _negated=True), name='challenge_reasons_not_empty'), models.CheckConstraint(condition=models.Q(models.Q(('status__in', ('received', 'acknowledged', 'under_review')), _negated=True), models.Q(('email', ''), _negated=True), _connector='OR'), name='challenge_open_has_email'), models.CheckConstraint(condition=models.Q(('status__in', ('received', 'acknowledged', 'under_review')), models.Q(('email', ''), models.Q(('decision', ''), _negated=True)), _connector='OR'), name='challenge_decided_has_decision_and_no_email'), models.CheckConstraint(condition=models.Q(('reviewer_one__isnull', True), ('reviewer_two__isnull', True), models.Q(('reviewer_one', models.F('reviewer_two')), _negated=True), _connector='OR'), name='challenge_two_different_reviewers'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'under_review'), _negated=True), models.Q(('reviewer_one__isnull', False), ('reviewer_two__isnull', False)), _connector='OR'), name='challenge_under_review_has_two_reviewers'), models.CheckConstraint(condition=models.Q(models.Q(('led_to_change', True), _negated=True), models.Q(('change_log_note', ''), _negated=True), _connector='OR'), name='challenge_change_has_note')],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
