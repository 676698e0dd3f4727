"""The embedded default without Redis, with the real parts: a web process (this test)
and a real worker process, each with its own settings, on the filesystem broker and the
counters cache in files both see. Page views the web counts are flushed by the worker,
and each new report gets its queue place from the worker within seconds, not from the
sweeper (a local-memory cache in each process kept the coalescing flag set in the web
process, so new reports waited for the sweeper, and views never reached the worker).

It runs the same with REDIS_URL set: the web side is pointed at the embedded broker and
cache here, and the worker is started without REDIS_URL."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from claims.models import Article, Report
from claims.tasks import article_views_flush_task
from tests.conftest import WorkerProcess, celery_broker_point_at, report_form_data, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def embedded(tmp_path, settings):
    """This process on a folder of its own as the embedded default sets it up; yields
    the environment that gives a worker process the same."""
    broker = tmp_path / "broker"
    (broker / "control").mkdir(parents=True)
    settings.CACHES = {
        **settings.CACHES,
        "counters": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "counters"),
        },
    }
    saved = celery_broker_point_at(
        "filesystem-atomic://localhost/",
        {
            "data_folder_in": str(broker),
            "data_folder_out": str(broker),
            "control_folder": str(broker / "control"),
            "store_processed": False,
            "polling_interval": 0.1,
        },
    )
    yield {"REDIS_URL": "", "FACTCHECK_VAR_DIR": str(tmp_path)}
    celery_broker_point_at(*saved)


def test_without_redis_views_are_counted_and_reports_processed_in_seconds(
    embedded, transactional_db, seed_article, reader
):
    worker = WorkerProcess(queues="celery", concurrency=1, env=embedded).start()
    try:
        for _ in range(3):
            assert reader.get(seed_article.get_absolute_url()).status_code == 200
        report_url = reverse("claims:report_create", kwargs={"slug": seed_article.slug})
        for n in range(2):  # the second after the first is done: the flag was released
            started = time.monotonic()
            reader.post(report_url, report_form_data(message=f"Klopt niet {n}"))
            report = Report.objects.get(message=f"Klopt niet {n}")
            wait_for(
                lambda report=report: Report.objects.get(pk=report.pk).processed_at,
                what=f"report {n}'s follow-up by the worker",
                timeout=30,
                detail=worker.output,
            )
            assert time.monotonic() - started < 10, worker.output()[-2000:]
            assert Report.objects.get(pk=report.pk).queue_at is not None

        article_views_flush_task.delay()  # what beat sends every few minutes
        wait_for(
            lambda: Article.objects.get(pk=seed_article.pk).page_views == 3,
            what="the three views flushed by the worker",
            timeout=30,
            detail=worker.output,
        )
    finally:
        worker.kill()
