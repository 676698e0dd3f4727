"""DESIGN.md's reliability bar, with the real parts: Redis stopped for a minute, and
PostgreSQL restarted under a worker that is half-way through a fetch. Nothing accepted
is lost, nothing stays stuck past its lease, and every due fetch is done once the parts
are back. (A worker killed mid-fetch and a flushed Redis: tests/test_tasks_sources.py.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Report, Snapshot, Source
from tests.conftest import (
    WorkerProcess,
    celery_broker_point_at,
    fetch_queue_purge,
    free_port,
    make_source,
    postgres_sessions_end,
    report_form_data,
    service_missing,
    state_of,
    wait_for,
)

pytestmark = pytest.mark.worker

OUTAGE = 60  # seconds without Redis, as in the bar


class RedisServer:
    """A redis-server of the test's own on a free port, so stopping it stops nobody
    else. No persistence: like a Redis that lost its memory, every queued message goes."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("needs redis-server to start and stop a Redis of its own")
        self.binary, self.port = binary, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        options = [
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.proc = subprocess.Popen(
            [self.binary, *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(answers, what="redis-server to start", timeout=20)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


@pytest.fixture
def own_redis(settings, worker_settings):
    """This process and its worker on a Redis of their own: broker, cache and counters,
    as a web process and a worker share one in production."""
    if not settings.REDIS_URL:
        service_missing("needs Redis: set REDIS_URL=redis://...")
    server = RedisServer().start()
    saved = celery_broker_point_at(server.url, {"socket_connect_timeout": 1})
    settings.CACHES = {
        name: {**config, "LOCATION": server.url} for name, config in settings.CACHES.items()
    }
    fetch_queue_purge()
    yield server
    celery_broker_point_at(*saved)
    server.stop()


def post_report(reader, article, message: str, n: int) -> None:
    url = reverse("claims:report_create", kwargs={"slug": article.slug})
    response = reader.post(
        url,
        report_form_data(message=message),
        REMOTE_ADDR=f"198.51.100.{n}",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and b'class="reference"' in response.content


def unprocessed() -> int:
    return Report.objects.filter(processed_at__isnull=True).count()


def test_a_minute_without_redis_loses_nothing(
    worker_settings, own_redis, transactional_db, seed_article, reader
):
    server = own_redis
    worker = WorkerProcess(queues="fetch,celery", concurrency=2, env={"REDIS_URL": server.url})
    worker.start()
    try:
        post_report(reader, seed_article, "Voor de storing.", 1)
        wait_for(lambda: unprocessed() == 0, what="the first report's follow-up")

        server.stop()
        stopped = time.monotonic()
        for n in range(2, 5):  # readers are thanked as ever; the rows wait
            post_report(reader, seed_article, f"Tijdens de storing {n}.", n)
        sources = [make_source(worker_settings, f"/flaky/outage{n}?fail=0") for n in range(2)]
        services.sources_enqueue_due()  # the sends fail; the rows say so
        assert Report.objects.count() == 4 and unprocessed() == 3
        time.sleep(max(0, OUTAGE - (time.monotonic() - stopped)))
        assert worker.proc.poll() is None, worker.output()[-3000:]  # it waited it out

        server.start()  # same port, empty: whatever was queued is gone
        # What beat runs every few minutes; the worker has reconnected by itself.
        assert services.reports_sweep(older_than_seconds=0) == 3
        assert sorted(services.sources_sweep(resend_after=0)) == [s.pk for s in sources]
        wait_for(lambda: unprocessed() == 0, what="the follow-up of the reports")
        wait_for(lambda: all(state_of(s) == "live" for s in sources), what="the fetches")

        post_report(reader, seed_article, "Na de storing.", 5)  # no sweeper needed now
        wait_for(lambda: unprocessed() == 0, what="a new report's follow-up")
    finally:
        worker.stop()
    assert Report.objects.count() == 5
    assert Snapshot.objects.filter(source__in=sources).count() == 2  # each fetched once


# --- PostgreSQL restarted -------------------------------------------------------------


def postgres_restart() -> str:
    """Restart the local cluster with Debian's pg_ctlcluster, as .ci/run starts it. Where
    that is not possible (not root, another way of running PostgreSQL), end every other
    session of the test database instead: to its clients that is what a restart does.
    Returns which of the two happened."""
    versions = sorted(Path("/etc/postgresql").glob("*/main"))
    if shutil.which("pg_ctlcluster") and versions and os.geteuid() == 0:
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].parent.name]
        done = subprocess.run(
            [*command, "main", "restart", "-m", "fast"], capture_output=True, timeout=120
        )
        if done.returncode == 0:
            return "restarted"
    postgres_sessions_end()
    return "sessions ended"


# Every connection to the cluster dies, other test processes' too: `make test` runs this
# alone, after the parallel pass. (The Redis outage above stops a Redis of its own.)
@pytest.mark.serial
def test_a_postgresql_restart_mid_fetch_loses_nothing(
    postgres, worker_settings, fetch_worker, seed_article, reader
):
    server = worker_settings
    source = make_source(server, "/hold/restart")
    services.sources_enqueue_due()
    wait_for(lambda: "/hold/restart" in server.paths(), what="the fetch to start")
    assert state_of(source) == "fetching"

    how = postgres_restart()  # every connection dies: the worker's (and this process's)
    connections.close_all()
    print(f"PostgreSQL: {how}")
    server.release("restart")  # the fetch ends, but its connection is gone

    # Its lease runs out; beat's sweeper sends the fetch again; the worker reconnects.
    wait_for(lambda: Source.objects.get(pk=source.pk).lease_until < timezone.now(), what="lease")
    assert services.sources_sweep() == [source.pk]
    wait_for(lambda: state_of(source) == "live", what="the fetch to be done again")
    assert Snapshot.objects.filter(source=source).count() == 1

    started = source.history.filter(history_change_reason__startswith="fetch started")
    assert started.count() == 2  # the first fetch's outcome died with its connection

    post_report(reader, seed_article, "Na de herstart.", 1)
    wait_for(lambda: unprocessed() == 0, what="a report's follow-up after the restart")
