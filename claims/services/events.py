"""Events, and the two outboxes that tell the outside about them: signed webhook
deliveries, and emails to readers who follow a claim or an article.

1. ``event_publish`` is called by the service where the thing happens, in its
   transaction: a verdict published or changed (claims), a correction published, a
   reader's report received (reports), a source found dead or changed (sources). It
   writes one Event row with the public description, when anyone listens, and sends
   ``event_dispatch_task`` after commit.
2. ``event_dispatch`` hands the event out once (compare-and-set on ``dispatched_at``):
   one WebhookDelivery per subscribed endpoint and one FollowEmail per confirmed
   follower, both unique per event, in one transaction; then sends their tasks.
3. ``webhook_deliver`` POSTs a delivery through ``claims.fetch.url_post`` (the SSRF
   guard of every fetch), signed per Standard Webhooks; every attempt is logged; a
   failure is retried with backoff, and an endpoint that keeps failing is switched off
   and its owner told. ``follow_email_send`` sends one email, with one-click unsubscribe.
4. ``events_sweep`` (beat) sends again whatever a lost message or an outage left.

This module sits first in the services' import order (sources, claims and reports call
it), so it imports no other area at module level.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from claims import fetch
from claims.models import (
    Article,
    Claim,
    Correction,
    Event,
    EventKind,
    Follow,
    FollowEmail,
    Report,
    Source,
    Verdict,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from claims.services.core import outbox_due, outbox_email_send, task_resend, task_send
from claims.text.links import site_url

log = logging.getLogger(__name__)

SEND_LEASE = timedelta(minutes=5)
COUNTDOWN_MAX = 600  # seconds; later retries wait as rows for the sweeper (TRAPS.md)
# Errors that will not mend by waiting: the endpoint's URL itself is refused.
PERMANENT = frozenset({fetch.REFUSED_ADDRESS, fetch.BAD_SCHEME, fetch.BAD_URL})


# --- The public description of what happened ------------------------------------------


def _api(name: str, **kwargs) -> str:
    return site_url(reverse(f"api:{name}", kwargs=kwargs))


def _claim_public(claim: Claim) -> dict:
    return {
        "slug": claim.slug,
        "text": claim.text,
        "claimant": claim.claimant,
        "language": claim.language,
        "url": site_url(claim.get_absolute_url()),
        "api_url": _api("claim-detail", slug=claim.slug),
    }


def _article_public(article: Article) -> dict:
    return {
        "slug": article.slug,
        "title": article.title,
        "language": article.language,
        "url": site_url(article.get_absolute_url()),
        "api_url": _api("article-detail", slug=article.slug),
    }


def _verdict_public(verdict: Verdict) -> dict:
    rating = verdict.rating
    return {
        "rating": {
            "code": rating.code,
            "label_nl": rating.label_nl,
            "label_en": rating.label_en,
            "value": rating.value,
        },
        "summary": verdict.summary,
        "published_at": verdict.published_at.isoformat() if verdict.published_at else None,
    }


# A source's state as readers see it ("not checked yet", never the desk's to-do states):
# the same words in the API, the dumps and the webhooks.
SOURCE_PUBLIC_STATES = {
    Source.State.NEEDS_URL: "no_url",
    Source.State.WAITING: "not_checked",
    Source.State.FETCHING: "checking",
    Source.State.LIVE: "live",
    Source.State.FAILING: "failing",
    Source.State.DEAD: "dead",
    Source.State.CHANGED: "changed",
}


def _source_public(source: Source) -> dict:
    return {
        "id": source.pk,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "state": SOURCE_PUBLIC_STATES.get(source.state, "not_checked"),
    }


def _event_payload(kind: str, **things) -> dict:
    """What the event says, in public words only: never a reader's name, address, IP
    hash, message or tracking reference, nor a staff member or an internal note."""
    claim, article = things.get("claim"), things.get("article")
    data: dict = {}
    if claim is not None:
        data["claim"] = _claim_public(claim)
    if article is not None:
        data["article"] = _article_public(article)
    if kind in (EventKind.VERDICT_PUBLISHED, EventKind.VERDICT_CHANGED):
        data["verdict"] = _verdict_public(things["verdict"])
        previous = things.get("previous")
        data["previous_verdict"] = _verdict_public(previous) if previous else None
    elif kind == EventKind.CORRECTION_PUBLISHED:
        correction = things["correction"]
        data["correction"] = {
            "id": correction.pk,
            "kind": correction.kind,
            "text": correction.text,
            "published_at": correction.published_at.isoformat(),
            "url": site_url(correction.get_absolute_url()),
            "api_url": _api("correction-detail", pk=correction.pk),
        }
    elif kind in (EventKind.SOURCE_DEAD, EventKind.SOURCE_CHANGED):
        source = things["source"]
        data["source"] = _source_public(source)
        claims = Claim.objects.public().filter(
            Q(citations__source=source)
            | Q(verdicts__status=Verdict.Status.PUBLISHED, verdicts__citations__source=source)
        )
        data["claims"] = [_claim_public(c) for c in claims.distinct().order_by("pk")[:100]]
    elif kind == EventKind.REPORT_RECEIVED:
        report = things["report"]
        data["report"] = {
            "id": report.pk,
            "received_at": report.created_at.isoformat(),
            "about": "claim"
            if report.claim_id
            else "paragraph"
            if report.paragraph_id
            else "article",
            "review_url": site_url(report.get_review_url()),
        }
    return data


# --- Publishing an event ---------------------------------------------------------------


def _endpoints_for(kind: str) -> list[WebhookEndpoint]:
    return [e for e in WebhookEndpoint.objects.filter(active=True) if e.wants(kind)]


def _follows_for(kind: str, *, claim: Claim | None, article: Article | None, correction_kind=""):
    """The confirmed follows an event of ``kind`` reaches. Claim followers hear of its
    verdicts and of corrections about it (a verdict change they hear of once, as
    such); article followers hear of its corrections and of verdicts first published
    on its claims (a changed verdict reaches them as the article's correction)."""
    reach = Q(pk__in=[])
    if kind == EventKind.VERDICT_PUBLISHED and claim is not None:
        articles = Article.objects.published().filter(appearances__claim=claim)
        reach = Q(claim=claim) | Q(article__in=articles)
    elif kind == EventKind.VERDICT_CHANGED and claim is not None:
        reach = Q(claim=claim)
    elif kind == EventKind.CORRECTION_PUBLISHED and article is not None:
        reach = Q(article=article)
        if claim is not None and correction_kind != Correction.Kind.VERDICT_CHANGE:
            reach |= Q(claim=claim)
    return Follow.objects.filter(reach, confirmed_at__isnull=False)


def event_publish(
    *,
    kind: str,
    claim: Claim | None = None,
    article: Article | None = None,
    verdict: Verdict | None = None,
    previous: Verdict | None = None,
    correction: Correction | None = None,
    source: Source | None = None,
    report: Report | None = None,
) -> Event | None:
    """Record that ``kind`` happened, in the caller's transaction, for the endpoints and
    followers who listen (nothing is written when nobody does). Handing it out is the
    dispatch task's work, sent after commit."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown event {kind!r}")
    if claim is not None and not claim.is_public:
        claim = None
    if article is not None and not article.is_published:
        return None  # nothing about an unpublished article goes out
    correction_kind = correction.kind if correction is not None else ""
    if not _endpoints_for(kind) and not (
        _follows_for(kind, claim=claim, article=article, correction_kind=correction_kind).exists()
    ):
        return None
    payload = _event_payload(
        kind,
        claim=claim,
        article=article,
        verdict=verdict,
        previous=previous,
        correction=correction,
        source=source,
        report=report,
    )
    event = Event.objects.create(kind=kind, payload=payload, claim=claim, article=article)
    from claims import tasks

    task_send(tasks.event_dispatch_task, event.pk)
    return event


@dataclass(frozen=True)
class EventDispatched:
    deliveries: list[int]
    emails: list[int]


def event_dispatch(*, event_id: int) -> EventDispatched:
    """Hand an event out: a delivery per subscribed endpoint, an email per confirmed
    follower (one per address), in one transaction with the claim on the row, so it
    happens once whoever runs it; then send their tasks after commit."""
    from claims import tasks

    with transaction.atomic():
        claimed = Event.objects.filter(pk=event_id, dispatched_at__isnull=True).update(
            dispatched_at=timezone.now()
        )
        if not claimed:
            return EventDispatched([], [])
        event = Event.objects.select_related("claim", "article").get(pk=event_id)
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(event=event, endpoint=e) for e in _endpoints_for(event.kind)],
            ignore_conflicts=True,
        )
        correction_kind = (event.payload.get("correction") or {}).get("kind", "")
        follows = _follows_for(
            event.kind, claim=event.claim, article=event.article, correction_kind=correction_kind
        ).order_by("article_id", "pk")  # a claim's follow first, where an address has two
        FollowEmail.objects.bulk_create(_update_emails(event, follows), ignore_conflicts=True)
        deliveries = list(event.deliveries.values_list("pk", flat=True))
        emails = list(event.follow_emails.values_list("pk", flat=True))
        for delivery_id in deliveries:
            task_send(tasks.webhook_deliver_task, delivery_id)
        for email_id in emails:
            task_send(tasks.follow_email_send_task, email_id)
    return EventDispatched(deliveries, emails)


# --- Webhooks ------------------------------------------------------------------------


def _backoff(attempts: int) -> int:
    """Seconds before the next attempt: RETRY_BASE, doubling, at most RETRY_MAX."""
    base, cap = settings.FACTCHECK_WEBHOOK_RETRY_BASE, settings.FACTCHECK_WEBHOOK_RETRY_MAX
    return min(base * 2 ** max(attempts - 1, 0), cap)


def _event_line(event: Event, language: str) -> tuple[str, str]:
    """The event in one readable line, and the URL it points at (Slack, Matrix)."""
    data = event.payload
    claim, article = data.get("claim"), data.get("article")
    label = f"label_{'en' if language == 'en' else 'nl'}"
    if event.kind in (EventKind.VERDICT_PUBLISHED, EventKind.VERDICT_CHANGED):
        new = data["verdict"]["rating"][label]
        if data.get("previous_verdict"):
            old = data["previous_verdict"]["rating"][label]
            line = _("Verdict changed from “%(old)s” to “%(new)s”: “%(claim)s”") % {
                "old": old,
                "new": new,
                "claim": claim["text"],
            }
        else:
            line = _("Verdict “%(new)s”: “%(claim)s”") % {"new": new, "claim": claim["text"]}
        return line, claim["url"]
    if event.kind == EventKind.CORRECTION_PUBLISHED:
        line = _("Correction on “%(article)s”: %(text)s") % {
            "article": article["title"],
            "text": data["correction"]["text"],
        }
        return line, data["correction"]["url"]
    if event.kind in (EventKind.SOURCE_DEAD, EventKind.SOURCE_CHANGED):
        source = data["source"]
        template = (
            _("Source dead: “%(source)s” (%(claims)s claims rest on it)")
            if event.kind == EventKind.SOURCE_DEAD
            else _("Source changed: “%(source)s” (%(claims)s claims rest on it)")
        )
        line = template % {
            "source": source["title"] or source["url"],
            "claims": len(data["claims"]),
        }
        return line, source["url"]
    line = _("A reader reported an error in “%(article)s”") % {"article": article["title"]}
    return line, data["report"]["review_url"]


def webhook_message(delivery: WebhookDelivery, *, now: datetime | None = None):
    """The body and headers of one attempt: the event as Standard Webhooks JSON, or as a
    readable Slack or Matrix message, signed either way (``webhook-id`` stays the same
    on every attempt; the timestamp and signature are the attempt's own)."""
    from standardwebhooks.webhooks import Webhook

    event, endpoint = delivery.event, delivery.endpoint
    if endpoint.format == WebhookEndpoint.Format.STANDARD:
        message = {
            "type": event.kind,
            "timestamp": event.created_at.isoformat(),
            "data": event.payload,
        }
    else:
        with translation.override(settings.LANGUAGE_CODE):
            line, url = _event_line(event, settings.LANGUAGE_CODE)
            more = _("Read more")
        if endpoint.format == WebhookEndpoint.Format.SLACK:
            slack = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            message = {"text": f"{slack} <{url}|{more}>"}
        else:  # Matrix hookshot: plain text, and HTML for clients that show it
            html = f'{escape(line)} <a href="{escape(url)}">{escape(more)}</a>'
            message = {"text": f"{line} {url}", "html": html}
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    msg_id = f"msg_{delivery.uid.hex}"
    at = (now or timezone.now()).astimezone(UTC)
    signature = Webhook(endpoint.secret).sign(msg_id=msg_id, timestamp=at, data=body)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode(), headers


@dataclass(frozen=True)
class WebhookSent:
    delivery_id: int
    outcome: str  # "skipped", "delivered", "retry", "failed"
    retry_in: int | None = None


def _task_later(task, pk: int, countdown: int) -> None:
    """Send ``task(pk)`` after commit, ``countdown`` seconds later; a broker outage is
    left to the sweeper, which finds the row due."""

    def send() -> None:
        try:
            task.apply_async(args=[pk], countdown=countdown)
        except Exception:
            log.warning("broker unreachable; %s(%s) left to the sweeper", task.name, pk)

    transaction.on_commit(send)


def webhook_deliver(*, delivery_id: int) -> WebhookSent:
    """POST one delivery, once per call: the row is claimed with a compare-and-set
    (due, not done, no sender on it), so a message that runs twice posts once."""
    from claims import tasks

    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            delivered_at__isnull=True,
            failed_at__isnull=True,
            next_attempt_at__lte=now + timedelta(seconds=1),
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + SEND_LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        return WebhookSent(delivery_id, "skipped")
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            lease_until=None,
            attempts=F("attempts") - 1,
            failed_at=now,
            last_error="the endpoint is switched off",
        )
        return WebhookSent(delivery_id, "failed")
    body, headers = webhook_message(delivery)
    result = fetch.url_post(
        endpoint.url, body=body, headers=headers, timeout=settings.FACTCHECK_WEBHOOK_TIMEOUT
    )
    done = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            at=done,
            status_code=result.status,
            error=result.error,
            detail=result.detail[:300],
            response=result.answer.decode("utf-8", "replace")[:500],
            elapsed_ms=result.elapsed_ms,
        )
        if result.ok:
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                delivered_at=done, lease_until=None, last_status=result.status, last_error=""
            )
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=0)
            return WebhookSent(delivery_id, "delivered")
        gave_up = (
            delivery.attempts >= settings.FACTCHECK_WEBHOOK_MAX_ATTEMPTS
            or result.error in PERMANENT
        )
        wait = max(_backoff(delivery.attempts), result.retry_after or 0)
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            lease_until=None,
            last_status=result.status,
            last_error=f"{result.error}: {result.detail}"[:300],
            next_attempt_at=done + timedelta(seconds=wait),
            failed_at=done if gave_up else None,
        )
        _endpoint_failed(endpoint, error=result.error)
        if gave_up:
            return WebhookSent(delivery_id, "failed")
        if wait <= COUNTDOWN_MAX:
            _task_later(tasks.webhook_deliver_task, delivery_id, wait)
    return WebhookSent(delivery_id, "retry", retry_in=wait)


def _endpoint_failed(endpoint: WebhookEndpoint, *, error: str) -> None:
    """Count a failed attempt; switch the endpoint off after DISABLE_AFTER in a row and
    tell its owner (their inbox, and email)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=F("failure_count") + 1)
    limit = settings.FACTCHECK_WEBHOOK_DISABLE_AFTER
    why = f"{limit} failed attempts in a row; the last: {error}"
    switched = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, active=True, failure_count__gte=limit
    ).update(active=False, disabled_at=timezone.now(), disabled_reason=why[:300])
    if switched and endpoint.owner_id:
        from claims.services.claims import notification_create

        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "The webhook endpoint “%(name)s” was switched off after %(n)s failed "
                "deliveries in a row (the last: %(error)s). Check the receiver, switch it "
                "on again in the admin and send the failed deliveries again."
            ) % {"name": endpoint.name, "n": limit, "error": error}
        notification_create(recipient=endpoint.owner, message=message)


def webhook_deliveries_send_again(*, ids, user=None) -> int:
    """The admin's "send again": failed or pending deliveries go out now (a new attempt,
    the same ``webhook-id``). Returns how many were queued."""
    from claims import tasks

    now = timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.filter(pk__in=list(ids), delivered_at__isnull=True)
            .filter(endpoint__active=True)
            .values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(
            failed_at=None, next_attempt_at=now, lease_until=None
        )
        for delivery_id in ids:
            task_send(tasks.webhook_deliver_task, delivery_id)
    return len(ids)


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Switch an endpoint on again, its failure count back to 0."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=True, failure_count=0, disabled_at=None, disabled_reason=""
    )
    endpoint.refresh_from_db()
    return endpoint


def webhook_url_refusal(url: str) -> str | None:
    """Why the fetcher would refuse this endpoint URL (an error code), or None: the same
    check as every source, run when an admin registers the endpoint."""
    return fetch.url_refusal(url)


# --- Following ------------------------------------------------------------------------

FOLLOW_EMAIL_TEMPLATE = "events/emails/follow_{name}.txt"
CONFIRM_AGAIN_AFTER = timedelta(minutes=10)


def _email_normal(email: str) -> str:
    return email.strip().lower()


def _render_email(name: str, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language):
        text = render_to_string(
            FOLLOW_EMAIL_TEMPLATE.format(name=name), {"site_name": settings.SITE_NAME, **context}
        ).strip()
    subject, _sep, body = text.partition("\n")
    return subject.strip()[:200], body.strip() + "\n"


@dataclass(frozen=True)
class FollowAsked:
    """What ``follow_start`` did: the follow (None when nothing was stored), and whether
    a confirmation email was queued. The reader is told the same either way, so the
    form never reveals whether an address already follows."""

    follow: Follow | None
    confirm_queued: bool


@transaction.atomic
def follow_start(
    *, email: str, claim: Claim | None = None, article: Article | None = None, language: str
) -> FollowAsked:
    """A reader asks to follow a public claim or a published article: an unconfirmed
    follow and a confirmation email (double opt-in). Asking again re-sends the email
    (at most every CONFIRM_AGAIN_AFTER); an address that already follows gets nothing."""
    from claims import tasks

    if (claim is None) == (article is None):
        raise ValueError("follow a claim or an article")
    if (claim is not None and not claim.is_public) or (
        article is not None and not article.is_published
    ):
        return FollowAsked(None, False)
    email = _email_normal(email)
    target = {"claim": claim} if claim is not None else {"article": article}
    follow, _created = Follow.objects.select_for_update().get_or_create(
        email=email, **target, defaults={"language": language}
    )
    if follow.confirmed_at is not None:
        return FollowAsked(follow, False)
    recent = follow.emails.filter(
        kind=FollowEmail.Kind.CONFIRM, created_at__gte=timezone.now() - CONFIRM_AGAIN_AFTER
    )
    if recent.exists():
        return FollowAsked(follow, False)
    follow.language = language
    follow.save(update_fields=["language"])
    subject, body = _render_email(
        "confirm",
        language,
        {
            "follow": follow,
            "target": follow.target,
            "is_claim": claim is not None,
            "target_url": site_url(follow.target.get_absolute_url()),
            "confirm_url": site_url(follow.get_confirm_url()),
            "days": settings.FACTCHECK_FOLLOW_CONFIRM_DAYS,
        },
    )
    email_row = FollowEmail.objects.create(
        follow=follow, kind=FollowEmail.Kind.CONFIRM, subject=subject, body=body
    )
    task_send(tasks.follow_email_send_task, email_row.pk)
    return FollowAsked(follow, True)


def follow_by_token(token: str) -> Follow | None:
    if not token or len(token) > 64:
        return None
    return Follow.objects.select_related("claim", "article").filter(token=token).first()


def follow_confirm(*, token: str) -> Follow | None:
    """The reader confirms by the emailed link (a button: mail scanners that open links
    confirm nothing). Confirming twice is the same as once."""
    follow = follow_by_token(token)
    if follow is None:
        return None
    Follow.objects.filter(pk=follow.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    follow.refresh_from_db()
    return follow


def follow_stop(*, token: str) -> Follow | None:
    """Unfollow: the row and its unsent emails are deleted, the address with them.
    Returns the follow as it was (unsaved), or None when the link is unknown."""
    follow = follow_by_token(token)
    if follow is None:
        return None
    follow.delete()
    return follow


def follows_forget_unconfirmed(*, now=None) -> int:
    """Addresses that never confirmed are forgotten after FOLLOW_CONFIRM_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.FACTCHECK_FOLLOW_CONFIRM_DAYS)
    deleted, _by_model = Follow.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted


def follows_of(*, email: str):
    """The follows of one address (the reporter-data export and erase)."""
    email = _email_normal(email)
    if not email:
        return Follow.objects.none()
    return Follow.objects.filter(email=email).select_related("claim", "article")


def follows_export(*, email: str) -> list[dict]:
    return [
        {
            "following": "claim" if follow.claim_id else "article",
            "title": follow.claim.text if follow.claim_id else follow.article.title,
            "url": site_url(follow.target.get_absolute_url()),
            "email": follow.email,
            "language": follow.language,
            "asked_at": follow.created_at.isoformat(),
            "confirmed_at": follow.confirmed_at.isoformat() if follow.confirmed_at else None,
            "emails_sent": [
                {"subject": mail.subject, "sent_at": mail.sent_at.isoformat()}
                for mail in follow.emails.all()
                if mail.sent_at
            ],
        }
        for follow in follows_of(email=email).prefetch_related("emails").order_by("created_at")
    ]


def follows_erase(*, email: str) -> int:
    """Stop every follow of this address (the address goes with them)."""
    deleted, _by_model = follows_of(email=email).delete()
    return deleted


def _update_emails(event: Event, follows) -> list[FollowEmail]:
    """One update email per address, in its follower's language."""
    emails, seen = [], set()
    verdict, previous = event.payload.get("verdict"), event.payload.get("previous_verdict")
    for follow in follows.select_related("claim", "article"):
        if follow.email in seen:
            continue
        seen.add(follow.email)
        label = f"label_{'en' if follow.language == 'en' else 'nl'}"
        subject, body = _render_email(
            "update",
            follow.language,
            {
                "event": event,
                "data": event.payload,
                "kind": event.kind,
                "follow": follow,
                "target": follow.target,
                "is_claim": follow.claim_id is not None,
                "new_label": verdict["rating"][label] if verdict else "",
                "old_label": previous["rating"][label] if previous else "",
                "stop_url": site_url(follow.get_stop_url()),
            },
        )
        emails.append(
            FollowEmail(
                follow=follow,
                event=event,
                kind=FollowEmail.Kind.UPDATE,
                subject=subject,
                body=body,
            )
        )
    return emails


def follow_email_send(*, email_id: int) -> bool:
    """Send one follower's email (see ``outbox_email_send``); a row unfollowed in between
    went with its follow. Updates carry one-click unsubscribe headers."""
    return outbox_email_send(FollowEmail, email_id, recipient=_follower, what="follow email")


def _follower(email: FollowEmail) -> tuple[str, dict[str, str]]:
    follow = email.follow
    if email.kind != FollowEmail.Kind.UPDATE:
        return follow.email, {}
    return follow.email, {
        "List-Unsubscribe": f"<{site_url(follow.get_unsubscribe_url())}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.SITE_NAME} <follow.{site_url().split('//')[-1]}>",
    }


# --- The sweeper -------------------------------------------------------------------------


def events_sweep(*, older_than_seconds: int = 30, limit: int = 500) -> dict[str, int]:
    """Send again what is due: events not yet handed out, webhook deliveries and
    followers' emails whose time came (a retry's wait, a lost message, an outage)."""
    from claims import tasks

    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    events = list(
        Event.objects.filter(dispatched_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    deliveries = outbox_due(WebhookDelivery, "delivered_at", now=now, limit=limit)
    emails = outbox_due(FollowEmail, "sent_at", now=now, limit=limit)
    return {
        "events": task_resend(tasks.event_dispatch_task, events),
        "deliveries": task_resend(tasks.webhook_deliver_task, deliveries),
        "emails": task_resend(tasks.follow_email_send_task, emails),
    }
