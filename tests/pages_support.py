"""A local news site on 127.0.0.1 for the fetcher tests, and the Fetcher that may reach it.

Routes: /news/<name> serves tests/data/pages/<name>.html; /big streams 50 MB of HTML (no
Content-Length, so only the reader's own count can stop it) and /big-declared says 50 MB in
its header; /report.pdf is a PDF; /slow sends headers then nothing until the test ends;
/to/<path> redirects to /<path>; /to-private redirects to a private address; /loop redirects
to itself. The server counts the bytes it wrote for /big, so a test can see that the reader
hung up early.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.core.drafts.fetch import Fetcher

PAGES = Path(__file__).parent / "data" / "pages"
BIG = 50 * 1024 * 1024
LOCAL = (ipaddress.ip_network("127.0.0.1/32"),)


@dataclass
class NewsSite:
    """The running site: its base link, and what the handlers saw."""

    base: str
    big_bytes_sent: int = 0
    requests: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def local_fetcher(**options: float) -> Fetcher:
    """The Fetcher a test builds: the usual rules, plus 127.0.0.1 (its own server) allowed."""
    return Fetcher(allow=LOCAL, **options)  # type: ignore[arg-type]


def _handler(site: NewsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            site.requests.append(self.path)
            path = self.path
            if path.startswith("/news/"):
                page = PAGES / f"{path.removeprefix('/news/')}.html"
                if page.is_file():
                    self._send(200, "text/html; charset=utf-8", page.read_bytes())
                else:
                    self._send(404, "text/html", b"<html><body>Not found</body></html>")
            elif path == "/big":
                self._stream_big(declare=False)
            elif path == "/big-declared":
                self._stream_big(declare=True)
            elif path == "/report.pdf":
                self._send(200, "application/pdf", b"%PDF-1.4\n% not really a report\n")
            elif path == "/slow":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html><body><p>Loading")
                self.wfile.flush()
                site.stop.wait(30)
            elif path.startswith("/to/"):
                self._redirect("/" + path.removeprefix("/to/"))
            elif path == "/to-private":
                self._redirect("http://10.1.2.3/internal/admin")
            elif path == "/loop":
                self._redirect("/loop")
            else:
                self._send(404, "text/plain", b"no such page")

        def _send(self, status: int, media_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _stream_big(self, *, declare: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            if declare:
                self.send_header("Content-Length", str(BIG))
            self.end_headers()
            chunk = b"<p>" + b"filler words in a very long page " * 2000 + b"</p>\n"
            try:
                while site.big_bytes_sent < BIG and not site.stop.is_set():
                    self.wfile.write(chunk)
                    site.big_bytes_sent += len(chunk)
            except OSError:
                pass  # the reader hung up, as it should

    return Handler


def serve_news_site() -> Iterator[NewsSite]:
    """The site for one test; a test module makes it a fixture: pytest.fixture(serve_news_site)."""
    with running_site() as site:
        yield site


@contextmanager
def running_site(tls: ssl.SSLContext | None = None) -> Iterator[NewsSite]:
    """The site on a free port of 127.0.0.1, over HTTPS with tls (a server context) if given."""
    site = NewsSite(base="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    site.base = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
