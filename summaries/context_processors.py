from django.conf import settings


def site(request):
    """The toolkit's name, for page titles and the header."""
    return {"toolkit_name": settings.TOOLKIT_NAME}
