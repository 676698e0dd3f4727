"""Sources: fetching in workers, link health, drift, quote checks, and editors' actions.

Every piece of pending work is row state. A source is due when ``next_check_at`` has
passed; ``enqueued_at`` says a task was sent for that turn. A worker claims the row with
a compare-and-set UPDATE (state -> fetching, with a lease) and writes the outcome only
while it still holds that lease, so a task that runs twice, or a worker killed mid-fetch
whose lease another worker took over, never writes twice. Beat's due-check sends what is
due; the sweeper sends again what a lost message or a dead worker left behind.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from claims import fetch
from claims.importers.page import PageText, page_extract
from claims.models import (
    Citation,
    Claim,
    EventKind,
    HostTurn,
    Memento,
    Snapshot,
    SnapshotText,
    Source,
)
from claims.services.core import article_cache_touch, history_record, task_send
from claims.services.events import event_publish
from claims.services.evidence import (
    CaptureStored,
    capture_discard,
    capture_store,
    snapshot_capture_fields,
    source_archive_after_fetch,
)
from claims.text.links import link_domain, link_normalise
from claims.text.quotes import quote_match

log = logging.getLogger(__name__)

State = Source.State
CLAIMABLE = [State.WAITING, State.LIVE, State.FAILING, State.CHANGED, State.DEAD]
RETRY_COUNTDOWN_MAX = 600  # Celery countdowns stay well under the visibility timeout


# --- Creating sources -------------------------------------------------------------------


def source_key(*, url: str = "", title: str = "", publisher: str = "") -> str:
    """One source per normalised URL, or per title and publisher while it has none."""
    if url:
        return link_normalise(url)
    folded = " ".join(f"{title}|{publisher}".casefold().split())
    return f"title:{folded}"


def source_get_or_create(*, url: str = "", title: str = "", publisher: str = "") -> Source:
    """The source for ``url`` (or, with no URL, for its title and publisher), created if it
    is new: with a URL it waits for its first fetch. Raises claims.text.links.BadLink for
    a URL we cannot keep."""
    key = source_key(url=url, title=title, publisher=publisher)
    source = Source.objects.filter(key=key).first()
    if source is not None:
        return source
    url = key if url else ""
    source, _created = Source.objects.get_or_create(
        key=key,
        defaults={
            "url": url,
            "title": title[:500],
            "publisher": publisher[:200],
            "domain": link_domain(url) if url else "",
            "state": State.WAITING if url else State.NEEDS_URL,
            "next_check_at": timezone.now() if url else None,
        },
    )
    return source


# --- Per-host politeness without Redis ---------------------------------------------------


class DatabaseTurns:
    """The fetcher's per-host turns in the database (``HostTurn``, one row per host,
    locked while its turn is reserved), for the embedded default without Redis."""

    def reserve(self, host: str, *, interval: float, max_wait: float) -> float:
        now = time.time()
        with transaction.atomic():
            turn = HostTurn.objects.select_for_update().filter(host=host).first()
            if turn is None:
                try:
                    with transaction.atomic():
                        HostTurn.objects.create(host=host, next_at=now + interval)
                    return 0.0
                except IntegrityError:
                    turn = HostTurn.objects.select_for_update().get(host=host)
            slot = max(now, turn.next_at)
            if slot - now > max_wait:
                return -(slot - now)
            turn.next_at = slot + interval
            turn.save(update_fields=["next_at"])
        return slot - now


def source_turns() -> fetch.TurnStore:
    """Where the fetcher keeps per-host turns: Redis when there is one, else the database."""
    if settings.REDIS_URL:
        return fetch.RedisTurns(settings.REDIS_URL)
    return DatabaseTurns()


@dataclass
class SourceFetch:
    """What one run of ``source_fetch`` did."""

    source_id: int
    outcome: str  # "skipped", or the state the source was left in
    error: str = ""
    retry_in: int | None = None  # seconds until the task should run again, if at all


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


def source_fetch(*, source_id: int, attempt: int = 0, force: bool = False) -> SourceFetch:
    """Fetch one source and record what came back. Safe to run twice: the row is claimed
    with a compare-and-set first, and the outcome is written only under that lease.
    ``force`` fetches a source that is not due (``refresh_sources --all``)."""
    now = timezone.now()
    lease = now + _seconds("FACTCHECK_SOURCE_LEASE_SECONDS")
    source = Source.objects.filter(pk=source_id).exclude(url="").first()
    if source is None:
        return SourceFetch(source_id, "skipped")
    claimable = Q(state__in=CLAIMABLE) | Q(state=State.FETCHING, lease_until__lt=now)
    due = Q() if force else Q(next_check_at__lte=now)
    with transaction.atomic():
        claimed = (
            Source.objects.filter(claimable, due, pk=source_id, state=source.state)
            .exclude(url="")
            .update(state=State.FETCHING, lease_until=lease)
        )
        if claimed:
            # Readers' pages keep the last outcome until this fetch ends (no cache touch).
            before = source.state
            source.state, source.lease_until = State.FETCHING, lease
            history_record(source, reason=f"fetch started (was {before})")
    if not claimed:
        return SourceFetch(source_id, "skipped")

    result = fetch.url_fetch(source.url, turns=source_turns())
    page = _page(result)
    capture = capture_store(source_id=source_id, result=result)  # outside any transaction
    done = _fetch_record(source, before, lease, result, page, attempt=attempt, capture=capture)
    if capture is not None and done.outcome == "skipped":
        capture_discard(name=capture.name)  # no snapshot points to it
    return done


def _page(result: fetch.FetchResult) -> PageText:
    if not result.ok:
        return PageText()
    page = page_extract(
        result.body,
        content_type=result.content_type,
        charset=result.charset,
        url=result.final_url or result.url,
    )
    if result.is_pdf:  # stored without extraction; drift is watched on the bytes
        page.text_hash = hashlib.sha256(result.body).hexdigest()
    return page


@transaction.atomic
def _fetch_record(
    source: Source,
    before: str,
    lease,
    result: fetch.FetchResult,
    page: PageText,
    *,
    attempt: int,
    capture: CaptureStored | None = None,
) -> SourceFetch:
    now = timezone.now()
    source_id = source.pk
    source = (
        Source.objects.select_for_update()
        .filter(pk=source_id, state=State.FETCHING, lease_until=lease)
        .first()
    )
    if source is None:  # our lease ran out and another worker took the row over
        log.warning("lease lost on source %s; its outcome is not recorded", source_id)
        return SourceFetch(source_id, "skipped")
    if result.error == fetch.BUSY:
        return _fetch_postpone(source, before, result)
    snapshot = Snapshot(
        source=source,
        url=source.url,
        fetched_at=now,
        ok=result.ok,
        status_code=result.status,
        final_url=result.final_url[:2000],
        content_type=result.content_type[:100],
        error_code=result.error,
        error_detail=result.detail[:500],
        elapsed_ms=result.elapsed_ms,
        **snapshot_capture_fields(capture),
    )
    if result.ok:
        return _fetch_succeeded(source, snapshot, page, now)
    return _fetch_failed(source, snapshot, result, now, attempt=attempt)


def _fetch_postpone(source: Source, before: str, result: fetch.FetchResult) -> SourceFetch:
    """Our own politeness said wait: not a failure of the source. Give the row back."""
    wait = min(result.retry_after or 60, RETRY_COUNTDOWN_MAX)
    source.state = before if before != State.FETCHING else State.WAITING
    source.lease_until = None
    source.next_check_at = timezone.now() + timedelta(seconds=wait)
    source.enqueued_at = source.next_check_at  # the task's retry is that turn's message
    source._change_reason = "fetch postponed: host busy"
    source.save()
    return SourceFetch(source.pk, "skipped", fetch.BUSY, retry_in=wait)


def _fetch_succeeded(source: Source, snapshot: Snapshot, page: PageText, now) -> SourceFetch:
    new_hash = page.text_hash
    previous = (
        Snapshot.objects.filter(source=source, url=source.url, ok=True)
        .exclude(text_hash="")
        .order_by("-fetched_at", "-id")
        .first()
    )
    changed = bool(previous and new_hash and previous.text_hash != new_hash)
    if page.text:
        snapshot.text, _created = SnapshotText.objects.get_or_create(
            hash=new_hash, defaults={"text": page.text}
        )
    snapshot.text_hash = new_hash
    snapshot.title = page.title[:500]
    snapshot.canonical_url = page.canonical_url[:2000]
    snapshot.language = page.language[:16]
    snapshot.claimreview = page.claimreview
    snapshot.save()

    source.state = State.CHANGED if changed else State.LIVE
    source.lease_until = None
    source.last_checked_at = now
    source.last_status = snapshot.status_code
    source.final_url = snapshot.final_url
    source.last_error = ""
    source.failure_count = 0
    source.first_failed_at = source.last_failed_at = None
    source.permanently_dead = False
    source.next_check_at = now + _seconds("FACTCHECK_SOURCE_RECHECK_LIVE")
    if not source.title and page.title:
        source.title = page.title[:500]
    source._change_reason = "text changed" if changed else "fetched"
    source.save()

    if page.text:
        citations_quote_check(source=source, text=page.text, page_text=page.page_text, now=now)
    source_archive_after_fetch(source=source, snapshot=snapshot, changed=changed)
    if changed:
        event_publish(kind=EventKind.SOURCE_CHANGED, source=source)
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("The text of source “%(source)s” changed on %(date)s.") % {
                "source": source.label,
                "date": timezone.localtime(now).strftime("%Y-%m-%d"),
            }
        claims_rereview_for_source(source=source, reason=reason)
    return SourceFetch(source.pk, source.state)


def _fetch_failed(
    source: Source, snapshot: Snapshot, result: fetch.FetchResult, now, *, attempt: int
) -> SourceFetch:
    """A failed check. It counts towards "dead" at most once per FAILURE_SPACING, so a
    source is dead only after N failures that far apart (InternetArchiveBot)."""
    snapshot.save()
    spacing = _seconds("FACTCHECK_SOURCE_FAILURE_SPACING")
    if source.last_failed_at is None or now - source.last_failed_at >= spacing:
        source.failure_count += 1
        source.last_failed_at = now
        source.first_failed_at = source.first_failed_at or now
    was_dead = source.is_dead or source.permanently_dead
    dead = source.permanently_dead or (
        source.failure_count >= settings.FACTCHECK_SOURCE_DEAD_FAILURES
    )
    source.state = State.DEAD if dead else State.FAILING
    source.lease_until = None
    source.last_checked_at = now
    source.last_status = result.status
    source.final_url = result.final_url[:2000]
    source.last_error = result.error

    retry_in = None
    if result.transient and attempt < settings.FACTCHECK_SOURCE_RETRIES and not dead:
        backoff = settings.FACTCHECK_SOURCE_RETRY_BASE * 2**attempt
        wanted = max(backoff, result.retry_after or 0)
        if wanted <= RETRY_COUNTDOWN_MAX:
            retry_in = wanted
    if source.permanently_dead:
        source.next_check_at = None
    elif retry_in is not None:
        source.next_check_at = now + timedelta(seconds=retry_in)
        source.enqueued_at = source.next_check_at  # the task's own retry is that message
    elif result.retry_after and not dead:
        source.next_check_at = now + timedelta(seconds=result.retry_after)
    else:
        recheck = "FACTCHECK_SOURCE_RECHECK_DEAD" if dead else "FACTCHECK_SOURCE_RECHECK_FAILING"
        source.next_check_at = now + _seconds(recheck)
    source._change_reason = f"fetch failed: {result.error}"
    source.save()

    if dead and not was_dead:
        event_publish(kind=EventKind.SOURCE_DEAD, source=source)
        with translation.override(settings.LANGUAGE_CODE):
            reason = _(
                "Source “%(source)s” is dead (%(error)s): "
                "it failed %(count)s checks since %(date)s."
            ) % {
                "source": source.label,
                "error": result.error,
                "count": source.failure_count,
                "date": timezone.localtime(source.first_failed_at or now).strftime("%Y-%m-%d"),
            }
        claims_rereview_for_source(source=source, reason=reason)
    return SourceFetch(source.pk, source.state, result.error, retry_in=retry_in)


def citations_quote_check(*, source: Source, text: str, page_text: str = "", now=None) -> int:
    """Check every quoted passage that cites ``source`` against its newest ``text`` (and
    the whole visible ``page_text``, when the fetch just brought it)."""
    now = now or timezone.now()
    citations = list(source.citations.exclude(quote=""))
    close = settings.FACTCHECK_QUOTE_CLOSE_SCORE
    for citation in citations:
        match = quote_match(citation.quote, text, page_text, close_score=close)
        citation.quote_status = match.status
        citation.quote_score = match.score
        citation.quote_checked_at = now
    if citations:
        Citation.objects.bulk_update(citations, ["quote_status", "quote_score", "quote_checked_at"])
        article_cache_touch(source_ids=[source.pk])  # bulk_update sends no signals
    return len(citations)


def source_latest_text(*, source: Source) -> str:
    snapshot = (
        Snapshot.objects.filter(source=source, ok=True, text__isnull=False)
        .select_related("text")
        .order_by("-fetched_at", "-id")
        .first()
    )
    return snapshot.text.text if snapshot else ""


def claims_rereview_for_source(*, source: Source, reason: str) -> list[int]:
    """Put each published claim that cites ``source`` (itself, or through its published
    verdict) into "needs re-review", with the reason in the claim and its history."""
    cites = Q(citations__source=source) | Q(
        verdicts__status="published", verdicts__citations__source=source
    )
    ids = list(
        Claim.objects.filter(cites, status=Claim.Status.PUBLISHED)
        .values_list("pk", flat=True)
        .distinct()
    )
    changed = []
    for claim in Claim.objects.select_for_update().filter(
        pk__in=ids, status=Claim.Status.PUBLISHED
    ):
        claim.status = Claim.Status.NEEDS_REREVIEW
        claim.rereview_reason = reason
        claim._change_reason = reason[:100]
        claim.save(update_fields=["status", "rereview_reason", "updated_at"])
        changed.append(claim.pk)
    return changed


# --- Scheduling: beat's due-check and the sweeper -------------------------------------


def _sources_send(ids: list[int]) -> int:
    from claims import tasks

    sent = 0
    for source_id in ids:
        try:
            tasks.source_fetch_task.delay(source_id)
        except Exception:  # kombu raises many types when the broker is unreachable
            log.warning("broker unreachable; the sweeper sends the rest later")
            break
        sent += 1
    return sent


def sources_interleave(rows: list[tuple[int, str]]) -> list[int]:
    """Ids in turns across domains (a, b, c, a, b, c, ...), keeping each domain's order,
    so that workers waiting for one busy host's turn never hold up all the others."""
    turns: dict[str, int] = {}
    ranked = []
    for position, (source_id, domain) in enumerate(rows):
        turn = turns.get(domain, 0)
        turns[domain] = turn + 1
        ranked.append((turn, position, source_id))
    return [source_id for _, _, source_id in sorted(ranked)]


def _sources_mark_and_send(queryset, *, limit: int) -> list[int]:
    now = timezone.now()
    rows = list(queryset.order_by("next_check_at", "pk").values_list("pk", "domain")[:limit])
    ids = sources_interleave(rows)
    if ids:
        Source.objects.filter(pk__in=ids).update(enqueued_at=now)
        _sources_send(ids)
    return ids


def sources_enqueue_due(*, limit: int = 1000) -> list[int]:
    """Send a fetch for every source that is due and has no task out for this turn."""
    now = timezone.now()
    due = (
        Source.objects.exclude(url="")
        .exclude(state=State.FETCHING)
        .filter(next_check_at__lte=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=F("next_check_at")))
    )
    return _sources_mark_and_send(due, limit=limit)


def sources_sweep(*, resend_after: int | None = None, limit: int = 1000) -> list[int]:
    """Send again what is stuck: a lease that ran out (a worker died mid-fetch), or a due
    source whose task was sent but never ran (the broker lost it)."""
    now = timezone.now()
    if resend_after is None:
        resend_after = settings.FACTCHECK_SOURCE_RESEND_AFTER
    stale = now - timedelta(seconds=resend_after)
    expired = Q(state=State.FETCHING, lease_until__lt=now) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=F("lease_until")) | Q(enqueued_at__lt=stale)
    )
    lost = ~Q(state=State.FETCHING) & Q(
        next_check_at__lte=now, enqueued_at__gte=F("next_check_at"), enqueued_at__lt=stale
    )
    stuck = Source.objects.exclude(url="").filter(expired | lost)
    return _sources_mark_and_send(stuck, limit=limit)


def sources_select(*, which: str = "due", source_id: int | None = None) -> list[int]:
    """The ids ``refresh_sources`` works on: due ones, all with a URL, or one."""
    sources = Source.objects.exclude(url="")
    if source_id is not None:
        sources = sources.filter(pk=source_id)
    elif which == "due":
        sources = sources.filter(next_check_at__lte=timezone.now())
    elif which != "all":
        raise ValueError(f"unknown selection {which!r}")
    return list(sources.order_by("pk").values_list("pk", flat=True))


# --- Editors' actions -------------------------------------------------------------------


def sources_fetch_now(*, ids: list[int]) -> list[int]:
    """Make these sources due now and send their fetches (after commit). Returns the ids
    that have a URL, i.e. that were sent."""
    from claims import tasks

    now = timezone.now()
    with transaction.atomic():
        ids = list(Source.objects.filter(pk__in=ids).exclude(url="").values_list("pk", flat=True))
        Source.objects.filter(pk__in=ids).update(next_check_at=now, enqueued_at=now)
        for source_id in ids:
            task_send(tasks.source_fetch_task, source_id)
    return ids


def source_fetch_now(*, source: Source) -> bool:
    """An editor's "fetch now". False when the source has no URL."""
    return bool(sources_fetch_now(ids=[source.pk]))


@transaction.atomic
def source_url_set(*, source: Source, url: str) -> Source:
    """Attach or change a source's URL and fetch it. When another source already has
    that URL, this one merges into it (one source per normalised URL) and that one is
    returned. Raises claims.text.links.BadLink for a URL we cannot keep."""
    from claims import tasks

    key = link_normalise(url)
    source = Source.objects.select_for_update().get(pk=source.pk)
    if source.key == key:
        return source
    other = Source.objects.select_for_update().filter(key=key).exclude(pk=source.pk).first()
    if other is not None:
        source_merge(source=source, into=other)
        text = source_latest_text(source=other)
        if text:
            citations_quote_check(source=other, text=text)
        target = other
        Source.objects.filter(pk=other.pk).exclude(state=State.FETCHING).update(
            next_check_at=timezone.now(), enqueued_at=timezone.now()
        )
    else:
        now = timezone.now()
        source.key = source.url = key
        source.domain = link_domain(key)
        source.state = State.WAITING
        source.last_status = None
        source.final_url = source.last_error = ""
        source.failure_count = 0
        source.first_failed_at = source.last_failed_at = None
        source.permanently_dead = False
        source.next_check_at = source.enqueued_at = now
        source._change_reason = "URL set"
        source.save()
        target = source
    task_send(tasks.source_fetch_task, target.pk)
    return target


@transaction.atomic
def source_merge(*, source: Source, into: Source) -> Source:
    """Move everything that cites ``source`` onto ``into`` and delete ``source``. A
    citation that ``into`` already has from the same article or claim is folded into it
    (its quote kept if the other had none; the verdicts resting on it follow)."""
    for citation in list(source.citations.all()):
        same = Citation.objects.filter(source=into)
        if citation.claim_id:
            same = same.filter(claim_id=citation.claim_id)
        else:
            same = same.filter(article_id=citation.article_id, claim__isnull=True)
        existing = same.first()
        if existing is None:
            citation.source = into
            citation.save(update_fields=["source"])
            continue
        if citation.quote and not existing.quote:
            existing.quote = citation.quote
            existing.quote_status = Citation.QuoteStatus.NOT_CHECKED
            existing.save(update_fields=["quote", "quote_status"])
        for verdict in citation.verdicts.all():
            verdict.citations.add(existing)
        citation.delete()
    source.snapshots.update(source=into)
    # The web archive's copies follow too; a request under way for both is kept once.
    if into.mementos.filter(state__in=Memento.OPEN).exists():
        source.mementos.filter(state__in=Memento.OPEN).delete()
    source.mementos.update(source=into)
    if not into.title and source.title:
        into.title, into.publisher = source.title, into.publisher or source.publisher
        into.save(update_fields=["title", "publisher"])
    source._change_reason = f"merged into source {into.pk}"
    source.delete()
    return into


@transaction.atomic
def source_mark_dead(*, source: Source) -> Source:
    """An editor declares the source permanently dead: no more checks, and the claims
    that rest on it go to re-review."""
    source = Source.objects.select_for_update().get(pk=source.pk)
    already = source.permanently_dead
    was_dead = source.is_dead
    source.state = State.DEAD
    source.permanently_dead = True
    source.lease_until = source.next_check_at = None
    source._change_reason = "marked permanently dead"
    source.save()
    if not was_dead:
        event_publish(kind=EventKind.SOURCE_DEAD, source=source)
    if not already:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Source “%(source)s” was marked permanently dead by an editor.") % {
                "source": source.label
            }
        claims_rereview_for_source(source=source, reason=reason)
    return source
