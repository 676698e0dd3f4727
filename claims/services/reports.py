"""Reader reports: stored before any task is sent; follow-up work is row state."""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.models import Article, Paragraph, Report
from claims.services.core import task_send

log = logging.getLogger(__name__)


def ip_hash(ip: str) -> str:
    """A salted hash of the reader's IP. The IP itself is never stored."""
    salt = settings.FACTCHECK_IP_SALT.encode()
    return hashlib.blake2b(ip.encode(), key=salt[:64], digest_size=32).hexdigest()


def report_reference() -> str:
    """An unguessable tracking reference: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def report_create(
    *,
    article: Article,
    message: str,
    quote: str = "",
    suggestion: str = "",
    paragraph: Paragraph | None = None,
    claim=None,
    evidence_urls: list[str] | None = None,
    name: str = "",
    email: str = "",
    email_consent: bool = False,
    language: str = "nl",
    ip: str = "",
) -> Report:
    """Store a reader's report. It is committed before any task is sent, so it
    survives a broker outage; its follow-up work is ``processed_at IS NULL``."""
    from claims import tasks

    with transaction.atomic():
        report = Report.objects.create(
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
        )
        task_send(tasks.report_process_task, report.pk)
    return report


def report_process(*, report_id: int) -> bool:
    """Follow-up work on a new report: set its queue priority. Safe to run twice."""
    report = Report.objects.filter(pk=report_id, processed_at__isnull=True).first()
    if report is None:
        return False
    duplicates = Report.objects.filter(
        article_id=report.article_id, state__in=[Report.State.NEW, Report.State.IN_REVIEW]
    ).count()
    priority = min(duplicates, 100) + (10 if report.claim_id else 0)
    changed = Report.objects.filter(pk=report_id, processed_at__isnull=True).update(
        priority=priority, processed_at=timezone.now()
    )
    return bool(changed)


def reports_sweep(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Re-send the follow-up task of reports that still wait for it."""
    from claims import tasks

    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        Report.objects.filter(processed_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for report_id in ids:
        try:
            tasks.report_process_task.delay(report_id)
        except Exception:
            log.warning("broker unreachable; the sweep stops and runs again later")
            break
    return len(ids)
