"""Reader reports: the "found an error?" form's reports, the reviewer queue, triage, the
emails that tell the reader, the public corrections accepted reports become, and one
reporter's personal data.

A report is stored in the request, before any task is sent; its follow-up work
(priority, evidence links) is ``processed_at IS NULL``, which the sweeper finds.

The queue: "claim next" hands a reviewer the first new report in ``queue_at`` order
under a lease. On PostgreSQL the candidate row is locked with ``SELECT ... FOR UPDATE
SKIP LOCKED``, so reviewers claiming at once each get a different row without waiting;
on SQLite the IMMEDIATE transaction holds the database's write lock instead. Either
way the row then changes by a compare-and-set UPDATE that must change exactly one row,
and an explicit history row records it (django-simple-history does not see updates).

Every state change of a claimed report goes through ``_report_held``: only the
reviewer holding it, while the lease runs, may resolve it.

Telling the reader: emails are rows in an outbox (``ReportEmail``), written in the same
transaction as the decision they report and sent by a task after commit. A mail server
outage leaves the row unsent with its error and a later ``next_attempt_at``; the sweeper
sends it again. A sender claims a row with a conditional UPDATE first, so a task that
runs twice sends once.

Corrections are public and append-only: an amendment is a new correction that says so.
"""

from __future__ import annotations

import hashlib
import html
import logging
import math
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, When
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from claims.models import (
    Article,
    ArticleRevision,
    BlockedReporter,
    Claim,
    Correction,
    EventKind,
    Paragraph,
    Report,
    ReportEmail,
    ReportEvidence,
    Source,
    TextFix,
)
from claims.services.core import (
    outbox_due,
    outbox_email_send,
    task_coalesce_release,
    task_resend,
    task_send,
)
from claims.services.events import event_publish, follows_erase, follows_export
from claims.services.sources import source_get_or_create
from claims.text.links import BadLink, site_url

log = logging.getLogger(__name__)

DUPLICATE_POINTS = 2  # priority points per duplicate report
CLAIM_POINTS = 1  # a report on a checked claim
# "Similar text" for duplicate suggestions: pg_trgm's own default threshold, and the
# rapidfuzz token-set ratio that matched the same pairs in our tests.
SIMILAR_TRIGRAM = 0.3
SIMILAR_FUZZ = 0.6
PROCESS_PENDING = "reports-process-pending"  # the coalesced follow-up task (see task_send)
SPAM_BLOCKED = "Held: the reporter's address is blocked."
SPAM_HONEYPOT = "Filed as spam: the hidden form field was filled in."


class ReportNotHeld(Exception):
    """The reviewer does not hold this report (never claimed, or the lease ran out)."""


class ReportActionRefused(ValueError):
    """The action does not apply to this report; the message says why."""


_IP_KEYS: dict[str, bytes] = {}


def ip_hash(ip: str) -> str:
    """A keyed hash of the reader's IP (claims.access.client_ip). The IP itself is
    never stored. The key is FACTCHECK_IP_SALT (derived from SECRET_KEY when not set);
    blake2b takes at most 64 key bytes, so a longer salt is hashed down first."""
    salt = settings.FACTCHECK_IP_SALT
    key = _IP_KEYS.get(salt)
    if key is None:
        raw = salt.encode()
        key = raw if len(raw) <= 64 else hashlib.blake2b(raw, digest_size=64).digest()
        _IP_KEYS.clear()
        _IP_KEYS[salt] = key
    return hashlib.blake2b(ip.encode(), key=key, digest_size=32).hexdigest()


def report_reference() -> str:
    """An unguessable tracking reference: 128 random bits, URL-safe.

    It starts with a letter or digit, so it never reads as an option on a command
    line or as a formula in a spreadsheet (which would get it quoted in CSV exports).
    """
    while True:
        reference = secrets.token_urlsafe(16)
        if reference[0].isalnum():
            return reference


def _lease() -> timezone.timedelta:
    return timezone.timedelta(minutes=settings.FACTCHECK_REPORT_LEASE_MINUTES)


def _point() -> timezone.timedelta:
    return timezone.timedelta(minutes=settings.FACTCHECK_REPORT_PRIORITY_POINT_MINUTES)


REACH_POINTS_MAX = 6


def article_reach_points(article: Article, *, now=None) -> int:
    """0 to 6 points: 2 per tenfold of page views (10, 100, 1000+), or, with no views
    tracked, 4 for an article published in the last day and 2 in the last week."""
    if article.page_views > 0:
        return min(REACH_POINTS_MAX, 2 * int(math.log10(article.page_views)))
    if article.published_at is None:
        return 0
    age = (now or timezone.now()) - article.published_at
    if age <= timezone.timedelta(days=1):
        return 4
    if age <= timezone.timedelta(days=7):
        return 2
    return 0


# --- The reader's side --------------------------------------------------------------


def report_create(
    *,
    article: Article,
    message: str,
    quote: str = "",
    suggestion: str = "",
    paragraph: Paragraph | None = None,
    claim: Claim | None = None,
    evidence_urls: list[str] | None = None,
    name: str = "",
    email: str = "",
    email_consent: bool = False,
    language: str = "nl",
    ip: str = "",
    spam_note: str = "",
) -> Report:
    """Store a reader's report. It is committed before any task is sent, so it survives
    a broker outage; its follow-up work is ``processed_at IS NULL``.

    A report with ``spam_note`` (a bot) is stored as spam at once; one from a blocked
    reporter is filed as spam by the follow-up work. Either way the reader is thanked
    as usual. The row is its own creation record: change history starts with the first
    change (a claim), which keeps the request to one INSERT and its commit."""
    from claims import tasks

    now = timezone.now()
    spam = bool(spam_note)
    report = Report(
        reference=report_reference(),
        article=article,
        claim=claim,
        paragraph=paragraph,
        quote=quote,
        message=message,
        suggestion=suggestion,
        evidence_urls=evidence_urls or [],
        name=name,
        email=email if email_consent else "",
        email_consent=bool(email and email_consent),
        language=language,
        ip_hash=ip_hash(ip) if ip else "",
        state=Report.State.SPAM if spam else Report.State.NEW,
        reviewer_note=spam_note,
        created_at=now,
        queue_at=now,
        resolved_at=now if spam else None,
        processed_at=now if spam else None,
    )
    report.skip_history_when_saving = True
    report.save(force_insert=True)
    del report.skip_history_when_saving
    if not spam:
        task_send(tasks.reports_process_pending_task, coalesce=PROCESS_PENDING)
    return report


def report_priority(report: Report, article: Article, *, now=None) -> tuple[int, object]:
    """(points, queue_at): duplicates, the article's reach and a named claim give points;
    each point moves the report one priority point earlier than its arrival."""
    points = DUPLICATE_POINTS * report.duplicate_count + article_reach_points(article, now=now)
    if report.claim_id:
        points += CLAIM_POINTS
    return points, report.created_at - points * _point()


def reports_process_pending(*, limit: int = 1000, chunk: int = 200) -> int:
    """Process every report still waiting for its follow-up work, in bulk (the coalesced
    task that ``report_create`` sends): one locked read and one UPDATE per chunk.
    Returns how many were processed. Safe beside ``report_process`` and itself: rows
    another worker holds are skipped, rows already processed are left alone."""
    from claims import tasks

    task_coalesce_release(PROCESS_PENDING)
    ids = list(
        Report.objects.filter(processed_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            reports = list(
                Report.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("article")
                .filter(pk__in=ids[start : start + chunk], processed_at__isnull=True)
            )
            if not reports:
                continue
            now = timezone.now()
            places = {}
            for report in reports:
                report.priority, report.queue_at = report_priority(report, report.article, now=now)
                report.processed_at = now
                places[report.pk] = (report.priority, report.queue_at)
            done += Report.objects.filter(pk__in=places, processed_at__isnull=True).update(
                priority=Case(*(When(pk=pk, then=p) for pk, (p, _q) in places.items())),
                queue_at=Case(*(When(pk=pk, then=q) for pk, (_p, q) in places.items())),
                processed_at=now,
            )
            _reports_evidence_add(reports)
            _reports_from_blocked_hold(reports)
            _reports_received_publish(reports)
    if len(ids) == limit:  # more than one batch waiting: carry on in a new task
        task_send(tasks.reports_process_pending_task, coalesce=PROCESS_PENDING)
    return done


def report_process(*, report_id: int) -> bool:
    """Follow-up work on a new report: its place in the queue, and its evidence links
    handed to the source pipeline as sources to fetch. Safe to run twice."""
    report = (
        Report.objects.select_related("article").filter(pk=report_id, processed_at__isnull=True)
    ).first()
    if report is None:
        return False
    points, queue_at = report_priority(report, report.article)
    with transaction.atomic():
        changed = Report.objects.filter(pk=report_id, processed_at__isnull=True).update(
            priority=points, queue_at=queue_at, processed_at=timezone.now()
        )
        if changed:
            _reports_evidence_add([report])
            _reports_from_blocked_hold([report])
            _reports_received_publish([report])
    return bool(changed)


def _reports_received_publish(reports: list[Report]) -> None:
    """A ``report.received`` event for each report in the queue (not one filed as spam or
    held because its address is blocked); it says which article, paragraph or claim,
    nothing of the reader."""
    queued = set(
        Report.objects.filter(
            pk__in=[r.pk for r in reports], state__in=Report.OPEN_STATES
        ).values_list("pk", flat=True)
    )
    for report in reports:
        if report.pk in queued:
            event_publish(
                kind=EventKind.REPORT_RECEIVED,
                article=report.article,
                claim=report.claim,
                report=report,
            )


def _report_file_as_spam(report: Report, *, note: str, user, reason: str) -> bool:
    """File a report nobody holds (new, or waiting for the reader) as spam."""
    expect = Q(state__in=[Report.State.NEW, Report.State.WAITING])
    report.state, report.resolved_at = Report.State.SPAM, timezone.now()
    report.reviewer_note = f"{report.reviewer_note}\n{note}".strip()
    return _report_transition(
        report,
        expect=expect,
        user=user,
        reason=reason,
        fields=["state", "resolved_at", "reviewer_note"],
    )


def _reports_from_blocked_hold(reports: list[Report]) -> int:
    """The follow-up half of "thanked politely, then held": a report from an address
    under an active block leaves the queue for the moderators' blocked list."""
    hashes = {report.ip_hash for report in reports if report.ip_hash}
    if not hashes:
        return 0
    blocked = set(
        BlockedReporter.objects.active()
        .filter(ip_hash__in=hashes)
        .values_list("ip_hash", flat=True)
    )
    return sum(
        _report_hold_blocked(report, user=None) for report in reports if report.ip_hash in blocked
    )


def _report_hold_blocked(report: Report, *, user) -> bool:
    """Hold a report nobody holds (new, or waiting for the reader) in the blocked list."""
    expect = Q(state__in=[Report.State.NEW, Report.State.WAITING])
    report.state = Report.State.BLOCKED
    report.reviewer_note = f"{report.reviewer_note}\n{SPAM_BLOCKED}".strip()
    return _report_transition(
        report,
        expect=expect,
        user=user,
        reason="reporter blocked",
        fields=["state", "reviewer_note"],
    )


def _evidence_source(url: str) -> Source | None:
    """The newsroom source for an accepted report's evidence link."""
    try:
        return source_get_or_create(url=url)
    except BadLink:
        return None


# --- Evidence: quarantined until a reviewer accepts the report ----------------------


def _reports_evidence_add(reports: list[Report]) -> list[int]:
    """The reports' evidence links as their own ReportEvidence rows (never sources),
    each fetched for the reviewer by a task sent after commit. Returns their ids."""
    from claims import tasks

    rows = [
        ReportEvidence(report=report, url=url, position=n)
        for report in reports
        for n, url in enumerate(dict.fromkeys(report.evidence_urls), start=1)
    ]
    if not rows:
        return []
    ReportEvidence.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        ReportEvidence.objects.filter(
            report__in=[r.pk for r in reports], fetched_at__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        task_send(tasks.report_evidence_fetch_task, pk)
    return ids


EVIDENCE_LEASE = timezone.timedelta(minutes=3)
EVIDENCE_MAX_ATTEMPTS = 3


def report_evidence_fetch(*, evidence_id: int) -> str:
    """Fetch one evidence link for the reviewer, through the same guarded fetcher as
    every source (claims/fetch.py: address checks at connect time, robots.txt, caps).
    Claims the row first, so a duplicate message does nothing. Returns the outcome
    (``ok`` or an error code), or ``""`` when there was nothing to do. Evidence of a
    report filed as spam is never fetched."""
    from claims import fetch
    from claims.services.sources import DatabaseTurns

    now = timezone.now()
    claimed = (
        ReportEvidence.objects.filter(pk=evidence_id, fetched_at__isnull=True)
        .exclude(report__state=Report.State.SPAM)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + EVIDENCE_LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        return ""
    evidence = ReportEvidence.objects.get(pk=evidence_id)
    result = fetch.url_fetch(evidence.url, turns=DatabaseTurns())
    if result.transient and evidence.attempts < EVIDENCE_MAX_ATTEMPTS:
        ReportEvidence.objects.filter(pk=evidence_id).update(lease_until=None)
        return result.error
    title = _html_title(result.body) if result.ok and not result.is_pdf else ""
    ReportEvidence.objects.filter(pk=evidence_id).update(
        lease_until=None,
        fetched_at=timezone.now(),
        error=result.error or "",
        status=result.status,
        final_url=(result.final_url or "")[:2000],
        title=title[:500],
    )
    return result.error or "ok"


TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _html_title(body: bytes) -> str:
    match = TITLE_RE.search(body[:200_000])
    if not match:
        return ""
    return " ".join(html.unescape(match.group(1).decode("utf-8", "replace")).split())


def report_evidence_sweep(*, older_than_seconds: int = 120, limit: int = 200) -> int:
    """Send again the fetch of evidence still unfetched (a lost message, a lease that
    ran out, a transient failure), except for reports filed as spam."""
    from claims import tasks

    now = timezone.now()
    cutoff = now - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        ReportEvidence.objects.filter(fetched_at__isnull=True, created_at__lt=cutoff)
        .exclude(report__state=Report.State.SPAM)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return task_resend(tasks.report_evidence_fetch_task, ids)


def _report_evidence_to_sources(report: Report) -> list[int]:
    """A reviewer accepted the report: its evidence links become newsroom sources
    (linked to the report), and the new ones are fetched at once, after commit."""
    from claims.services.sources import sources_fetch_now

    urls = list(report.evidence.order_by("position").values_list("url", flat=True))
    sources = [s for s in (_evidence_source(url) for url in urls or report.evidence_urls) if s]
    if not sources:
        return []
    report.evidence_sources.add(*sources)
    fresh = [s.pk for s in sources if s.state == Source.State.WAITING and s.last_checked_at is None]
    if fresh:
        sources_fetch_now(ids=fresh)
    return [s.pk for s in sources]


def report_info_reply(*, report: Report, text: str) -> bool:
    """The reader answers a reviewer's question: the report returns to the queue at the
    place it had (its age counts), with the answer beside it."""
    now = timezone.now()
    report.info_reply, report.info_replied_at = text, now
    report.state = Report.State.NEW
    return _report_transition(
        report,
        expect=Q(state=Report.State.WAITING),
        user=None,
        reason="reader answered",
        fields=["state", "info_reply", "info_replied_at"],
    )


# --- Claiming: the queue ------------------------------------------------------------


def _report_transition(report: Report, *, expect: Q, user, reason: str, fields: list[str]) -> bool:
    """Write ``fields`` of ``report`` with a compare-and-set UPDATE that must change
    exactly this row while it still matches ``expect``; record a history row."""
    changed = Report.objects.filter(expect, pk=report.pk).update(
        **{name: getattr(report, name) for name in fields}
    )
    if changed != 1:
        return False
    Report.history.bulk_history_create(
        [report], update=True, default_user=user, default_change_reason=reason
    )
    return True


def report_held_by(*, user, now=None) -> Report | None:
    """The report this reviewer holds while its lease runs, if any."""
    now = now or timezone.now()
    return (
        Report.objects.filter(state=Report.State.IN_REVIEW, assignee=user, lease_until__gt=now)
        .order_by("lease_until")
        .first()
    )


def _report_take(report: Report, *, user, now) -> bool:
    """Take ``report`` as it was read (state, holder and lease unchanged meanwhile)."""
    expect = Q(state=report.state, assignee_id=report.assignee_id, lease_until=report.lease_until)
    taken_over = report.state == Report.State.IN_REVIEW
    report.state = Report.State.IN_REVIEW
    report.assignee = user
    report.lease_until = now + _lease()
    return _report_transition(
        report,
        expect=expect,
        user=user,
        reason="claimed after an expired lease" if taken_over else "claimed",
        fields=["state", "assignee", "lease_until"],
    )


def report_claim_next(*, user, attempts: int = 5) -> Report | None:
    """Hand ``user`` the highest-priority unclaimed report under a lease, or None when
    the queue is empty. A reviewer holds one report at a time: while they hold one, that
    is the one they get back (with a fresh lease). Reports whose reviewer walked away
    (an expired lease) come first: they were at the top when they were taken."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _report_claim_next_postgres(user=user, now=now)
    held = report_held_by(user=user, now=now)
    if held is not None:
        report_lease_extend(report_id=held.pk, user=user)
        held.refresh_from_db()
        return held
    for _attempt in range(attempts):
        with transaction.atomic():
            for candidates in (Report.objects.lease_expired(now), Report.objects.claimable()):
                report = candidates.select_for_update(skip_locked=True).first()
                if report is not None:
                    break
            else:
                return None
            if _report_take(report, user=user, now=now):
                return report
    return None


# PostgreSQL answers "claim next" in one statement, one round trip:
# - ``before`` picks the first of: the report this reviewer holds, a report whose lease
#   ran out, the first new report in queue order. Each is read with FOR UPDATE SKIP
#   LOCKED, so concurrent reviewers pass each other's rows without waiting; each is one
#   probe of a partial index (bench/claim_next.py prints the EXPLAIN); COALESCE stops at
#   the first that answers.
# - ``claimed`` takes that row (the UPDATE is the compare-and-set: state and holder).
# - ``history`` writes its django-simple-history row, which does not see raw updates,
#   unless the reviewer merely got back the report they hold (a lease has no history).
CLAIM_NEXT_SQL = """
WITH before AS (
    SELECT id, state AS previous_state, assignee_id AS previous_holder FROM {table}
     WHERE id = COALESCE(
        (SELECT id FROM {table}
          WHERE state = 'in_review' AND assignee_id = %(user)s AND lease_until > %(now)s
          ORDER BY lease_until LIMIT 1 FOR UPDATE SKIP LOCKED),
        (SELECT id FROM {table}
          WHERE state = 'in_review' AND lease_until <= %(now)s
          ORDER BY queue_at, id LIMIT 1 FOR UPDATE SKIP LOCKED),
        (SELECT id FROM {table}
          WHERE state = 'new'
          ORDER BY queue_at, id LIMIT 1 FOR UPDATE SKIP LOCKED))
), claimed AS (
    UPDATE {table} AS report
       SET state = 'in_review', assignee_id = %(user)s, lease_until = %(until)s
      FROM before
     WHERE report.id = before.id AND report.state IN ('new', 'in_review')
    RETURNING report.*, before.previous_state, before.previous_holder
), history AS (
    INSERT INTO {history} ({tracked}, history_date, history_change_reason, history_type,
                           history_user_id)
    SELECT {tracked}, %(now)s,
           CASE WHEN previous_state = 'in_review' THEN 'claimed after an expired lease'
                ELSE 'claimed' END,
           '~', %(user)s
      FROM claimed
     WHERE NOT (previous_state = 'in_review' AND previous_holder = %(user)s)
)
SELECT * FROM claimed
"""


def _claim_next_sql() -> str:
    quote = connection.ops.quote_name
    history = Report.history.model
    own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
    tracked = [f.column for f in history._meta.concrete_fields if f.name not in own]
    return CLAIM_NEXT_SQL.format(
        table=quote(Report._meta.db_table),
        history=quote(history._meta.db_table),
        tracked=", ".join(quote(column) for column in tracked),
    )


def _report_claim_next_postgres(*, user, now) -> Report | None:
    params = {"user": user.pk, "until": now + _lease(), "now": now}
    claimed = list(Report.objects.raw(_claim_next_sql(), params))
    return claimed[0] if claimed else None


def report_claim(*, report_id: int, user) -> Report:
    """Claim one particular report from the list (new, or its lease ran out)."""
    now = timezone.now()
    held = report_held_by(user=user, now=now)
    if held is not None and held.pk != report_id:
        raise ReportActionRefused(
            _("You hold report %(ref)s; resolve or release it first.") % {"ref": held.reference[:8]}
        )
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .filter(pk=report_id)
            .filter(
                Q(state=Report.State.NEW)
                | Q(state=Report.State.IN_REVIEW, lease_until__lte=now)
                | Q(state=Report.State.IN_REVIEW, assignee=user)
            )
            .first()
        )
        if report is None or not _report_take(report, user=user, now=now):
            raise ReportActionRefused(_("Another reviewer holds this report, or it is resolved."))
    return report


def report_release(*, report_id: int, user) -> bool:
    """Give a held report back to the queue, at the place it had."""
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        return False
    report.state, report.assignee, report.lease_until = Report.State.NEW, None, None
    return _report_transition(
        report,
        expect=Q(state=Report.State.IN_REVIEW, assignee=user),
        user=user,
        reason="released",
        fields=["state", "assignee", "lease_until"],
    )


def report_lease_extend(*, report_id: int, user) -> bool:
    """Renew the holder's lease (only while it still runs: an expired lease is lost)."""
    until = timezone.now() + _lease()
    changed = Report.objects.filter(
        pk=report_id,
        state=Report.State.IN_REVIEW,
        assignee=user,
        lease_until__gt=timezone.now(),
    ).update(lease_until=until)
    return bool(changed)


def _report_held(report_id: int, user) -> Report:
    """The report, locked, if ``user`` holds it now; else ReportNotHeld. Call inside
    ``transaction.atomic()``."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("article", "claim")
        .filter(
            pk=report_id,
            state=Report.State.IN_REVIEW,
            assignee=user,
            lease_until__gt=timezone.now(),
        )
        .first()
    )
    if report is None:
        raise ReportNotHeld(report_id)
    return report


def _report_resolve(report: Report, *, user, state: str, reason: str, **changes) -> None:
    now = timezone.now()
    for name, value in changes.items():
        setattr(report, name, value)
    report.state, report.lease_until, report.resolved_at = state, None, now
    done = _report_transition(
        report,
        expect=Q(state=Report.State.IN_REVIEW, assignee=user),
        user=user,
        reason=reason,
        fields=["state", "lease_until", "resolved_at", *changes],
    )
    if not done:  # cannot happen while the row is locked; never resolve silently
        raise ReportNotHeld(report.pk)


# --- Triage -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportAccepted:
    """What accepting a report did: the correction published (if any), the revision of
    the article that fixed the reported paragraph (if any), and the text fix proposed to
    the editors instead (when the reviewer may not change the text)."""

    correction: Correction | None = None
    revision: ArticleRevision | None = None
    text_fix: TextFix | None = None


def report_paragraph(report: Report) -> Paragraph | None:
    """The paragraph a report is about: the one the reader chose, else the one that holds
    the quoted passage."""
    if report.paragraph_id:
        return report.paragraph
    quote = report.quote.strip()
    if quote:
        return report.article.paragraphs.filter(text__contains=quote).order_by("position").first()
    return None


def report_fix_proposal(report: Report) -> str:
    """The paragraph as the reader would have it: their suggested wording in place of the
    passage they quoted, when both are given and the passage is in it; else the current
    text (the reviewer edits it, with the reader's suggestion beside it)."""
    paragraph = report_paragraph(report)
    if paragraph is None:
        return ""
    quote, suggestion = report.quote.strip(), report.suggestion.strip()
    if quote and suggestion and quote in paragraph.text:
        return paragraph.text.replace(quote, suggestion, 1)
    return paragraph.text


def report_accept(
    *,
    report_id: int,
    user,
    correction_text: str = "",
    correction_kind: str = Correction.Kind.CORRECTION,
    claim_rereview: bool = False,
    resolution: str = "",
    reviewer_note: str = "",
    paragraph_text: str | None = None,
) -> ReportAccepted:
    """Accept a held report: publish a correction, or send its claim back to "needs
    re-review", or both. The reporter and every duplicate's reporter are told.

    With ``paragraph_text`` the reported paragraph is fixed in the same transaction: the
    article is revised (``article_revise``) and the correction published with it, linked
    to that revision and paragraph, or neither happens. A reviewer without
    ``claims.correct_article`` proposes the fix to the editors instead (a TextFix that
    carries the correction, published when an editor applies it)."""
    from claims.services.articles import article_revise

    correction_text = correction_text.strip()
    with transaction.atomic():
        report = _report_held(report_id, user)
        paragraph = report_paragraph(report) if paragraph_text is not None else None
        fixing = paragraph is not None and " ".join(paragraph_text.split()) != paragraph.text
        if paragraph_text is not None and paragraph is None:
            raise ReportActionRefused(_("This report is not about a paragraph of the text."))
        if paragraph_text is not None and not paragraph_text.strip():
            raise ReportActionRefused(_("The corrected paragraph is empty."))
        if fixing and not correction_text:
            raise ReportActionRefused(
                _("Say in the correction what changed: readers see it with the new text.")
            )
        if not correction_text and not claim_rereview:
            raise ReportActionRefused(
                _("Write a correction, or send the claim back for re-review.")
            )
        if claim_rereview and report.claim is None:
            raise ReportActionRefused(_("This report is not about a checked claim."))
        accepted = ReportAccepted()
        if fixing and not user.has_perm("claims.correct_article"):
            text_fix = TextFix.objects.create(
                article=report.article,
                report=report,
                anchor=paragraph.anchor,
                current_text=paragraph.text,
                text=" ".join(paragraph_text.split()),
                correction_text=correction_text,
                correction_kind=correction_kind,
                proposed_by=user,
            )
            accepted = ReportAccepted(text_fix=text_fix)
        elif correction_text:
            revision = None
            if fixing:
                texts = [
                    paragraph_text if p.pk == paragraph.pk else p.text
                    for p in report.article.paragraphs.order_by("position")
                ]
                revision = article_revise(
                    article_id=report.article_id,
                    user=user,
                    paragraphs=texts,
                    note=correction_text,
                ).revision
            correction = correction_publish(
                article=report.article,
                text=correction_text,
                kind=correction_kind,
                claim=report.claim,
                reports=[report, *report.duplicates.all()],
                created_by=user,
                revision=revision,
                anchors=[paragraph.anchor] if revision else [],
            )
            accepted = ReportAccepted(correction=correction, revision=revision)
        if claim_rereview:
            claim = Claim.objects.select_for_update().get(pk=report.claim_id)
            claim.status = Claim.Status.NEEDS_REREVIEW
            claim.rereview_reason = f"Reader report {report.reference[:8]}: {report.message[:500]}"
            claim.save(update_fields=["status", "rereview_reason", "updated_at"])
        _report_evidence_to_sources(report)
        _report_resolve(
            report,
            user=user,
            state=Report.State.ACCEPTED,
            reason="accepted",
            resolution=resolution.strip(),
            reviewer_note=reviewer_note.strip(),
        )
        corrections = [accepted.correction] if accepted.correction else []
        _report_outcome_tell(report, corrections=corrections)
    return accepted


@transaction.atomic
def text_fix_apply(*, text_fix_id: int, user, text: str | None = None) -> ReportAccepted:
    """An editor applies a proposed text fix (as proposed, or as they edited it): the
    article is revised and the correction the fix carries is published with it."""
    from claims.services.articles import article_revise

    if not user.has_perm("claims.correct_article"):
        raise PermissionDenied("needs claims.correct_article")
    fix = TextFix.objects.select_for_update().filter(pk=text_fix_id).first()
    if fix is None or fix.status != TextFix.Status.PROPOSED:
        raise ReportActionRefused(_("This proposal was already handled."))
    paragraph = fix.article.paragraphs.filter(anchor=fix.anchor).first()
    if paragraph is None:
        raise ReportActionRefused(_("That paragraph is no longer in the article."))
    new_text = " ".join((text if text is not None else fix.text).split())
    texts = [new_text if p.pk == paragraph.pk else p.text for p in fix.article.paragraphs.all()]
    note = fix.correction_text or _("Text fix from a reader's report")
    revision = article_revise(
        article_id=fix.article_id, user=user, paragraphs=texts, note=note
    ).revision
    correction = None
    if fix.correction_text and revision is not None:
        reports = [fix.report, *fix.report.duplicates.all()] if fix.report_id else []
        correction = correction_publish(
            article=fix.article,
            text=fix.correction_text,
            kind=fix.correction_kind,
            reports=reports,
            created_by=user,
            revision=revision,
            anchors=[fix.anchor],
        )
    fix.status, fix.decided_by, fix.decided_at = TextFix.Status.APPLIED, user, timezone.now()
    fix.revision = revision
    fix.save(update_fields=["status", "decided_by", "decided_at", "revision"])
    return ReportAccepted(correction=correction, revision=revision, text_fix=fix)


def text_fix_dismiss(*, text_fix_id: int, user) -> bool:
    """An editor decides a proposed fix is not needed; the report stays accepted."""
    return bool(
        TextFix.objects.filter(pk=text_fix_id, status=TextFix.Status.PROPOSED).update(
            status=TextFix.Status.DISMISSED, decided_by=user, decided_at=timezone.now()
        )
    )


def report_reject(
    *, report_id: int, user, reason: str, resolution: str = "", reviewer_note: str = ""
) -> None:
    """Reject a held report with a reason from the list and a public explanation."""
    if reason not in Report.RejectReason.values:
        raise ReportActionRefused(_("Choose a reason."))
    with transaction.atomic():
        report = _report_held(report_id, user)
        _report_resolve(
            report,
            user=user,
            state=Report.State.REJECTED,
            reason="rejected",
            reject_reason=reason,
            resolution=resolution.strip(),
            reviewer_note=reviewer_note.strip(),
        )
        _report_outcome_tell(report)


def report_mark_duplicate(
    *, report_id: int, original_id: int, user, reviewer_note: str = ""
) -> Report:
    """Mark a held report as a duplicate of another: its count (and its own duplicates)
    move to the original, which rises in the queue; its reporter hears the original's
    outcome, now if it is decided, else when it is."""
    with transaction.atomic():
        report = _report_held(report_id, user)
        original = Report.objects.select_for_update().filter(pk=original_id).first()
        while original is not None and original.duplicate_of_id:
            original = (
                Report.objects.select_for_update().filter(pk=original.duplicate_of_id).first()
            )
        if original is None or original.pk == report.pk:
            raise ReportActionRefused(_("Choose another report as the original."))
        if original.state == Report.State.SPAM:
            raise ReportActionRefused(_("A report filed as spam cannot be the original."))
        moved = 1 + report.duplicate_count
        Report.objects.filter(duplicate_of=report).update(duplicate_of=original)
        _report_resolve(
            report,
            user=user,
            state=Report.State.DUPLICATE,
            reason=f"duplicate of {original.pk}",
            duplicate_of=original,
            duplicate_count=0,
            reviewer_note=reviewer_note.strip(),
        )
        Report.objects.filter(pk=original.pk).update(duplicate_count=F("duplicate_count") + moved)
        original.refresh_from_db()
        if original.state == Report.State.NEW:
            points, queue_at = report_priority(original, report.article)
            Report.objects.filter(pk=original.pk, state=Report.State.NEW).update(
                priority=points, queue_at=queue_at
            )
        elif original.state in (Report.State.ACCEPTED, Report.State.REJECTED):
            corrections = list(original.corrections.all())
            for duplicate in original.duplicates.filter(email_consent=True):
                report_email_queue(
                    report=duplicate,
                    kind=ReportEmail.Kind.DUPLICATE,
                    outcome_of=original,
                    corrections=corrections,
                )
    return original


def report_mark_spam(*, report_id: int, user, block: bool = False, reviewer_note: str = "") -> None:
    """File a held report as spam; with ``block``, block its reporter too."""
    with transaction.atomic():
        report = _report_held(report_id, user)
        _report_resolve(
            report,
            user=user,
            state=Report.State.SPAM,
            reason="spam",
            reviewer_note=reviewer_note.strip(),
        )
        if block and report.ip_hash:
            reporter_block(ip_hash=report.ip_hash, user=user, reason=f"report {report.pk}")


def report_request_info(*, report_id: int, user, question: str) -> None:
    """Ask the reporter for more information by email. The report waits, out of the
    queue, for the answer (given on the tracking page) or until the wait runs out."""
    question = question.strip()
    if not question:
        raise ReportActionRefused(_("Write the question for the reader."))
    with transaction.atomic():
        report = _report_held(report_id, user)
        if not report.can_ask_for_information:
            raise ReportActionRefused(_("The reader gave no email address."))
        report.state, report.assignee, report.lease_until = Report.State.WAITING, None, None
        report.info_request, report.info_requested_at = question, timezone.now()
        report.info_reply, report.info_replied_at = "", None
        done = _report_transition(
            report,
            expect=Q(state=Report.State.IN_REVIEW, assignee=user),
            user=user,
            reason="asked the reader for more information",
            fields=[
                "state",
                "assignee",
                "lease_until",
                "info_request",
                "info_requested_at",
                "info_reply",
                "info_replied_at",
            ],
        )
        if not done:
            raise ReportNotHeld(report.pk)
        report_email_queue(report=report, kind=ReportEmail.Kind.INFO_REQUEST)


def _report_outcome_tell(report: Report, *, corrections: list[Correction] | tuple = ()) -> None:
    """Queue the outcome email to the reporter and to every duplicate's reporter."""
    kind = (
        ReportEmail.Kind.ACCEPTED
        if report.state == Report.State.ACCEPTED
        else (ReportEmail.Kind.REJECTED)
    )
    report_email_queue(report=report, kind=kind, corrections=corrections)
    for duplicate in report.duplicates.filter(email_consent=True).select_related("article"):
        report_email_queue(
            report=duplicate,
            kind=ReportEmail.Kind.DUPLICATE,
            outcome_of=report,
            corrections=corrections,
        )


# --- Blocking -----------------------------------------------------------------------


@dataclass(frozen=True)
class AddressSummary:
    """Who used one (hashed) address lately: what a moderator sees before blocking it.
    Several reporters behind it mean a shared network (a school, an office, a proxy)."""

    ip_hash: str
    days: int
    reports: int
    reporters: int  # different names or addresses among those who left one
    anonymous: int  # reports that left neither
    articles: int
    blocked: bool

    @property
    def shared(self) -> bool:
        return self.reporters + min(self.anonymous, 1) > 1


def reporter_address_summary(*, ip_hash: str, now=None) -> AddressSummary:
    """The reports from this address in the last FACTCHECK_BLOCK_LOOKBACK_DAYS."""
    now = now or timezone.now()
    days = settings.FACTCHECK_BLOCK_LOOKBACK_DAYS
    rows = list(
        Report.objects.filter(
            ip_hash=ip_hash, created_at__gte=now - timezone.timedelta(days=days)
        ).values_list("email", "name", "article_id")
    )
    people = {(email.casefold() or name.casefold()) for email, name, _a in rows if email or name}
    return AddressSummary(
        ip_hash=ip_hash,
        days=days,
        reports=len(rows),
        reporters=len(people),
        anonymous=sum(1 for email, name, _a in rows if not (email or name)),
        articles=len({article for _e, _n, article in rows}),
        blocked=BlockedReporter.objects.active(now).filter(ip_hash=ip_hash).exists(),
    )


def reporter_block(*, ip_hash: str, user=None, reason: str = "", days: int | None = None) -> int:
    """Block a reporter's address for ``days`` (FACTCHECK_BLOCK_DAYS): their reports
    until then, and those still waiting in the queue (not one a reviewer holds), are
    held in the moderators' blocked list. Returns how many were held now."""
    now = timezone.now()
    expires = now + timezone.timedelta(days=days or settings.FACTCHECK_BLOCK_DAYS)
    BlockedReporter.objects.update_or_create(
        ip_hash=ip_hash,
        defaults={"blocked_by": user, "reason": reason[:300], "expires_at": expires},
    )
    waiting = Report.objects.filter(
        ip_hash=ip_hash, state__in=[Report.State.NEW, Report.State.WAITING]
    )
    return sum(_report_hold_blocked(report, user=user) for report in waiting)


def reporter_unblock(*, ip_hash: str, user=None) -> bool:
    """Lift a block now (its held reports stay in the blocked list for a moderator)."""
    return bool(
        BlockedReporter.objects.active().filter(ip_hash=ip_hash).update(expires_at=timezone.now())
    )


def reports_release_blocked(*, ids, user) -> int:
    """Release reports held by a block into the queue, where their priority places
    them (the reporter's address stays blocked: that is a separate decision)."""
    done = 0
    for report in Report.objects.filter(pk__in=ids, state=Report.State.BLOCKED).select_related(
        "article"
    ):
        report.priority, report.queue_at = report_priority(report, report.article)
        report.state = Report.State.NEW
        done += _report_transition(
            report,
            expect=Q(state=Report.State.BLOCKED),
            user=user,
            reason="released from the blocked list by a moderator",
            fields=["state", "priority", "queue_at"],
        )
    return done


# --- Sweeping -----------------------------------------------------------------------


def reports_sweep(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Re-send the follow-up task of reports that still wait for it."""
    from claims import tasks

    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        Report.objects.filter(processed_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    task_resend(tasks.report_process_task, ids)
    return len(ids)


def reports_waiting_release(*, now=None) -> int:
    """Reports whose question went unanswered for FACTCHECK_REPORT_INFO_WAIT_DAYS go
    back to the queue, so a reviewer decides without the answer."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.FACTCHECK_REPORT_INFO_WAIT_DAYS)
    released = 0
    for report in Report.objects.filter(state=Report.State.WAITING, info_requested_at__lt=cutoff):
        report.state = Report.State.NEW
        released += _report_transition(
            report,
            expect=Q(state=Report.State.WAITING),
            user=None,
            reason="no answer from the reader",
            fields=["state"],
        )
    return released


def reports_reprioritise(*, limit: int = 5000) -> int:
    """Recompute the queue place of new reports (an article's reach changes as its page
    views come in). Returns how many moved."""
    moved = 0
    reports = Report.objects.filter(state=Report.State.NEW).select_related("article")
    for report in reports.order_by("queue_at")[:limit]:
        points, queue_at = report_priority(report, report.article)
        if (points, queue_at) != (report.priority, report.queue_at):
            moved += Report.objects.filter(pk=report.pk, state=Report.State.NEW).update(
                priority=points, queue_at=queue_at
            )
    return moved


def _reports_contact_erase(ids: list[int], *, now, user, reason: str) -> int:
    """Erase reporters' names and addresses from these reports and from their change
    history, and record the erasure as a history row that says why."""
    with transaction.atomic():
        changed = Report.objects.filter(pk__in=ids).update(
            email="", name="", email_consent=False, email_erased_at=now
        )
        Report.history.filter(id__in=ids).update(email="", name="")
        Report.history.bulk_history_create(
            list(Report.objects.filter(pk__in=ids)),
            update=True,
            default_user=user,
            default_change_reason=reason,
        )
    return changed


def reports_erase_emails(*, now=None, limit: int = 1000) -> int:
    """Erase reporters' names and email addresses FACTCHECK_REPORT_EMAIL_RETENTION_DAYS
    after their report was resolved (a duplicate: once its original is resolved too),
    in the report and in its change history."""
    now = now or timezone.now()
    days = settings.FACTCHECK_REPORT_EMAIL_RETENTION_DAYS
    cutoff = now - timezone.timedelta(days=days)
    ids = list(
        Report.objects.filter(
            state__in=Report.RESOLVED_STATES, resolved_at__lt=cutoff, email_erased_at__isnull=True
        )
        .filter(~Q(email="") | ~Q(name=""))
        .exclude(state=Report.State.DUPLICATE, duplicate_of__state__in=Report.OPEN_STATES)
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    reason = f"name and email erased: retention period of {days} days ended"
    return _reports_contact_erase(ids, now=now, user=None, reason=reason)


# --- One reporter's personal data (the admin's export and erase) ---------------------


def reporter_reports(*, email: str):
    """The reports filed with this address, whatever its case."""
    email = email.strip()
    if not email:
        return Report.objects.none()
    return Report.objects.filter(email__iexact=email).select_related("article")


def reporter_data_export(*, email: str) -> dict:
    """Everything we keep that was filed with this address, for the reader who asks:
    their reports, and the claims and articles they follow."""
    reports = reporter_reports(email=email).prefetch_related("emails").order_by("created_at")
    return {
        "email": email.strip(),
        "exported_at": timezone.now().isoformat(),
        "following": follows_export(email=email),
        "reports": [
            {
                "reference": report.reference,
                "article": report.article.title,
                "article_url": report.article.get_absolute_url(),
                "created_at": report.created_at.isoformat(),
                "state": report.state,
                "name": report.name,
                "email": report.email,
                "email_consent": report.email_consent,
                "language": report.language,
                "quote": report.quote,
                "message": report.message,
                "suggestion": report.suggestion,
                "evidence_urls": report.evidence_urls,
                "resolution": report.resolution,
                "info_request": report.info_request,
                "info_reply": report.info_reply,
                "emails_sent": [
                    {"subject": mail.subject, "sent_at": mail.sent_at.isoformat()}
                    for mail in report.emails.all()
                    if mail.sent_at
                ],
            }
            for report in reports
        ],
    }


def reporter_data_erase(*, email: str, user) -> int:
    """Erase a reporter's name and address from every report they filed with it, at
    their request, and stop every claim or article the address follows. The reports
    themselves stay: they are the newsroom's record of what was wrong. Returns how many
    reports were changed."""
    follows_erase(email=email)  # following stops: the address goes with it
    ids = list(reporter_reports(email=email).values_list("pk", flat=True))
    if not ids:
        return 0
    reason = "name and email erased at the reader's request"
    return _reports_contact_erase(ids, now=timezone.now(), user=user, reason=reason)


# --- Moderation in bulk (the admin) -------------------------------------------------

SPAM_MODERATOR = "Filed as spam by a moderator."
# An accepted report made a public correction, and a duplicate follows its original:
# neither is spam after the fact.
SPAM_FROM = [
    Report.State.BLOCKED,
    Report.State.NEW,
    Report.State.WAITING,
    Report.State.IN_REVIEW,
    Report.State.REJECTED,
]


def reports_mark_spam(*, ids, user) -> int:
    """File reports as spam, held ones too (their lease ends). Returns how many."""
    now, done = timezone.now(), 0
    for report in Report.objects.filter(pk__in=ids, state__in=SPAM_FROM):
        expect = Q(state=report.state, assignee=report.assignee_id)
        report.state, report.assignee, report.lease_until = Report.State.SPAM, None, None
        report.resolved_at = report.resolved_at or now
        report.reviewer_note = f"{report.reviewer_note}\n{SPAM_MODERATOR}".strip()
        done += _report_transition(
            report,
            expect=expect,
            user=user,
            reason="marked as spam by a moderator",
            fields=["state", "assignee", "lease_until", "resolved_at", "reviewer_note"],
        )
    return done


def reports_mark_not_spam(*, ids, user) -> int:
    """Put reports filed as spam back in the queue, where their priority places them.
    Their reporter stays blocked if blocked: unblocking is a separate decision."""
    done = 0
    held = [Report.State.SPAM, Report.State.BLOCKED]
    for report in Report.objects.filter(pk__in=ids, state__in=held).select_related("article"):
        expect = Q(state=report.state)
        report.priority, report.queue_at = report_priority(report, report.article)
        report.state, report.resolved_at = Report.State.NEW, None
        done += _report_transition(
            report,
            expect=expect,
            user=user,
            reason="marked as not spam by a moderator",
            fields=["state", "resolved_at", "priority", "queue_at"],
        )
    return done


@dataclass
class DuplicateCandidate:
    report: Report
    score: float  # 0..1
    quote_overlap: bool


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def quotes_overlap(a: Report, b: Report) -> bool:
    """Both quote the same place: one quote contains the other, or they share a long
    common passage, in the same paragraph (or where either names none)."""
    from rapidfuzz import fuzz

    if not (a.quote.strip() and b.quote.strip()):
        return False
    if a.paragraph_id and b.paragraph_id and a.paragraph_id != b.paragraph_id:
        return False
    qa, qb = _folded(a.quote), _folded(b.quote)
    return qa in qb or qb in qa or fuzz.partial_ratio(qa, qb) >= 90


def report_duplicate_candidates(*, report: Report, limit: int = 5) -> list[DuplicateCandidate]:
    """Likely duplicates of ``report`` among the other reports on its article that are
    not themselves duplicates or spam: an overlapping quote, or similar text.

    PostgreSQL scores similarity with pg_trgm in the database; elsewhere rapidfuzz
    scores the article's most recent reports in Python."""

    others = (
        Report.objects.filter(article_id=report.article_id, duplicate_of__isnull=True)
        .exclude(pk=report.pk)
        .exclude(state=Report.State.SPAM)
    )
    text = f"{report.message} {report.quote}".strip()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity
        from django.db.models import TextField, Value
        from django.db.models.functions import Concat, Greatest

        scored = others.annotate(
            score=Greatest(
                TrigramSimilarity("message", report.message),
                TrigramSimilarity(
                    Concat("message", Value(" "), "quote", output_field=TextField()), text
                ),
            )
        )
        overlap = Q(score__gte=SIMILAR_TRIGRAM)
        if report.quote.strip():
            overlap |= ~Q(quote="")
        rows = [(r, r.score) for r in scored.filter(overlap).order_by("-score", "-id")[:100]]
    else:
        from rapidfuzz import fuzz

        rows = [
            (r, fuzz.token_set_ratio(_folded(text), _folded(f"{r.message} {r.quote}")) / 100)
            for r in others.order_by("-created_at")[:500]
        ]
    found = []
    for other, score in rows:
        overlap = quotes_overlap(report, other)
        threshold = SIMILAR_TRIGRAM if connection.vendor == "postgresql" else SIMILAR_FUZZ
        if overlap or score >= threshold:
            found.append(
                DuplicateCandidate(report=other, score=float(score), quote_overlap=overlap)
            )
    found.sort(key=lambda c: (c.quote_overlap, c.score), reverse=True)
    return found[:limit]


# --- Corrections ---------------------------------------------------------------------------


@transaction.atomic
def correction_publish(
    *,
    article: Article,
    text: str,
    kind: str = Correction.Kind.CORRECTION,
    claim: Claim | None = None,
    reports: list[Report] | tuple = (),
    amends: Correction | None = None,
    created_by=None,
    revision: ArticleRevision | None = None,
    anchors: list[str] | tuple = (),
) -> Correction:
    """Publish a correction on ``article`` (and ``claim``), answering ``reports``. With
    ``revision`` and ``anchors`` it explains that text change: readers see the corrected
    paragraphs marked, and what the text said and says now."""
    if amends is not None and amends.article_id != article.pk:
        raise ValueError("An amendment belongs to the same article as what it amends.")
    if revision is not None and revision.article_id != article.pk:
        raise ValueError("A correction explains a revision of its own article.")
    correction = Correction.objects.create(
        article=article,
        claim=claim,
        kind=kind,
        text=text,
        amends=amends,
        created_by=created_by,
        revision=revision,
        anchors=list(anchors),
    )
    if reports:
        correction.reports.set(reports)
    event_publish(
        kind=EventKind.CORRECTION_PUBLISHED, article=article, claim=claim, correction=correction
    )
    return correction


@transaction.atomic
def article_correct(
    *,
    article_id: int,
    user,
    note: str,
    correction_text: str,
    correction_kind: str = Correction.Kind.CORRECTION,
    **changes,
) -> ReportAccepted:
    """Fix an article's text and say so: one revision (``article_revise`` with
    ``changes``) and one public correction linked to it and to the paragraphs it changed,
    or neither. A correction with no text change is refused: newsrooms fix the text."""
    from claims.services.articles import article_revise

    if not correction_text.strip():
        raise ValidationError(_("Write the notice readers will see."))
    revised = article_revise(article_id=article_id, user=user, note=note, **changes)
    if revised.revision is None:
        raise ValidationError(_("Nothing in the text changed, so there is nothing to correct."))
    correction = correction_publish(
        article=revised.revision.article,
        text=correction_text.strip(),
        kind=correction_kind,
        created_by=user,
        revision=revised.revision,
        anchors=[anchor for anchor in revised.changed_anchors],
    )
    return ReportAccepted(correction=correction, revision=revised.revision)


# --- Telling the reader: the email outbox --------------------------------------------------


log = logging.getLogger(__name__)

TEMPLATE = "reports/emails/report_{kind}.txt"


def report_email_queue(
    *,
    report: Report,
    kind: str,
    outcome_of: Report | None = None,
    corrections: list[Correction] | tuple = (),
) -> ReportEmail | None:
    """Put an email to the reporter in the outbox, in the reader's language.

    ``outcome_of`` is the original report whose outcome a duplicate's reporter is told.
    Nothing is queued without a consenting address, or when this outcome was told."""
    if not (report.email and report.email_consent):
        return None
    decided = outcome_of or report
    with translation.override(report.language):
        context = {
            "report": report,
            "decided": decided,
            "corrections": [
                (correction, site_url(correction.get_absolute_url())) for correction in corrections
            ],
            "tracking_url": site_url(report.get_absolute_url()),
            "article_url": site_url(report.article.get_absolute_url()),
            "site_name": settings.SITE_NAME,
            "retention_days": settings.FACTCHECK_REPORT_EMAIL_RETENTION_DAYS,
        }
        text = render_to_string(TEMPLATE.format(kind=kind), context).strip()
    subject, _, body = text.partition("\n")
    try:
        with transaction.atomic():
            email = ReportEmail.objects.create(
                report=report, kind=kind, subject=subject.strip()[:200], body=body.strip() + "\n"
            )
    except IntegrityError:  # this outcome was already told
        return None
    from claims import tasks

    task_send(tasks.report_email_send_task, email.pk)
    return email


def report_email_send(*, email_id: int) -> bool:
    """Send one outbox email to its reporter. Safe to run twice; returns whether it went
    out now (see ``outbox_email_send``)."""
    return outbox_email_send(
        ReportEmail, email_id, recipient=lambda email: (email.report.email, {}), what="report email"
    )


def report_emails_sweep(*, limit: int = 200) -> int:
    """Send again every outbox email that is due: never sent, not given up, no sender
    on it (or its sender's lease ran out)."""
    from claims import tasks

    ids = outbox_due(ReportEmail, "sent_at", now=timezone.now(), limit=limit)
    task_resend(tasks.report_email_send_task, ids)
    return len(ids)
