"""Production hardening: the deploy check, security headers, login throttling, the moved
admin, the 503 page and pages that render with the database down, structured logs."""

import json
import logging
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

from django.core.signals import request_finished
from django.db import OperationalError, close_old_connections, connection
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from tests.factories import make_user
from toolkit.log import JsonFormatter
from toolkit.middleware import client_ip

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"

# What README.md and docs/operations.md tell the operator to set.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "toolkit.example",
    "CSRF_TRUSTED_ORIGINS": "https://toolkit.example",
    "BEHIND_HTTPS_PROXY": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "DATABASE_URL": "postgres://toolkit:secret@db.example:5432/toolkit",
    "CONN_MAX_AGE": "60",
}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """Run ``code`` (or manage.py with ``-m``-less args) in a fresh interpreter."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    clean.update({"DEBUG": "1"}, **env, DJANGO_SETTINGS_MODULE="toolkit.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


class DeployCheckTests(SimpleTestCase):
    def test_check_deploy_is_clean(self):
        """`manage.py check --deploy` finds nothing with the documented production variables."""
        result = run_python(
            "import sys; from django.core.management import execute_from_command_line; "
            "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', "
            "'WARNING'])",
            **PRODUCTION_ENV,
        )
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("no issues", result.stdout)

    def test_cookies_are_secure_and_http_only(self):
        """In production the session and CSRF cookies are Secure and HttpOnly."""
        result = run_python(
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
            "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.LOG_FORMAT)",
            **PRODUCTION_ENV,
        )
        self.assertEqual(result.stdout.split(), ["True", "True", "True", "True", "json"])

    def test_admin_url_moves_the_admin(self):
        """ADMIN_URL moves the admin, and robots.txt then does not give its address away."""
        result = run_python(
            "import django; django.setup(); from django.urls import reverse; "
            "from django.test import Client; print(reverse('admin:index')); "
            "print(Client().get('/robots.txt').content.decode())",
            ADMIN_URL="backstage-4821/",
            DATABASE_URL="sqlite:///:memory:",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("/backstage-4821/\n", result.stdout)
        self.assertNotIn("backstage-4821", result.stdout.split("\n", 1)[1])

    def test_cache_url_choices(self):
        """CACHE_URL selects local memory or Redis, and refuses anything else, memcached
        included (not supported: nothing would test it)."""
        code = (
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'].rsplit('.', 1)[1], "
            "settings.CACHES['default'].get('LOCATION'))"
        )
        cases = {
            "locmem://": "LocMemCache ",
            "redis://cache.example:6379/1": "RedisCache redis://cache.example:6379/1",
        }
        for url, expected in cases.items():
            with self.subTest(url=url):
                self.assertEqual(run_python(code, CACHE_URL=url).stdout.strip(), expected.strip())
        for url in ("mongodb://nope", "memcached://a.example:11211"):
            with self.subTest(url=url):
                result = run_python(code, CACHE_URL=url)
                self.assertIn("CACHE_URL must start with", result.stderr)


def close_file(response):
    """Close a streamed static file, as the test client does: without the end-of-request
    signal, which would close the test's database connection mid-transaction."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


class SecurityHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.staff = make_user("staff", superuser=True)

    def assert_security_headers(self, response):
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        self.assertIn("camera=()", response["Permissions-Policy"])
        policy = response["Content-Security-Policy"]
        script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
        self.assertNotIn("unsafe-inline", script_src)
        self.assertIn("frame-ancestors 'none'", policy)
        return policy

    def test_every_kind_of_response(self):
        """Pages, errors, the feed, static files, the admin and the health check all carry
        the security headers."""
        urls = {
            "/": 200,
            "/toolkit/": 200,
            "/toolkit/feed/": 200,
            "/sitemap.xml": 200,
            "/robots.txt": 200,
            "/healthz": 200,
            "/no-such-page/": 404,
            "/static/css/site.css": 200,
            reverse("admin:login"): 200,
        }
        for url, status in urls.items():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, status)
                self.assert_security_headers(response)
                close_file(response)

    def test_public_pages_allow_no_inline_style(self):
        """Public pages have no inline style or script, so the policy allows none."""
        policy = self.assert_security_headers(self.client.get("/"))
        directives = [d.strip() for d in policy.split(";")]
        self.assertIn("style-src 'self'", directives)

    def test_admin_may_use_inline_styles_not_scripts(self):
        """The admin's inline styles are allowed; its import map runs by nonce only."""
        self.client.force_login(self.staff)
        from tests.factories import make_draft

        draft = make_draft()
        response = self.client.get(
            reverse("admin:summaries_summaryversion_change", args=[draft.pk])
        )
        policy = self.assert_security_headers(response)
        self.assertIn("'unsafe-inline'", policy.split("style-src")[1].split(";")[0])
        nonce = policy.split("'nonce-")[1].split("'")[0]
        self.assertContains(response, f'<script type="importmap" nonce="{nonce}">')

    @override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_SSL_REDIRECT=False)
    def test_hsts_over_https_only(self):
        """Strict-Transport-Security is sent on HTTPS responses, not on plain HTTP."""
        self.assertIn(
            "max-age=31536000", self.client.get("/", secure=True)["Strict-Transport-Security"]
        )
        self.assertNotIn("Strict-Transport-Security", self.client.get("/"))


class LoginThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user("editor")
        make_user("reviewer")

    def login(self, username, password, **headers):
        return self.client.post(
            reverse("admin:login"),
            {"username": username, "password": password, "next": reverse("admin:index")},
            headers=headers,
        )

    def test_lockout_after_five_failures(self):
        """Five wrong passwords lock the username out from that address, even with the
        right password; another user from the same address can still sign in."""
        for _ in range(4):
            self.assertEqual(self.login("editor", "wrong").status_code, 200)
        response = self.login("editor", "wrong")
        self.assertContains(response, "Too many sign-in attempts", status_code=429)
        response = self.login("editor", PASSWORD)
        self.assertContains(response, "Try again in 15 minutes", status_code=429)
        self.assertEqual(self.login("reviewer", PASSWORD).status_code, 302)

    def test_forwarded_for_is_ignored_without_a_trusted_proxy(self):
        """A client cannot dodge the lockout by inventing X-Forwarded-For addresses."""
        for n in range(5):
            self.login("editor", "wrong", x_forwarded_for=f"198.51.100.{n}")
        response = self.login("editor", PASSWORD, x_forwarded_for="198.51.100.99")
        self.assertEqual(response.status_code, 429)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_proxy_each_client_is_counted_apart(self):
        """Behind the proxy, the address the proxy appended is the client's."""
        for _ in range(5):
            self.login("editor", "wrong", x_forwarded_for="203.0.113.7")
        self.assertEqual(
            self.login("editor", PASSWORD, x_forwarded_for="203.0.113.7").status_code, 429
        )
        self.assertEqual(
            self.login("editor", PASSWORD, x_forwarded_for="203.0.113.8").status_code, 302
        )


class ClientIpTests(SimpleTestCase):
    def request(self, forwarded):
        return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    def test_no_proxy(self):
        """Without trusted proxies X-Forwarded-For is ignored."""
        with self.settings(TRUSTED_PROXY_COUNT=0):
            self.assertEqual(client_ip(self.request("1.2.3.4")), "10.0.0.2")

    def test_forged_entries_are_skipped(self):
        """Entries left of those the trusted proxies wrote are the client's own invention."""
        with self.settings(TRUSTED_PROXY_COUNT=1):
            self.assertEqual(client_ip(self.request("6.6.6.6, 1.2.3.4")), "1.2.3.4")
        with self.settings(TRUSTED_PROXY_COUNT=2):
            self.assertEqual(client_ip(self.request("6.6.6.6, 1.2.3.4, 10.0.0.9")), "1.2.3.4")
            self.assertEqual(client_ip(self.request("")), "10.0.0.2")


def database_down():
    return mock.patch.object(
        connection, "ensure_connection", side_effect=OperationalError("connection refused")
    )


class UnavailableTests(TestCase):
    @override_settings(MAINTENANCE_MODE=True, RETRY_AFTER_SECONDS=120)
    def test_maintenance_mode(self):
        """In maintenance every page answers 503 with Retry-After; the health check works."""
        for url in ["/", "/toolkit/", reverse("admin:login")]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "the service is unavailable", status_code=503)
                self.assertEqual(response["Retry-After"], "120")
        self.assertEqual(self.client.get("/healthz").status_code, 200)

    def test_database_down_gives_the_503_page(self):
        """With the database unreachable a public page is the 503 page, not a 500."""
        # Any query would raise: the page is made without one.
        with database_down(), self.assertLogs("toolkit.middleware", "ERROR"):
            response = self.client.get("/toolkit/")
        self.assertContains(response, "the service is unavailable", status_code=503)
        self.assertIn("Retry-After", response)
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_not_found_needs_no_database(self):
        """The 404 page renders with the database unreachable."""
        with database_down():
            response = self.client.get("/no-such-page/")
        self.assertContains(response, "Page not found", status_code=404)


class JsonLogTests(SimpleTestCase):
    def test_one_json_object_a_line(self):
        """A log record becomes one line of JSON with time, level, logger and message."""
        record = logging.LogRecord("summaries", logging.WARNING, "", 1, "Hello %s", ("you",), None)
        entry = json.loads(JsonFormatter().format(record))
        self.assertEqual(entry["level"], "WARNING")
        self.assertEqual(entry["logger"], "summaries")
        self.assertEqual(entry["message"], "Hello you")
        self.assertIn("T", entry["time"])

    def test_access_log_fields(self):
        """gunicorn's access log lines carry method, path, status and duration as fields."""
        atoms = {"h": "10.0.0.1", "m": "GET", "U": "/toolkit/", "q": "q=cbt", "s": "200"}
        atoms |= {"B": 1234, "M": 12, "f": "-", "a": "curl"}
        record = logging.LogRecord(
            "gunicorn.access", logging.INFO, "", 1, "%(m)s %(U)s", None, None
        )
        record.args = atoms
        entry = json.loads(JsonFormatter().format(record))
        self.assertEqual(
            (entry["method"], entry["path"], entry["status"], entry["duration_ms"]),
            ("GET", "/toolkit/", "200", 12),
        )
        self.assertEqual(entry["message"], "GET /toolkit/")


class TooManyParametersTests(TestCase):
    """More query parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) is a bad request."""

    def get_with_many_parameters(self, url):
        query = "&".join(f"p{n}=1" for n in range(1_001))
        client = self.client_class(raise_request_exception=False)
        return client.get(f"{url}?{query}")

    def test_bad_request_with_debug_off(self):
        """With DEBUG off, a public page and the admin answer 400 with a clear message."""
        for url in ["/toolkit/", "/", reverse("admin:login")]:
            with self.subTest(url=url):
                response = self.get_with_many_parameters(url)
                self.assertContains(response, "Too many parameters", status_code=400)

    @override_settings(DEBUG=True)
    def test_bad_request_with_debug_on(self):
        """With DEBUG on the answer is the same 400, not a 500 from the debug page."""
        for url in ["/toolkit/", "/", reverse("admin:login")]:
            with self.subTest(url=url):
                response = self.get_with_many_parameters(url)
                self.assertContains(response, "Too many parameters", status_code=400)

    def test_unknown_host(self):
        """A host name not in ALLOWED_HOSTS: a plain 400, not a 500 from the page in the
        site's style (which makes absolute links from the host name)."""
        client = self.client_class(raise_request_exception=False, HTTP_HOST="elsewhere.example")
        for url in ["/", "/toolkit/", "/healthz", "/readyz", reverse("admin:login")]:
            with self.subTest(url=url):
                with self.assertLogs("django.security.DisallowedHost", "ERROR"):
                    response = client.get(url)
                self.assertContains(response, "does not serve that host name", status_code=400)

    def test_a_thousand_parameters_are_fine(self):
        """Up to the limit a page answers normally (unknown parameters are ignored)."""
        query = "&".join(f"p{n}=1" for n in range(1_000))
        self.assertEqual(self.client.get(f"/toolkit/?{query}").status_code, 200)


@override_settings(SIGNIN_USERNAME_FAILURE_LIMIT=10, SIGNIN_USERNAME_WINDOW_MINUTES=15)
class UsernameThrottlingTests(TestCase):
    """Wrong passwords for one username from many addresses are capped all together."""

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user("editor")
        make_user("reviewer")

    def login(self, username, password, address):
        return self.client.post(
            reverse("admin:login"),
            {"username": username, "password": password, "next": reverse("admin:index")},
            REMOTE_ADDR=address,
        )

    def guess_from_many_addresses(self, count, username="editor"):
        for n in range(count):
            # One guess per address: the per-address lockout never starts.
            self.assertEqual(self.login(username, "wrong", f"198.51.100.{n}").status_code, 200)

    def test_spreading_guesses_over_addresses_is_throttled(self):
        """After ten wrong passwords from ten addresses, the next try from yet another
        address is refused with a clear message, whether the password is right or not."""
        # The clock stands still (as below): guesses on either side of a minute's turn
        # would fall in two buckets, and the pause would end a minute earlier (14 minutes).
        clock = mock.patch("toolkit.signin.now", return_value=(time.time() // 60) * 60 + 1)
        clock.start()
        self.addCleanup(clock.stop)
        self.guess_from_many_addresses(10)
        for password in ("wrong", PASSWORD):
            with self.subTest(password=password):
                response = self.login("editor", password, "203.0.113.50")
                self.assertContains(
                    response, "Too many sign-in attempts for this username", status_code=429
                )
                self.assertContains(response, "Try again in 15 minutes", status_code=429)
                self.assertIn("Retry-After", response)
                self.assertNotIn("_auth_user_id", self.client.session)

    def test_refused_tries_do_not_prolong_the_pause(self):
        """Tries refused while paused are not counted, so the pause ends on time."""
        self.guess_from_many_addresses(10)
        for n in range(20):
            self.login("editor", "wrong", f"192.0.2.{n}")
        with mock.patch("toolkit.signin.now", return_value=time.time() + 16 * 60):
            self.assertEqual(self.login("editor", PASSWORD, "203.0.113.50").status_code, 302)

    def test_the_right_password_works_once_the_window_has_passed(self):
        """The cap slows guessing but locks nobody out: after the window, the real user
        signs in."""
        # The clock stands still while guessing: guesses on either side of a minute's
        # turn would fall in two of the cap's one-minute buckets, and the pause would end
        # a minute earlier than this test says.
        start = (time.time() // 60) * 60 + 1
        with mock.patch("toolkit.signin.now", return_value=start):
            self.guess_from_many_addresses(10)
            self.assertEqual(self.login("editor", PASSWORD, "203.0.113.50").status_code, 429)
        with mock.patch("toolkit.signin.now", return_value=start + 5 * 60):
            response = self.login("editor", PASSWORD, "203.0.113.50")
            self.assertContains(response, "Try again in 10 minutes", status_code=429)
        with mock.patch("toolkit.signin.now", return_value=start + 16 * 60):
            self.assertEqual(self.login("editor", PASSWORD, "203.0.113.50").status_code, 302)

    def test_other_usernames_are_unaffected(self):
        """While one username is paused, others sign in from the same addresses."""
        self.guess_from_many_addresses(10)
        self.assertEqual(self.login("editor", "wrong", "198.51.100.3").status_code, 429)
        self.assertEqual(self.login("reviewer", PASSWORD, "198.51.100.3").status_code, 302)

    def test_fewer_failures_than_the_cap_change_nothing(self):
        """Nine wrong passwords spread over addresses leave the right one working."""
        self.guess_from_many_addresses(9)
        self.assertEqual(self.login("editor", PASSWORD, "203.0.113.50").status_code, 302)


class GunicornConfigTests(SimpleTestCase):
    def test_the_config_loads_without_django_settings_module(self):
        """gunicorn's config and the logging it takes from the settings load in an
        environment that names no settings module, as ``make serve`` and
        ``deploy/start.sh`` give it: the config names it itself."""
        env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(PRODUCTION_ENV, DEBUG="0", LOG_FORMAT="json", SECRET_KEY="k" * 60)
        code = (
            "import logging.config, runpy; "
            "config = runpy.run_path('gunicorn.conf.py'); "
            "logging.config.dictConfig(config['logconfig_dict'])"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
