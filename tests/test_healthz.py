"""/healthz: database and broker reachable; ?deep=1 proves a real worker answers."""

import time

import pytest

from claims import services
from claims.models import Report
from tests.conftest import wait_for


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
def test_deep_healthz_is_answered_by_a_real_worker(reader, celery_worker, settings):
    # The check waits for the worker's answer at most this long: that it says "worker:
    # true" is the proof the answer came in time. A long wait keeps the proof from
    # depending on the machine's load; finishing well within it shows the check returns
    # as soon as the answer is there, instead of waiting its time out.
    settings.FACTCHECK_HEALTHZ_PING_TIMEOUT = 20.0
    started = time.monotonic()
    response = reader.get("/healthz?deep=1")
    assert response.status_code == 200, celery_worker.output()[-2000:]
    answer = response.json()
    answer.pop("open_data")
    assert answer == {"ok": True, "database": True, "broker": True, "worker": True}
    assert time.monotonic() - started < settings.FACTCHECK_HEALTHZ_PING_TIMEOUT


@pytest.mark.worker
def test_deep_healthz_fails_without_a_worker(reader, transactional_db, settings):
    settings.FACTCHECK_HEALTHZ_PING_TIMEOUT = 0.5
    started = time.monotonic()
    response = reader.get("/healthz?deep=1")
    assert response.status_code == 503
    answer = response.json()
    answer.pop("open_data")  # reported, never failing the check (tests/test_opendata.py)
    assert answer == {"ok": False, "database": True, "broker": True, "worker": False}
    assert time.monotonic() - started >= 0.5  # it did wait for an answer that never came


@pytest.mark.worker
def test_a_report_sent_to_a_real_worker_gets_processed(celery_worker, seed_article):
    report = services.report_create(article=seed_article, message="Klopt niet")
    # report_create sends its task on commit; transactional_db commits for real.
    wait_for(
        lambda: Report.objects.get(pk=report.pk).processed_at,
        what="the report's follow-up",
        detail=celery_worker.output,
    )
    assert Report.objects.get(pk=report.pk).priority >= 1
