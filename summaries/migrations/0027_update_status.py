"""Update status on every version (after Cochrane), and the four statuses, seeded."""

import django.core.validators
import django.db.models.deletion
import summaries.models.plain_text
from django.conf import settings
from django.db import migrations, models


STATUSES = [
    ("up-to-date", "Up to date",
     "The evidence has been searched for recently and the summary reflects it."),
    ("update-pending", "Update pending",
     "New evidence may change the summary; an update is planned but not yet started."),
    ("update-in-progress", "Update in progress",
     "The summary is being updated with new evidence; until then this version stands."),
    ("no-update-planned", "No update planned",
     "The summary will not be updated; the reason says why."),
]


def seed_statuses(apps, schema_editor):
    UpdateStatus = apps.get_model("summaries", "UpdateStatus")
    for position, (slug, label, description) in enumerate(STATUSES, start=1):
        UpdateStatus.objects.update_or_create(
            slug=slug, defaults={"label": label, "description": description, "position": position}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('summaries', '0026_review_assignment'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='summaryversion',
            name='last_search_month',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(1, 'January'), (2, 'February'), (3, 'March'), (4, 'April'), (5, 'May'), (6, 'June'), (7, 'July'), (8, 'August'), (9, 'September'), (10, 'October'), (11, 'November'), (12, 'December')], help_text='The month of that search, if known; leave empty when only the year is.', null=True, verbose_name='last search for evidence (month)'),
        ),
        migrations.AddField(
            model_name='summaryversion',
            name='last_search_year',
            field=models.PositiveSmallIntegerField(blank=True, help_text="The year of the most recent search for evidence the summary rests on (the reviews' search, e.g. 2021 for studies 'published up to 2021').", null=True, validators=[django.core.validators.MinValueValidator(1900), django.core.validators.MaxValueValidator(2100)], verbose_name='last search for evidence (year)'),
        ),
        migrations.AddField(
            model_name='summaryversion',
            name='reassess_on',
            field=models.DateField(blank=True, help_text='When to look again for new evidence. From this date the summary is listed on the dashboard as due for evidence review.', null=True, verbose_name='reassess by'),
        ),
        migrations.AddField(
            model_name='summaryversion',
            name='update_status_reason',
            field=models.CharField(blank=True, help_text="Why, in a sentence readers see beside the status, e.g. 'A new review published in 2024 is being assessed'. Needed when no update is planned.", max_length=500, validators=[summaries.models.plain_text.validate_single_line], verbose_name='reason for the status'),
        ),
        migrations.CreateModel(
            name='UpdateStatus',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Its value in addresses and data.', max_length=40, unique=True, verbose_name='slug')),
                ('label', models.CharField(help_text="As readers see it, e.g. 'Up to date'.", max_length=60, validators=[summaries.models.plain_text.validate_single_line], verbose_name='label')),
                ('description', models.CharField(help_text='What it tells a reader about the summary.', max_length=300, validators=[summaries.models.plain_text.validate_single_line], verbose_name='meaning')),
                ('position', models.PositiveSmallIntegerField(default=0, help_text='Order in lists and facets, first lowest.', verbose_name='position')),
            ],
            options={
                'verbose_name': 'update status',
                'verbose_name_plural': 'update statuses',
                'ordering': ['position', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('slug', ''), _negated=True), name='updatestatus_slug_not_empty')],
            },
        ),
        migrations.AddField(
            model_name='summaryversion',
            name='update_status',
            field=models.ForeignKey(blank=True, help_text='Whether the summary is current: up to date, update pending, update in progress, or no update planned. Shown near the title; needed to submit.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='summaries.updatestatus', verbose_name='update status'),
        ),
        migrations.AddConstraint(
            model_name='summaryversion',
            constraint=models.CheckConstraint(condition=models.Q(('last_search_year__isnull', True), models.Q(('last_search_year__gte', 1900), ('last_search_year__lte', 2100)), _connector='OR'), name='version_last_search_year_range', violation_error_message='Give a year between 1900 and 2100.'),
        ),
        migrations.AddConstraint(
            model_name='summaryversion',
            constraint=models.CheckConstraint(condition=models.Q(('last_search_month__isnull', True), models.Q(('last_search_month__gte', 1), ('last_search_month__lte', 12), ('last_search_year__isnull', False)), _connector='OR'), name='version_last_search_month_with_year', violation_error_message='A month needs its year.'),
        ),
        migrations.AlterField(
            model_name='reviewcomment',
            name='anchor',
            field=models.CharField(choices=[('version', 'The version as a whole'), ('title', 'Title'), ('standfirst', 'Standfirst'), ('taxonomy', 'Taxonomy'), ('ratings', 'Ratings'), ('evidence_reviewed_on', 'Evidence last reviewed'), ('update_status', 'Update status'), ('change_note', 'Change note'), ('section-focus', 'Section: Focus of the intervention'), ('section-effect', 'Section: Effect – how effective is it?'), ('section-evidence', 'Section: How strong is the evidence?'), ('section-mechanism', 'Section: Mechanism – how does it work?'), ('section-moderators', 'Section: Moderators – in which contexts does it work best?'), ('section-implementation', 'Section: Implementation – what can be said about implementing this initiative?'), ('section-economic', 'Section: Economic considerations – how much might it cost?'), ('section-general', 'Section: General considerations'), ('section-summary', 'Section: Summary'), ('key_figures', 'Key figures'), ('reviews', 'Evidence base (systematic reviews)'), ('links', 'Further reading'), ('related', 'Related summaries')], default='version', max_length=40, verbose_name='about'),
        ),
        migrations.RunPython(seed_statuses, migrations.RunPython.noop),
    ]
