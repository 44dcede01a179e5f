from django.conf import settings

from . import pages


def site(request):
    """The toolkit's name, for page titles and the header; the page's canonical URL; and
    today's date, for the printed footer.

    The canonical URL drops the query string: a search, a filter or a page of results is
    a view of the same page, not a page of its own. Stored summary pages are rendered
    without a request and are given the same three (``pages._document``).
    """
    return {
        "toolkit_name": settings.TOOLKIT_NAME,
        "canonical_url": request.build_absolute_uri(request.path),
        "today": pages.today(),
    }
