"""Outcomes (a vocabulary administrators keep) and a version's results per outcome.

Editors and reviewers may write outcome results (a child row of a version, like key
figures) and view outcomes (reference data, like the taxonomy terms).
"""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GRANTS = {
    "Editors": ["view_outcome"]
    + [f"{action}_outcomeresult" for action in ("view", "add", "change", "delete")],
}
GRANTS["Reviewers"] = GRANTS["Editors"]


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
        ('summaries', '0015_term_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='Outcome',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The outcome as the public sees it.', max_length=120, unique=True, verbose_name='name')),
                ('slug', models.SlugField(help_text="Used in the evidence map's addresses and downloads; lower case letters, digits and hyphens.", max_length=120, unique=True, verbose_name='slug')),
                ('description', models.TextField(blank=True, help_text='Optional: how the outcome is measured, for editors.', verbose_name='description')),
                ('position', models.PositiveSmallIntegerField(default=0, help_text="Order of the evidence map's columns; lower comes first.", verbose_name='position')),
                ('problems', models.ManyToManyField(blank=True, help_text="The problems (crime types) this outcome belongs to; groups the map's columns.", related_name='outcomes', to='summaries.problem', verbose_name='problems')),
            ],
            options={
                'verbose_name': 'outcome',
                'ordering': ['position', 'name'],
            },
        ),
        migrations.CreateModel(
            name='OutcomeResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=1, help_text='Order on the page; lower numbers come first.', verbose_name='position')),
                ('direction', models.CharField(choices=[('reduced', 'Reduced'), ('increased', 'Increased'), ('no_clear_effect', 'No clear effect'), ('mixed', 'Mixed')], help_text='Which way the text says the outcome moved.', max_length=20, verbose_name='direction')),
                ('stated', models.TextField(help_text="What the text says about this outcome, quoted, e.g. 'statistically significant reductions in general and violent reoffending'.", verbose_name='as stated')),
                ('comparison_rate', models.DecimalField(blank=True, decimal_places=1, help_text='Rate without the intervention, only if the text gives it.', max_digits=5, null=True, verbose_name='comparison rate (%)')),
                ('treatment_rate', models.DecimalField(blank=True, decimal_places=1, help_text='Rate with the intervention, only if the text gives it.', max_digits=5, null=True, verbose_name='treatment rate (%)')),
                ('relative_change', models.DecimalField(blank=True, decimal_places=1, help_text='As the text states it; negative for a reduction, e.g. -31.8.', max_digits=6, null=True, verbose_name='relative change (%)')),
                ('percentage_points', models.DecimalField(blank=True, decimal_places=1, help_text='As the text states it; negative for a reduction, e.g. -4.3.', max_digits=5, null=True, verbose_name='change in percentage points')),
                ('effect_size_kind', models.CharField(blank=True, choices=[('odds_ratio', 'Odds ratio'), ('risk_ratio', 'Risk ratio'), ('hazard_ratio', 'Hazard ratio'), ('smd', 'Standardised mean difference'), ('correlation', 'Correlation (r)')], help_text='The kind of effect size, only if the text gives one.', max_length=20, verbose_name='effect size')),
                ('effect_size', models.DecimalField(blank=True, decimal_places=3, help_text='As the text states it.', max_digits=8, null=True, verbose_name='effect size value')),
                ('interval_low', models.DecimalField(blank=True, decimal_places=3, help_text='Lower end of its confidence interval.', max_digits=8, null=True, verbose_name='interval low')),
                ('interval_high', models.DecimalField(blank=True, decimal_places=3, help_text='Upper end of its confidence interval.', max_digits=8, null=True, verbose_name='interval high')),
                ('note', models.CharField(blank=True, help_text="How it was measured, e.g. 'arrest, charge or conviction'.", max_length=300, verbose_name='note')),
                ('effect_rating', models.ForeignKey(blank=True, help_text='The effect on this outcome, on the effect scale.', limit_choices_to={'scale__dimension': 'effect'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='summaries.scalelevel', verbose_name='effect rating')),
                ('outcome', models.ForeignKey(help_text='What was measured. Each outcome at most once per version.', on_delete=django.db.models.deletion.PROTECT, related_name='results', to='summaries.outcome', verbose_name='outcome')),
                ('quality_rating', models.ForeignKey(blank=True, help_text='How strong the evidence for this outcome is.', limit_choices_to={'scale__dimension': 'quality'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='summaries.scalelevel', verbose_name='quality rating')),
                ('reviews', models.ManyToManyField(blank=True, help_text='The review or reviews of this version the result comes from. A review added in this save can be chosen after saving.', related_name='outcome_results', to='summaries.systematicreview', verbose_name='reviews')),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outcome_results', to='summaries.summaryversion', verbose_name='version')),
            ],
            options={
                'verbose_name': 'outcome result',
                'ordering': ['version', 'position', 'id'],
                'constraints': [models.UniqueConstraint(fields=('version', 'outcome'), name='outcomeresult_unique_outcome'), models.CheckConstraint(condition=models.Q(models.Q(('comparison_rate__isnull', True), ('comparison_rate__gte', 0), _connector='OR'), models.Q(('comparison_rate__isnull', True), ('comparison_rate__lte', 100), _connector='OR'), models.Q(('treatment_rate__isnull', True), ('treatment_rate__gte', 0), _connector='OR'), models.Q(('treatment_rate__isnull', True), ('treatment_rate__lte', 100), _connector='OR')), name='outcomeresult_rates_are_percentages', violation_error_message='Rates are percentages between 0 and 100.'), models.CheckConstraint(condition=models.Q(('interval_low__isnull', True), ('interval_high__isnull', True), ('interval_low__lte', models.F('interval_high')), _connector='OR'), name='outcomeresult_interval_ordered', violation_error_message="The interval's low end cannot be above its high end."), models.CheckConstraint(condition=models.Q(('effect_size__isnull', True), models.Q(('effect_size_kind', ''), _negated=True), _connector='OR'), name='outcomeresult_effect_size_has_kind', violation_error_message='Say what kind of effect size the value is.')],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
