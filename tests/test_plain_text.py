"""Single-line fields refuse control characters in the models' own validation, and what
is already stored cannot break an email, the feed or a citation file."""

import json
import re
from io import StringIO
from xml.dom import minidom

import rispy
from citeproc.source.json import CiteProcJSON
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase, override_settings
from pybtex.database import parse_string as pybtex_parse

from summaries.editorial.services import ServiceError, draft_start_from, version_submit
from summaries.models import (
    AlertOutbox,
    Approach,
    ExternalLink,
    FollowKind,
    KeyFigure,
    Outcome,
    OutcomeResult,
    Problem,
    ReviewBreakdown,
    Scale,
    ScaleLevel,
    Subscription,
    SummaryVersion,
    SystematicReview,
)
from summaries.models.plain_text import single_line
from tests.factories import make_complete_draft, make_live, make_user, publish

# What the probe stored through an ordinary admin save: header injection, a vertical tab
# and an escape (each of which XML 1.0 cannot carry). PostgreSQL cannot store a NUL at
# all; SQLite can, so there it is part of the stored title too.
HOSTILE = "CCTV\r\nBcc: victim@example.org\x0b in car\x1b[31m parks\t"


def hostile_title() -> str:
    return HOSTILE + ("\x00" if connection.vendor == "sqlite" else "")


CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

SINGLE_LINE_FIELDS = [
    (SummaryVersion, "title"),
    (SummaryVersion, "change_note"),
    (SystematicReview, "label"),
    (ReviewBreakdown, "label"),
    (KeyFigure, "outcome"),
    (KeyFigure, "note"),
    (ExternalLink, "title"),
    (ExternalLink, "description"),
    (OutcomeResult, "note"),
    (Outcome, "name"),
    (Scale, "name"),
    (Scale, "question"),
    (ScaleLevel, "label"),
    (ScaleLevel, "icon"),
    (Problem, "name"),
    (Approach, "name"),
]


class SingleLineValidationTests(TestCase):
    def test_every_single_line_field_refuses_control_characters(self):
        """Each single-line field's own validation refuses a line break, a tab, an escape,
        a vertical tab, a NUL, DEL and a Unicode line separator, naming what it found."""
        for model, name in SINGLE_LINE_FIELDS:
            field = model._meta.get_field(name)
            for character in ("\n", "\r", "\t", "\x0b", "\x1b", "\x00", "\x7f", "\u2028"):
                with self.subTest(field=f"{model.__name__}.{name}", character=repr(character)):
                    with self.assertRaises(ValidationError) as caught:
                        field.clean(f"Street{character}lighting", model())
                    self.assertIn("one line of plain text", caught.exception.messages[0])
            field.clean("Street lighting – “CCTV” & café", model())  # ordinary text passes

    def test_the_admin_refuses_a_term_name_with_a_line_break(self):
        """Adding a problem with an escape character in its name shows the field's error."""
        self.client.force_login(make_user(superuser=True))
        response = self.client.post(
            "/admin/summaries/problem/add/",
            {"name": "Street\x1b[31mlighting", "slug": "street-lighting", "position": 0},
        )
        self.assertContains(response, "This must be one line of plain text; it holds")
        self.assertFalse(Problem.objects.filter(slug="street-lighting").exists())

    def test_submitting_a_draft_with_a_broken_title_is_refused(self):
        """A draft whose stored title holds a line break cannot be submitted for review."""
        editor = make_user(groups=[Group.objects.get(name="Editors")])
        draft = make_complete_draft(user=editor)
        SummaryVersion.objects.filter(pk=draft.pk).update(title="Two\nlines")
        draft.refresh_from_db()
        with self.assertRaises(ServiceError) as caught:
            version_submit(version=draft, user=editor, change_note="Ready.")
        self.assertIn("Title: This must be one line of plain text", str(caught.exception))


@override_settings(SITE_URL="http://testserver")
class StoredControlCharacterTests(TestCase):
    """Rows stored before the rule (or by raw SQL): every output stays well formed."""

    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("cctv", title="CCTV in car parks")
        SummaryVersion.objects.filter(pk=cls.version.pk).update(title=hostile_title())

    def test_feed_stays_well_formed(self):
        """The Atom feed answers 200, parses as XML and shows the title on one line."""
        response = self.client.get("/toolkit/feed/")
        self.assertEqual(response.status_code, 200)
        document = minidom.parseString(response.content)
        titles = [
            node.firstChild.data
            for node in document.getElementsByTagName("title")
            if node.parentNode.tagName == "entry"
        ]
        self.assertEqual(titles, ["CCTV Bcc: victim@example.org in car [31m parks"])

    def test_following_answers_and_the_subject_is_one_line(self):
        """Following the summary answers the usual page; the email's subject is one line."""
        with self.captureOnCommitCallbacks(execute=True):  # the task sends once committed
            response = self.client.post(
                "/follow/", {"email": "reader@example.org", "kind": "summary", "slug": "cctv"}
            )
        self.assertContains(response, "Check your inbox")
        [message] = mail.outbox
        self.assertNotRegex(message.subject, CONTROL)
        self.assertEqual(message.subject, f"Confirm: follow {single_line(hostile_title())}")
        self.assertNotIn("Bcc", message.message().get("Bcc", ""))

    def test_alert_email_is_sent_with_a_one_line_subject(self):
        """The alert of an update is sent (not retried until dropped), subject on one line."""
        Subscription.objects.create(
            email="reader@example.org",
            kind=FollowKind.SUMMARY,
            intervention=self.version.intervention,
            confirmed_at="2024-01-01T00:00Z",
        )
        AlertOutbox.objects.all().delete()  # the first publication's, before anyone followed
        publish(draft_start_from(version=self.version, change_note="New review."))
        out = StringIO()
        call_command("send_alerts", stdout=out)
        self.assertIn("1 sent", out.getvalue())
        [message] = mail.outbox
        self.assertNotRegex(message.subject, CONTROL)
        self.assertTrue(message.subject.startswith("Updated: CCTV Bcc: victim@example.org"))

    def test_citation_files_parse(self):
        """The three citation files answer 200 and their parsers read the title on one line."""
        expected = single_line(hostile_title())
        bib = self.client.get("/toolkit/cctv/v/1/cite.bib").content.decode()
        entry = pybtex_parse(bib, "bibtex").entries["cctv-v1"]
        self.assertNotRegex(entry.fields["title"], CONTROL)
        [record] = rispy.loads(self.client.get("/toolkit/cctv/v/1/cite.ris").content.decode())
        self.assertEqual(record["title"], expected)
        data = json.loads(self.client.get("/toolkit/cctv/v/1/cite.json").content)
        self.assertEqual(str(CiteProcJSON(data)["cctv-v1"]["title"]), expected)

    def test_a_stored_reference_cannot_break_the_citation_files(self):
        """The citation files are rendered from the stored page's ``reference``: a title
        held there with line breaks, controls and a lone brace still gives files their
        parsers read, on one line (the stored rows are built from the version rows, but
        are not trusted to be clean)."""
        from django.core.cache import cache

        from summaries.models import PublishedPage

        self.client.get("/toolkit/cctv/v/1/")  # builds the stored page
        page = PublishedPage.objects.get(version=self.version)
        stored = "A } title\r\nwith\x0b{ controls\x1b"
        page.reference = {**page.reference, "title": stored}
        page.save(update_fields=["reference"])
        cache.clear()
        expected = single_line(stored)
        bib = self.client.get("/toolkit/cctv/v/1/cite.bib")
        self.assertEqual(bib.status_code, 200)
        entry = pybtex_parse(bib.content.decode(), "bibtex").entries["cctv-v1"]
        self.assertNotRegex(entry.fields["title"], CONTROL)
        [record] = rispy.loads(self.client.get("/toolkit/cctv/v/1/cite.ris").content.decode())
        self.assertEqual(record["title"], expected)
        data = json.loads(self.client.get("/toolkit/cctv/v/1/cite.json").content)
        self.assertEqual(str(CiteProcJSON(data)["cctv-v1"]["title"]), expected)


class CleaningMigrationTests(TransactionTestCase):
    """The data migration cleans the rows stored before the rule."""

    serialized_rollback = True
    before = [("summaries", "0018_single_line_fields")]
    after = [("summaries", "0019_clean_single_line_fields")]

    def tearDown(self):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    def test_existing_rows_are_cleaned(self):
        """Titles and names lose their control characters; a name that would then clash
        with another is kept apart by its id; the content generation is raised."""
        executor = MigrationExecutor(connection)
        executor.migrate(self.before)
        apps = executor.loader.project_state(self.before).apps
        Intervention = apps.get_model("summaries", "Intervention")
        Version = apps.get_model("summaries", "SummaryVersion")
        OldProblem = apps.get_model("summaries", "Problem")
        PublicContent = apps.get_model("summaries", "PublicContent")
        content = PublicContent.objects.get_or_create(pk=1)[0]
        generation, site_generation = content.generation, content.site_generation
        intervention = Intervention.objects.create(slug="cctv")
        version = Version.objects.create(
            intervention=intervention, number=1, title="CCTV\r\n in\x0bcar\x1b parks\t"
        )
        clean = OldProblem.objects.create(name="Street lighting", slug="street-lighting")
        clash = OldProblem.objects.create(name="Street\tlighting", slug="street-lighting-2")
        empty = OldProblem.objects.create(name="\x0b", slug="empty")

        executor = MigrationExecutor(connection)
        executor.migrate(self.after)

        # Only the title: the model has columns that later migrations add.
        self.assertEqual(
            SummaryVersion.objects.filter(pk=version.pk).values_list("title", flat=True).get(),
            "CCTV in car parks",
        )
        self.assertEqual(Problem.objects.get(pk=clean.pk).name, "Street lighting")
        self.assertEqual(Problem.objects.get(pk=clash.pk).name, f"Street lighting ({clash.pk})")
        self.assertEqual(Problem.objects.get(pk=empty.pk).name, f"(untitled {empty.pk})")
        self.assertGreater(PublicContent.objects.get(pk=1).generation, generation)
        # Every stored page (PublishedPage) is stamped with the site generation: a row
        # built from a title before it was cleaned is built again before it is served.
        self.assertGreater(PublicContent.objects.get(pk=1).site_generation, site_generation)
