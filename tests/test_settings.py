"""Settings come from the environment, and production refuses unsafe settings."""

import os
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
    "settings.DATABASES['default']['NAME'], settings.ALLOWED_HOSTS)"
)


SERVE = "import toolkit.wsgi; print('serving')"


def run(args, **env):
    """Run a command in a fresh interpreter's environment with exactly these variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
        }
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="toolkit.settings")
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def run_settings(**env):
    """Load the settings in a fresh interpreter with exactly this environment."""
    return run([sys.executable, "-c", PRINT_SETTINGS], **env)


def run_serving(**env):
    """Load the WSGI application, as gunicorn and runserver do."""
    return run([sys.executable, "-c", SERVE], **env)


class SettingsTests(SimpleTestCase):
    def test_debug_is_off_by_default(self):
        """A deployment that forgets DEBUG is not in debug mode: it refuses to serve
        without a secret key, and says how to run locally."""
        result = run_settings()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("False "), result.stdout)
        result = run_serving()
        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn("serving", result.stdout)
        self.assertIn("DEBUG is off (the default): set SECRET_KEY", result.stderr)
        self.assertIn("or DEBUG=1 on your own machine", result.stderr)
        result = run_serving(SECRET_KEY="x" * 50, ALLOWED_HOSTS="toolkit.example")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("serving", result.stdout)

    def test_management_commands_work_on_a_fresh_checkout(self):
        """Without DEBUG, SECRET_KEY or ALLOWED_HOSTS, `manage.py makemigrations --check`
        runs and answers, instead of a traceback: only serving needs production's settings."""
        result = run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("No changes detected", result.stdout)
        self.assertNotIn("Traceback", result.stderr)

    def test_deploy_check_names_what_production_lacks(self):
        """`manage.py check --deploy` fails and names each missing setting in a line."""
        result = run([sys.executable, "manage.py", "check", "--deploy"], SECRET_KEY="x" * 50)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("(toolkit.E002) DEBUG is off (the default): set ALLOWED_HOSTS", result.stderr)
        self.assertNotIn("toolkit.E001", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        result = run(
            [sys.executable, "manage.py", "check", "--deploy"],
            SECRET_KEY="django-insecure-" + "x" * 50,
            ALLOWED_HOSTS="toolkit.example",
        )
        self.assertIn("(toolkit.E001) DEBUG is off (the default): set SECRET_KEY", result.stderr)
        self.assertNotIn("toolkit.E002", result.stderr)

    def test_gunicorn_refuses_in_a_line(self):
        """gunicorn with DEBUG off and no secret key stops before any worker starts, with
        a line saying what to set, not a traceback."""
        result = run(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0"],
            ALLOWED_HOSTS="toolkit.example",
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(
            result.stderr.strip(),
            "gunicorn not started: DEBUG is off (the default): set SECRET_KEY to a long "
            "random value, or DEBUG=1 on your own machine.",
        )

    def test_local_defaults(self):
        """With DEBUG=1 (make run sets it) nothing else needs configuring: a SQLite file."""
        result = run_settings(DEBUG="1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("True django.db.backends.sqlite3", result.stdout)
        self.assertIn("db.sqlite3", result.stdout)
        self.assertEqual(run_serving(DEBUG="1").returncode, 0)

    def test_database_url_selects_postgresql(self):
        """DATABASE_URL switches the database to PostgreSQL."""
        result = run_settings(DEBUG="1", DATABASE_URL="postgres://u:p@db.example:5432/toolkit")
        self.assertIn("django.db.backends.postgresql toolkit", result.stdout)

    def test_production_needs_a_secret_key(self):
        """With DEBUG off the site refuses to serve without SECRET_KEY, or with Django's
        throwaway kind."""
        result = run_serving(DEBUG="0", ALLOWED_HOSTS="toolkit.example")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("set SECRET_KEY", result.stderr)
        self.assertNotIn("set ALLOWED_HOSTS", result.stderr)
        result = run_serving(
            DEBUG="0", ALLOWED_HOSTS="toolkit.example", SECRET_KEY="django-insecure-" + "x" * 50
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("set SECRET_KEY", result.stderr)

    def test_production_needs_allowed_hosts(self):
        """With DEBUG off the site refuses to serve without ALLOWED_HOSTS."""
        result = run_serving(DEBUG="0", SECRET_KEY="x" * 50)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("set ALLOWED_HOSTS", result.stderr)
        self.assertNotIn("set SECRET_KEY", result.stderr)

    def test_production_with_both(self):
        """With DEBUG off, SECRET_KEY and ALLOWED_HOSTS are enough to serve."""
        env = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a.example,b.example"}
        result = run_settings(**env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("False", result.stdout)
        self.assertIn("['a.example', 'b.example']", result.stdout)
        result = run_serving(**env)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_unreadable_boolean_is_refused(self):
        """A DEBUG value that is not a boolean is an error, not silently on."""
        result = run_settings(DEBUG="maybe")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DEBUG must be a boolean", result.stderr)


class EmailSettingsTests(SimpleTestCase):
    def test_console_by_default_smtp_from_the_environment(self):
        """Emails print to the console unless an SMTP host is set, which is then used
        with its port, login and TLS choice."""
        code = (
            "from django.conf import settings as s; "
            "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
            "s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL)"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
        env.update(DJANGO_SETTINGS_MODULE="toolkit.settings", DEBUG="1")

        def run(**extra):
            result = subprocess.run(
                [sys.executable, "-c", code],
                cwd=ROOT,
                env={**env, **extra},
                capture_output=True,
                text=True,
                timeout=60,
            )
            return result.stdout.split()

        self.assertEqual(run()[0], "django.core.mail.backends.console.EmailBackend")
        self.assertEqual(
            run(
                EMAIL_HOST="smtp.example.org",
                EMAIL_PORT="465",
                EMAIL_HOST_USER="toolkit",
                EMAIL_USE_TLS="0",
                DEFAULT_FROM_EMAIL="toolkit@example.org",
            ),
            [
                "django.core.mail.backends.smtp.EmailBackend",
                "smtp.example.org",
                "465",
                "toolkit",
                "False",
                "toolkit@example.org",
            ],
        )
