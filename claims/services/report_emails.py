"""Telling the reader: emails are rows in an outbox, sent by a task, retried by the sweeper.

A row is written in the same transaction as the decision it reports, and its task is
sent after commit. A mail server outage leaves the row unsent (``sent_at`` empty) with
its error and a later ``next_attempt_at``; the sweeper sends it again. A sender claims a
row with a conditional UPDATE first, so a task that runs twice sends once.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from claims.models import Correction, Report, ReportEmail
from claims.services.core import task_resend, task_send

log = logging.getLogger(__name__)

SEND_LEASE = timezone.timedelta(minutes=5)
TEMPLATE = "claims/emails/report_{kind}.txt"


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


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
                (correction, site_link(correction.get_absolute_url())) for correction in corrections
            ],
            "tracking_url": site_link(report.get_absolute_url()),
            "article_url": site_link(report.article.get_absolute_url()),
            "site_name": settings.SITE_NAME,
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


def _backoff(attempts: int) -> timezone.timedelta:
    """1, 2, 4 ... minutes, at most six hours."""
    return timezone.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def report_email_send(*, email_id: int) -> bool:
    """Send one outbox email. Safe to run twice; returns whether it went out now."""
    now = timezone.now()
    claimed = (
        ReportEmail.objects.filter(pk=email_id, sent_at__isnull=True, failed_at__isnull=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + SEND_LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = ReportEmail.objects.select_related("report").get(pk=email_id)
    address = email.report.email
    if not address:
        ReportEmail.objects.filter(pk=email_id).update(
            lease_until=None, failed_at=now, last_error="no address: erased by the reader's request"
        )
        return False
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP, socket and TLS errors alike: keep it and retry later
        gave_up = email.attempts >= settings.FACTCHECK_EMAIL_MAX_ATTEMPTS
        ReportEmail.objects.filter(pk=email_id).update(
            lease_until=None,
            last_error=f"{type(exc).__name__}: {exc}"[:300],
            next_attempt_at=timezone.now() + _backoff(email.attempts),
            failed_at=timezone.now() if gave_up else None,
        )
        log.warning("report email %s not sent (attempt %s): %s", email_id, email.attempts, exc)
        return False
    ReportEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(), lease_until=None, last_error=""
    )
    return True


def report_emails_sweep(*, limit: int = 200) -> int:
    """Send again every outbox email that is due: never sent, not given up, no sender
    on it (or its sender's lease ran out)."""
    from claims import tasks

    now = timezone.now()
    ids = list(
        ReportEmail.objects.filter(
            sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    task_resend(tasks.report_email_send_task, ids)
    return len(ids)
