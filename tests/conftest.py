from django.conf import settings


def pytest_configure(config):
    # Tests log users in often; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
