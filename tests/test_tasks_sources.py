"""Source fetching with a real Celery worker: the fetch queue, a worker killed mid-fetch,
a broker that lost its messages, and retries after 503/429. The row state plus the
sweeper are what make each of these come out right (DESIGN.md section 2)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from claims import services
from claims.models import Snapshot, Source
from tests.conftest import WorkerProcess, fetch_queue_purge, make_source, state_of, wait_for

pytestmark = pytest.mark.worker


def test_due_sources_are_fetched_by_the_worker(worker_settings, fetch_worker):
    server = worker_settings
    sources = [make_source(server, path) for path in ("/page", "/text", "/status/404")]

    assert sorted(services.sources_enqueue_due()) == [s.pk for s in sources]

    wait_for(lambda: all(state_of(s) != "waiting" for s in sources), what="three fetches")
    wait_for(lambda: not Source.objects.filter(state="fetching").exists(), what="leases")
    assert [state_of(s) for s in sources] == ["live", "live", "failing"]
    assert Snapshot.objects.count() == 3


def test_a_worker_killed_mid_fetch_is_done_later_exactly_once(worker_settings, transactional_db):
    server = worker_settings
    fetch_queue_purge()
    source = make_source(server, "/hold/killed")
    first = WorkerProcess(queues="fetch", concurrency=1).start()
    try:
        services.sources_enqueue_due()
        wait_for(lambda: "/hold/killed" in server.paths(), what="the fetch to start")
        assert state_of(source) == "fetching"
        first.kill()  # the whole worker, pool child and all
    finally:
        first.stop()
    server.release("killed")  # the next fetch of this URL answers at once

    held = Source.objects.get(pk=source.pk)
    assert held.state == "fetching" and Snapshot.objects.count() == 0
    wait_for(lambda: Source.objects.get(pk=source.pk).lease_until < timezone.now(), what="lease")
    assert services.sources_sweep() == [source.pk]  # beat's sweeper finds the stuck row

    second = WorkerProcess(queues="fetch", concurrency=1).start()
    try:
        wait_for(lambda: state_of(source) == "live", what="the fetch to be done again")
    finally:
        second.stop()
    assert Snapshot.objects.filter(source=source).count() == 1  # exactly once
    started = source.history.filter(history_change_reason__startswith="fetch started")
    assert started.count() == 2


def test_work_lost_by_a_flushed_redis_is_recovered_by_the_sweeper(
    worker_settings, transactional_db, redis_url
):
    import redis

    server = worker_settings
    fetch_queue_purge()
    sources = [make_source(server, f"/flaky/flush{n}?fail=0") for n in range(3)]
    assert len(services.sources_enqueue_due()) == 3  # sent while no worker runs
    broker = redis.Redis.from_url(redis_url)
    assert broker.llen("fetch") == 3
    broker.flushdb()  # our own DB number only (REDIS_URL); never FLUSHALL
    assert broker.llen("fetch") == 0

    worker = WorkerProcess(queues="fetch", concurrency=2).start()
    try:
        assert all(state_of(s) == "waiting" for s in sources)  # the messages are gone
        assert sorted(services.sources_sweep(resend_after=0)) == [s.pk for s in sources]
        wait_for(lambda: all(state_of(s) == "live" for s in sources), what="recovery")
    finally:
        worker.stop()
    assert Snapshot.objects.count() == 3
    assert sorted(server.counters.values()) == [1, 1, 1]


@pytest.mark.parametrize(
    ("query", "code"),
    [("fail=1&code=503", "http_5xx"), ("fail=1&code=429&retry_after=2", "http_429")],
    ids=["503", "429-retry-after"],
)
def test_a_transient_failure_is_retried_by_the_worker(worker_settings, fetch_worker, query, code):
    server = worker_settings
    key = code.replace("_", "")
    source = make_source(server, f"/flaky/{key}?{query}")

    services.sources_enqueue_due()
    wait_for(lambda: state_of(source) == "live", what="the retry to succeed")

    failed, fetched = Snapshot.objects.filter(source=source).order_by("fetched_at")
    assert (failed.ok, failed.error_code) == (False, code)
    assert fetched.ok
    assert server.counters[key] == 2
    if code == "http_429":
        assert (fetched.fetched_at - failed.fetched_at).total_seconds() >= 1.5  # Retry-After


def test_beat_runs_the_due_check_and_the_sweeper_on_their_settings():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sources-due"]["task"] == "claims.tasks.sources_enqueue_due_task"
    assert schedule["sources-due"]["schedule"] == settings.FACTCHECK_SOURCE_DUE_EVERY
    assert schedule["sources-sweep"]["task"] == "claims.tasks.sources_sweep_task"
    assert settings.CELERY_TASK_ROUTES["claims.tasks.source_fetch_task"] == {"queue": "fetch"}
