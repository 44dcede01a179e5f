"""/sitemap.xml: the live summaries (with when they last changed) and the fixed pages.

Only live versions are listed, so a draft or withdrawn summary is never announced.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from summaries.models import Scale, SummaryVersion


class SummarySitemap(Sitemap):
    def items(self):
        return SummaryVersion.objects.live().select_related("intervention").order_by("id")

    def location(self, version):
        return version.get_absolute_url()

    def lastmod(self, version):
        return version.published_at


class PageSitemap(Sitemap):
    def items(self):
        return ["home", "summaries:list", "summaries:map", "summaries:overview", "accessibility"]

    def location(self, name):
        return reverse(name)


class ScaleSitemap(Sitemap):
    def items(self):
        return Scale.objects.order_by("id")


SITEMAPS = {"summaries": SummarySitemap, "pages": PageSitemap, "scales": ScaleSitemap}
