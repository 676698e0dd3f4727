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
def reports_sweep_task() -> int:
    """Re-send the follow-up of every report still unprocessed (a lost message, or a
    broker that was down when the report came in)."""
    return services.reports_sweep()


@shared_task(acks_late=True)
def notification_send_task(notification_id: int) -> None:
    services.notification_send(notification_id=notification_id)


@shared_task
def notifications_sweep_task() -> int:
    """Re-send notifications whose email task was lost."""
    return services.notifications_sweep()
