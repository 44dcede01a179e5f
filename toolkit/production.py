"""What production needs before the site serves anyone, checked where the site is served.

The settings load without a secret key or host names, so that management commands
(`makemigrations --check`, `migrate`, `check --deploy`) work on any checkout. Serving is
what needs them: ``toolkit/wsgi.py`` (gunicorn, runserver) and ``gunicorn.conf.py`` refuse
to start with DEBUG off until they are set, and ``manage.py check --deploy`` reports them as
errors (``toolkit.E001``, ``toolkit.E002``).
"""

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET_KEY = (
    "DEBUG is off (the default): set SECRET_KEY to a long random value, "
    "or DEBUG=1 on your own machine."
)
MISSING_ALLOWED_HOSTS = (
    "DEBUG is off (the default): set ALLOWED_HOSTS (comma-separated host names), "
    "or DEBUG=1 on your own machine."
)


def missing_production_settings(settings: Any) -> list[tuple[str, str]]:
    """(check id, message) for each setting production needs and lacks; none with DEBUG on.

    ``settings`` is Django's settings or the settings module itself (gunicorn's
    configuration reads it before Django is set up).
    """
    if getattr(settings, "DEBUG", False):
        return []
    try:
        secret_key = getattr(settings, "SECRET_KEY", "")
    except ImproperlyConfigured:  # Django's settings refuse to hand out an empty key
        secret_key = ""
    missing = []
    if not secret_key or secret_key.startswith("django-insecure"):
        missing.append(("toolkit.E001", MISSING_SECRET_KEY))
    if not getattr(settings, "ALLOWED_HOSTS", []):
        missing.append(("toolkit.E002", MISSING_ALLOWED_HOSTS))
    return missing


def refuse_to_serve(settings: Any) -> None:
    """Raise ImproperlyConfigured, naming everything missing, if production lacks it."""
    missing = missing_production_settings(settings)
    if missing:
        raise ImproperlyConfigured(" ".join(message for _, message in missing))


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check --deploy`: the settings the site will refuse to serve without."""
    from django.conf import settings

    return [
        checks.Error(message, id=check_id)
        for check_id, message in missing_production_settings(settings)
    ]
