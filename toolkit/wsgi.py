"""WSGI entry point, for gunicorn: ``gunicorn toolkit.wsgi``."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from toolkit.production import refuse_to_serve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolkit.settings")

# With DEBUG off, nothing is served until SECRET_KEY and ALLOWED_HOSTS are set.
refuse_to_serve(settings)

application = get_wsgi_application()

# Read the release's files now, while the worker starts, rather than in its first request.
from summaries.public.release import release_key  # noqa: E402

release_key()
