"""Stored pages hold whole documents (the summary's page and the version's page) in place
of the article alone, and the section text search snippets are cut from. Existing rows keep a render key of the code before this change, so
each is built again on first read, or by ``manage.py build_pages``: nothing to fill here.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("summaries", "0035_facet_tags"),
    ]

    operations = [
        # Blank first, so that migrating back can add the column again to existing rows
        # (empty, and rebuilt by the code of then, whose render key they do not carry).
        migrations.AlterField(
            model_name="publishedpage",
            name="body",
            field=models.TextField(
                blank=True,
                help_text="The summary page's article, as HTML (the site's origin as ORIGIN).",
                verbose_name="page body",
            ),
        ),
        migrations.RemoveField(
            model_name="publishedpage",
            name="body",
        ),
        migrations.AddField(
            model_name="publishedpage",
            name="document",
            field=models.TextField(
                blank=True,
                help_text="The summary's page as readers get it while this version is live, "
                "the whole HTML document (the site's origin as ORIGIN, the day as TODAY); "
                "empty for a superseded version.",
                verbose_name="summary page",
            ),
        ),
        migrations.AddField(
            model_name="publishedpage",
            name="snippet_text",
            field=models.TextField(
                blank=True,
                help_text="The version's section text, plain and HTML-escaped, that search "
                "snippets are cut from (on PostgreSQL, where ts_headline reads it in place).",
                verbose_name="snippet text",
            ),
        ),
        migrations.AddField(
            model_name="publishedpage",
            name="version_document",
            field=models.TextField(
                default="",
                help_text="The version's own page (/v/<number>/), the whole HTML document "
                "(the site's origin as ORIGIN, the day as TODAY).",
                verbose_name="version page",
            ),
            preserve_default=False,
        ),
    ]
