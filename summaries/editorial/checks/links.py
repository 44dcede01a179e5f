"""Checking a version's external links, in the background.

``check_version_links`` (a task, queued by ``queue_link_check`` after each save of a
draft) requests each address the version links to, at most ``LINK_CHECK_MAX_LINKS`` of
them, and stores what it found in ``LinkCheck`` (status or error, and when); the
"broken-links" check reads those rows. An address checked within
``LINK_CHECK_FRESH_MINUTES`` is not requested again.

An editor chooses these addresses, and the server requests them: so only http and https,
each request with a timeout (``LINK_CHECK_TIMEOUT_SECONDS``), redirects followed by hand
(at most ``LINK_CHECK_MAX_REDIRECTS``), and every address the name resolves to checked
before connecting, at every hop: one on a private, loopback, link-local or reserved
network is refused (unless in ``LINK_CHECK_ALLOWED_NETWORKS``, as the tests' own
server is), and the
connection goes to the address that was checked, so a name that resolves differently the
second time cannot slip past.
"""

import http.client
import ipaddress
import socket
import ssl
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone

from summaries.models import LinkCheck, SummaryVersion
from summaries.tasks import background_task, enqueue

from .draft import Draft

USER_AGENT = "EvidenceToolkitLinkCheck/1.0 (checks the links of summaries)"


class Unreachable(Exception):
    """The address could not be checked; the message says why, in words."""


def _public_address(host: str, port: int) -> tuple[str, int]:
    """An address ``host`` resolves to, refused unless every one it resolves to is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unreachable("the name does not resolve") from error
    if not infos:
        raise Unreachable("the name does not resolve")
    allowed = [ipaddress.ip_network(network) for network in settings.LINK_CHECK_ALLOWED_NETWORKS]
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (not address.is_global or address.is_multicast) and not any(
            address in network for network in allowed
        ):
            raise Unreachable("not a public address (private, loopback or reserved)")
    return str(infos[0][4][0]), port


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address already checked, whatever the name resolves to now."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self):
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.pinned_address = address

    def connect(self):
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def fetch_status(url: str) -> int:
    """The HTTP status ``url`` answers with after its redirects; ``Unreachable`` if none."""
    timeout = settings.LINK_CHECK_TIMEOUT_SECONDS
    for _ in range(settings.LINK_CHECK_MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise Unreachable("not an http or https address")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:
            raise Unreachable("not a valid port") from error
        address, port = _public_address(parts.hostname, port)
        kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = kind(parts.hostname, port, address=address, timeout=timeout)
        path = parts.path or "/"
        if parts.query:
            path += f"?{parts.query}"
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            response = connection.getresponse()
            status, location = response.status, response.getheader("Location")
        except TimeoutError as error:
            raise Unreachable(f"no answer within {timeout} seconds") from error
        except ConnectionRefusedError as error:
            raise Unreachable("the connection was refused") from error
        except ssl.SSLError as error:
            raise Unreachable("its secure connection failed (certificate or TLS)") from error
        except (OSError, http.client.HTTPException) as error:
            raise Unreachable(f"the connection failed ({type(error).__name__})") from error
        finally:
            connection.close()
        if status in {301, 302, 303, 307, 308} and location:
            url = urljoin(url, location)
            continue
        return status
    raise Unreachable(f"more than {settings.LINK_CHECK_MAX_REDIRECTS} redirects")


def check_url(url: str) -> LinkCheck:
    """Request ``url`` now and store what it answered."""
    status, error = None, ""
    try:
        status = fetch_status(url)
    except Unreachable as problem:
        error = str(problem)[:300]
    if status is not None and not 100 <= status <= 599:
        status, error = None, f"an invalid HTTP status ({status})"
    check, _ = LinkCheck.objects.update_or_create(
        url=url, defaults={"status": status, "error": error, "checked_at": timezone.now()}
    )
    return check


@background_task(attempts=1)
def check_version_links(version_id: int) -> str:
    """Check the external links of one version (not those checked a moment ago)."""
    version = SummaryVersion.objects.filter(pk=version_id).first()
    if version is None:
        return "version gone"
    urls = Draft.of_version(version).urls()[: settings.LINK_CHECK_MAX_LINKS]
    fresh_since = timezone.now() - timedelta(minutes=settings.LINK_CHECK_FRESH_MINUTES)
    fresh = set(
        LinkCheck.objects.filter(url__in=urls, checked_at__gte=fresh_since).values_list(
            "url", flat=True
        )
    )
    checked = [check_url(url) for url in urls if url not in fresh]
    broken = sum(1 for check in checked if check.is_broken)
    return f"{len(checked)} link(s) checked, {broken} broken"


def queue_link_check(version: SummaryVersion) -> None:
    """Check the version's links once the current transaction commits (if
    ``LINK_CHECK_ENABLED``: the test settings turn it off, so that no test's save sends
    a request anywhere; the link tests call the task themselves)."""
    if settings.LINK_CHECK_ENABLED:
        enqueue(check_version_links, version.pk)


def last_checked(draft: Draft) -> "datetime | None":
    """When the draft's links were last checked (the oldest of their checks), or None."""
    urls = draft.urls()
    if not urls:
        return None
    times = list(LinkCheck.objects.filter(url__in=urls).values_list("checked_at", flat=True))
    return min(times) if len(times) == len(urls) else None
