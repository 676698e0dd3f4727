"""Web links: one normal form, so that one URL is one Source, and the address checks that
need no network.

Normalising is done by courlan (trafilatura's URL library: lower-cased scheme and host,
default port and tracking parameters dropped, query sorted). On top of it we drop the
fragment and a trailing dot on the host, which courlan keeps.

``address_is_public`` decides whether an IP address may ever be fetched. Python 3.11's
``ipaddress`` alone is not enough (TRAPS.md): IPv4-mapped and IPv4-compatible IPv6, 6to4,
Teredo and NAT64 are unwrapped to the IPv4 inside, and deprecated forms it calls global
(site-local ``fec0::/10``) are refused outright. ``link_refusal`` applies what can be
checked without DNS (scheme, credentials, a literal address, a local name); the fetch
module resolves the name and checks every address again before it connects.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url
from django.conf import settings

URL_MAX_LENGTH = 2000
URL_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)

# Why a link may not be fetched, as the fetch module's error codes name it.
REFUSED_ADDRESS = "refused_address"
BAD_SCHEME = "bad_scheme"
BAD_URL = "bad_url"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges refused even where Python calls them global (requests-hardened's list, and the
# deprecated IPv6 forms that embed or stand for local addresses).
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
        "::/96",  # IPv4-compatible (deprecated): ::a.b.c.d
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT): ::ffff:0:a.b.c.d
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",
        "100::/64",  # discard-only
        "2001::/32",  # Teredo
        "2001:20::/28",
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",
    )
)
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class BadLink(ValueError):
    """The text is not an http(s) URL we can keep."""


def link_normalise(url: str) -> str:
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise BadLink(f"URL is longer than {URL_MAX_LENGTH} characters")
    if not URL_RE.match(url):
        raise BadLink("not an http or https URL")
    try:
        parts = urlsplit(normalize_url(url, strict=False))
    except ValueError as exc:
        raise BadLink(str(exc)) from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadLink("URL has no host")
    scheme = parts.scheme.lower()
    port = None if (scheme, parts.port) in {("http", 80), ("https", 443)} else parts.port
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def link_domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return host.removeprefix("www.")


def site_url(path: str = "") -> str:
    """``path`` on the newsroom's public address (``SITE_URL``): for feeds, emails, JSON-LD."""
    return settings.SITE_URL.rstrip("/") + path


def address_unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address hidden in an IPv6 form, if any."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        for prefix in ("64:ff9b::/96", "::/96", "::ffff:0:0:0/96"):
            if ip in ipaddress.ip_network(prefix):
                return embedded
    return ip


def address_is_public(ip: IPAddress) -> bool:
    """Plainly global: no private, loopback, link-local, multicast, reserved or special
    range, neither the address itself nor an IPv4 address it carries."""
    for candidate in {ip, address_unwrap(ip)}:
        if not candidate.is_global or candidate.is_multicast:
            return False
        if any(candidate in net for net in EXTRA_BLOCKED if net.version == candidate.version):
            return False
    return True


IPV4_ODD = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}$", re.I)


def address_literal(host: str) -> IPAddress | None:
    """The IP address ``host`` is written as, or None for a name. IPv4 in the odd forms
    resolvers accept counts too (``2130706433``, ``0x7f000001``, ``0177.0.0.1``,
    ``127.1``): ``inet_aton`` reads them as the C library does, without any lookup."""
    host = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if IPV4_ODD.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def fetch_allowed_pairs() -> set[tuple[str, int]]:
    """The ``host:port`` pairs on loopback that may be fetched (``FACTCHECK_FETCH_ALLOW``:
    tests' and benchmarks' own servers)."""
    pairs = set()
    for item in settings.FACTCHECK_FETCH_ALLOW:
        host, _, port = item.rpartition(":")
        pairs.add((host.strip("[]").lower(), int(port)))
    return pairs


def link_refusal(url: str) -> str | None:
    """Why ``url`` may never be fetched, judged without DNS (an error code), or None.
    Refused: another scheme than http(s), credentials in the URL, a literal address that
    is not public, a local name. The fetch module checks the resolved addresses again."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return BAD_URL
    if parts.scheme.lower() not in {"http", "https"}:
        return BAD_SCHEME
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or "%" in host or any(ch.isspace() for ch in host):
        return BAD_URL
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return BAD_URL
    default_port = 443 if parts.scheme.lower() == "https" else 80
    if (host, port or default_port) in fetch_allowed_pairs():
        return None
    ip = address_literal(host)
    if ip is not None:
        return None if address_is_public(ip) else REFUSED_ADDRESS
    if host in LOCAL_NAMES or host.endswith((".localhost", ".local", ".internal")):
        return REFUSED_ADDRESS
    return None
