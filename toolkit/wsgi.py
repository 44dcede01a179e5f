"""WSGI entry point, for gunicorn: ``gunicorn toolkit.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolkit.settings")

application = get_wsgi_application()
