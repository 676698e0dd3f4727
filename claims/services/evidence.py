"""Evidence: a WARC capture of every fetch of a source, its bundle per article (WACZ),
and a copy at the web archive (Save Page Now 2) when a cited source is first fetched
live and whenever its text changes.

Captures. ``claims/fetch.py`` hands back each hop's request and response as they went
over the wire; ``capture_store`` writes them as WARC records (request, then response, per
hop) to one gzipped WARC file per fetch in the ``captures`` storage, and the Snapshot
keeps the file's name, the page record's id, its payload digest and date. The response
body is the one received, content-coding intact (a gzipped page stays gzipped, as its
``Content-Encoding`` header says); only the chunked framing is gone, so the
``Transfer-Encoding`` header is left out of the record. A body already captured for the
same source and URL is not stored again: the new record is a ``revisit`` (identical
payload digest) that refers to the snapshot holding it. Because each source's captures
refer only to each other, a source's WARC (its files one after another) and an
article's WACZ (its sources' WARCs) are whole.

The web archive. A ``Memento`` row is the pending work: ``memento_archive`` claims the
row by compare-and-set (a lease), then either asks the archive to save the URL (POST
``{base}/save``, waiting for a turn under ``FACTCHECK_ARCHIVE_PER_MINUTE``, a limit kept
across all workers in Redis or the database) or looks at the archive's job (GET
``{base}/save/status/{job}``), and writes the outcome only under its lease. Transient
failures back off; the archive's typed errors end the request with that code. Beat's
sweeper sends again what a lost message or a dead worker left.

The import order between service areas: evidence comes first (sources calls it while
fetching); the one call the other way (the database's turn store) imports inside.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from claims import fetch
from claims.models import Article, Citation, Memento, Snapshot, Source
from claims.services.core import article_cache_touch, task_send

log = logging.getLogger(__name__)

RETRY_COUNTDOWN_MAX = 600  # Celery countdowns stay well under the visibility timeout


# --- WARC captures ------------------------------------------------------------------


def captures_storage():
    """The storage that holds WARC files (``STORAGES["captures"]``)."""
    return storages["captures"]


def warc_digest(data: bytes) -> str:
    """A WARC payload digest: SHA-1 in base32, as warcio and the replay tools write it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()  # noqa: S324


@dataclass
class WarcBuilt:
    """One fetch as a gzipped WARC file, and its page's record."""

    data: bytes
    record_id: str
    digest: str
    date: datetime
    records: list[str]  # the record types in order, for check_url's report


@dataclass
class CaptureStored:
    name: str
    record_id: str
    digest: str
    date: datetime
    size: int
    revisit_of_id: int | None = None


def capture_build(result: fetch.FetchResult, *, revisit_of: Snapshot | None = None) -> WarcBuilt:
    """Write ``result``'s hops as WARC records: a warcinfo, then per hop the request and
    the response as received. The page's response is a revisit of ``revisit_of`` (same
    payload digest) when given, so its body is not stored twice."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    info = {
        "software": f"Factcheck (warcio) at {settings.SITE_URL}",
        "format": "WARC File Format 1.0",
        "http-header-user-agent": settings.FACTCHECK_FETCH_USER_AGENT,
        "robots": "obey",
        "description": "A fetch of a source cited in a fact-check",
    }
    writer.write_record(writer.create_warcinfo_record("", info))
    records, page = ["warcinfo"], None
    for number, exchange in enumerate(result.exchanges, start=1):
        is_page = number == len(result.exchanges)
        date = datetime_to_iso_date(exchange.started_at.astimezone(UTC).replace(tzinfo=None))
        kept = [(k, v) for k, v in exchange.response_headers if k.lower() != "transfer-encoding"]
        status_line = f"{exchange.status} {exchange.reason}".strip()
        http = StatusAndHeaders(status_line, kept, protocol=exchange.http_version)
        digest = warc_digest(exchange.body)
        extra = {"WARC-Date": date}
        if exchange.peer_ip:
            extra["WARC-IP-Address"] = exchange.peer_ip
        if is_page and revisit_of is not None:
            response = writer.create_revisit_record(
                exchange.url,
                digest,
                revisit_of.final_url,
                datetime_to_iso_date(revisit_of.warc_date.astimezone(UTC).replace(tzinfo=None)),
                http_headers=http,
                warc_headers_dict=extra,
            )
            response.rec_headers.add_header("WARC-Refers-To", revisit_of.warc_record_id)
        else:
            if exchange.truncated:
                extra["WARC-Truncated"] = "length"
            response = writer.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=http,
                warc_headers_dict={**extra, "WARC-Payload-Digest": digest},
            )
        request_line = f"{exchange.method} {exchange.request_target} {exchange.http_version}"
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=StatusAndHeaders(
                request_line, exchange.request_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": date},
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        writer.write_record(request)
        writer.write_record(response)
        records += ["request", response.rec_type]
        if is_page:
            page = (response.rec_headers.get_header("WARC-Record-ID"), digest, exchange)
    record_id, digest, exchange = page
    return WarcBuilt(out.getvalue(), record_id, digest, exchange.started_at, records)


def capture_revisit_target(*, source_id: int, url: str, digest: str) -> Snapshot | None:
    """The earlier capture of this source and URL whose record holds this very body."""
    return (
        Snapshot.objects.captures()
        .filter(source_id=source_id, final_url=url[:2000], warc_digest=digest)
        .filter(warc_revisit_of__isnull=True)
        .order_by("-fetched_at", "-id")
        .first()
    )


def capture_store(*, source_id: int, result: fetch.FetchResult) -> CaptureStored | None:
    """Write a successful fetch to a WARC file in the captures storage. Returns what the
    snapshot should know of it, or None when capture is off or the storage failed (the
    fetch itself still counts; the failure is logged)."""
    if not (settings.FACTCHECK_WARC_CAPTURE and result.ok and result.exchanges):
        return None
    page = result.exchanges[-1]
    original = capture_revisit_target(
        source_id=source_id, url=page.url, digest=warc_digest(page.body)
    )
    built = capture_build(result, revisit_of=original)
    stamp = built.date.astimezone(UTC)
    name = (
        f"warc/{stamp:%Y/%m/%d}/source-{source_id}-{stamp:%Y%m%dT%H%M%S}"
        f"-{uuid.uuid4().hex[:8]}.warc.gz"
    )
    try:
        name = captures_storage().save(name, ContentFile(built.data))
    except Exception:
        log.exception("could not store the WARC capture of source %s", source_id)
        return None
    return CaptureStored(
        name=name,
        record_id=built.record_id,
        digest=built.digest,
        date=built.date,
        size=len(built.data),
        revisit_of_id=original.pk if original else None,
    )


def capture_discard(*, name: str) -> None:
    """Remove a WARC file that no snapshot will point to (a fetch whose lease was lost)."""
    with contextlib.suppress(Exception):
        captures_storage().delete(name)


def snapshot_capture_fields(capture: CaptureStored | None) -> dict:
    if capture is None:
        return {}
    return {
        "warc_name": capture.name,
        "warc_record_id": capture.record_id,
        "warc_digest": capture.digest,
        "warc_date": capture.date,
        "warc_size": capture.size,
        "warc_revisit_of_id": capture.revisit_of_id,
    }


def source_warc_names(*, source: Source) -> list[str]:
    """The WARC files of every capture of ``source``, oldest first: together one WARC
    (gzip members may follow each other), with every revisit's original inside."""
    return list(
        Snapshot.objects.captures()
        .filter(source=source)
        .order_by("fetched_at", "id")
        .values_list("warc_name", flat=True)
    )


def source_warc_chunks(*, source: Source, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """The bytes of the source's WARC, file after file, for a streamed download."""
    storage = captures_storage()
    for name in source_warc_names(source=source):
        try:
            handle = storage.open(name, "rb")
        except (OSError, FileNotFoundError):
            log.warning("WARC file %s of source %s is missing", name, source.pk)
            continue
        with handle:
            while data := handle.read(chunk):
                yield data


def article_sources(*, article: Article) -> list[Source]:
    """Every source the article cites, itself or through the claims that appear in it."""
    cited = Citation.objects.filter(
        Q(article=article, claim__isnull=True) | Q(claim__appearances__article=article)
    )
    return list(Source.objects.filter(pk__in=cited.values("source")).order_by("pk"))


def article_wacz_build(*, article: Article, folder: Path) -> Path | None:
    """Bundle every capture the article cites into one WACZ file in ``folder`` (py-wacz
    indexes the WARCs and lists each source's page). None when nothing is captured."""
    from wacz.main import main as wacz_main

    inputs, pages = [], []
    for source in article_sources(article=article):
        names = source_warc_names(source=source)
        if not names:
            continue
        path = folder / f"source-{source.pk}.warc.gz"
        with path.open("wb") as out:
            for name in names:
                with captures_storage().open(name, "rb") as handle:
                    shutil.copyfileobj(handle, out)
        inputs.append(str(path))
        latest = Snapshot.objects.captures().filter(source=source).order_by("-fetched_at").first()
        pages.append({"url": latest.final_url or source.url, "title": source.label[:200]})
    if not inputs:
        return None
    pages_path = folder / "pages.jsonl"
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": article.title[:200]}, *pages]
    pages_path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines))
    output = folder / f"{article.slug}.wacz"
    args = ["create", "-o", str(output), "-p", str(pages_path), "--title", article.title[:200]]
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        status = wacz_main([*args, *inputs])
    if status != 0 or not output.exists():
        raise RuntimeError(f"py-wacz could not create the WACZ: {printed.getvalue()[-500:]}")
    return output


@contextlib.contextmanager
def article_wacz(*, article: Article) -> Iterator[Path | None]:
    """The article's WACZ in a temporary folder that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="factcheck-wacz-") as folder:
        yield article_wacz_build(article=article, folder=Path(folder))


# --- The web archive (Save Page Now 2) ------------------------------------------------

# The archive's limit without keys (SPN2 changelog, 2023-01-22: anonymous 4 captures a
# minute, with keys 12); FACTCHECK_ARCHIVE_PER_MINUTE is ours, below both by default.
ANONYMOUS_PER_MINUTE = 4
# Captures are spaced 60/N seconds apart plus this much, so that network jitter never
# lets N + 1 of them reach the archive within one minute.
TURN_MARGIN = 0.25
MAX_ATTEMPTS = 6
JOB_TIMEOUT = timedelta(minutes=30)  # a job still pending after this is asked for again
DAY = 24 * 3600

# SPN2's ``status_ext`` codes that will not change by asking again.
PERMANENT_ERRORS = frozenset(
    {
        "error:bad-request",
        "error:blocked",
        "error:blocked-client-ip",
        "error:blocked-url",
        "error:filesize-limit",
        "error:ftp-access-denied",
        "error:http-version-not-supported",
        "error:invalid-host-resolution",
        "error:invalid-server-response",
        "error:invalid-url-syntax",
        "error:method-not-allowed",
        "error:network-authentication-required",
        "error:no-access",
        "error:not-found",
        "error:not-implemented",
        "error:too-many-redirects",
        "error:unauthorized",
    }
)
DAILY_LIMIT = "error:too-many-daily-captures"  # asked again a day later


def archive_enabled() -> bool:
    return bool(settings.FACTCHECK_ARCHIVE_SPN_URL)


def archive_has_keys() -> bool:
    return bool(settings.FACTCHECK_ARCHIVE_S3_ACCESS and settings.FACTCHECK_ARCHIVE_S3_SECRET)


def archive_per_minute() -> int:
    """Captures asked for per minute: ours, and never more than the anonymous limit
    when we have no keys."""
    limit = settings.FACTCHECK_ARCHIVE_PER_MINUTE
    return limit if archive_has_keys() else min(limit, ANONYMOUS_PER_MINUTE)


def _archive_headers() -> dict[str, str]:
    if not archive_has_keys():
        return {}
    access, secret = settings.FACTCHECK_ARCHIVE_S3_ACCESS, settings.FACTCHECK_ARCHIVE_S3_SECRET
    return {"Authorization": f"LOW {access}:{secret}"}


def archive_turns() -> fetch.TurnStore:
    """Where the archive's turns live, shared by every worker: Redis, else the database."""
    if settings.REDIS_URL:
        return fetch.RedisTurns(settings.REDIS_URL)
    from claims.services.sources import DatabaseTurns  # against the area order: see above

    return DatabaseTurns()


def archive_turn_reserve() -> float:
    """Book the next capture turn: the seconds to wait for it, or minus the wait when it
    is further away than a worker waits (nothing is booked then)."""
    host = urlsplit(settings.FACTCHECK_ARCHIVE_SPN_URL).hostname or "archive"
    interval = 60 / archive_per_minute() + TURN_MARGIN
    return archive_turns().reserve(
        f"archive-save:{host}",
        interval=interval,
        max_wait=float(settings.FACTCHECK_FETCH_DOMAIN_MAX_WAIT),
    )


def memento_url_for(*, timestamp: str, original_url: str) -> str:
    return f"{settings.FACTCHECK_ARCHIVE_SPN_URL}/web/{timestamp}/{original_url}"


def memento_request(
    *, source: Source, snapshot: Snapshot | None = None, reason: str = Memento.Reason.MISSING
) -> Memento | None:
    """Ask the archive to capture ``source`` (the task is sent after commit). Does nothing
    when archiving is off or the source has no URL; returns the request under way when
    there is one already."""
    if not archive_enabled() or not source.url:
        return None
    under_way = Memento.objects.filter(source=source, state__in=Memento.OPEN).first()
    if under_way is not None:
        return under_way
    now = timezone.now()
    try:
        with transaction.atomic():
            memento = Memento.objects.create(
                source=source,
                snapshot=snapshot,
                url=source.url,
                reason=reason,
                next_attempt_at=now,
                enqueued_at=now,
            )
    except IntegrityError:  # another worker asked at the same moment
        return Memento.objects.filter(source=source, state__in=Memento.OPEN).first()
    from claims import tasks

    task_send(tasks.memento_archive_task, memento.pk)
    return memento


def source_archive_after_fetch(*, source: Source, snapshot: Snapshot, changed: bool) -> None:
    """Called by a successful fetch: a cited source goes to the archive the first time it
    is live (or, cited later, the first fetch after that) and whenever its text changed."""
    if not archive_enabled() or not source.citations.exists():
        return
    if changed:
        memento_request(source=source, snapshot=snapshot, reason=Memento.Reason.CHANGED)
    elif not source.mementos.exists():
        memento_request(source=source, snapshot=snapshot, reason=Memento.Reason.FIRST)


@dataclass
class MementoStep:
    """What one run of ``memento_archive`` did."""

    memento_id: int
    outcome: str  # "skipped", or the state the request was left in
    error: str = ""
    retry_in: int | None = None  # seconds until the task should run again, if at all


@dataclass
class _Outcome:
    state: str
    next_in: float | None = None  # seconds until the next step; None: finished
    error: str = ""
    detail: str = ""
    attempt: bool = False  # a failed try that counts towards MAX_ATTEMPTS
    fields: dict | None = None


def memento_archive(*, memento_id: int) -> MementoStep:
    """Take the request's next step: ask the archive to save the URL, or look at the
    archive's job. Safe to run twice: the row is claimed with a compare-and-set lease
    first, and the outcome written only under that lease."""
    now = timezone.now()
    # Long enough to wait for the archive's turn and make the request.
    hold = settings.FACTCHECK_SOURCE_LEASE_SECONDS + settings.FACTCHECK_FETCH_DOMAIN_MAX_WAIT
    lease = now + timedelta(seconds=hold + settings.FACTCHECK_FETCH_TOTAL_TIMEOUT)
    claimable = Q(state__in=Memento.OPEN, next_attempt_at__lte=now) & (
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    if not archive_enabled():
        return MementoStep(memento_id, "skipped", "archive_off")
    if not Memento.objects.filter(claimable, pk=memento_id).update(lease_until=lease):
        return MementoStep(memento_id, "skipped")
    memento = Memento.objects.get(pk=memento_id)
    try:
        if memento.state == Memento.State.PENDING:
            outcome = _memento_submit(memento)
        else:
            outcome = _memento_poll(memento)
    except Exception as exc:  # never leave the row leased by a bug: back off and log
        log.exception("archiving memento %s failed unexpectedly", memento_id)
        outcome = _Outcome(memento.state, error="internal", detail=str(exc)[:500], attempt=True)
    return _memento_record(memento, lease, outcome)


def _memento_submit(memento: Memento) -> _Outcome:
    wait = archive_turn_reserve()
    if wait < 0:  # the archive's next turn is too far away: not a failure, just later
        return _Outcome(Memento.State.PENDING, next_in=-wait)
    if wait > 0:
        time.sleep(wait)
    answer = fetch.api_request(
        f"{settings.FACTCHECK_ARCHIVE_SPN_URL}/save",
        method="POST",
        data={"url": memento.url, "skip_first_archive": "1"},
        headers=_archive_headers(),
    )
    data = answer.data if isinstance(answer.data, dict) else {}
    job_id = str(data.get("job_id") or "")
    if answer.ok and job_id:
        return _Outcome(
            Memento.State.SUBMITTED,
            next_in=settings.FACTCHECK_ARCHIVE_POLL_SECONDS,
            fields={"job_id": job_id[:200], "submitted_at": timezone.now()},
        )
    return _archive_failure(answer, data, resubmit=False)


def _memento_poll(memento: Memento) -> _Outcome:
    answer = fetch.api_request(
        f"{settings.FACTCHECK_ARCHIVE_SPN_URL}/save/status/{quote(memento.job_id, safe='')}",
        headers=_archive_headers(),
    )
    data = answer.data if isinstance(answer.data, dict) else {}
    status = data.get("status") if answer.ok else None
    if status == "success":
        timestamp = str(data.get("timestamp") or "")
        original = str(data.get("original_url") or memento.url)
        try:
            archived_at = datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            return _Outcome(
                Memento.State.SUBMITTED,
                next_in=settings.FACTCHECK_ARCHIVE_POLL_SECONDS,
                error="bad_answer",
                detail=f"timestamp {timestamp!r}",
                attempt=True,
            )
        return _Outcome(
            Memento.State.ARCHIVED,
            fields={
                "memento_url": memento_url_for(timestamp=timestamp, original_url=original)[:2500],
                "memento_at": archived_at,
            },
        )
    if status == "pending":
        submitted = memento.submitted_at or memento.updated_at
        if timezone.now() - submitted > JOB_TIMEOUT:
            return _Outcome(
                Memento.State.PENDING,
                next_in=_backoff(memento.attempts),
                error="job_timeout",
                attempt=True,
                fields={"job_id": ""},
            )
        return _Outcome(Memento.State.SUBMITTED, next_in=settings.FACTCHECK_ARCHIVE_POLL_SECONDS)
    if status == "error":
        return _archive_failure(answer, data, resubmit=True)
    if answer.ok:  # a JSON answer we do not understand: look again later
        answer.error, answer.detail = fetch.BAD_RESPONSE, f"status {status!r}"
    return _archive_failure(answer, data, resubmit=False, polling=True)


def _archive_failure(
    answer: fetch.ApiResult, data: dict, *, resubmit: bool, polling: bool = False
) -> _Outcome:
    """Classify a failed save or status answer: the archive's typed error, or ours."""
    code = str(data.get("status_ext") or "")[:60]
    message = str(data.get("message") or answer.detail or "")[:500]
    retry_state = Memento.State.SUBMITTED if polling else Memento.State.PENDING
    retry_fields = None if polling else {"job_id": ""}
    if code in PERMANENT_ERRORS:
        return _Outcome(Memento.State.FAILED, error=code, detail=message)
    if code == DAILY_LIMIT:
        return _Outcome(
            Memento.State.PENDING,
            next_in=DAY,
            error=code,
            detail=message,
            attempt=True,
            fields={"job_id": ""},
        )
    if code:  # the archive's own trouble (overloaded, timeouts): ask again later
        state = Memento.State.PENDING if resubmit else retry_state
        return _Outcome(
            state,
            next_in=None,
            error=code,
            detail=message,
            attempt=True,
            fields={"job_id": ""} if resubmit else retry_fields,
        )
    error = answer.error or fetch.BAD_RESPONSE
    if answer.transient or error == fetch.BAD_RESPONSE:
        outcome = _Outcome(retry_state, error=error, detail=message, attempt=True)
        outcome.fields = retry_fields
        if answer.retry_after:
            outcome.next_in = answer.retry_after
        return outcome
    return _Outcome(Memento.State.FAILED, error=error, detail=message)


def _backoff(attempts: int) -> int:
    return min(settings.FACTCHECK_SOURCE_RETRY_BASE * 2**attempts, DAY)


@transaction.atomic
def _memento_record(memento: Memento, lease, outcome: _Outcome) -> MementoStep:
    now = timezone.now()
    row = Memento.objects.select_for_update().filter(pk=memento.pk, lease_until=lease).first()
    if row is None:  # our lease ran out and another worker took the row over
        log.warning("lease lost on memento %s; its outcome is not recorded", memento.pk)
        return MementoStep(memento.pk, "skipped")
    row.lease_until = None
    row.error_code, row.error_detail = outcome.error, outcome.detail
    for name, value in (outcome.fields or {}).items():
        setattr(row, name, value)
    state, next_in = outcome.state, outcome.next_in
    if outcome.attempt:
        row.attempts += 1
        if row.attempts >= MAX_ATTEMPTS:
            state, next_in = Memento.State.FAILED, None
        elif next_in is None:
            next_in = _backoff(row.attempts - 1)
    row.state = state
    retry_in = None
    if state in Memento.OPEN:
        next_in = max(0, int(next_in or 0))
        row.next_attempt_at = now + timedelta(seconds=next_in)
        if next_in <= RETRY_COUNTDOWN_MAX:
            retry_in = next_in
            row.enqueued_at = row.next_attempt_at  # the task's retry is that turn's message
    else:
        row.next_attempt_at = None
    row.save()
    if state == Memento.State.ARCHIVED:
        article_cache_touch(source_ids=[row.source_id])
    return MementoStep(row.pk, state, outcome.error, retry_in=retry_in)


def mementos_sweep(*, resend_after: int | None = None, limit: int = 500) -> list[int]:
    """Send again what is stuck: a due request whose task was never sent or got lost, or
    a lease that ran out (a worker died mid-request)."""
    if not archive_enabled():
        return []
    from claims import tasks

    now = timezone.now()
    if resend_after is None:
        resend_after = settings.FACTCHECK_SOURCE_RESEND_AFTER
    stale = now - timedelta(seconds=resend_after)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    unsent = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=F("next_attempt_at"))
    lost = Q(enqueued_at__lt=stale)
    expired = Q(lease_until__lt=now) & (Q(enqueued_at__lt=F("lease_until")) | lost)
    due = Memento.objects.filter(state__in=Memento.OPEN, next_attempt_at__lte=now).filter(
        free & (unsent | lost | expired)
    )
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    if ids:
        Memento.objects.filter(pk__in=ids).update(enqueued_at=now)
        for memento_id in ids:
            try:
                tasks.memento_archive_task.delay(memento_id)
            except Exception:  # kombu raises many types when the broker is unreachable
                log.warning("broker unreachable; the memento sweep runs again later")
                break
    return ids


def sources_missing_memento(*, source_id: int | None = None) -> list[int]:
    """Cited sources with a URL that the archive has no copy of and is not working on
    (``refresh_sources --archive``)."""
    sources = Source.objects.exclude(url="").filter(
        Exists(Citation.objects.filter(source=OuterRef("pk")))
    )
    if source_id is not None:
        sources = Source.objects.exclude(url="").filter(pk=source_id)
    covered = Memento.objects.filter(
        source=OuterRef("pk"),
        state__in=[Memento.State.ARCHIVED, Memento.State.PENDING, Memento.State.SUBMITTED],
    )
    return list(sources.filter(~Exists(covered)).order_by("pk").values_list("pk", flat=True))


def sources_archive(*, ids: list[int]) -> list[Memento]:
    """Ask the archive for each of these sources (one request each; none twice)."""
    requested = []
    for source in Source.objects.filter(pk__in=ids).exclude(url="").order_by("pk"):
        memento = memento_request(source=source)
        if memento is not None:
            requested.append(memento)
    return requested


def memento_archive_now(*, memento: Memento, timeout: float = 600) -> Memento:
    """Run a request's steps here until it ends (``refresh_sources --archive --sync``):
    each step waits for its turn, as a worker would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        memento.refresh_from_db()
        if not memento.is_open:
            return memento
        wait = (memento.next_attempt_at - timezone.now()).total_seconds()
        if wait > 0:
            time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
        memento_archive(memento_id=memento.pk)
    memento.refresh_from_db()
    return memento
