import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Tests log users in often; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
