"""The web archive (Save Page Now 2) against a fake SPN2 server on loopback: a cited
source's first live fetch and every change ask for a capture, the job is polled until it
succeeds or fails with a typed error, transient trouble backs off, and the captures per
minute stay under the limit (the worker-process test is tests/test_tasks_evidence.py)."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Citation, Memento, Source
from claims.services import evidence


def cited_source(server, path: str, article) -> Source:
    url = server.url(path)
    source = Source.objects.create(
        key=url, url=url, title=f"Bron {path}", state="waiting", next_check_at=timezone.now()
    )
    Citation.objects.create(article=article, source=source, position=50)
    return source


def step(memento: Memento) -> Memento:
    """Run the request's next step now (what the task's countdown would wait for)."""
    Memento.objects.filter(pk=memento.pk).update(next_attempt_at=timezone.now())
    evidence.memento_archive(memento_id=memento.pk)
    memento.refresh_from_db()
    return memento


def test_a_first_live_fetch_asks_the_archive_and_polls_until_the_memento(
    archive_server, source_server, seed_article, django_capture_on_commit_callbacks
):
    source = cited_source(source_server, "/page", seed_article)
    with django_capture_on_commit_callbacks() as sent:
        services.source_fetch(source_id=source.pk)
    memento = Memento.objects.get(source=source)
    assert (memento.state, memento.reason, memento.url) == ("pending", "first", source.url)
    assert memento.snapshot.source_id == source.pk
    assert len(sent) == 1  # the task, after commit

    memento = step(memento)  # save
    assert memento.state == "submitted" and memento.job_id == "spn2-0001"
    (_when, form, headers), *_ = archive_server.saves
    assert form == {"url": source.url, "skip_first_archive": "1"}
    assert headers["Accept"] == "application/json"
    assert "Authorization" not in headers  # no keys: anonymous
    assert memento.next_attempt_at > timezone.now()  # the next look waits its turn

    states = [step(memento).state for _ in range(3)]  # pending, pending, success

    assert states == ["submitted", "submitted", "archived"]
    assert len(archive_server.status_calls()) == 3
    assert archive_server.status_calls()[0] == "/save/status/spn2-0001"
    stamp = memento.memento_at.strftime("%Y%m%d%H%M%S")
    assert memento.memento_url == f"{archive_server.base}/web/{stamp}/{source.url}"
    assert abs((memento.memento_at - timezone.now()).total_seconds()) < 60
    assert (memento.next_attempt_at, memento.lease_until, memento.error_code) == (None, None, "")


def test_keys_go_in_a_low_authorization_header_at_our_own_limit(
    archive_server, source_server, seed_article, settings, monkeypatch
):
    monkeypatch.setattr(evidence, "ANONYMOUS_PER_MINUTE", 4)
    settings.FACTCHECK_ARCHIVE_PER_MINUTE = 6
    assert evidence.archive_per_minute() == 4  # anonymous: the archive's lower limit
    settings.FACTCHECK_ARCHIVE_S3_ACCESS, settings.FACTCHECK_ARCHIVE_S3_SECRET = "ak", "sk"
    assert evidence.archive_per_minute() == 6
    settings.FACTCHECK_ARCHIVE_PER_MINUTE = 6000

    memento = evidence.memento_request(source=cited_source(source_server, "/page", seed_article))
    step(memento)
    assert archive_server.saves[-1][2]["Authorization"] == "LOW ak:sk"


def test_error_blocked_ends_the_request_with_a_readable_state(
    archive_server, source_server, seed_article, client, editor
):
    archive_server.script = [("error", "error:blocked")]
    source = cited_source(source_server, "/page", seed_article)
    memento = step(step(evidence.memento_request(source=source)))

    assert (memento.state, memento.error_code) == ("failed", "error:blocked")
    assert memento.next_attempt_at is None and memento.attempts == 0
    assert step(memento).state == "failed"  # nothing more is asked
    assert len(archive_server.saves) == 1

    client.force_login(editor)
    html = client.get(reverse("claims:source", args=[source.pk])).content.decode()
    assert "de site blokkeert het archief" in html and "error:blocked" not in html


def test_a_transient_error_backs_off_and_then_succeeds(
    archive_server, source_server, seed_article, settings
):
    settings.FACTCHECK_SOURCE_RETRY_BASE = 30
    archive_server.save_replies = [(503, "<p>Service Unavailable</p>")]
    archive_server.script = [("error", "error:cannot-fetch")]
    source = cited_source(source_server, "/page", seed_article)
    memento = evidence.memento_request(source=source)

    memento = step(memento)  # the save answers 503: back off
    assert (memento.state, memento.error_code, memento.attempts) == ("pending", "http_5xx", 1)
    wait = (memento.next_attempt_at - timezone.now()).total_seconds()
    assert 25 <= wait <= 30
    assert evidence.memento_archive(memento_id=memento.pk).outcome == "skipped"  # not yet due

    memento = step(step(memento))  # saved; the job fails with the archive's own trouble
    assert (memento.state, memento.error_code, memento.attempts) == (
        "pending",
        "error:cannot-fetch",
        2,
    )
    assert memento.job_id == ""  # asked again from the start
    wait = (memento.next_attempt_at - timezone.now()).total_seconds()
    assert 55 <= wait <= 60  # doubled

    archive_server.script = ["success"]
    memento = step(step(memento))
    assert memento.state == "archived" and memento.error_code == ""
    assert len(archive_server.saves) == 3


def test_repeated_trouble_gives_up_after_the_last_attempt(
    archive_server, source_server, seed_article
):
    archive_server.save_replies = [(502, "bad gateway")] * evidence.MAX_ATTEMPTS
    memento = evidence.memento_request(source=cited_source(source_server, "/page", seed_article))
    for _ in range(evidence.MAX_ATTEMPTS):
        memento = step(memento)
    assert (memento.state, memento.attempts, memento.error_code) == ("failed", 6, "http_5xx")


def test_the_daily_limit_asks_again_a_day_later(archive_server, source_server, seed_article):
    archive_server.script = [("error", "error:too-many-daily-captures")]
    memento = step(
        step(evidence.memento_request(source=cited_source(source_server, "/page", seed_article)))
    )
    assert memento.state == "pending"
    assert memento.next_attempt_at - timezone.now() > timedelta(hours=23)


def test_a_changed_text_asks_again_and_an_uncited_source_never(
    archive_server, source_server, seed_article
):
    changing = cited_source(source_server, "/changing", seed_article)
    services.source_fetch(source_id=changing.pk)
    first = Memento.objects.get(source=changing)
    archive_server.script = ["success"]
    step(step(first))
    services.source_fetch(source_id=changing.pk, force=True)  # the text changed

    assert list(changing.mementos.order_by("id").values_list("reason", "state")) == [
        ("first", "archived"),
        ("changed", "pending"),
    ]

    url = source_server.url("/text")
    uncited = Source.objects.create(key=url, url=url, state="waiting", next_check_at=timezone.now())
    services.source_fetch(source_id=uncited.pk)
    assert not uncited.mementos.exists()


def test_an_unchanged_refetch_asks_nothing_new(archive_server, source_server, seed_article):
    source = cited_source(source_server, "/page", seed_article)
    services.source_fetch(source_id=source.pk)
    services.source_fetch(source_id=source.pk, force=True)
    assert source.mementos.count() == 1


def test_archiving_is_off_without_a_base_url(source_server, seed_article, settings):
    settings.FACTCHECK_ARCHIVE_SPN_URL = ""
    source = cited_source(source_server, "/page", seed_article)
    services.source_fetch(source_id=source.pk)
    assert not Memento.objects.exists()
    assert evidence.memento_request(source=source) is None


def test_one_request_at_a_time_per_source(archive_server, source_server, seed_article):
    source = cited_source(source_server, "/page", seed_article)
    first = evidence.memento_request(source=source)
    assert evidence.memento_request(source=source) == first
    assert Memento.objects.count() == 1


def test_a_held_request_is_not_taken_twice(archive_server, source_server, seed_article):
    memento = evidence.memento_request(source=cited_source(source_server, "/page", seed_article))
    Memento.objects.filter(pk=memento.pk).update(lease_until=timezone.now() + timedelta(minutes=1))
    assert evidence.memento_archive(memento_id=memento.pk).outcome == "skipped"
    assert archive_server.saves == []


def test_the_sweeper_sends_again_what_was_lost(archive_server, source_server, seed_article):
    memento = evidence.memento_request(source=cited_source(source_server, "/page", seed_article))
    stale = timezone.now() - timedelta(hours=1)
    Memento.objects.filter(pk=memento.pk).update(enqueued_at=stale, next_attempt_at=stale)
    held = evidence.memento_request(source=cited_source(source_server, "/text", seed_article))
    Memento.objects.filter(pk=held.pk).update(
        next_attempt_at=stale, enqueued_at=stale, lease_until=timezone.now() + timedelta(minutes=5)
    )

    assert evidence.mementos_sweep(resend_after=60) == [memento.pk]  # not the held one
    assert evidence.mementos_sweep(resend_after=60) == []  # sent: enqueued now


@pytest.fixture(params=["database", "redis"])
def archive_turns(request, db, settings):
    if request.param == "redis":
        settings.REDIS_URL = request.getfixturevalue("redis_url")
        from django.core.cache import cache

        client = cache._cache.get_client(write=True)
        for key in client.scan_iter("fc:turn:archive-save:*"):
            client.delete(key)
    else:
        settings.REDIS_URL = ""
    return request.param


def test_capture_turns_are_a_minute_apart_divided_by_the_limit(archive_turns, settings):
    settings.FACTCHECK_ARCHIVE_SPN_URL = f"https://turns-{time.monotonic_ns()}.example"
    settings.FACTCHECK_ARCHIVE_S3_ACCESS, settings.FACTCHECK_ARCHIVE_S3_SECRET = "a", "s"
    settings.FACTCHECK_ARCHIVE_PER_MINUTE = 6
    settings.FACTCHECK_FETCH_DOMAIN_MAX_WAIT = 25
    waits = [evidence.archive_turn_reserve() for _ in range(4)]

    assert waits[0] == pytest.approx(0, abs=0.5)
    assert [b - a for a, b in itertools.pairwise(waits[:3])] == [pytest.approx(10.25, abs=0.5)] * 2
    assert waits[3] < 0  # 30 s away: more than a worker waits, so nothing is booked
    assert evidence.archive_turn_reserve() < 0


# --- Commands --------------------------------------------------------------------------


def command(*args: str) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_refresh_sources_archive_asks_for_what_is_missing(
    archive_server, source_server, seed_article, django_capture_on_commit_callbacks
):
    missing = cited_source(source_server, "/page", seed_article)
    done = cited_source(source_server, "/text", seed_article)
    Memento.objects.create(source=done, url=done.url, state="archived")
    url = source_server.url("/pdf")
    Source.objects.create(key=url, url=url, state="live")  # not cited: not archived

    with django_capture_on_commit_callbacks() as sent:
        out = command("refresh_sources", "--archive")

    assert out.splitlines()[0] == "Asked the web archive for 1 sources without a copy: 1 pending."
    assert list(Memento.objects.filter(state="pending").values_list("source", flat=True)) == [
        missing.pk
    ]
    assert len(sent) == 1
    assert command("refresh_sources", "--archive").startswith("Asked the web archive for 0")


def test_refresh_sources_archive_sync_waits_for_the_memento(
    archive_server, source_server, seed_article, settings
):
    import json

    settings.FACTCHECK_ARCHIVE_POLL_SECONDS = 1
    archive_server.script = ["pending", "success"]
    blocked = cited_source(source_server, "/text", seed_article)
    source = cited_source(source_server, "/page", seed_article)
    archive_server.save_replies = [
        (200, {"status": "error", "status_ext": "error:blocked", "message": "blocked"})
    ]

    summary = json.loads(command("refresh_sources", "--archive", "--sync", "--json"))

    assert summary == {
        "sources": 2,
        "outcomes": {"failed": 1, "archived": 1},
        "errors": {"error:blocked": 1},
    }
    assert blocked.mementos.get().state == "failed"
    assert source.mementos.get().memento_url.startswith(archive_server.base + "/web/")


def test_refresh_sources_archive_refuses_when_archiving_is_off(db, settings):
    from django.core.management import CommandError

    settings.FACTCHECK_ARCHIVE_SPN_URL = ""
    with pytest.raises(CommandError, match="archiving is off"):
        command("refresh_sources", "--archive")


def test_merging_sources_keeps_the_archives_copies(archive_server, source_server, seed_article):
    kept = cited_source(source_server, "/page", seed_article)
    merged = cited_source(source_server, "/text", seed_article)
    Memento.objects.create(
        source=merged, url=merged.url, state="archived", memento_at=timezone.now()
    )
    evidence.memento_request(source=merged)
    evidence.memento_request(source=kept)

    services.source_merge(source=merged, into=kept)

    assert sorted(kept.mementos.values_list("state", flat=True)) == ["archived", "pending"]
