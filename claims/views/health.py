"""/healthz: is the database reachable, is the broker, and (deep) does a worker answer?"""

from __future__ import annotations

import contextlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    from factcheck.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _worker_ok(timeout: float) -> bool:
    from claims.tasks import ping_task

    try:
        result = ping_task.apply_async(retry=False)
        answer = result.get(timeout=timeout)
        result.forget()
        return str(answer).startswith("pong")
    except Exception:
        return False


DEEP_KEY = "healthz:deep"
DEEP_LOCK = "healthz:deep-lock"


def _deep_allowed(request: HttpRequest) -> bool:
    """A fresh deep check (a task sent, up to 3 s waiting) for staff, or a monitor that
    sends FACTCHECK_HEALTHZ_TOKEN; anyone else gets the last answer."""
    token = settings.FACTCHECK_HEALTHZ_TOKEN
    given = request.headers.get("X-Healthz-Token") or request.GET.get("token", "")
    if token and given and hmac.compare_digest(token.encode(), given.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _deep_worker(request: HttpRequest) -> bool | None:
    """Whether a worker answers: checked now, or the cached answer of the last check
    (at most FACTCHECK_HEALTHZ_CACHE_SECONDS old). An anonymous request finds no
    fresh answer only once per period: one of them checks, the rest answer without
    the worker (``None``) rather than tie up more web processes waiting."""
    if not _deep_allowed(request):
        try:
            cached = cache.get(DEEP_KEY)
            if cached is not None:
                return cached
            if not cache.add(DEEP_LOCK, 1, timeout=settings.FACTCHECK_HEALTHZ_CACHE_SECONDS):
                return None
        except Exception:
            return None
    answer = _worker_ok(settings.FACTCHECK_HEALTHZ_PING_TIMEOUT)
    with contextlib.suppress(Exception):  # a cache outage: the next caller checks again
        cache.set(DEEP_KEY, answer, timeout=settings.FACTCHECK_HEALTHZ_CACHE_SECONDS)
    return answer


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    if request.GET.get("deep"):
        worker = _deep_worker(request) if checks["broker"] else False
        if worker is not None:
            checks["worker"] = worker
    ok = all(checks.values())
    return JsonResponse({"ok": ok, **checks, "open_data": _open_data()}, status=200 if ok else 503)


def _open_data() -> dict:
    """How old the open-data dump is. Shown, never failing the check: a late dump is
    work for beat, not a reason for a load balancer to take the site away."""
    from claims import services

    try:
        fresh = services.opendata_freshness()
    except Exception:
        return {"as_of": None, "age_hours": None, "stale": True}
    as_of = fresh.as_of.isoformat(timespec="seconds") if fresh.as_of else None
    return {"as_of": as_of, "age_hours": fresh.age_hours, "stale": fresh.stale}
