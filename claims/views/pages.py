"""Pages outside the areas: privacy, and the answer to a refused CSRF token."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:

    context = {
        "retention_days": settings.FACTCHECK_REPORT_EMAIL_RETENTION_DAYS,
        "contact": settings.FACTCHECK_PRIVACY_CONTACT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME * 60),
    }
    return render(request, "privacy.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused CSRF token (an expired session, a form left open for days). In an htmx
    fragment the page reloads with a fresh token instead of swapping an error page in;
    a plain POST gets the friendly ``403_csrf.html``."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=403, headers={"HX-Refresh": "true"})
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)
