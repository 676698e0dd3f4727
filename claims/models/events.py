"""Events: what happened that someone outside the newsroom asked to hear about (a verdict
published or changed, a correction, a dead or changed source, a reader's report), and
the outboxes that tell them: signed webhook deliveries to registered endpoints, and
emails to readers who follow a claim or an article.

Every message is a row before it is sent (``delivered_at`` / ``sent_at`` empty is
pending work the beat sweeper finds), and each recipient gets an event once: a unique
constraint per event and endpoint, and per event and follower.
"""

from __future__ import annotations

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models.articles import Article
from claims.models.claims import Claim
from claims.models.common import Language

User = settings.AUTH_USER_MODEL


class EventKind(models.TextChoices):
    VERDICT_PUBLISHED = "verdict.published", _("A verdict was published")
    VERDICT_CHANGED = "verdict.changed", _("A verdict changed")
    CORRECTION_PUBLISHED = "correction.published", _("A correction was published")
    SOURCE_DEAD = "source.dead", _("A cited source is dead")
    SOURCE_CHANGED = "source.changed", _("A cited source changed")
    REPORT_RECEIVED = "report.received", _("A reader's report came in")


class Event(models.Model):
    """One thing that happened, with its public description (``payload``: what webhooks
    receive as ``data``; never a reader's personal data or an internal note). Written in
    the transaction of the action itself; handing it out to endpoints and followers
    (``dispatched_at``) is the task's work, recovered by the sweeper."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, choices=EventKind.choices, verbose_name=_("kind"))
    payload = models.JSONField(verbose_name=_("payload"))
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    dispatched_at = models.DateTimeField(null=True, blank=True, verbose_name=_("handed out at"))

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(dispatched_at__isnull=True),
                name="event_undispatched",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


def webhook_secret_new() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL that receives the events it subscribes to, signed per the Standard Webhooks
    specification. Slack and Matrix (hookshot) incoming webhooks get a readable message
    instead of the JSON event, through the same deliveries."""

    class Format(models.TextChoices):
        STANDARD = "standard", _("Standard Webhooks (JSON)")
        SLACK = "slack", _("Slack message")
        MATRIX = "matrix", _("Matrix message (hookshot)")

    name = models.CharField(max_length=100, verbose_name=_("name"))
    url = models.URLField(max_length=2000, verbose_name=_("URL"))
    secret = models.CharField(
        max_length=100,
        default=webhook_secret_new,
        verbose_name=_("signing secret"),
        help_text=_("The receiver checks each delivery's signature with this secret."),
    )
    events = models.JSONField(default=list, verbose_name=_("events"))
    format = models.CharField(
        max_length=16, choices=Format.choices, default=Format.STANDARD, verbose_name=_("format")
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    owner = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("Told by email and in their inbox when the endpoint is switched off."),
    )
    # Failed attempts in a row (any delivery); a success sets it back to 0.
    failure_count = models.PositiveIntegerField(default=0, verbose_name=_("failures in a row"))
    disabled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("switched off at"))
    disabled_reason = models.CharField(
        max_length=300, blank=True, verbose_name=_("why it was switched off")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def wants(self, kind: str) -> bool:
        return self.active and kind in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row. ``uid`` is the ``webhook-id`` the
    receiver sees, the same on every attempt, so it can drop a repeat."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    lease_until = models.DateTimeField(null=True, blank=True)  # a sender is on it
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    failed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("given up at"))
    last_status = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("last HTTP status")
    )
    last_error = models.CharField(max_length=300, blank=True, verbose_name=_("last error"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(delivered_at__isnull=True, failed_at__isnull=True),
                name="delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event.kind} → {self.endpoint}"

    @property
    def state(self) -> str:
        if self.delivered_at:
            return "delivered"
        if self.failed_at:
            return "failed"
        return "pending"


class WebhookAttempt(models.Model):
    """One POST of a delivery: the delivery log."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="log", verbose_name=_("delivery")
    )
    number = models.PositiveSmallIntegerField(verbose_name=_("attempt"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("HTTP status")
    )
    error = models.CharField(max_length=40, blank=True, verbose_name=_("error"))
    detail = models.CharField(max_length=300, blank=True, verbose_name=_("detail"))
    response = models.CharField(max_length=500, blank=True, verbose_name=_("answer"))
    elapsed_ms = models.PositiveIntegerField(default=0, verbose_name=_("milliseconds"))

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"

    @property
    def ok(self) -> bool:
        return not self.error


def follow_token_new() -> str:
    return secrets.token_urlsafe(32)


class Follow(models.Model):
    """A reader who asked to hear about one claim or one article by email. The address
    is kept only while they follow: unconfirmed follows are forgotten after
    ``FACTCHECK_FOLLOW_CONFIRM_DAYS``, and unsubscribing deletes the row (and its
    unsent emails). ``token`` is the secret in the confirm and unsubscribe links."""

    email = models.EmailField(max_length=254, verbose_name=_("email"))
    claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("claim"),
    )
    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("article"),
    )
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.NL, verbose_name=_("language")
    )
    token = models.CharField(max_length=64, unique=True, default=follow_token_new, editable=False)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("asked at"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claim__isnull=False, article__isnull=True)
                | Q(claim__isnull=True, article__isnull=False),
                name="follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["email", "claim"], condition=Q(claim__isnull=False), name="follow_claim"
            ),
            models.UniqueConstraint(
                fields=["email", "article"],
                condition=Q(article__isnull=False),
                name="follow_article",
            ),
        ]
        indexes = [models.Index(fields=["email"], name="follow_email")]

    def __str__(self) -> str:
        return f"{self.target} ({'confirmed' if self.confirmed_at else 'unconfirmed'})"

    @property
    def target(self) -> Claim | Article:
        return self.claim if self.claim_id else self.article

    def get_confirm_url(self) -> str:
        return reverse("claims:follow_confirm", kwargs={"token": self.token})

    def get_stop_url(self) -> str:
        return reverse("claims:follow_stop", kwargs={"token": self.token})

    def get_unsubscribe_url(self) -> str:
        """RFC 8058 one-click unsubscribe (List-Unsubscribe); a GET shows the stop page."""
        return reverse("claims:follow_unsubscribe", kwargs={"token": self.token})


class FollowEmail(models.Model):
    """One email to a follower, in the outbox until ``sent_at``. The address is read
    from the follow when it goes out, and unfollowing deletes what has not."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("Confirm following")
        UPDATE = "update", _("Update")

    follow = models.ForeignKey(
        Follow, on_delete=models.CASCADE, related_name="emails", verbose_name=_("follower")
    )
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_emails",
        verbose_name=_("event"),
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    body = models.TextField(verbose_name=_("body"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    failed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("given up at"))
    last_error = models.CharField(max_length=300, blank=True, verbose_name=_("last error"))

    class Meta:
        verbose_name = _("email to a follower")
        verbose_name_plural = _("emails to followers")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One email per event per follower, however often the event is handed out.
            models.UniqueConstraint(
                fields=["follow", "event"], condition=Q(event__isnull=False), name="follow_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="follow_email_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.follow_id} ({'sent' if self.sent_at else 'due'})"
