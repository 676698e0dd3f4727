"""The web archive's limit with real Celery workers: two worker processes share the
captures-per-minute limit (Redis when set, else the database), and every request still
ends with its memento."""

from __future__ import annotations

import itertools
import time

import pytest

from claims import services
from claims.models import Citation, Memento, Source
from tests.conftest import WorkerProcess, fetch_queue_purge, wait_for

pytestmark = pytest.mark.worker

PER_MINUTE = 6
REQUESTS = PER_MINUTE + 1  # the last one must wait for the first one's minute to pass


def test_no_more_than_the_limit_per_minute_across_two_worker_processes(
    archive_server, worker_settings, seed_article, transactional_db, settings, monkeypatch
):
    from claims.services import evidence

    source_server = worker_settings
    # The real limit, with keys so that ours (6) is the one in force; quick polls.
    limits = {
        "FACTCHECK_ARCHIVE_PER_MINUTE": PER_MINUTE,
        "FACTCHECK_ARCHIVE_S3_ACCESS": "access",
        "FACTCHECK_ARCHIVE_S3_SECRET": "secret",
        "FACTCHECK_ARCHIVE_POLL_SECONDS": 1,
    }
    for name, value in limits.items():
        monkeypatch.setenv(name, str(value))
        setattr(settings, name, value)
    monkeypatch.setattr(evidence, "ANONYMOUS_PER_MINUTE", 4)
    archive_server.script = ["pending", "success"]
    if settings.REDIS_URL:  # turns kept from another run must not delay this one
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter("fc:turn:archive-save:*"):
            client.delete(key)
    fetch_queue_purge()
    sources = []
    for n in range(REQUESTS):
        url = source_server.url(f"/page?n={n}")
        source = Source.objects.create(key=url, url=url, state="live")
        Citation.objects.create(article=seed_article, source=source, position=100 + n)
        sources.append(source)

    workers = [WorkerProcess(queues="fetch,celery", concurrency=2).start() for _ in range(2)]
    try:
        started = time.monotonic()
        services.sources_archive(ids=[s.pk for s in sources])  # sent after commit (autocommit)
        done = wait_for(
            lambda: Memento.objects.filter(state="archived").count() == REQUESTS, timeout=150
        )
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.stop()
    states = list(Memento.objects.values_list("url", "state", "error_code"))
    assert done, (states, workers[0].output()[-2000:])

    sent = sorted(when for when, _form, _headers in archive_server.saves)
    assert len(sent) == REQUESTS  # each request saved once, by one of the four pool processes
    in_any_minute = max(sum(1 for t in sent if start <= t < start + 60) for start in sent)
    assert in_any_minute <= PER_MINUTE, sent
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 60 / PER_MINUTE - 0.05, gaps
    assert elapsed >= 60  # the seventh waited for the first one's minute
    assert all(m.memento_at and m.memento_url for m in Memento.objects.all())
    assert all(h["Authorization"] == "LOW access:secret" for _t, _f, h in archive_server.saves)
