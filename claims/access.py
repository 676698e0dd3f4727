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

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect


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


def login_ip_hashed(request: HttpRequest) -> str:
    """The address django-axes records for a login attempt: a salted hash of the real
    one, written as an IPv6 address because axes stores it in an IP address column.
    Lockouts still work (the same IP gives the same hash); no IP is ever stored."""
    import ipaddress

    from claims.services import ip_hash

    return str(ipaddress.IPv6Address(int(ip_hash(request.META.get("REMOTE_ADDR", ""))[:32], 16)))
