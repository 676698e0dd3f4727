"""What every service shares: sending tasks after commit, sending an outbox email,
unique slugs, history rows for compare-and-set changes, and the article page cache's
render version."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.text import slugify

from claims.models import Article, PublicDataVersion

log = logging.getLogger(__name__)


COALESCE_SECONDS = 120


def task_send(task, *args, coalesce: str = "") -> None:
    """Send a task after commit. A broker outage is logged, never raised: the row
    state that asked for the task stays pending and the sweeper sends it later.

    With ``coalesce``, sends under that name merge: while one such task waits to start,
    further sends are dropped, because the task handles every pending row (it calls
    ``task_coalesce_release`` before it reads them, so no commit falls in between).
    A burst of a thousand reports then costs one message, not a thousand."""

    def send() -> None:
        if coalesce and not _coalesce_claim(coalesce):
            return
        try:
            task.apply_async(args=args)
        except Exception:  # kombu raises many types when the broker is unreachable
            log.warning("broker unreachable; %s%r left to the sweeper", task.name, args)
            if coalesce:
                task_coalesce_release(coalesce)

    transaction.on_commit(send)


def _coalesce_key(name: str) -> str:
    return f"task-coalesce:{name}"


def _coalesce_claim(name: str) -> bool:
    """True if no task under this name is waiting to start (a cache outage: send)."""
    try:
        return caches["counters"].add(_coalesce_key(name), 1, timeout=COALESCE_SECONDS)
    except Exception:
        return True


def task_coalesce_release(name: str) -> None:
    """Called by a coalesced task as it starts: the next commit sends a new one."""
    try:
        caches["counters"].delete(_coalesce_key(name))
    except Exception:
        log.debug("cache unreachable; %s coalescing key left to expire", name)


def task_resend(task, ids: list[int]) -> int:
    """The sweepers' half of ``task_send``: send ``task`` again for each id now. A broker
    outage stops the round (logged); the rows stay pending for the next sweep."""
    sent = 0
    for pk in ids:
        try:
            task.delay(pk)
        except Exception:  # kombu raises many types when the broker is unreachable
            log.warning("broker unreachable; %s sweep stops and runs again later", task.name)
            break
        sent += 1
    return sent


EMAIL_LEASE = timezone.timedelta(minutes=5)


def outbox_email_send(model, email_id: int, *, recipient: Callable, what: str) -> bool:
    """Send one outbox email row (``ReportEmail``, ``FollowEmail``). Safe to run twice:
    the row is leased to one sender first. A mail server outage keeps it for a later
    try, 1, 2, 4 ... minutes on (at most six hours), until FACTCHECK_EMAIL_MAX_ATTEMPTS.
    ``recipient(row)`` gives its (address, extra headers); no address (erased at the
    reader's request) fails the row. Returns whether it went out now."""
    now = timezone.now()
    claimed = (
        model.objects.filter(pk=email_id, sent_at__isnull=True, failed_at__isnull=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + EMAIL_LEASE, attempts=F("attempts") + 1)
    )
    email = model.objects.filter(pk=email_id).first() if claimed else None
    if email is None:  # sent, given up, in another sender's hands, or gone with its owner
        return False
    rows = model.objects.filter(pk=email_id)
    address, headers = recipient(email)
    if not address:
        rows.update(
            lease_until=None, failed_at=now, last_error="no address: erased by the reader's request"
        )
        return False
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Auto-Submitted": "auto-generated", **headers},
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP, socket and TLS errors alike: keep it and retry later
        wait = timezone.timedelta(minutes=min(2 ** max(email.attempts - 1, 0), 360))
        rows.update(
            lease_until=None,
            last_error=f"{type(exc).__name__}: {exc}"[:300],
            next_attempt_at=timezone.now() + wait,
            failed_at=(
                timezone.now() if email.attempts >= settings.FACTCHECK_EMAIL_MAX_ATTEMPTS else None
            ),
        )
        log.warning("%s %s not sent (attempt %s): %s", what, email_id, email.attempts, exc)
        return False
    rows.update(sent_at=timezone.now(), lease_until=None, last_error="")
    return True


def outbox_due(model, done: str, *, now, limit: int) -> list[int]:
    """Ids of outbox rows due to go (again): not ``done``, not given up, their time come,
    no sender on them (or its lease ran out). For the sweepers."""
    return list(
        model.objects.filter(
            **{f"{done}__isnull": True}, failed_at__isnull=True, next_attempt_at__lte=now
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def slug_unique(model, text: str, *, max_length: int = 80) -> str:
    base = slugify(text, allow_unicode=False)
    if len(base) > max_length:  # cut at a word boundary
        base = base[:max_length].rsplit("-", 1)[0]
    base = base.strip("-") or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def history_record(instance, *, reason: str, user=None) -> None:
    """Write the change-history row for a change made with ``QuerySet.update()``, which
    django-simple-history does not see (TRAPS.md). ``instance`` holds the new values."""
    model = type(instance).history.model
    values = {field.attname: getattr(instance, field.attname) for field in model.tracked_fields}
    model.objects.create(
        history_date=timezone.now(),
        history_type="~",
        history_change_reason=reason[:100],
        history_user=user,
        **values,
    )


def article_cache_touch(
    *, article_ids: Iterable[int] = (), claim_ids: Iterable[int] = (), source_ids=()
) -> int:
    """Bump the render version of every article that shows one of these articles, claims
    or sources, so its cached page is rebuilt on the next view. One UPDATE."""
    article_ids, claim_ids, source_ids = list(article_ids), list(claim_ids), list(source_ids)
    if not (article_ids or claim_ids or source_ids):
        return 0
    affected = Q(pk__in=article_ids)
    if claim_ids:
        affected |= Q(appearances__claim_id__in=claim_ids)
    if source_ids:
        affected |= Q(citations__source_id__in=source_ids)
        affected |= Q(appearances__claim__citations__source_id__in=source_ids)
    ids = Article.objects.filter(affected).values("pk")
    public_data_touch()
    return Article.objects.filter(pk__in=Subquery(ids)).update(
        render_version=F("render_version") + 1
    )


# --- The public data version (the API's cache key) -------------------------------------


def public_data_version() -> PublicDataVersion:
    """The current version of the public data (an unsaved version 0 before any change)."""
    version = PublicDataVersion.objects.filter(pk=1).first()
    return version or PublicDataVersion(pk=1, number=0, changed_at=timezone.now())


def _public_data_bump() -> None:
    now = timezone.now()
    if not PublicDataVersion.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now):
        PublicDataVersion.objects.get_or_create(pk=1, defaults={"number": 1, "changed_at": now})


def public_data_touch() -> None:
    """Something the public API shows changed: bump the version once this transaction
    commits (at once outside one). After the commit, so a reader who sees the new
    version also sees the new data; once per transaction, however many rows changed;
    never holding a lock on the version row while the transaction runs."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _public_data_bump()
        return
    # Django starts a new list of commit hooks for each transaction (and after a
    # savepoint rolls back), so the list itself tells whether this one has the bump.
    if getattr(connection, "_public_data_hooks", None) is connection.run_on_commit:
        return
    transaction.on_commit(_public_data_bump)
    connection._public_data_hooks = connection.run_on_commit
