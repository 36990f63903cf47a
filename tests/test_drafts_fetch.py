"""Fetching an article's link safely, against a local news site on 127.0.0.1.

The site is reached through a Fetcher that allows 127.0.0.1, as the application's tests build
it; the refusal of private addresses is tested with the Fetcher the application uses, without
that allowance. No test reaches a host outside this machine.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from pages_support import LOCAL, NewsSite, local_fetcher, running_site, serve_news_site

from bot.core.drafts.article import article_from_html
from bot.core.drafts.fetch import Fetcher, FetchError, IPAddress, is_public

news_site = pytest.fixture(serve_news_site)


def failure(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    message = str(caught.value)
    assert message.endswith(".") and message.count(". ") == 0, message  # one sentence
    return caught.value


def test_an_article_page_is_fetched_and_read(news_site: NewsSite) -> None:
    page = local_fetcher().fetch(news_site.url("/news/bayramov_darchiashvili"))
    assert page.media_type == "text/html" and page.charset == "utf-8"
    article = article_from_html(page.body, page.url)
    assert article.title == "Bayramov and Darchiashvili discuss transport links in Baku"
    assert article.url == news_site.url("/news/bayramov_darchiashvili")


def test_redirects_are_followed_and_the_final_link_kept(news_site: NewsSite) -> None:
    page = local_fetcher().fetch(news_site.url("/to/to/news/bayramov_darchiashvili"))
    assert page.url == news_site.url("/news/bayramov_darchiashvili")
    assert news_site.requests == [
        "/to/to/news/bayramov_darchiashvili",
        "/to/news/bayramov_darchiashvili",
        "/news/bayramov_darchiashvili",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/admin",
        "http://10.0.0.5/",
        "https://192.168.1.1/router",
        "http://172.16.3.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "http://2130706433/",  # 127.0.0.1 written as one number
    ],
)
def test_private_and_local_addresses_are_refused(url: str) -> None:
    error = failure(Fetcher(), url)
    assert error.kind == "private"
    assert "private or local address" in str(error)


def test_a_name_resolving_to_a_private_address_is_refused_without_connecting() -> None:
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[IPAddress]:
        asked.append(host)
        return [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.7")]

    error = failure(Fetcher(resolver=resolver), "https://news.example/article")
    assert error.kind == "private" and asked == ["news.example"]


def test_the_connection_goes_to_the_checked_address_not_a_new_lookup(
    news_site: NewsSite,
) -> None:
    # The name is resolved once; the fetch connects to that answer (no second lookup that a
    # rebinding name server could point elsewhere) and sends the name as the Host.
    answers: list[str] = []

    def resolver(host: str, port: int) -> list[IPAddress]:
        answers.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    port = news_site.base.rsplit(":", 1)[1]
    fetcher = Fetcher(resolver=resolver, allow=(ipaddress.ip_network("127.0.0.1/32"),))
    page = fetcher.fetch(f"http://news.example:{port}/news/bayramov_darchiashvili")
    assert answers == ["news.example"]
    assert b"Darchiashvili" in page.body


def test_a_redirect_to_a_private_address_is_refused(news_site: NewsSite) -> None:
    error = failure(local_fetcher(), news_site.url("/to-private"))
    assert error.kind == "private" and "10.1.2.3" in str(error)


def test_endless_redirects_stop(news_site: NewsSite) -> None:
    error = failure(local_fetcher(), news_site.url("/loop"))
    assert error.kind == "redirects"
    assert len(news_site.requests) == 6  # the link and five redirects


def test_a_50_mb_page_is_read_only_up_to_the_limit(news_site: NewsSite) -> None:
    error = failure(local_fetcher(), news_site.url("/big"))
    assert error.kind == "too_large" and "larger than the 5 MB that are read" in str(error)
    # The server could write what the socket buffers took, not the 50 MB.
    assert news_site.big_bytes_sent < 20 * 1024 * 1024


def test_a_page_declaring_50_mb_is_refused_before_reading(news_site: NewsSite) -> None:
    error = failure(local_fetcher(), news_site.url("/big-declared"))
    assert error.kind == "too_large" and "(50 MB;" in str(error)


def test_a_pdf_is_not_a_web_page(news_site: NewsSite) -> None:
    error = failure(local_fetcher(), news_site.url("/report.pdf"))
    assert error.kind == "not_html" and "PDF" in str(error)


def test_a_page_that_never_finishes_times_out(news_site: NewsSite) -> None:
    error = failure(local_fetcher(total_timeout=0.5), news_site.url("/slow"))
    assert error.kind == "timeout" and "0.5 seconds" in str(error)


def test_a_missing_page_names_the_status(news_site: NewsSite) -> None:
    error = failure(local_fetcher(), news_site.url("/news/nothing-here"))
    assert error.kind == "http_status" and "404" in str(error)


def test_a_closed_port_is_unreachable(news_site: NewsSite) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = failure(local_fetcher(), f"http://127.0.0.1:{port}/news")
    assert error.kind == "unreachable" and "refused" in str(error)


def test_no_internet_is_said_so() -> None:
    def offline(host: str, port: int) -> list[IPAddress]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    error = failure(Fetcher(resolver=offline), "https://news.example/a")
    assert error.kind == "offline" and "no internet connection" in str(error)


def test_an_unknown_site_is_said_so() -> None:
    def nowhere(host: str, port: int) -> list[IPAddress]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    error = failure(Fetcher(resolver=nowhere), "https://no-such-site.example/a")
    assert error.kind == "unreachable" and "no website at no-such-site.example" in str(error)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://news.example/a", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("javascript:alert(1)", "Only http:// and https://"),
        ("https://", "names no website"),
        ("https://user:secret@news.example/", "user name or password"),
        ("http://news.example:99999/", "not a valid web link"),
    ],
)
def test_links_that_are_not_fetched(url: str, says: str) -> None:
    error = failure(Fetcher(), url)
    assert error.kind == "bad_link" and says in str(error)


def test_public_addresses() -> None:
    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))
    assert not is_public(ipaddress.ip_address("::ffff:10.0.0.1"))


def test_https_checks_the_certificate_against_the_name_at_the_pinned_address(
    tmp_path: Path,
) -> None:
    # A certificate for news.example only; the names resolve (once) to 127.0.0.1.
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=news.example",
         "-addext", "subjectAltName=DNS:news.example"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))

    def resolver(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.1")]

    fetcher = Fetcher(resolver=resolver, allow=LOCAL, ssl_context=trusting)
    with running_site(tls=server) as site:
        port = site.base.rsplit(":", 1)[1]
        page = fetcher.fetch(f"https://news.example:{port}/news/bayramov_darchiashvili")
        assert b"Darchiashvili" in page.body
        error = failure(fetcher, f"https://other.example:{port}/news/bayramov_darchiashvili")
    assert error.kind == "unreachable" and "certificate" in str(error)
