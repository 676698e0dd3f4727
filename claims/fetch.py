"""All outbound HTTP of the project goes through this module.

This first part decides whether a URL may be fetched at all: http or https only, the host
resolved here, and every resolved address refused unless it is plainly global. Python
3.11's ``ipaddress`` alone misses some forms (TRAPS.md): IPv4-mapped IPv6, 6to4, Teredo
and NAT64 are unwrapped to the IPv4 inside, and a few special ranges are refused outright.
Odd notations (decimal, hex, octal, ``127.1``) resolve to the address they mean, so the
check of the resolved address covers them; percent-encoded hosts are refused.

Loopback is allowed only for the ``host:port`` pairs in ``FACTCHECK_FETCH_ALLOW``, which
tests and benchmarks set for their own local servers.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Every failure is one of these codes; never a raw exception.
REFUSED_ADDRESS = "refused_address"
BAD_SCHEME = "bad_scheme"
BAD_URL = "bad_url"
DNS = "dns"

# Ranges refused even where Python calls them global (requests-hardened's list).
EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # CGNAT
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "192.0.0.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",
        "2001::/32",  # Teredo
        "2001:20::/28",
        "2002::/16",  # 6to4
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)


class FetchRefused(Exception):
    """The URL may not be fetched. ``code`` is one of the module's error codes."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


def address_unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address hidden in an IPv6 form, if any."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def address_is_public(ip: IPAddress) -> bool:
    for candidate in {ip, address_unwrap(ip)}:
        if not candidate.is_global or candidate.is_multicast:
            return False
        if any(candidate in net for net in EXTRA_BLOCKED if net.version == candidate.version):
            return False
    return True


def fetch_allowed_pairs() -> set[tuple[str, int]]:
    pairs = set()
    for item in settings.FACTCHECK_FETCH_ALLOW:
        host, _, port = item.rpartition(":")
        pairs.add((host.strip("[]").lower(), int(port)))
    return pairs


def host_resolve(host: str, port: int) -> IPAddress:
    """Resolve ``host`` once and return the address to connect to, or raise FetchRefused.

    Every address the name resolves to must be acceptable; the first is the one to use,
    so the caller connects to exactly the address checked here."""
    host = host.rstrip(".").lower()
    if not host or "%" in host or any(ch.isspace() for ch in host):
        raise FetchRefused(BAD_URL, f"bad host {host!r}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchRefused(DNS, str(exc)) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise FetchRefused(DNS, "no address")
    allowed_local = (host, port) in fetch_allowed_pairs()
    for ip in addresses:
        if address_is_public(ip):
            continue
        if allowed_local and address_unwrap(ip).is_loopback:
            continue
        raise FetchRefused(REFUSED_ADDRESS, f"{host} resolves to {ip}")
    return addresses[0]


def url_target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or raise FetchRefused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(BAD_URL, str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise FetchRefused(BAD_SCHEME, f"scheme {scheme!r}")
    host = parts.hostname or ""
    return scheme, host, port or (443 if scheme == "https" else 80)


def url_refusal(url: str) -> str | None:
    """Why ``url`` may not be fetched (an error code), or None. Resolves DNS but never
    connects: use it to vet links (a reader's evidence URL) without fetching them."""
    try:
        _, host, port = url_target(url)
        host_resolve(host, port)
    except FetchRefused as refused:
        return refused.code
    return None


# --- A page's bytes -------------------------------------------------------------------
# The seam for callers that need a page (import_claimreview URL). The source pipeline's
# full fetcher (one connection to the checked address, robots.txt, politeness, retries)
# replaces the body of ``page_get``; callers keep calling ``fetch.page_get(url)``.

PAGE_MAX_BYTES = 10 * 1024 * 1024
PAGE_TIMEOUT = (5, 20)
USER_AGENT = "FactcheckBot/0.1 (+https://github.com/factcheck; newsroom fact-checking)"


class FetchFailed(Exception):
    """The page could not be fetched. ``code`` says why in one word."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


def page_get(url: str, *, max_bytes: int = PAGE_MAX_BYTES) -> bytes:
    """The body of ``url`` (http/https, a public address, at most ``max_bytes``), or
    FetchRefused / FetchFailed. Redirects are not followed by this interim version."""
    import requests

    refusal = url_refusal(url)
    if refusal:
        raise FetchRefused(refusal, url)
    try:
        with requests.get(
            url,
            timeout=PAGE_TIMEOUT,
            stream=True,
            allow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        ) as response:
            if response.status_code >= 300:
                raise FetchFailed(f"http_{response.status_code}", url)
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed("too_large", f"more than {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except requests.RequestException as exc:
        raise FetchFailed("network", str(exc)) from None
