"""Signed webhooks: a real worker delivers through the guarded fetcher to a real local
receiver (allowed through FACTCHECK_FETCH_ALLOW), the signature verifies with the
standardwebhooks library, a failing receiver gets the same event again later with every
attempt in the log, an endpoint that keeps failing is switched off and its owner told,
Slack and Matrix get a readable message, and addresses the fetcher refuses stay refused."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from claims import services
from claims.models import (
    Event,
    Notification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.conftest import WorkerProcess, fetch_queue_purge, wait_for
from tests.webhookreceiver import WebhookReceiver


@pytest.fixture
def receiver(settings, monkeypatch):
    server = WebhookReceiver()
    settings.FACTCHECK_FETCH_ALLOW = [server.pair]
    monkeypatch.setenv("FACTCHECK_FETCH_ALLOW", server.pair)
    yield server
    server.stop()


def endpoint_for(receiver, path: str, events: list[str], **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name=f"Partner {path}", url=receiver.url(path), events=events, **fields
    )


def verdict_change(claim, scale, editor, *, first: str = "true", then: str = "false"):
    """Publish a verdict, then a changed one (which supersedes it)."""
    services.verdict_publish(claim=claim, rating=scale.ratings.get(code=first), summary="Eerst.")
    services.verdict_publish(claim=claim, rating=scale.ratings.get(code=then), summary="Nu.")


def dispatch_and_deliver() -> None:
    """What the worker does, here in the test's process: hand out every event, then try
    each due delivery once."""
    for event_id in Event.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True):
        services.event_dispatch(event_id=event_id)
    for delivery in WebhookDelivery.objects.filter(delivered_at__isnull=True, failed_at=None):
        services.webhook_deliver(delivery_id=delivery.pk)


@pytest.mark.worker
def test_a_real_worker_delivers_a_signed_verdict_change_and_retries_a_failing_receiver(
    transactional_db, receiver, seed_claim, scale, editor, monkeypatch, settings
):
    """The issue's "done when": a verdict.changed webhook, delivered by a real worker, whose
    signature verifies; a receiver that fails three times gets the same event later,
    and the delivery log shows the attempts."""
    monkeypatch.setenv("FACTCHECK_WEBHOOK_RETRY_BASE", "1")
    settings.FACTCHECK_WEBHOOK_RETRY_BASE = 1
    good = endpoint_for(receiver, "/hook", ["verdict.changed"])
    flaky = endpoint_for(receiver, "/flaky", ["verdict.changed"])
    receiver.fail("/flaky", 3)
    fetch_queue_purge()
    worker = WorkerProcess(concurrency=2).start()
    try:
        verdict_change(seed_claim, scale, editor)
        wait_for(
            lambda: len(receiver.posts("/hook")) >= 1,
            what="the delivery to the good receiver",
            detail=worker.output,
        )
        wait_for(
            lambda: WebhookDelivery.objects.filter(
                endpoint=flaky, event__kind="verdict.changed", delivered_at__isnull=False
            ).exists(),
            what="the fourth attempt at the flaky receiver",
            detail=worker.output,
        )
    finally:
        worker.stop()

    [(_path, headers, body)] = receiver.posts("/hook")
    message = Webhook(good.secret).verify(body, headers)
    assert message["type"] == "verdict.changed"
    assert message["data"]["claim"]["slug"] == seed_claim.slug
    assert message["data"]["verdict"]["rating"]["code"] == "false"
    assert message["data"]["previous_verdict"]["rating"]["code"] == "true"
    with pytest.raises(Exception, match="signature"):
        Webhook(flaky.secret).verify(body, headers)  # another endpoint's secret fails

    changed = WebhookDelivery.objects.get(endpoint=flaky, event__kind="verdict.changed")
    attempts = list(changed.log.order_by("number"))
    assert [a.status_code for a in attempts] == [500, 500, 500, 200]
    assert [a.error for a in attempts] == ["http_5xx"] * 3 + [""]
    assert changed.attempts == 4 and changed.delivered_at is not None
    # Every attempt of this delivery carried the same webhook-id, each its own signature.
    ids = {h["webhook-id"] for p, h, b in receiver.posts("/flaky") if b"verdict.changed" in b}
    assert ids == {f"msg_{changed.uid.hex}"}
    flaky.refresh_from_db()
    assert flaky.failure_count == 0 and flaky.active


def test_each_endpoint_gets_only_its_events_once(receiver, seed_claim, scale, editor):
    changed = endpoint_for(receiver, "/changed", ["verdict.changed"])
    published = endpoint_for(receiver, "/published", ["verdict.published"])
    endpoint_for(receiver, "/off", ["verdict.changed"], active=False)
    verdict_change(seed_claim, scale, editor)
    dispatch_and_deliver()
    dispatch_and_deliver()  # a message that runs twice delivers nothing twice
    services.events_sweep()
    assert [json.loads(b)["type"] for _p, _h, b in receiver.posts("/changed")] == [
        "verdict.changed"
    ]
    assert [json.loads(b)["type"] for _p, _h, b in receiver.posts("/published")] == [
        "verdict.published"
    ]
    assert receiver.posts("/off") == []
    assert changed.deliveries.count() == published.deliveries.count() == 1


def test_nothing_is_recorded_when_nobody_listens(seed_claim, scale, editor):
    verdict_change(seed_claim, scale, editor)
    assert not Event.objects.exists()


def test_a_report_event_carries_nothing_of_the_reader(receiver, seed_article):
    endpoint_for(receiver, "/reports", ["report.received"])
    report = services.report_create(
        article=seed_article,
        message="Geheim bericht van de lezer",
        quote="circa 20%",
        name="Jan Lezer",
        email="jan@example.org",
        email_consent=True,
        ip="198.51.100.7",
    )
    services.report_process(report_id=report.pk)
    dispatch_and_deliver()
    [(_path, _headers, body)] = receiver.posts("/reports")
    text = body.decode()
    for personal in (
        "Jan Lezer",
        "jan@example.org",
        "Geheim bericht",
        report.reference,
        report.ip_hash,
        "198.51.100.7",
    ):
        assert personal not in text
    data = json.loads(text)["data"]
    assert data["article"]["slug"] == seed_article.slug
    assert data["report"]["review_url"].endswith(reverse("claims:report_review", args=[report.pk]))


def test_a_source_gone_dead_is_an_event(receiver, seed_claim, scale, editor):
    endpoint_for(receiver, "/sources", ["source.dead", "source.changed"])
    source = services.source_get_or_create(url="https://example.org/bron")
    citation = services.citation_add(claim=seed_claim, source=source)
    services.verdict_publish(
        claim=seed_claim, rating=scale.ratings.first(), summary="x", citations=[citation]
    )
    services.source_mark_dead(source=source)
    services.source_mark_dead(source=source)  # already dead: no second event
    dispatch_and_deliver()
    [(_p, _h, body)] = receiver.posts("/sources")
    data = json.loads(body)["data"]
    assert data["source"]["state"] == "dead"
    assert [c["slug"] for c in data["claims"]] == [seed_claim.slug]


def test_slack_and_matrix_get_a_readable_message(receiver, seed_claim, scale, editor):
    slack = endpoint_for(receiver, "/slack", ["verdict.changed"], format="slack")
    endpoint_for(receiver, "/matrix", ["verdict.changed"], format="matrix")
    verdict_change(seed_claim, scale, editor)
    dispatch_and_deliver()
    [(_p, headers, body)] = receiver.posts("/slack")
    assert set(json.loads(body)) == {"text"}
    text = json.loads(body)["text"]
    assert "Waar" in text and "Onwaar" in text and seed_claim.text[:20] in text
    assert f"<http://localhost:8000{seed_claim.get_absolute_url()}|" in text
    Webhook(slack.secret).verify(body, headers)  # signed all the same
    [(_p, _h, body)] = receiver.posts("/matrix")
    matrix = json.loads(body)
    assert seed_claim.text[:20] in matrix["text"] and "<a href=" in matrix["html"]


def test_a_failing_endpoint_backs_off_and_is_switched_off_with_its_owner_told(
    receiver, seed_claim, scale, editor, settings
):
    settings.FACTCHECK_WEBHOOK_DISABLE_AFTER = 3
    settings.FACTCHECK_WEBHOOK_MAX_ATTEMPTS = 2
    owner = User.objects.create_user("beheer", "beheer@example.org", is_staff=True)
    endpoint = endpoint_for(
        receiver, "/down", ["verdict.changed", "verdict.published"], owner=owner
    )
    receiver.fail("/down", 100)
    verdict_change(seed_claim, scale, editor)
    dispatch_and_deliver()
    first = WebhookDelivery.objects.get(event__kind="verdict.published")
    assert first.attempts == 1 and first.failed_at is None
    assert (first.next_attempt_at - first.log.get().at).total_seconds() == pytest.approx(30, abs=1)
    WebhookDelivery.objects.update(next_attempt_at=first.created_at)  # their time has come
    dispatch_and_deliver()
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.failure_count >= 3
    assert "3 failed attempts" in endpoint.disabled_reason
    notice = Notification.objects.get(recipient=owner)
    assert endpoint.name in notice.message
    assert WebhookDelivery.objects.filter(failed_at__isnull=False).count() == 2

    # Fixed and switched on again, "send again" delivers the given-up events.
    receiver.fail("/down", 0)
    services.webhook_endpoint_enable(endpoint=endpoint)
    queued = services.webhook_deliveries_send_again(
        ids=WebhookDelivery.objects.values_list("pk", flat=True)
    )
    assert queued == 2
    dispatch_and_deliver()
    assert WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == 2


def test_an_address_the_fetcher_refuses_is_never_reached(seed_claim, scale, editor, settings):
    settings.FACTCHECK_FETCH_ALLOW = []
    endpoint = WebhookEndpoint.objects.create(
        name="Intern", url="http://127.0.0.1:9/hook", events=["verdict.changed"]
    )
    verdict_change(seed_claim, scale, editor)
    dispatch_and_deliver()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.failed_at is not None  # refused at once: waiting will not mend it
    assert WebhookAttempt.objects.get(delivery=delivery).error == "refused_address"


def test_the_admin_registers_endpoints_checked_like_sources_and_sends_again(
    receiver, seed_claim, scale, editor, settings
):
    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    client = Client()
    client.force_login(admin)
    add = reverse("admin:claims_webhookendpoint_add")
    refused = client.post(
        add,
        {
            "name": "x",
            "url": "http://10.0.0.1/hook",
            "format": "standard",
            "events": ["verdict.changed"],
            "active": "on",
            "secret": "whsec_MTIz",
        },
    )
    assert refused.status_code == 200 and "refused_address" in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()
    created = client.post(
        add,
        {
            "name": "Partner",
            "url": receiver.url("/admin"),
            "format": "standard",
            "events": ["verdict.changed"],
            "active": "on",
            "secret": "whsec_MTIzNDU2",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    receiver.fail("/admin", 1)
    verdict_change(seed_claim, scale, editor)
    dispatch_and_deliver()
    delivery = WebhookDelivery.objects.get()
    log_page = client.get(reverse("admin:claims_webhookdelivery_change", args=[delivery.pk]))
    assert "http_5xx" in log_page.content.decode()
    sent = client.post(
        reverse("admin:claims_webhookdelivery_changelist"),
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    assert sent.status_code == 302
    delivery.refresh_from_db()
    assert delivery.next_attempt_at <= timezone.now()  # due at once, not after the backoff
    services.webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.log.count() == 2
