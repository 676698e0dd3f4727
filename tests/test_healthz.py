"""/healthz: database and broker reachable; ?deep=1 proves a real worker answers."""

import time

import pytest

from claims import services
from claims.models import Report


def test_healthz_reports_database_and_broker(reader, db):
    response = reader.get("/healthz")
    assert response.status_code == 200
    answer = response.json()
    assert {k: answer[k] for k in ("ok", "database", "broker")} == {
        "ok": True,
        "database": True,
        "broker": True,
    }
    # No dump written yet: shown as stale, and the check itself still passes.
    assert answer["open_data"] == {"as_of": None, "age_hours": None, "stale": True}


@pytest.mark.worker
def test_deep_healthz_is_answered_by_a_real_worker(reader, celery_worker):
    started = time.monotonic()
    response = reader.get("/healthz?deep=1")
    assert response.status_code == 200, celery_worker.output()[-2000:]
    answer = response.json()
    answer.pop("open_data")
    assert answer == {"ok": True, "database": True, "broker": True, "worker": True}
    assert time.monotonic() - started < 3.5


@pytest.mark.worker
def test_deep_healthz_fails_without_a_worker(reader, transactional_db, settings):
    settings.FACTCHECK_HEALTHZ_PING_TIMEOUT = 0.5
    response = reader.get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json()["worker"] is False


@pytest.mark.worker
def test_a_report_sent_to_a_real_worker_gets_processed(celery_worker, seed_article):
    report = services.report_create(article=seed_article, message="Klopt niet")
    # report_create sends its task on commit; transactional_db commits for real.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.processed_at:
            break
        time.sleep(0.2)
    assert report.processed_at is not None, celery_worker.output()[-2000:]
    assert Report.objects.get(pk=report.pk).priority >= 1
