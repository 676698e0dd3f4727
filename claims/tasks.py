"""Celery tasks: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from claims import services


@shared_task(ignore_result=False, acks_late=False)
def ping_task() -> str:
    """Answers /healthz?deep=1: proof that a worker takes messages from the broker."""
    return f"pong {timezone.now().isoformat()}"


@shared_task
def report_process_task(report_id: int) -> None:
    services.report_process(report_id=report_id)


@shared_task
def reports_process_pending_task() -> int:
    """Follow-up work of every new report; sent coalesced by ``report_create``."""
    return services.reports_process_pending()


@shared_task
def reports_sweep_task() -> int:
    """Re-send the follow-up of every report still unprocessed (a lost message, or a
    broker that was down when the report came in)."""
    return services.reports_sweep()


@shared_task
def report_email_send_task(email_id: int) -> bool:
    return services.report_email_send(email_id=email_id)


@shared_task
def report_emails_sweep_task() -> int:
    """Send again every outbox email still due (a mail server outage, a lost message)."""
    return services.report_emails_sweep()


@shared_task
def article_views_flush_task() -> int:
    return services.article_views_flush()


@shared_task
def reports_housekeeping_task() -> dict[str, int]:
    """Hourly: unanswered questions back to the queue, queue places recomputed from
    the articles' reach, and reporters' addresses erased after the retention period."""
    return {
        "released": services.reports_waiting_release(),
        "reprioritised": services.reports_reprioritise(),
        "erased": services.reports_erase_emails(),
    }
