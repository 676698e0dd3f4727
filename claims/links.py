"""Web links as sources and reports carry them: one normal form, so that one URL is one Source.

Normalising is done by courlan (trafilatura's URL library: lower-cased scheme and host,
default port and tracking parameters dropped, query sorted). On top of it we drop the
fragment and a trailing dot on the host, which courlan keeps.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url

URL_MAX_LENGTH = 2000
URL_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)


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
