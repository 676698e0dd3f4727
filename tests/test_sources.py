"""Source services (claims/services/sources.py) against a real local HTTP server:
states, leases, link health, drift, quote checks, merging and re-review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from claims import services
from claims.models import (
    Citation,
    Claim,
    Rating,
    RatingScale,
    Snapshot,
    SnapshotText,
    Source,
)

State = Source.State


def make_source(server, path: str, **extra) -> Source:
    url = server.url(path)
    return Source.objects.create(
        key=url,
        url=url,
        title=extra.pop("title", ""),
        domain="127.0.0.1",
        state=State.WAITING,
        next_check_at=timezone.now(),
        **extra,
    )


def published_claim(source: Source, *, quote: str = "", via_verdict: bool = False) -> Claim:
    scale, _ = RatingScale.objects.get_or_create(name="Test", version=1)
    rating, _ = Rating.objects.get_or_create(
        scale=scale, code="true", defaults={"label_nl": "Waar", "label_en": "True", "value": 5}
    )
    claim = services.claim_create(text=f"Bewering over {source.pk} {via_verdict}").claim
    verdict = services.verdict_publish(claim=claim, rating=rating, summary="Klopt.")
    if via_verdict:
        article_citation = Citation.objects.filter(source=source, claim__isnull=True).first()
        if article_citation is None:
            from claims.models import Article

            article = Article.objects.create(title=f"Artikel {source.pk}", slug=f"a-{source.pk}")
            article_citation = Citation.objects.create(article=article, source=source)
        verdict.citations.add(article_citation)
    else:
        Citation.objects.create(claim=claim, source=source, quote=quote)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    return claim


def age(source: Source, **delta) -> None:
    """Move the source's failure clock back, as if time had passed."""
    Source.objects.filter(pk=source.pk).update(
        last_failed_at=timezone.now() - timedelta(**delta), next_check_at=timezone.now()
    )


def test_a_waiting_source_is_fetched_and_becomes_live(source_server, db):
    source = make_source(source_server, "/page")

    done = services.source_fetch(source_id=source.pk)

    source.refresh_from_db()
    snapshot = source.snapshots.get()
    assert (done.outcome, source.state) == ("live", State.LIVE)
    assert source.last_status == 200 and source.last_error == ""
    assert source.final_url == source_server.url("/page")
    assert source.title == "Testpagina voor bronnen"  # taken from the page when empty
    assert source.lease_until is None
    week = timezone.now() + timedelta(days=7)
    assert abs((source.next_check_at - week).total_seconds()) < 60
    assert snapshot.ok and snapshot.title == "Testpagina voor bronnen"
    assert snapshot.canonical_url == "https://example.org/testpagina"
    assert snapshot.language == "nl"
    assert "2,1 miljard euro" in snapshot.text.text
    assert "Home | Nieuws" not in snapshot.text.text  # boilerplate left out
    reasons = list(source.history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == ["fetched", "fetch started (was waiting)"]


def test_a_second_run_of_the_same_task_does_nothing(source_server, db):
    source = make_source(source_server, "/page")
    assert services.source_fetch(source_id=source.pk).outcome == "live"
    assert services.source_fetch(source_id=source.pk).outcome == "skipped"
    assert Snapshot.objects.count() == 1
    assert source_server.paths().count("/page") == 1


def test_a_source_held_by_a_live_lease_is_not_taken(source_server, db):
    source = make_source(source_server, "/page")
    Source.objects.filter(pk=source.pk).update(
        state=State.FETCHING, lease_until=timezone.now() + timedelta(minutes=2)
    )
    assert services.source_fetch(source_id=source.pk).outcome == "skipped"

    Source.objects.filter(pk=source.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert services.source_fetch(source_id=source.pk).outcome == "live"


def test_a_worker_whose_lease_was_taken_over_records_nothing(source_server, db):
    from claims import fetch
    from claims.importers.page import PageText
    from claims.services.sources import _fetch_record

    source = make_source(source_server, "/page")
    stale_lease = timezone.now() - timedelta(minutes=5)
    Source.objects.filter(pk=source.pk).update(
        state=State.FETCHING, lease_until=timezone.now() + timedelta(minutes=3)
    )
    result = fetch.url_fetch(source.url)

    done = _fetch_record(source, "waiting", stale_lease, result, PageText(), attempt=0)

    assert done.outcome == "skipped"
    assert Snapshot.objects.count() == 0


def test_identical_refetches_store_the_text_once(source_server, db):
    source = make_source(source_server, "/page")
    for _ in range(3):
        services.source_fetch(source_id=source.pk, force=True)
    assert Snapshot.objects.filter(source=source).count() == 3
    assert SnapshotText.objects.count() == 1
    source.refresh_from_db()
    assert source.state == State.LIVE  # same text: no drift


def test_a_changed_text_puts_the_claims_that_rest_on_it_into_rereview(source_server, db):
    source = make_source(source_server, "/changing", title="Voorjaarsnota")
    direct = published_claim(source)
    via_verdict = published_claim(source, via_verdict=True)
    services.source_fetch(source_id=source.pk)
    assert Claim.objects.get(pk=direct.pk).status == Claim.Status.PUBLISHED

    done = services.source_fetch(source_id=source.pk, force=True)

    assert done.outcome == "changed"
    for claim in (direct, via_verdict):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.NEEDS_REREVIEW
        assert "Voorjaarsnota" in claim.rereview_reason and "gewijzigd" in claim.rereview_reason
        latest = claim.history.first()
        assert latest.status == Claim.Status.NEEDS_REREVIEW
        assert latest.history_change_reason
    # The next identical fetch calls it live again; the claims stay for an editor.
    source_server.pages["/changing"] = (200, "text/html", source_server_page_now(source))
    services.source_fetch(source_id=source.pk, force=True)
    assert Source.objects.get(pk=source.pk).state == State.LIVE
    assert Claim.objects.get(pk=direct.pk).status == Claim.Status.NEEDS_REREVIEW


def source_server_page_now(source: Source) -> bytes:
    from tests.sourceserver import PAGE

    latest = source.snapshots.filter(ok=True).first().text.text
    n = latest.split(",1 miljard")[0].rsplit(" ", 1)[1]
    return PAGE.replace(b"2,1 miljard", f"{n},1 miljard".encode())


def test_a_source_is_dead_only_after_three_failures_three_days_apart(source_server, db):
    source = make_source(source_server, "/status/404", title="Verdwenen")
    claim = published_claim(source)

    services.source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert (source.state, source.failure_count, source.last_error) == ("failing", 1, "http_4xx")
    assert source.last_status == 404
    assert abs((source.next_check_at - timezone.now()) - timedelta(days=1)) < timedelta(minutes=1)

    services.source_fetch(source_id=source.pk, force=True)  # the same day: not counted
    source.refresh_from_db()
    assert (source.state, source.failure_count) == ("failing", 1)

    age(source, days=3)
    services.source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert (source.state, source.failure_count) == ("failing", 2)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PUBLISHED

    age(source, days=3)
    services.source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert (source.state, source.failure_count) == ("dead", 3)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "Verdwenen" in claim.rereview_reason and "http_4xx" in claim.rereview_reason
    assert Snapshot.objects.filter(source=source, ok=False).count() == 4


def test_a_dead_source_that_comes_back_is_live_again(source_server, db):
    source = make_source(source_server, "/page", failure_count=3)
    Source.objects.filter(pk=source.pk).update(state=State.DEAD)
    services.source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert (source.state, source.failure_count) == ("live", 0)


def test_transient_failures_ask_for_a_retry_with_backoff(source_server, db, settings):
    settings.FACTCHECK_SOURCE_RETRY_BASE = 10
    source = make_source(source_server, "/status/503")

    first = services.source_fetch(source_id=source.pk, attempt=0)
    assert (first.outcome, first.error, first.retry_in) == ("failing", "http_5xx", 10)
    source.refresh_from_db()
    assert source.enqueued_at == source.next_check_at  # the retry is this turn's message

    second = services.source_fetch(source_id=source.pk, attempt=1, force=True)
    assert second.retry_in == 20
    last = services.source_fetch(source_id=source.pk, attempt=3, force=True)
    assert last.retry_in is None  # retries spent: the daily re-check takes over


def test_a_retry_after_header_is_honoured(source_server, db, settings):
    settings.FACTCHECK_SOURCE_RETRY_BASE = 1
    source = make_source(source_server, "/status/429?retry_after=7")
    assert services.source_fetch(source_id=source.pk).retry_in == 7


def test_permanent_failures_are_not_retried(source_server, db):
    source = make_source(source_server, "/image")
    done = services.source_fetch(source_id=source.pk)
    assert (done.error, done.retry_in) == ("bad_type", None)


def test_a_pdf_is_stored_without_extraction_and_watched_for_changes(source_server, db):
    source = make_source(source_server, "/pdf")
    services.source_fetch(source_id=source.pk)
    snapshot = source.snapshots.get()
    assert snapshot.ok and snapshot.content_type == "application/pdf"
    assert snapshot.text is None and len(snapshot.text_hash) == 64

    source_server.pages["/pdf"] = (200, "application/pdf", b"%PDF-1.4\n%other\n%%EOF")
    services.source_fetch(source_id=source.pk, force=True)
    assert Source.objects.get(pk=source.pk).state == State.CHANGED


def test_a_hostile_source_url_is_refused_and_recorded(db, canary_server):
    url = f"http://127.0.0.1:{canary_server.port}/"
    source = Source.objects.create(
        key=url, url=url, state=State.WAITING, next_check_at=timezone.now()
    )
    done = services.source_fetch(source_id=source.pk)
    assert (done.outcome, done.error) == ("failing", "refused_address")
    assert source.snapshots.get().error_code == "refused_address"


# --- Quote checks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "status"),
    [
        ("de uitgaven aan defensie in 2026 met 2,1 miljard euro stijgen", "found"),
        ("DE UITGAVEN  aan defensie\nin 2026", "found"),  # case and whitespace
        ("“De werkloosheid blijft laag”", "found"),  # the quote marks around it go
        ("De werkloosheid blijft laag, rond de 3,8 procent", "found"),
        ("de uitgaven aan defensie in 2026 met 2,3 miljard euro stijgen", "close"),
        ("groeit de economie volgend jaar met ongeveer anderhalf procent", "close"),
        ("De minister trad vandaag af na een motie van wantrouwen", "not_found"),
    ],
)
def test_quotes_are_checked_against_the_newest_text(source_server, db, quote, status):
    source = make_source(source_server, "/page")
    claim = published_claim(source, quote=quote)

    services.source_fetch(source_id=source.pk)

    citation = claim.citations.get()
    assert citation.quote_status == status, citation.quote_score
    assert citation.quote_checked_at is not None
    if status == "found":
        assert citation.quote_score == 100
    elif status == "close":
        assert 85 <= citation.quote_score < 100
    else:
        assert citation.quote_score < 85


def test_typographic_quotes_match_straight_ones(source_server, db):
    source_server.pages["/quotes"] = (
        200,
        "text/html; charset=utf-8",
        b"<html><body><article><p>De minister zei: &ldquo;Wij gaan door&rdquo; en "
        b"vertrok daarna snel naar Brussel voor overleg met collega&#8217;s.</p>"
        b"<p>Meer tekst om de pagina lang genoeg te maken voor de extractie.</p>"
        b"</article></body></html>",
    )
    source = make_source(source_server, "/quotes")
    claim = published_claim(source, quote='zei: "wij gaan door" en vertrok daarna snel')
    services.source_fetch(source_id=source.pk)
    assert claim.citations.get().quote_status == "found"


# --- Scheduling -------------------------------------------------------------------------


def test_due_check_sends_each_due_source_once(source_server, db):
    due = make_source(source_server, "/page")
    later = make_source(source_server, "/text")
    Source.objects.filter(pk=later.pk).update(next_check_at=timezone.now() + timedelta(hours=1))
    no_url = Source.objects.create(key="title:x", title="x", state=State.NEEDS_URL)

    assert services.sources_enqueue_due() == [due.pk]
    assert services.sources_enqueue_due() == []  # already sent for this turn
    assert no_url.pk not in services.sources_sweep(resend_after=3600)


def test_sweeper_resends_lost_messages_and_expired_leases(source_server, db):
    lost = make_source(source_server, "/page")
    stuck = make_source(source_server, "/text")
    services.sources_enqueue_due()
    Source.objects.filter(pk=stuck.pk).update(  # claimed 3 minutes ago; the worker died
        state=State.FETCHING,
        enqueued_at=timezone.now() - timedelta(minutes=4),
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    assert sorted(services.sources_sweep(resend_after=3600)) == [stuck.pk]
    assert services.sources_sweep(resend_after=3600) == []  # sent once per expiry

    Source.objects.filter(pk=lost.pk).update(  # due 3 h ago, sent 2 h ago, never ran
        next_check_at=timezone.now() - timedelta(hours=3),
        enqueued_at=timezone.now() - timedelta(hours=2),
    )
    assert services.sources_sweep(resend_after=3600) == [lost.pk]
    assert services.source_fetch(source_id=lost.pk).outcome == "live"
    assert services.source_fetch(source_id=stuck.pk).outcome == "live"


# --- Editors' actions ---------------------------------------------------------------------


def test_attaching_a_url_makes_the_source_wait_for_its_fetch(
    db, django_capture_on_commit_callbacks
):
    source = Source.objects.create(key="title:witkoff", title="Steve Witkoff")
    with django_capture_on_commit_callbacks() as sent:
        kept = services.source_url_set(
            source=source, url="https://EN.wikipedia.org/wiki/Steve_Witkoff?utm_source=x#top"
        )
    assert kept.pk == source.pk
    kept.refresh_from_db()
    assert kept.url == kept.key == "https://en.wikipedia.org/wiki/Steve_Witkoff"
    assert (kept.state, kept.domain) == (State.WAITING, "en.wikipedia.org")
    assert len(sent) == 1  # the fetch goes out after commit


def test_attaching_a_url_another_source_has_merges_the_two(source_server, db):
    from claims.models import Article

    article = Article.objects.create(title="Artikel", slug="artikel")
    known = make_source(source_server, "/page", title="Bekend")
    services.source_fetch(source_id=known.pk)
    bare = Source.objects.create(key="title:bekend", title="Bekend (zonder URL)")
    Citation.objects.create(article=article, source=known, position=1)
    Citation.objects.create(article=article, source=bare, position=2, quote="2,1 miljard euro")
    claim = published_claim(bare, quote="De werkloosheid blijft laag")
    verdict = claim.verdicts.get()
    verdict.citations.add(claim.citations.get())

    kept = services.source_url_set(source=bare, url=known.url)

    assert kept.pk == known.pk
    assert not Source.objects.filter(pk=bare.pk).exists()
    assert article.citations.get().quote == "2,1 miljard euro"  # folded into one citation
    moved = claim.citations.get()
    assert moved.source_id == known.pk
    assert list(verdict.citations.all()) == [moved]
    assert moved.quote_status == "found"  # checked against the text already fetched
    assert bare.history.model.objects.filter(id=bare.pk, history_type="-").exists()


def test_a_bad_url_is_refused(db):
    from claims.text.links import BadLink

    source = Source.objects.create(key="title:y", title="y")
    with pytest.raises(BadLink):
        services.source_url_set(source=source, url="javascript:alert(1)")


def test_marking_a_source_permanently_dead(source_server, db):
    source = make_source(source_server, "/page", title="Weg")
    claim = published_claim(source)
    services.source_mark_dead(source=source)
    source.refresh_from_db()
    assert (source.state, source.permanently_dead, source.next_check_at) == ("dead", True, None)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.NEEDS_REREVIEW and "Weg" in claim.rereview_reason
    assert services.sources_enqueue_due() == []


def test_due_fetches_go_out_in_turns_across_domains(db):
    rows = [(1, "a.nl"), (2, "a.nl"), (3, "a.nl"), (4, "b.nl"), (5, "c.nl"), (6, "b.nl")]
    assert services.sources_interleave(rows) == [1, 4, 5, 2, 6, 3]
    now = timezone.now()
    for n, (_, domain) in enumerate(rows):
        url = f"https://{domain}/{n}"
        Source.objects.create(key=url, url=url, domain=domain, state="waiting", next_check_at=now)
    sent = services.sources_enqueue_due()
    domains = [Source.objects.get(pk=pk).domain for pk in sent]
    assert domains == ["a.nl", "b.nl", "c.nl", "a.nl", "b.nl", "a.nl"]
