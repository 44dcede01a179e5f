"""The broken-link task (summaries/editorial/checks/links.py) against a local HTTP server
started in the test: status, 404, timeout, a refused connection, redirects, the bound on
links, and the rule that keeps editors' links off private and loopback addresses.
Nothing leaves the machine."""

import http.server
import socket
import threading

from django.test import TestCase, override_settings

from summaries.editorial.checks import links
from summaries.models import ExternalLink, LinkCheck
from tests.factories import make_draft


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.server.paths.append(self.path)
        if self.path == "/slow":
            self.server.release.wait(5)
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        self.send_response(200 if self.path in {"/ok", "/slow"} else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass  # quiet test output


class LocalServerTestCase(TestCase):
    def setUp(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.paths = []
        self.server.release = threading.Event()
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.addCleanup(self.server.release.set)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def version_linking(self, *paths):
        version = make_draft()
        for n, path in enumerate(paths):
            ExternalLink.objects.create(
                version=version, position=n, title=f"Page {n}", url=f"{self.base}{path}"
            )
        return version


@override_settings(LINK_CHECK_ALLOWED_NETWORKS=["127.0.0.1/32"], LINK_CHECK_TIMEOUT_SECONDS=1)
class LinkTaskTests(LocalServerTestCase):
    def test_statuses_are_stored_with_the_date(self):
        """A page that answers 200, one that answers 404 and a redirect to a page that
        answers are stored with their status and when they were checked."""
        version = self.version_linking("/ok", "/missing", "/old")
        result = links.check_version_links.call(version.pk)
        self.assertEqual(result, "3 link(s) checked, 1 broken")
        found = {c.url.removeprefix(self.base): c for c in LinkCheck.objects.all()}
        self.assertEqual(found["/ok"].status, 200)
        self.assertEqual(found["/missing"].status, 404)
        self.assertTrue(found["/missing"].is_broken)
        self.assertEqual(found["/old"].status, 200)
        self.assertIsNotNone(found["/ok"].checked_at)

    def test_timeout_is_an_error(self):
        """A page that does not answer within the timeout is stored as unreachable."""
        check = links.check_url(f"{self.base}/slow")
        self.assertIsNone(check.status)
        self.assertEqual(check.error, "no answer within 1 seconds")

    def test_refused_connection_is_an_error(self):
        """An address where nothing listens is stored as refused."""
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            port = free.getsockname()[1]
        check = links.check_url(f"http://127.0.0.1:{port}/")
        self.assertEqual(check.error, "the connection was refused")

    @override_settings(LINK_CHECK_MAX_LINKS=2)
    def test_number_of_links_is_bounded(self):
        """No more than LINK_CHECK_MAX_LINKS addresses are requested for one version."""
        version = self.version_linking("/ok", "/a", "/b")
        links.check_version_links.call(version.pk)
        self.assertEqual(len(self.server.paths), 2)

    def test_recent_checks_are_not_repeated(self):
        """An address checked a moment ago is not requested again."""
        version = self.version_linking("/ok")
        links.check_version_links.call(version.pk)
        links.check_version_links.call(version.pk)
        self.assertEqual(self.server.paths, ["/ok"])


class LinkAddressRuleTests(LocalServerTestCase):
    def test_loopback_address_is_refused(self):
        """By default (no allowed networks) an address on the loopback network is not
        requested at all."""
        check = links.check_url(f"{self.base}/ok")
        self.assertEqual(check.error, "not a public address (private, loopback or reserved)")
        self.assertEqual(self.server.paths, [])

    def test_private_and_other_schemes_are_refused(self):
        """Private-network and link-local addresses and schemes other than http(s) are
        refused without a request."""
        for url in [
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
        ]:
            with self.subTest(url):
                with self.assertRaisesMessage(links.Unreachable, "not a public address"):
                    links.fetch_status(url)
        with self.assertRaisesMessage(links.Unreachable, "not an http or https address"):
            links.fetch_status("file:///etc/passwd")

    @override_settings(LINK_CHECK_ALLOWED_NETWORKS=["127.0.0.1/32"])
    def test_redirects_are_held_to_the_same_rules(self):
        """A redirect is followed only to http or https, and only to an allowed address:
        from the allowed 127.0.0.1 to 127.0.0.2 (loopback too, not allowed) is refused."""
        self.server.RequestHandlerClass = _redirect_to("file:///etc/passwd")
        self.assertEqual(links.check_url(f"{self.base}/").error, "not an http or https address")
        port = self.server.server_address[1]
        self.server.RequestHandlerClass = _redirect_to(f"http://127.0.0.2:{port}/ok")
        self.assertEqual(
            links.check_url(f"{self.base}/").error,
            "not a public address (private, loopback or reserved)",
        )


def _redirect_to(location):
    class Redirect(_Handler):
        def do_GET(self):  # noqa: N802
            self.server.paths.append(self.path)
            self.send_response(302)
            self.send_header("Location", location)
            self.end_headers()

    return Redirect
