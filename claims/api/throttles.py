"""Who may ask how often. Anonymous clients are counted per salted hash of their IP (no
IP is stored, not even in a counter's key); a partner's API key (``X-Api-Key: <key>``
or ``Authorization: Api-Key <key>``) has its own, higher limit. A key that is sent but
not valid (mistyped, revoked, expired) is refused with a message rather than quietly
treated as anonymous.

Counters live on the ``counters`` cache: Redis with ``REDIS_URL``, shared by every web
process; without Redis each web process counts for itself (as django-ratelimit does for
the report form), so a limit is at most WEB_CONCURRENCY times looser there. A counter
that cannot be reached lets the request through."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from claims.access import client_ip
from claims.models import PartnerKey
from claims.services import ip_hash

log = logging.getLogger(__name__)
_MISSING = object()


def key_sent(request) -> str | None:
    """The API key the client sent, if any."""
    meta = request.META
    if meta.get("HTTP_X_API_KEY"):
        return meta["HTTP_X_API_KEY"].strip()
    keyword, _sep, key = meta.get("HTTP_AUTHORIZATION", "").partition(" ")
    if keyword.lower() == "api-key" and key.strip():
        return key.strip()
    return None


def partner_key(request) -> PartnerKey | None:
    """The valid partner key of this request (looked up once), or None."""
    found = getattr(request, "_partner_key", _MISSING)
    if found is not _MISSING:
        return found
    sent, found = key_sent(request), None
    if sent and len(sent) <= 200:
        try:
            candidate = PartnerKey.objects.get_from_key(sent)
        except PartnerKey.DoesNotExist:
            candidate = None
        if candidate is not None and not candidate.has_expired:
            found = candidate
    request._partner_key = found
    return found


class KnownKeyOrAnonymous(BasePermission):
    """Anyone may read; a client that sends a key must send a valid one."""

    message = _(
        "This API key is not valid: it is mistyped, revoked or expired. Leave the header "
        "out to use the API without a key, at the anonymous rate."
    )

    def has_permission(self, request, view) -> bool:
        return key_sent(request) is None or partner_key(request) is not None


class _Throttle(SimpleRateThrottle):
    setting = ""

    def __init__(self) -> None:  # the rate is read per request (settings may change)
        self.cache = caches["counters"]

    def get_rate(self) -> str | None:
        return getattr(settings, self.setting) or None

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:  # a counter outage never takes the API down
            log.warning("throttle cache unreachable; API request let through")
            return True

    def parse_rate(self, rate):
        """django-ratelimit's spelling (``60/m``, ``1000/5m``) as the settings use it."""
        if rate is None:
            return None, None
        count, _sep, period = rate.partition("/")
        multiple = int(period[:-1] or 1)
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[-1]]
        return int(count), multiple * seconds


class AnonymousThrottle(_Throttle):
    scope = "anonymous"
    setting = "FACTCHECK_API_RATE_ANON"

    def get_cache_key(self, request, view) -> str | None:
        if partner_key(request) is not None:
            return None
        ident = ip_hash(client_ip(request))[:32]  # the reader, not the proxy
        return f"api-throttle:anon:{ident}"


class ApiKeyThrottle(_Throttle):
    scope = "api_key"
    setting = "FACTCHECK_API_RATE_KEY"

    def allow_request(self, request, view) -> bool:
        key = partner_key(request)
        if key is None:
            return True
        if not key.requests_per_minute:
            return super().allow_request(request, view)
        self.rate = f"{key.requests_per_minute}/m"
        self.num_requests, self.duration = key.requests_per_minute, 60
        try:
            return SimpleRateThrottle.allow_request(self, request, view)
        except Exception:
            log.warning("throttle cache unreachable; API request let through")
            return True

    def get_cache_key(self, request, view) -> str | None:
        key = partner_key(request)
        return f"api-throttle:key:{key.prefix}" if key is not None else None
