"""All outbound HTTP of the project goes through this module.

The address check decides whether a URL may be fetched at all: http or https only, no
credentials, the host resolved here, and every resolved address refused unless it is
plainly global (``claims.text.links.address_is_public``, which unwraps the IPv4 inside
mapped, compatible, 6to4, Teredo and NAT64 forms). Odd notations (decimal, hex, octal,
``127.1``) resolve to the address they mean, so the check of the resolved address covers
them; percent-encoded hosts are refused.

Loopback is allowed only for the ``host:port`` pairs in ``FACTCHECK_FETCH_ALLOW``, which
tests and benchmarks set for their own local servers.

The fetcher (``url_fetch``) is a requests-hardened session whose adapter resolves each
hop once with the check above and connects to exactly that address (the pool is keyed
by the IP; Host header, SNI and certificate checks keep the name). Redirects are followed
here, hop by hop, each one checked again. Bodies are streamed under a byte cap counted
after decompression and a total deadline. robots.txt is read through the same client
(Protego parses it) and cached; a per-host turn keeps requests to one host apart across
all workers, in the ``TurnStore`` the caller hands in (Redis, or the database through the
services: this module knows no tables). A failure is a result with an
error code, never an exception.

Each hop's request and response come back as received (``FetchResult.exchanges``): the
response body as it came over the wire, content-coding intact (the services write it to
a WARC file; this module never touches storage). The body the caller reads
(``FetchResult.body``) is decoded here, under the byte cap.

``api_request`` is the same guarded client for a JSON API (Save Page Now): any method,
no redirects followed, no robots.txt (an API is not crawled), a small byte cap.
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
import ipaddress
import json
import logging
import socket
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from protego import Protego
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter_adapter import IPFilterAdapter

from claims.text.links import (
    BAD_SCHEME,
    BAD_URL,
    REFUSED_ADDRESS,
    IPAddress,
    address_is_public,
    address_unwrap,
    fetch_allowed_pairs,
)

log = logging.getLogger(__name__)

# Every failure is one of these codes; never a raw exception.
DNS = "dns"
TIMEOUT = "timeout"
TOO_LARGE = "too_large"
BAD_TYPE = "bad_type"
HTTP_4XX = "http_4xx"
HTTP_429 = "http_429"
HTTP_5XX = "http_5xx"
ROBOTS = "robots"
TLS = "tls"
TOO_MANY_REDIRECTS = "too_many_redirects"
CONNECTION = "connection"
BAD_RESPONSE = "bad_response"
BUSY = "busy"  # our own politeness: the host's next turn is too far away

ERROR_CODES = (
    REFUSED_ADDRESS,
    BAD_SCHEME,
    BAD_URL,
    DNS,
    TIMEOUT,
    TOO_LARGE,
    BAD_TYPE,
    HTTP_4XX,
    HTTP_429,
    HTTP_5XX,
    ROBOTS,
    TLS,
    TOO_MANY_REDIRECTS,
    CONNECTION,
    BAD_RESPONSE,
    BUSY,
)
# Worth trying again soon; everything else waits for the next scheduled check.
TRANSIENT = frozenset({TIMEOUT, HTTP_429, HTTP_5XX, CONNECTION, BUSY})

# What we keep: HTML and text are extracted, PDF is stored without extraction.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
PDF_TYPES = frozenset({"application/pdf"})
ALLOWED_TYPES = HTML_TYPES | TEXT_TYPES | PDF_TYPES
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_AGENT = "FactcheckBot"
CRAWL_DELAY_MAX = 60.0


class FetchRefused(Exception):
    """The URL may not be fetched. ``code`` is one of the module's error codes."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


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
    if parts.username is not None or parts.password is not None:
        raise FetchRefused(BAD_URL, "credentials in the URL")
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


# --- The guarded client ---------------------------------------------------------------


class GuardedAdapter(IPFilterAdapter):
    """requests-hardened's adapter with our address check: one lookup per hop, every
    address checked (``host_resolve``), the connection pinned to the checked address."""

    def __init__(self, *, is_https_proto: bool) -> None:
        super().__init__(is_https_proto=is_https_proto, allow_loopback=False)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = HTTPAdapter.build_connection_pool_key_attributes(
            self, request, verify, cert
        )
        hostname, port = host_params["host"], host_params["port"]
        request.headers = CaseInsensitiveDict(request.headers or {})
        host_header = f"[{hostname}]" if ":" in hostname else hostname
        if port is not None:
            host_header += f":{port}"
        request.headers["Host"] = host_header
        if self._is_https_proto:
            pool_kwargs["assert_hostname"] = hostname
            pool_kwargs["server_hostname"] = hostname
        default_port = 443 if self._is_https_proto else 80
        ip = host_resolve(hostname, port or default_port)
        host_params["host"] = f"[{ip}]" if ip.version == 6 else str(ip)
        request.peer_ip = str(ip)  # the address answering, for the record (WARC-IP-Address)
        return host_params, pool_kwargs


@functools.cache
def _session() -> requests.Session:
    """One session per process, so connections to a host are kept alive between hops."""
    session = HTTPSession(
        Config(
            ip_filter_enable=False,  # our own adapter, mounted below, does the filtering
            ip_filter_allow_loopback_ips=False,
            never_redirect=True,  # redirects are followed in url_fetch, each hop checked
            default_timeout=(5, 30),
        )
    )
    session.trust_env = False  # no proxies or .netrc from the environment
    session.mount("http://", GuardedAdapter(is_https_proto=False))
    session.mount("https://", GuardedAdapter(is_https_proto=True))
    return session


@dataclass
class HttpExchange:
    """One request and its response as they went over the wire: what a WARC file keeps.
    ``body`` is the response's entity body as received (content-coding intact, chunked
    framing removed); ``truncated`` is set when a redirect's body was cut short."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    http_version: str
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes = b""
    request_body: bytes = b""
    peer_ip: str = ""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    truncated: bool = False

    @property
    def request_target(self) -> str:
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def response_header(self, name: str) -> str:
        name = name.lower()
        return next((value for key, value in self.response_headers if key.lower() == name), "")


@dataclass
class FetchResult:
    """What one fetch found. ``error`` is empty on success, else one of ERROR_CODES."""

    url: str
    ok: bool = False
    error: str = ""
    detail: str = ""
    status: int | None = None
    final_url: str = ""
    content_type: str = ""
    charset: str | None = None
    body: bytes = b""
    retry_after: int | None = None  # seconds, from a 429/503's Retry-After
    elapsed_ms: int = 0
    redirects: list[str] = field(default_factory=list)
    # Every hop as received (a successful fetch's last one holds the page).
    exchanges: list[HttpExchange] = field(default_factory=list)

    @property
    def transient(self) -> bool:
        return self.error in TRANSIENT

    @property
    def is_pdf(self) -> bool:
        return self.content_type in PDF_TYPES

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "ok": self.ok,
            "status": self.status,
            "final_url": self.final_url,
            "content_type": self.content_type,
            "bytes": len(self.body),
            "error": self.error or None,
            "detail": self.detail or None,
            "retry_after": self.retry_after,
            "redirects": self.redirects,
            "elapsed_ms": self.elapsed_ms,
        }


class _Failed(Exception):
    def __init__(self, code: str, detail: str = "", *, status=None, retry_after=None) -> None:
        super().__init__(detail or code)
        self.code, self.detail, self.status, self.retry_after = code, detail, status, retry_after


def retry_after_seconds(value: str | None) -> int | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int(when.timestamp() - time.time()))


@contextmanager
def _failure_recorded(result: FetchResult | PostResult, doing: str):
    """Every failure inside becomes the result's error code and detail (a ``_Failed``
    also its status and Retry-After): the promise that no raw exception leaves this
    module. ``doing`` names the request in the log of an unexpected error."""
    try:
        yield
    except FetchRefused as refused:
        result.error, result.detail = refused.code, refused.detail
    except _Failed as failed:
        result.error, result.detail = failed.code, failed.detail
        result.status = failed.status or result.status
        result.retry_after = failed.retry_after
    except Exception as exc:
        log.exception("unexpected error %s %s", doing, result.url)
        result.error, result.detail = CONNECTION, f"{type(exc).__name__}: {exc}"


def url_fetch(
    url: str,
    *,
    max_bytes: int | None = None,
    robots: bool = True,
    turns: TurnStore | None = None,
) -> FetchResult:
    """Fetch ``url`` through the guarded client. Never raises: a failure comes back as a
    result with an error code. ``robots=False`` is only for fetching robots.txt itself.
    ``turns`` keeps requests to one host apart (see ``TurnStore``); without it, nothing
    waits for a turn (one-off fetches such as ``check_url``)."""
    start = time.monotonic()
    deadline = start + settings.FACTCHECK_FETCH_TOTAL_TIMEOUT
    result = FetchResult(url=url)
    with _failure_recorded(result, "fetching"):
        cap = max_bytes or settings.FACTCHECK_FETCH_MAX_BYTES
        _fetch_into(result, url, deadline, cap, robots=robots, turns=turns)
        result.ok = True
    result.elapsed_ms = int((time.monotonic() - start) * 1000)
    if not result.ok:
        result.body = b""
        result.exchanges = []
    return result


def _fetch_into(
    result: FetchResult, url: str, deadline: float, cap: int, *, robots: bool, turns
) -> None:
    current = url
    for _hop in range(settings.FACTCHECK_FETCH_MAX_REDIRECTS + 1):
        _scheme, host, _port = url_target(current)
        delay = 0.0
        if robots:
            delay = _robots_check(current, turns)
        if turns is not None:
            host_turn_wait(turns, host, deadline, crawl_delay=delay)
        response = _send(current, deadline)
        result.status, result.final_url = response.status_code, current
        exchange = _exchange(current, response)
        if response.is_redirect:
            location = response.headers.get("Location", "")
            with response:
                _redirect_body_read(exchange, response, deadline)
            result.exchanges.append(exchange)
            current = urljoin(current, location)
            result.redirects.append(current)
            continue
        with response:
            _response_read(result, response, deadline, cap, exchange=exchange)
        result.exchanges.append(exchange)
        return
    raise _Failed(TOO_MANY_REDIRECTS, f"more than {settings.FACTCHECK_FETCH_MAX_REDIRECTS}")


PAGE_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8"
REDIRECT_BODY_MAX = 64 * 1024  # a redirect's body is kept for the record up to this much


def _send(
    url: str,
    deadline: float,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    data: dict[str, str] | bytes | None = None,
) -> requests.Response:
    """One request through the guarded client, redirects not followed (the callers
    follow them hop by hop, or refuse them); failures become ``_Failed`` codes."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Failed(TIMEOUT, "total timeout")
    timeout = (min(settings.FACTCHECK_FETCH_CONNECT_TIMEOUT, remaining), remaining)
    sent = {
        "User-Agent": settings.FACTCHECK_FETCH_USER_AGENT,
        "Accept": PAGE_ACCEPT,
        "Accept-Encoding": "gzip, deflate",
        **(headers or {}),
    }
    try:
        return _session().request(
            method,
            url,
            headers=sent,
            data=data,
            stream=True,
            allow_redirects=False,
            timeout=timeout,
        )
    except FetchRefused:
        raise
    except requests.exceptions.SSLError as exc:
        raise _Failed(TLS, str(exc)) from None
    except requests.exceptions.Timeout as exc:
        raise _Failed(TIMEOUT, str(exc)) from None
    except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
        raise _Failed(BAD_URL, str(exc)) from None
    except requests.exceptions.RequestException as exc:
        raise _Failed(CONNECTION, str(exc)) from None


def _exchange(url: str, response: requests.Response) -> HttpExchange:
    """The request as sent and the response's head as received (the body follows)."""
    request = response.request
    raw = response.raw
    version = {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}.get(
        getattr(raw, "version", 11), "HTTP/1.1"
    )
    body = request.body or b""
    return HttpExchange(
        url=url,
        method=request.method or "GET",
        request_headers=list(request.headers.items()),
        request_body=body.encode() if isinstance(body, str) else bytes(body),
        http_version=version,
        status=response.status_code,
        reason=response.reason or "",
        response_headers=list(raw.headers.items()),  # one pair per header line
        peer_ip=getattr(request, "peer_ip", ""),
    )


def _redirect_body_read(exchange: HttpExchange, response, deadline: float) -> None:
    """Keep a redirect's (small) body for the record; never more than REDIRECT_BODY_MAX."""
    chunks, total = [], 0
    try:
        while total <= REDIRECT_BODY_MAX and time.monotonic() < deadline:
            _socket_deadline(response, deadline)
            chunk = response.raw.read1(16 * 1024, decode_content=False)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except Exception:  # the redirect is followed whatever its body did
        exchange.truncated = True
    body = b"".join(chunks)
    if len(body) > REDIRECT_BODY_MAX:
        body, exchange.truncated = body[:REDIRECT_BODY_MAX], True
    exchange.body = body


class _BodyDecoder:
    """Undo the response's Content-Encoding (gzip, deflate) step by step, never making
    more than the caller has room for: a gzip bomb stops at the cap, not in memory."""

    def __init__(self, encoding: str, status: int) -> None:
        codings = [c.strip().lower() for c in encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in {"gzip", "x-gzip", "deflate"}):
            raise _Failed(BAD_RESPONSE, f"Content-Encoding {encoding!r}", status=status)
        self.mode = codings[0] if codings else ""
        self.obj = None
        self.members = 0

    def _new(self, data: bytes):
        if self.mode == "deflate":  # zlib-wrapped, or raw deflate as some servers send it
            wrapped = (
                len(data) >= 2 and (data[0] & 0x0F) == 8 and (data[0] << 8 | data[1]) % 31 == 0
            )
            return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def decode(self, data: bytes, room: int) -> bytes:
        """Decoded ``data``: at most ``room + 1`` bytes (more than ``room`` means over
        the cap, and decoding stops there)."""
        if not self.mode:
            return data
        out = bytearray()
        while data and len(out) <= room:
            if self.obj is None:
                self.obj, self.members = self._new(data), self.members + 1
            try:
                out += self.obj.decompress(data, room + 1 - len(out))
            except zlib.error:
                if self.members > 1:  # junk after a complete gzip member: ignored, as urllib3 does
                    self.mode = ""
                    break
                raise
            if self.obj.unconsumed_tail:  # the output limit was reached
                break
            if self.obj.eof and self.mode != "deflate":
                data, self.obj = self.obj.unused_data, None  # the next gzip member
            else:
                data = b""
        return bytes(out)


def _http_error_raise(response) -> None:
    """An answer of 400 or more as its error code, with the server's Retry-After."""
    status = response.status_code
    if status >= 400:
        code = HTTP_429 if status == 429 else HTTP_5XX if status >= 500 else HTTP_4XX
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        raise _Failed(code, f"HTTP {status}", status=status, retry_after=retry_after)


def _response_read(
    result: FetchResult, response, deadline: float, cap: int, *, exchange: HttpExchange
) -> None:
    status = response.status_code
    _http_error_raise(response)
    content_type, _, params = response.headers.get("Content-Type", "").partition(";")
    result.content_type = content_type.strip().lower()
    if "charset=" in params.lower():
        result.charset = params.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if result.content_type not in ALLOWED_TYPES:
        raise _Failed(BAD_TYPE, result.content_type or "no Content-Type", status=status)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and "Content-Encoding" not in response.headers and int(declared) > cap:
        raise _Failed(TOO_LARGE, f"Content-Length {declared} > {cap}", status=status)
    decoder = _BodyDecoder(response.headers.get("Content-Encoding", ""), status)
    raw_chunks, chunks, raw_total, total = [], [], 0, 0
    try:
        while True:
            _socket_deadline(response, deadline)
            # read1: what one socket read brings (read() would wait for the whole amount,
            # which a server dripping bytes could stretch forever). The bytes stay as
            # received (the record keeps them); the decoder makes at most the room left.
            raw = response.raw.read1(64 * 1024, decode_content=False)
            if not raw:
                break
            raw_total += len(raw)
            chunk = decoder.decode(raw, cap - total)
            total += len(chunk)
            if total > cap or raw_total > cap:
                raise _Failed(TOO_LARGE, f"more than {cap} bytes", status=status)
            if time.monotonic() > deadline:
                raise _Failed(TIMEOUT, "total timeout while reading", status=status)
            raw_chunks.append(raw)
            chunks.append(chunk)
    except _Failed:
        raise
    except (requests.exceptions.RequestException, OSError) as exc:
        raise _Failed(_read_error_code(exc), str(exc), status=status) from None
    except Exception as exc:  # zlib's and urllib3's decode and protocol errors
        if "timed out" in str(exc).lower():
            raise _Failed(TIMEOUT, str(exc), status=status) from None
        raise _Failed(BAD_RESPONSE, f"{type(exc).__name__}: {exc}", status=status) from None
    result.body = b"".join(chunks)
    exchange.body = b"".join(raw_chunks)


def _read_error_code(exc: Exception) -> str:
    return TIMEOUT if "timed out" in str(exc).lower() else CONNECTION


def _socket_deadline(response, deadline: float) -> None:
    """Make the next socket read give up at the total deadline, so a server that drips
    one byte at a time cannot stretch a fetch past it."""
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        sock.settimeout(max(0.05, deadline - time.monotonic()))


# --- JSON APIs (Save Page Now) ---------------------------------------------------------

API_MAX_BYTES = 1024 * 1024


@dataclass
class ApiResult:
    """One call to a JSON API. ``ok`` means a 2xx answer with a JSON body; ``data`` is
    the parsed body whenever it was JSON (error answers often explain themselves)."""

    url: str
    ok: bool = False
    error: str = ""
    detail: str = ""
    status: int | None = None
    data: object = None
    retry_after: int | None = None
    elapsed_ms: int = 0

    @property
    def transient(self) -> bool:
        return self.error in TRANSIENT


def api_request(
    url: str,
    *,
    method: str = "GET",
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int = API_MAX_BYTES,
) -> ApiResult:
    """Call a JSON API through the guarded client: the same address checks, timeouts
    and byte cap as a page fetch, but any method, no redirects followed and no
    robots.txt. Never raises; a failure is a result with an error code."""
    start = time.monotonic()
    deadline = start + settings.FACTCHECK_FETCH_TOTAL_TIMEOUT
    result = ApiResult(url=url)
    try:
        url_target(url)
        sent = {"Accept": "application/json", **(headers or {})}
        response = _send(url, deadline, method=method, headers=sent, data=data)
        with response:
            result.status = status = response.status_code
            result.retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            body = _api_body_read(response, deadline, max_bytes)
        try:
            result.data = json.loads(body) if body.strip() else None
        except ValueError:
            result.data = None
        if 300 <= status < 400:
            result.error, result.detail = BAD_RESPONSE, f"HTTP {status} (redirect)"
        elif status >= 400:
            result.error = HTTP_429 if status == 429 else HTTP_5XX if status >= 500 else HTTP_4XX
            result.detail = f"HTTP {status}"
        elif result.data is None:
            result.error, result.detail = BAD_RESPONSE, "the answer is not JSON"
        else:
            result.ok = True
    except FetchRefused as refused:
        result.error, result.detail = refused.code, refused.detail
    except _Failed as failed:
        result.error, result.detail = failed.code, failed.detail
        result.status = failed.status or result.status
    except Exception as exc:  # the promise: never a raw exception out of this module
        log.exception("unexpected error calling %s", url)
        result.error, result.detail = CONNECTION, f"{type(exc).__name__}: {exc}"
    result.elapsed_ms = int((time.monotonic() - start) * 1000)
    return result


def _api_body_read(response, deadline: float, cap: int) -> bytes:
    status = response.status_code
    decoder = _BodyDecoder(response.headers.get("Content-Encoding", ""), status)
    chunks, total = [], 0
    try:
        while True:
            _socket_deadline(response, deadline)
            raw = response.raw.read1(64 * 1024, decode_content=False)
            if not raw:
                break
            chunk = decoder.decode(raw, cap - total)
            total += len(chunk)
            if total > cap:
                raise _Failed(TOO_LARGE, f"more than {cap} bytes", status=status)
            if time.monotonic() > deadline:
                raise _Failed(TIMEOUT, "total timeout while reading", status=status)
            chunks.append(chunk)
    except _Failed:
        raise
    except (requests.exceptions.RequestException, OSError) as exc:
        raise _Failed(_read_error_code(exc), str(exc), status=status) from None
    except Exception as exc:
        raise _Failed(BAD_RESPONSE, f"{type(exc).__name__}: {exc}", status=status) from None
    return b"".join(chunks)


# --- robots.txt ---------------------------------------------------------------------


def _origin(url: str) -> str:
    scheme, host, port = url_target(url)
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def robots_rules(url: str, *, turns: TurnStore | None = None) -> Protego:
    """The robots.txt rules of ``url``'s origin, fetched through the guarded client and
    cached. Missing (4xx) means everything is allowed; a server error (5xx, 429) means
    nothing is, for a short while (RFC 9309, section 2.3.1); a site we cannot reach at all
    fails with that error."""
    origin = _origin(url)
    key = "robots:" + hashlib.sha256(origin.encode()).hexdigest()[:32]
    text = cache.get(key)
    if text is None:
        fetched = url_fetch(
            f"{origin}/robots.txt", max_bytes=ROBOTS_MAX_BYTES, robots=False, turns=turns
        )
        timeout = settings.FACTCHECK_ROBOTS_CACHE_SECONDS
        if fetched.ok:
            text = fetched.body.decode(fetched.charset or "utf-8", errors="replace")
        elif fetched.error in {HTTP_4XX, BAD_TYPE, TOO_LARGE, TOO_MANY_REDIRECTS}:
            text = ""  # unavailable: everything is allowed
        elif fetched.error in {HTTP_5XX, HTTP_429}:
            text = "User-agent: *\nDisallow: /\n"  # unreachable: nothing is, for a while
            timeout = min(timeout, 600)
        elif fetched.error in {REFUSED_ADDRESS, BAD_SCHEME, BAD_URL, DNS}:
            raise FetchRefused(fetched.error, fetched.detail)
        else:  # the site itself is unreachable (tls, timeout, connection): say so
            raise _Failed(fetched.error, f"robots.txt: {fetched.detail}")
        cache.set(key, text, timeout=timeout)
    return Protego.parse(text)


def _robots_check(url: str, turns: TurnStore | None) -> float:
    """Raise unless robots.txt allows ``url``; return the Crawl-delay asked for."""
    rules = robots_rules(url, turns=turns)
    if not rules.can_fetch(url, ROBOTS_AGENT):
        raise _Failed(ROBOTS, "robots.txt disallows this URL")
    return min(float(rules.crawl_delay(ROBOTS_AGENT) or 0.0), CRAWL_DELAY_MAX)


# --- Per-host politeness --------------------------------------------------------------


class TurnStore(Protocol):
    """Where the per-host turns live, shared by every worker. ``reserve`` books the
    host's next turn ``interval`` seconds after the last one and returns the seconds to
    wait for it; when that is more than ``max_wait`` it books nothing and returns minus
    the wait. The services hand the fetcher a store: ``RedisTurns`` with Redis, else one
    backed by the database (``services.sources``); this module knows no tables."""

    def reserve(self, host: str, *, interval: float, max_wait: float) -> float: ...


# Reserve the host's next turn atomically, on Redis's clock: returns the wait in ms, or
# -wait when the turn is further away than the caller will wait (nothing reserved then).
_TURN_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local max_wait = tonumber(ARGV[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
if slot - now > max_wait then return -(slot - now) end
redis.call('SET', KEYS[1], slot + interval, 'PX', slot + interval - now + 1000)
return slot - now
"""


@functools.cache
def _redis_turn_script(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return client.register_script(_TURN_SCRIPT)


@dataclass(frozen=True)
class RedisTurns:
    """Turns kept in Redis (one key per host), reserved by a Lua script on Redis's clock."""

    url: str

    def reserve(self, host: str, *, interval: float, max_wait: float) -> float:
        script = _redis_turn_script(self.url)
        waited = script(keys=[f"fc:turn:{host}"], args=[int(interval * 1000), max_wait * 1000])
        return int(waited) / 1000


def host_turn(turns: TurnStore, host: str, *, interval: float, max_wait: float) -> float:
    """Reserve ``host``'s next turn in ``turns``: the seconds to wait for it. Raises
    _Failed(BUSY) when that is more than ``max_wait`` (nothing reserved then)."""
    host = host.rstrip(".").lower()
    wait = turns.reserve(host, interval=interval, max_wait=max_wait)
    if wait < 0:
        raise _Failed(BUSY, f"next turn at {host} in {-wait:.1f} s", retry_after=int(-wait) + 1)
    return wait


def host_turn_wait(turns: TurnStore, host: str, deadline: float, *, crawl_delay: float = 0.0):
    interval = max(settings.FACTCHECK_FETCH_DOMAIN_INTERVAL_MS / 1000, crawl_delay)
    if interval <= 0:
        return
    max_wait = min(settings.FACTCHECK_FETCH_DOMAIN_MAX_WAIT, max(0.0, deadline - time.monotonic()))
    wait = host_turn(turns, host, interval=interval, max_wait=max_wait)
    if wait > 0:
        time.sleep(wait)


# --- Webhooks: one guarded POST --------------------------------------------------------

REDIRECTED = "redirected"  # a webhook URL answered with a redirect: it is not followed


@dataclass
class PostResult:
    """What one POST found. ``error`` is empty on a 2xx answer, else an error code;
    ``answer`` is the start of the body the receiver sent back, for the delivery log."""

    url: str
    ok: bool = False
    error: str = ""
    detail: str = ""
    status: int | None = None
    answer: bytes = b""
    retry_after: int | None = None
    elapsed_ms: int = 0


def url_post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, keep: int = 2048
) -> PostResult:
    """POST ``body`` to ``url`` through the guarded client (webhook deliveries). The
    address is checked as for any fetch, the connection pinned to it; no robots.txt and
    no politeness turn (the receiver asked for these); a redirect is not followed but
    reported (``REDIRECTED``). At most ``keep`` bytes of the answer are read, within
    ``timeout`` seconds for the whole exchange. Never raises."""
    start = time.monotonic()
    deadline = start + timeout
    result = PostResult(url=url)
    with _failure_recorded(result, "posting to"):
        url_target(url)
        # The request as every other one goes out (_send): the address checked and
        # pinned, its errors mapped to codes; the receiver's own headers win.
        sent = {"Accept": "*/*", "Accept-Encoding": "identity", **headers}
        response = _send(url, deadline, method="POST", headers=sent, data=body)
        with response:
            result.status = response.status_code
            result.answer = _answer_read(response, deadline, keep)
            status = response.status_code
            if 300 <= status < 400:
                location = response.headers.get("Location", "")
                raise _Failed(REDIRECTED, f"HTTP {status} to {location}"[:300], status=status)
            _http_error_raise(response)
        result.ok = True
    result.elapsed_ms = int((time.monotonic() - start) * 1000)
    return result


def _answer_read(response, deadline: float, keep: int) -> bytes:
    """The first ``keep`` bytes of an answer, read before the deadline (a receiver that
    drips bytes is cut off there; what came is kept)."""
    chunks, total = [], 0
    try:
        while total < keep and time.monotonic() < deadline:
            _socket_deadline(response, deadline)
            chunk = response.raw.read1(keep - total, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except Exception:  # the answer is only for the log; the status already counts
        log.debug("answer from %s not read whole", response.url)
    return b"".join(chunks)[:keep]
