"""/toolkit/feed/: an Atom feed of the most recently published summaries, live only.

An updated summary keeps its entry id (its address) with a new ``updated`` date, so feed
readers show it as changed rather than as a new summary. Editors' plain text is escaped
for the feed's HTML summary, so it is never markup in a feed reader, and loses any
character XML cannot carry (``models/plain_text.py``), so no stored value breaks the feed.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from summaries.models import SummaryVersion
from summaries.models.plain_text import single_line, xml_text

FEED_LENGTH = 20


class RecentSummariesFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return f"{settings.TOOLKIT_NAME}: recently published summaries"

    def subtitle(self):
        return "New and updated summaries of the research on what works to reduce crime."

    def link(self):
        return reverse("summaries:list")

    def feed_url(self):
        return reverse("summaries:feed")

    def items(self):
        return (
            SummaryVersion.objects.live()
            .select_related("intervention")
            .order_by("-published_at", "pk")[:FEED_LENGTH]
        )

    # XML 1.0 cannot carry most control characters: one stored in a title (before the
    # models refused them) would otherwise stop the feed for everyone.
    def item_title(self, version):
        return single_line(version.title)

    def item_description(self, version):
        # Django writes the description as <summary type="html">, so feed readers render
        # it as HTML. The standfirst and change note are plain text: escaped here, a
        # standfirst of "<img onerror=...>" shows as those characters, never as markup.
        note = f" Version {version.number}: {version.change_note}" if version.change_note else ""
        return xml_text(escape(f"{version.standfirst}{note}"))

    def item_link(self, version):
        return version.get_absolute_url()

    def item_pubdate(self, version):
        return version.intervention.first_published_at or version.published_at

    def item_updateddate(self, version):
        return version.published_at

    def author_name(self):
        return settings.TOOLKIT_ORGANISATION
