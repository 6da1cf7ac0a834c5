"""Remote images: public hosts only, checked after resolution and on every redirect, one deadline, a size cap.

Traffic goes to 127.0.0.1 and nowhere else. Private and link-local addresses are tested on
the address check itself, or named by a stub resolver and refused before any connection.
"""

import http.server
import threading
import time

import pytest

from reviewer.core.fetch import FetchError, address_refusal, fetch


class Server:
    """A loopback HTTP server whose answers a test sets; it records every request it sees."""

    def __init__(self):
        self.requests: list[str] = []
        self.routes: dict[str, object] = {}
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append(self.path)
                owner.routes.get(self.path, lambda h: h.send_error(404))(self)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def only_loopback_allowed(address: str) -> str:
    """The test's policy: 127.0.0.1 may be fetched (it is the test server); every other rule as shipped."""
    return "" if address == "127.0.0.1" else address_refusal(address)


def stub_resolver(table: dict):
    def resolve(host, port):
        if host not in table:
            raise OSError(-2, "Name or service not known")
        return table[host]

    return resolve


def send(body: bytes, status: int = 200, headers: dict | None = None):
    def answer(handler):
        handler.send_response(status)
        for key, value in (headers or {"Content-Length": str(len(body))}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    return answer


@pytest.mark.parametrize(
    ("address", "word"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("fd00::5", "private"),
        ("100.64.0.1", "not a public"),
        ("0.0.0.0", "private"),
        ("224.0.0.1", "not a public"),
        ("not-an-ip", "not an IP"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 around 127.0.0.1
        ("2002:a9fe:a9fe::", "link-local"),  # 6to4 around the metadata address
        ("2002:c0a8:0101::1", "private"),  # 6to4 around 192.168.1.1
        ("fec0::1", "site-local"),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"),  # Teredo, client 10.0.0.1
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 around 127.0.0.1
        ("64:ff9b:1::a9fe:a9fe", "link-local"),  # local-use NAT64
        ("::a9fe:a9fe", "link-local"),  # IPv4-compatible
    ],
)
def test_addresses_that_are_not_public_are_refused(address, word):
    assert word in address_refusal(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert address_refusal(address) == ""


def test_loopback_is_refused_and_the_server_sees_no_request(server):
    server.routes["/x.png"] = send(b"image")
    with pytest.raises(FetchError, match="loopback"):
        fetch(server.url("/x.png"))
    assert server.requests == []


def test_a_name_that_resolves_to_a_metadata_address_is_refused_before_connecting():
    resolver = stub_resolver({"metadata.test": ["169.254.169.254"]})
    with pytest.raises(FetchError, match="metadata.test is a link-local address"):
        fetch("http://metadata.test/latest/meta-data/", resolver=resolver)


def test_one_private_address_among_public_ones_refuses_the_host():
    resolver = stub_resolver({"mixed.test": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(FetchError, match="private"):
        fetch("https://mixed.test/a.png", resolver=resolver)


def test_a_redirect_to_a_private_address_is_refused(server):
    server.routes["/a.png"] = send(b"", 302, {"Location": "http://intranet.test/secret.png", "Content-Length": "0"})
    resolver = stub_resolver({"img.test": ["127.0.0.1"], "intranet.test": ["192.168.0.10"]})
    with pytest.raises(FetchError, match="intranet.test is a private network address"):
        fetch(server.url("/a.png", "img.test"), resolver=resolver, refusal=only_loopback_allowed)
    assert server.requests == ["/a.png"]


def test_redirects_are_followed_and_counted(server):
    server.routes["/a"] = send(b"", 301, {"Location": "/b", "Content-Length": "0"})
    server.routes["/b"] = send(b"the image")
    resolver = stub_resolver({"img.test": ["127.0.0.1"]})
    assert fetch(server.url("/a", "img.test"), resolver=resolver, refusal=only_loopback_allowed) == b"the image"
    server.routes["/loop"] = send(b"", 302, {"Location": "/loop", "Content-Length": "0"})
    with pytest.raises(FetchError, match="redirects"):
        fetch(server.url("/loop", "img.test"), resolver=resolver, refusal=only_loopback_allowed)


def test_a_response_that_trickles_is_cut_at_the_deadline(server):
    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.2)

    server.routes["/slow.png"] = trickle
    resolver = stub_resolver({"img.test": ["127.0.0.1"]})
    with pytest.raises(FetchError, match="in time"):
        fetch(server.url("/slow.png", "img.test"), resolver=resolver, refusal=only_loopback_allowed, deadline_s=1.0)


def test_headers_that_trickle_are_cut_at_the_deadline_too(server):
    sent = []

    def trickle(handler):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(60):
            try:
                handler.wfile.write(b"X-Slow: y\r\n")
                handler.wfile.flush()
            except OSError:
                return
            sent.append(1)
            time.sleep(0.1)

    server.routes["/slow-headers.png"] = trickle
    resolver = stub_resolver({"img.test": ["127.0.0.1"]})
    url = server.url("/slow-headers.png", "img.test")
    with pytest.raises(FetchError, match="in time"):
        fetch(url, resolver=resolver, refusal=only_loopback_allowed, deadline_s=1.0)
    assert len(sent) < 60  # cut while the headers were still coming, not after the last one


def test_a_body_over_the_cap_is_refused_with_or_without_a_length(server):
    resolver = stub_resolver({"img.test": ["127.0.0.1"]})
    server.routes["/big"] = send(b"x" * 5000)
    server.routes["/unsized"] = send(b"x" * 5000, headers={"Connection": "close"})
    for path in ("/big", "/unsized"):
        with pytest.raises(FetchError, match="larger than"):
            fetch(server.url(path, "img.test"), resolver=resolver, refusal=only_loopback_allowed, max_bytes=1000)


def test_other_schemes_are_not_fetched():
    for url in ("file:///etc/passwd", "ftp://example.com/a.png", "gopher://x/"):
        with pytest.raises(FetchError, match="not fetched"):
            fetch(url, resolver=stub_resolver({}))
