from django.db import migrations, models
import django.utils.timezone


def create_row(apps, schema_editor):
    apps.get_model("summaries", "PublicContent").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("summaries", "0008_slug_redirect"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicContent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("generation", models.PositiveBigIntegerField(default=1, verbose_name="generation")),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="last changed")),
            ],
            options={"verbose_name": "public content generation"},
        ),
        migrations.AddConstraint(
            model_name="publiccontent",
            constraint=models.CheckConstraint(condition=models.Q(("id", 1)), name="publiccontent_single_row"),
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
