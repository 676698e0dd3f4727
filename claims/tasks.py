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
    broker that was down when the report came in), and every evidence fetch left
    undone."""
    return services.reports_sweep() + services.report_evidence_sweep()


@shared_task(acks_late=True, ignore_result=True)
def report_evidence_fetch_task(evidence_id: int) -> str:
    """Fetch one quarantined evidence link for the reviewer (routed to ``fetch``)."""
    return services.report_evidence_fetch(evidence_id=evidence_id)


@shared_task(acks_late=True)
def notification_send_task(notification_id: int) -> None:
    services.notification_send(notification_id=notification_id)


@shared_task
def notifications_sweep_task() -> int:
    """Re-send notifications whose email task was lost."""
    return services.notifications_sweep()


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def source_fetch_task(self, source_id: int) -> str:
    """Fetch one source (routed to the ``fetch`` queue). The service claims the row
    itself, so a duplicate message does nothing; a transient failure comes back with the
    countdown to retry after (backoff, or the server's Retry-After)."""
    done = services.source_fetch(source_id=source_id, attempt=self.request.retries)
    if done.retry_in is not None:
        raise self.retry(countdown=done.retry_in)
    return done.outcome


@shared_task
def sources_enqueue_due_task() -> int:
    """Beat's due-check: send a fetch for every source whose re-check is due."""
    return len(services.sources_enqueue_due())


@shared_task
def sources_sweep_task() -> int:
    """Send again every fetch whose lease ran out or whose message was lost."""
    return len(services.sources_sweep())


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


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def memento_archive_task(self, memento_id: int) -> str:
    """Take an archive request's next step (routed to the ``fetch`` queue): ask the
    archive to save the URL, or look at its job. The service claims the row itself, so
    a duplicate message does nothing; a step that has a next one comes back with its
    countdown (the archive's turn, the next look, a backoff)."""
    done = services.memento_archive(memento_id=memento_id)
    if done.retry_in is not None:
        raise self.retry(countdown=done.retry_in)
    return done.outcome


@shared_task
def mementos_sweep_task() -> int:
    """Send again every archive request whose message was lost or whose lease ran out."""
    return len(services.mementos_sweep())


# --- Events: webhooks and followers -------------------------------------------------


@shared_task(acks_late=True)
def event_dispatch_task(event_id: int) -> int:
    """Hand an event out to its endpoints and followers (once, whoever runs it)."""
    done = services.event_dispatch(event_id=event_id)
    return len(done.deliveries) + len(done.emails)


@shared_task(acks_late=True)
def webhook_deliver_task(delivery_id: int) -> str:
    """POST one webhook delivery; a failure sends this task again later itself (or,
    for a long wait, leaves it to the sweeper)."""
    return services.webhook_deliver(delivery_id=delivery_id).outcome


@shared_task(acks_late=True)
def follow_email_send_task(email_id: int) -> bool:
    return services.follow_email_send(email_id=email_id)


@shared_task
def events_sweep_task() -> dict[str, int]:
    """Send again what is due: undispatched events, deliveries, followers' emails."""
    return services.events_sweep()


@shared_task
def follows_housekeeping_task() -> int:
    """Forget addresses that never confirmed."""
    return services.follows_forget_unconfirmed()


# --- Open data ------------------------------------------------------------------------


@shared_task(acks_late=True)
def opendata_dump_due_task() -> str:
    """Hourly: write the open-data dump when the last one is a day old."""
    dump = services.opendata_dump_due()
    return dump.folder if dump is not None else ""
