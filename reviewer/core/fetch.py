"""Fetch a remote image named by an article: public http(s) hosts only, bounded in time and size.

An article's image address is third-party input. Fetched naively it can reach the editor's
own machine, the office network or a cloud metadata service (169.254.169.254), or hold a
connection open for ever. So:
- only http and https; the host is resolved here and every address it resolves to must be
  public (`address_refusal`); the connection goes to the address that was checked, so a
  second lookup cannot answer differently (DNS rebinding);
- redirects are followed by hand, at most MAX_REDIRECTS, each new address checked the same way;
- one deadline covers the whole fetch, redirects included, and a body larger than the cap
  is refused as soon as it is known to be.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

DEADLINE_S = 20.0
MAX_BYTES = 15 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "Reviewer (image preview)"
_LATE = "the server did not send the whole image in time"

Resolver = Callable[[str, int], list[str]]  # host, port -> addresses


class FetchError(Exception):
    """Why an image was not fetched, in words for the editor."""


def address_refusal(address: str) -> str:
    """Why an address must not be contacted for an article's image, or '' for a public one.

    >>> address_refusal("93.184.216.34"), address_refusal("127.0.0.1"), address_refusal("169.254.169.254")
    ('', 'a loopback address (this computer)', 'a link-local address (cloud metadata, the local link)')
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return "a site-local address (a private network)"
        embedded = _embedded_ipv4(ip)
        why = address_refusal(str(embedded)) if embedded is not None else ""
        if why:
            return f"{why}, inside an IPv6 address"
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address (this computer)"
    if ip.is_link_local:
        return "a link-local address (cloud metadata, the local link)"
    if ip.is_private:
        return "a private network address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "not a public internet address"
    return ""


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries to: mapped (::ffff:a.b.c.d), 6to4 (2002::/16),
    Teredo (2001::/32, the client's address), NAT64 (64:ff9b::/96, 64:ff9b:1::/48) or
    IPv4-compatible (::a.b.c.d); None for a plain IPv6 address.

    >>> str(_embedded_ipv4(ipaddress.IPv6Address("2002:7f00:1::1")))
    '127.0.0.1'
    >>> str(_embedded_ipv4(ipaddress.IPv6Address("64:ff9b::a9fe:a9fe")))
    '169.254.169.254'
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in network for network in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:  # ::a.b.c.d (deprecated, still routed by some stacks)
        return ipaddress.IPv4Address(int(ip))
    return None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def fetch(
    url: str,
    resolver: Resolver = system_resolver,
    refusal: Callable[[str], str] = address_refusal,
    deadline_s: float = DEADLINE_S,
    max_bytes: int = MAX_BYTES,
) -> bytes:
    """The body of `url`, following redirects; FetchError with a reason otherwise."""
    deadline = time.monotonic() + deadline_s
    for _ in range(MAX_REDIRECTS + 1):
        status, location, body = _get_once(url, resolver, refusal, deadline, max_bytes)
        if time.monotonic() > deadline:  # a read the deadline cut short ends like a whole answer
            raise FetchError(_LATE)
        if location is None:
            if status != 200:
                raise FetchError(f"the server answered {status}")
            return body
        url = urljoin(url, location)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _get_once(
    url: str, resolver: Resolver, refusal: Callable[[str], str], deadline: float, max_bytes: int
) -> tuple[int, str | None, bytes]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"'{scheme}:' addresses are not fetched")
    host = parts.hostname
    if not host:
        raise FetchError("the address has no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchError("the address has an invalid port") from None
    address = _checked_address(host, port, resolver, refusal)
    connection = _connection(scheme, host, address, port, _remaining(deadline))
    # A socket timeout is per read: a server sending a header byte a second never trips it.
    # At the deadline the socket is shut down, which ends any read under way at once.
    watchdog = threading.Timer(_remaining(deadline), _cut, (connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": USER_AGENT})
        response = connection.getresponse()
        if response.status in (301, 302, 303, 307, 308):
            return response.status, response.getheader("Location") or "", b""
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchError(f"larger than {max_bytes // 1048576} MB, not loaded")
        return response.status, None, _read_body(response, connection, deadline, max_bytes)
    except (OSError, http.client.HTTPException) as exc:
        if isinstance(exc, TimeoutError) or time.monotonic() > deadline:
            raise FetchError(_LATE) from None
        raise FetchError(str(exc) or type(exc).__name__) from None
    finally:
        watchdog.cancel()
        connection.close()


def _cut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _checked_address(host: str, port: int, resolver: Resolver, refusal: Callable[[str], str]) -> str:
    try:
        addresses = resolver(host, port)
    except OSError as exc:
        raise FetchError(f"host not found: {host} ({exc.strerror or exc})") from None
    if not addresses:
        raise FetchError(f"host not found: {host}")
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise FetchError(f"not fetched: {host} is {reason}")
    return addresses[0]


def _connection(scheme: str, host: str, address: str, port: int, timeout: float) -> http.client.HTTPConnection:
    """A connection to the checked `address`, speaking to `host` (TLS checks the host's name)."""
    if scheme == "https":
        return _PinnedHTTPS(host, address, port, timeout)
    return _PinnedHTTP(host, address, port, timeout)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _read_body(
    response: http.client.HTTPResponse, connection: http.client.HTTPConnection, deadline: float, max_bytes: int
) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        if connection.sock is not None:
            connection.sock.settimeout(_remaining(deadline))
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"larger than {max_bytes // 1048576} MB, not loaded")
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise FetchError(_LATE)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(_LATE)
    return left
