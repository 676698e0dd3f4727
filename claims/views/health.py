"""/healthz: is the database reachable, is the broker, and (deep) does a worker answer?"""

from __future__ import annotations

from django.conf import settings
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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    if request.GET.get("deep") and checks["broker"]:
        checks["worker"] = _worker_ok(settings.FACTCHECK_HEALTHZ_PING_TIMEOUT)
    elif request.GET.get("deep"):
        checks["worker"] = False
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
