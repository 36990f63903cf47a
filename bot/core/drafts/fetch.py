"""Fetch a news page safely: public addresses only, time and size limits, one sentence a failure.

A link an admin sends is fetched by the server, so it must not reach what only the server can
reach (server-side request forgery): the host is resolved once, every address it resolves to
must be public (not private, loopback, link-local, multicast, reserved or unspecified), and
the connection goes to that checked address, so a name cannot resolve to a public address for
the check and a private one for the connection (DNS rebinding). Redirects are followed by hand,
each under the same rules. The body is read in chunks and dropped past MAX_BYTES; the whole
fetch has one deadline. Only web pages (HTML) and plain text are accepted.

Tests reach their server on 127.0.0.1 through `Fetcher(allow=...)`, a parameter of the object
the application builds, never a setting a deployment could leave on.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

import bot

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the addresses it resolves to; raises OSError (socket.gaierror) when it cannot.
Resolver = Callable[[str, int], Sequence[IPAddress]]

MAX_BYTES = 5 * 1024 * 1024
CHUNK = 64 * 1024
ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = f"meetbot/{bot.__version__} (drafts a meeting record from a news article)"


class FetchError(Exception):
    """A link that could not be fetched; the message is one sentence for the user.

    kind names the failure for callers and tests: bad_link, private, offline, unreachable,
    timeout, http_status, redirects, too_large, not_html.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page: the final link (after redirects), its media type and charset, the bytes."""

    url: str
    media_type: str
    charset: str | None
    body: bytes

    @property
    def is_html(self) -> bool:
        return self.media_type != "text/plain"

    def text(self) -> str:
        """The body as text, in its declared charset (UTF-8 when none or an unknown one)."""
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses the system's resolver gives for host (TCP), in its order, without repeats."""
    found: list[IPAddress] = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet (IPv4-mapped IPv6 judged as its IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


@dataclass(slots=True)
class Fetcher:
    """Fetches links under the rules above; one per application, shared by every request.

    allow: networks accepted although not public. Only tests pass it (127.0.0.1 for their own
    server); the application builds its Fetcher without it.
    """

    resolver: Resolver = system_resolver
    allow: tuple[IPNetwork, ...] = ()
    connect_timeout: float = 5.0
    total_timeout: float = 15.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = 5
    ssl_context: ssl.SSLContext = field(default_factory=ssl.create_default_context)

    def fetch(self, url: str) -> Page:
        """The page at url, following up to max_redirects redirects; FetchError otherwise."""
        deadline = time.monotonic() + self.total_timeout
        current = url.strip()
        for _hop in range(self.max_redirects + 1):
            target = _Target.parse(current)
            address = self._checked_address(target)
            location = self._get(target, address, deadline)
            if isinstance(location, Page):
                return location
            current = urljoin(current, location)
        raise FetchError(
            "redirects", f"The link redirects more than {self.max_redirects} times; not followed."
        )

    # --- one hop -------------------------------------------------------------------------------

    def _checked_address(self, target: _Target) -> IPAddress:
        """The one address to connect to: every address of the host must be allowed."""
        try:
            addresses = [ipaddress.ip_address(target.host)]
        except ValueError:
            addresses = self._resolve(target)
        refused = [a for a in addresses if not self._allowed(a)]
        if refused or not addresses:
            raise FetchError(
                "private",
                f"The link points to a private or local address ({target.host}); only public"
                " web pages are fetched.",
            )
        return addresses[0]

    def _resolve(self, target: _Target) -> list[IPAddress]:
        try:
            return list(self.resolver(target.host, target.port))
        except socket.gaierror as exc:
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
                raise FetchError(
                    "unreachable",
                    f"There is no website at {target.host} (or this server cannot look names"
                    " up); check the link.",
                ) from None
            raise _offline(target.host) from None
        except (OSError, UnicodeError):
            raise _offline(target.host) from None

    def _allowed(self, address: IPAddress) -> bool:
        return is_public(address) or any(address in net for net in self.allow)

    def _get(self, target: _Target, address: IPAddress, deadline: float) -> Page | str:
        """GET one URL at address: a Page, or the Location of a redirect."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._timeout()
        conn = _connection(target, address, self.ssl_context, self.connect_timeout)
        # The deadline covers everything: at it, the socket is shut and any read ends.
        expired = threading.Event()
        watchdog = threading.Timer(remaining, _shut, args=(conn, expired))
        watchdog.daemon = True
        watchdog.start()
        try:
            result = self._exchange(conn, target)
        except FetchError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set():
                raise self._timeout() from None
            raise _connection_failed(target.host, exc) from None
        finally:
            watchdog.cancel()
            conn.close()
        if expired.is_set():  # a read cut short by the watchdog ends like the end of the body
            raise self._timeout()
        return result

    def _exchange(self, conn: _Pinned, target: _Target) -> Page | str:
        conn.request(
            "GET",
            target.path,
            headers={
                "Host": target.host_header,
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
                "Accept-Encoding": "identity",
                "Connection": "close",
            },
        )
        response = conn.getresponse()
        try:
            return self._answer(response, target)
        finally:
            response.close()  # the response holds the socket once the connection hands it over

    def _answer(self, response: http.client.HTTPResponse, target: _Target) -> Page | str:
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location")
            if not location:
                raise FetchError("http_status", "The site redirected the link to nowhere.")
            return location
        if response.status >= 400 or response.status < 200:
            reason = f" ({response.reason})" if response.reason else ""
            raise FetchError(
                "http_status",
                f"The site answered {response.status}{reason} instead of the page.",
            )
        media_type, charset = _content_type(response.getheader("Content-Type"))
        if media_type not in ACCEPTED_TYPES:
            raise _not_html(media_type)
        self._check_length(response.getheader("Content-Length"))
        body = self._read_body(response)
        return Page(url=target.url, media_type=media_type, charset=charset, body=body)

    def _check_length(self, value: str | None) -> None:
        try:
            declared = int(value) if value is not None else None
        except ValueError:
            declared = None
        if declared is not None and declared > self.max_bytes:
            raise self._too_large(f"{declared / 1_048_576:.0f} MB")

    def _read_body(self, response: http.client.HTTPResponse) -> bytes:
        parts: list[bytes] = []
        size = 0
        while chunk := response.read(CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large(None)
            parts.append(chunk)
        return b"".join(parts)

    def _too_large(self, size: str | None) -> FetchError:
        limit = f"{self.max_bytes / 1_048_576:g} MB"
        if size is None:  # found while reading: the server said no size, or a wrong one
            return FetchError(
                "too_large", f"The page is larger than the {limit} that are read; not fetched."
            )
        return FetchError(
            "too_large", f"The page is too large ({size}; at most {limit} are read); not fetched."
        )

    def _timeout(self) -> FetchError:
        return FetchError(
            "timeout",
            f"The site did not send the page within {self.total_timeout:g} seconds; try again"
            " later.",
        )


# --- helpers -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    """A link split into what the request needs."""

    url: str
    https: bool
    host: str
    port: int
    path: str
    host_header: str

    @classmethod
    def parse(cls, url: str) -> _Target:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FetchError("bad_link", "That is not a valid web link.") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError("bad_link", "Only http:// and https:// links can be fetched.")
        host = parts.hostname or ""
        if not host:
            raise FetchError("bad_link", "The link names no website.")
        if parts.username is not None or parts.password is not None:
            raise FetchError("bad_link", "Links with a user name or password are not fetched.")
        try:
            ascii_host = host.encode("idna").decode("ascii") if not _is_ip(host) else host
        except UnicodeError:
            raise FetchError("bad_link", "The link's website name is not valid.") from None
        https = parts.scheme.lower() == "https"
        port = port or (443 if https else 80)
        default_port = port == (443 if https else 80)
        shown = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(
            url=url.split("#", 1)[0],
            https=https,
            host=ascii_host,
            port=port,
            path=path,
            host_header=shown if default_port else f"{shown}:{port}",
        )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to one checked address, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self.raw_sock: socket.socket | None = None

    def connect(self) -> None:
        self.sock = self.raw_sock = socket.create_connection(
            (str(self._address), self.port), self.timeout
        )


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to one checked address; the certificate is checked against the host name."""

    def __init__(
        self, host: str, port: int, address: IPAddress, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._context = context
        self.raw_sock: socket.socket | None = None

    def connect(self) -> None:
        self.raw_sock = socket.create_connection((str(self._address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(self.raw_sock, server_hostname=self.host)


_Pinned = _PinnedHTTPConnection | _PinnedHTTPSConnection


def _connection(
    target: _Target, address: IPAddress, context: ssl.SSLContext, timeout: float
) -> _Pinned:
    if target.https:
        return _PinnedHTTPSConnection(target.host, target.port, address, timeout, context)
    return _PinnedHTTPConnection(target.host, target.port, address, timeout)


def _shut(conn: _Pinned, expired: threading.Event) -> None:
    """End a connection's reads from another thread (the deadline's watchdog)."""
    expired.set()
    sock = conn.raw_sock  # kept: http.client hands conn.sock to the response and forgets it
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _content_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "text/html", None  # a server that says nothing: let the reader judge the body
    message = Message()
    message["Content-Type"] = value
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def _not_html(media_type: str) -> FetchError:
    if media_type == "application/pdf":
        return FetchError(
            "not_html",
            "The link is a PDF document, not a web page; paste the article's text instead.",
        )
    return FetchError(
        "not_html", f"The link is not a web page ({media_type}); send a link to an article."
    )


def _offline(host: str) -> FetchError:
    return FetchError(
        "offline",
        f"Cannot reach {host}: this server seems to have no internet connection right now.",
    )


def _connection_failed(host: str, exc: BaseException) -> FetchError:
    if isinstance(exc, ssl.SSLError):
        return FetchError(
            "unreachable", f"The secure connection to {host} failed (a certificate problem)."
        )
    if isinstance(exc, TimeoutError):
        return FetchError("timeout", f"{host} did not answer in time; try again later.")
    if isinstance(exc, ConnectionRefusedError):
        return FetchError("unreachable", f"{host} refused the connection; check the link.")
    if isinstance(exc, OSError) and exc.errno in (101, 113):  # network / host unreachable
        return _offline(host)
    return FetchError("unreachable", f"The connection to {host} failed before the page came.")
