"""Access checks for staff views.

Every staff view is wrapped in ``staff_view(permission)``: an anonymous visitor is sent
to the login page, a logged-in user without the permission gets 403. Checking
``is_staff`` alone is never enough. The URLconf walk test finds every view that carries
``staff_permissions`` and checks both answers, so a new staff URL without protection
fails the suite.

Object-level rules (a reviewer resolves only the reports they hold, an editor cannot
approve their own verdict change) live in the services, so the admin and every other
caller meet the same rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect
from django_ratelimit.core import is_ratelimited

log = logging.getLogger(__name__)


def user_has_perms(user, permissions: tuple[str, ...]) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perms(permissions))


def staff_view(*permissions: str) -> Callable:
    """Require a logged-in staff user holding every one of ``permissions``."""
    if not permissions:
        raise ValueError("a staff view names the permission it needs")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if getattr(request, "htmx", False):
                    from django.conf import settings
                    from django.shortcuts import resolve_url

                    login = resolve_url(settings.LOGIN_URL)
                    return HttpResponseClientRedirect(f"{login}?next={request.get_full_path()}")
                return redirect_to_login(request.get_full_path())
            if not user_has_perms(request.user, permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.staff_permissions = permissions
        return wrapper

    return decorator


def client_ip(request: HttpRequest) -> str:
    """The reader's IP address: the one place rate limits (django-ratelimit's key),
    login lock-outs (django-axes) and reporters' IP hashes take it from.

    Without trusted proxies (``FACTCHECK_TRUSTED_PROXIES`` empty) it is ``REMOTE_ADDR``
    and X-Forwarded-For is ignored: anyone can write that header. With a count of
    proxies, or their addresses, django-ipware reads the address the nearest
    untrusted hop gave: the proxies' own entries at the right end of the chain
    ``X-Forwarded-For, REMOTE_ADDR`` are skipped, never the reader's. A chain shorter
    than promised (a request that did not come through the proxy) falls back to
    ``REMOTE_ADDR``."""
    cached = getattr(request, "_client_ip", None)
    if cached is not None:
        return cached
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR", "") or ""
    ip = remote
    trusted = settings.FACTCHECK_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").strip()
    if trusted and forwarded and remote:
        chain = f"{forwarded}, {remote}"
        proxies = trusted if isinstance(trusted, int) else _trusted_hops(chain, trusted)
        if proxies:
            from types import SimpleNamespace

            from ipware import get_client_ip

            found, _routable = get_client_ip(
                SimpleNamespace(META={"HTTP_X_FORWARDED_FOR": chain}),
                proxy_order="left-most",
                proxy_count=proxies,
                request_header_order=["HTTP_X_FORWARDED_FOR"],
                strict=False,
            )
            ip = found or remote
    request._client_ip = ip
    return ip


def _trusted_hops(chain: str, networks: tuple[str, ...]) -> int:
    """How many hops at the right end of ``chain`` are our proxies (never the first)."""
    import ipaddress

    nets = [ipaddress.ip_network(net) for net in networks]
    hops = [hop.strip() for hop in chain.split(",")]
    count = 0
    for hop in reversed(hops[1:]):
        try:
            address = ipaddress.ip_address(hop.strip("[]"))
        except ValueError:
            break
        if not any(address in net for net in nets):
            break
        count += 1
    return count


def login_ip_hashed(request: HttpRequest) -> str:
    """The address django-axes records for a login attempt: a salted hash of the client
    IP, written as an IPv6 address because axes stores it in an IP address column.
    Lockouts still work (the same IP gives the same hash); no IP is ever stored."""
    import ipaddress

    from claims.services import ip_hash

    return str(ipaddress.IPv6Address(int(ip_hash(client_ip(request))[:32], 16)))


def rate_limited(request: HttpRequest, limits: list[tuple[str, object, str]]) -> bool:
    """django-ratelimit on the ``counters`` cache, counting this request against each
    ``(group, key, rate)`` in ``limits`` (a key of ``"ip"`` is the reader, from
    ``client_ip``). A cache outage lets the request through: a report or a follow is
    never lost to a broken counter."""
    try:
        return any(
            is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
            for group, key, rate in limits
            if rate
        )
    except Exception:
        log.warning("rate-limit cache unreachable; request let through")
        return False
