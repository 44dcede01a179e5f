from django.conf import settings


def site(request):
    """The toolkit's name, for page titles and the header, and the page's canonical URL.

    The canonical URL drops the query string: a search, a filter or a page of results is
    a view of the same page, not a page of its own.
    """
    return {
        "toolkit_name": settings.TOOLKIT_NAME,
        "canonical_url": request.build_absolute_uri(request.path),
    }
